#!/bin/bash
# Boots a Debian 6.1 kernel under QEMU (TCG) with a payload script and prints exactly the payload's output.
#
#   run.sh --arch x86_64|arm64 PAYLOAD.sh [--smp N] [--file PATH]... [--log FILE]
#   run.sh --host PAYLOAD.sh
#
# The payload runs as root in a busybox initramfs with proc, sysfs, devtmpfs, tracefs (/sys/kernel/tracing) and
# debugfs (/sys/kernel/debug) mounted and the console loglevel lowered; its working directory /root holds the
# --file copies. Output is taken from the serial console between markers carrying a per-boot random nonce (it
# keeps stale logs and stray text from passing as output; the payload itself could read it from /proc/cmdline).
# --host runs the payload here instead, as root, in a temporary directory holding the --file copies.
# Exit status: the payload's own status; 125 when the markers are missing (boot failed, panic, timeout);
# 2 for bad usage or a host without kprobe_events. Run prepare.sh first (it caches the kernels and initramfs).
#
# Environment: KPROBESIM_CACHE (as prepare.sh), KPROBESIM_TIMEOUT (seconds per boot, default 600).
set -euo pipefail

CACHE=${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}
usage() { echo "usage: $0 --arch x86_64|arm64 PAYLOAD.sh [--smp N] [--file PATH]... [--log FILE] | --host PAYLOAD.sh" >&2; exit 2; }

arch= payload= smp=1 host=0 log= files=()
while [ $# -gt 0 ]; do
    case $1 in
        --arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
        --smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
        --file) [ $# -ge 2 ] || usage; files+=("$2"); shift 2 ;;
        --log) [ $# -ge 2 ] || usage; log=$2; shift 2 ;;
        --host) host=1; shift ;;
        -h|--help) usage ;;
        -*) echo "run.sh: unknown option '$1'" >&2; usage ;;
        *) [ -z "$payload" ] || { echo "run.sh: more than one payload ('$payload', '$1')" >&2; usage; }; payload=$1; shift ;;
    esac
done
[ -n "$payload" ] || usage
[ -f "$payload" ] || { echo "run.sh: payload '$payload' is not a file" >&2; exit 2; }
[[ $smp =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --smp '$smp' is not a positive integer" >&2; exit 2; }

if [ $host = 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "run.sh --host: must run as root" >&2; exit 2; }
    mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
    mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null || true
    if [ ! -e /sys/kernel/tracing/kprobe_events ]; then
        echo "run.sh --host: this host's kernel ($(uname -r)) has no /sys/kernel/tracing/kprobe_events" \
             "(built without CONFIG_KPROBE_EVENTS); use --arch to boot a guest instead" >&2
        exit 2
    fi
    script=$(realpath "$payload")
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    for f in "${files[@]}"; do cp "$f" "$work/"; done
    cd "$work"
    status=0
    sh "$script" 2>&1 || status=$?
    exit $status
fi

case $arch in
    x86_64) qemu=(qemu-system-x86_64 -M q35 -cpu max); console=ttyS0 ;;
    arm64) qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on); console=ttyAMA0 ;;
    *) echo "run.sh: --arch must be x86_64 or arm64, got '$arch'" >&2; usage ;;
esac
kernel=$(ls "$CACHE/$arch"/kernel/boot/vmlinuz-* 2>/dev/null | head -1 || true)
base=$CACHE/$arch/base.cpio.gz
[ -n "$kernel" ] && [ -s "$base" ] || { echo "run.sh: no $arch kernel/initramfs under $CACHE: run prepare.sh first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/root"
install -m 0755 "$payload" "$work/root/payload.sh"
for f in "${files[@]}"; do cp "$f" "$work/root/root/"; done
(cd "$work/root" && find . -mindepth 1 | cpio -o -H newc --quiet --owner 0:0 | gzip -1) > "$work/payload.cpio.gz"
cat "$base" "$work/payload.cpio.gz" > "$work/initrd"

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
serial=${log:-$work/serial.log}
: > "$serial"
timeout "${KPROBESIM_TIMEOUT:-600}" "${qemu[@]}" -accel tcg -m 1G -smp "$smp" -nodefaults -no-reboot \
    -display none -serial "file:$serial" -kernel "$kernel" -initrd "$work/initrd" \
    -append "console=$console quiet panic=-1 nokaslr kpsim_nonce=$nonce" </dev/null >&2 || true

# Output between the markers goes to stdout even when the END marker never comes (a panic mid-payload shows up
# there); the exit status tells the two apart.
status=0
tr -d '\r' < "$serial" | awk -v n="$nonce" '
    $0 == "==== KPROBESIM BEGIN " n { inside = 1; begun = 1; next }
    index($0, "==== KPROBESIM END " n " rc=") == 1 { sub(/.* rc=/, ""); rc = $0; ended = 1; exit }
    inside { print }
    END { if (!begun || !ended) exit 125; exit rc }' || status=$?
if [ $status = 125 ]; then
    echo "run.sh: BEGIN/END markers with nonce $nonce missing from the $arch serial console" \
         "(boot failure, panic or timeout after ${KPROBESIM_TIMEOUT:-600} s); last console lines:" >&2
    tr -d '\r' < "$serial" | tail -15 >&2
fi
exit $status
