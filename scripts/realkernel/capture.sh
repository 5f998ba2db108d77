#!/bin/bash
# Runs one payload in a guest (run.sh) and writes its output as a fixture with a provenance header:
#   capture.sh --arch x86_64|arm64 --name NAME PAYLOAD.sh [run.sh options: --smp N, --file PATH...]
# writes Tests/Fixtures/realkernel/ARCH/NAME.txt. Every payload gets payloads/lib.sh in /root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}
args=("$@")
arch= name= rest=()
while [ $# -gt 0 ]; do
    case $1 in
        --arch) arch=$2; rest+=("$1" "$2"); shift 2 ;;
        --name) name=$2; shift 2 ;;
        *) rest+=("$1"); shift ;;
    esac
done
[ -n "$arch" ] && [ -n "$name" ] || { echo "usage: $0 --arch ARCH --name NAME PAYLOAD.sh [run.sh options]" >&2; exit 2; }
out=$ROOT/Tests/Fixtures/realkernel/$arch/$name.txt
mkdir -p "$(dirname "$out")"
body=$(mktemp)
trap 'rm -f "$body"' EXIT
"$HERE/run.sh" "${rest[@]}" --file "$HERE/payloads/lib.sh" > "$body"
# machine: the QEMU machine flags run.sh uses for this arch and the CPU count asked for.
machine() {
    local smp=1 i
    for ((i = 0; i < ${#rest[@]}; i++)); do [ "${rest[$i]}" = --smp ] && smp=${rest[$((i + 1))]}; done
    case $arch in
        x86_64) echo "-M q35 -cpu max -m 1G -smp $smp, append 'console=ttyS0 quiet panic=-1 nokaslr'" ;;
        arm64) echo "-M virt -cpu max,pauth-impdef=on -m 1G -smp $smp, append 'console=ttyAMA0 quiet panic=-1 nokaslr'" ;;
    esac
}
deb=$(cat "$CACHE/$arch/kernel/DEB")
{
    echo "# realkernel capture: $name ($arch)"
    echo "# kernel: $(echo "$deb" | sed -E 's/^([^_]+)_([^_]+)_.*/\1 \2/') (Debian bookworm .deb, extracted, booted with -kernel/-initrd, nokaslr)"
    echo "# qemu: $(qemu-system-x86_64 --version | head -1 | sed 's/QEMU emulator version //'), TCG; $(machine)"
    echo "# command: scripts/realkernel/capture.sh ${args[*]}"
    echo "# date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# made by: scripts/realkernel/prepare.sh, then the command above (scripts/realkernel/remake-fixtures.sh remakes all)"
    cat "$body"
} > "$out"
echo "wrote $out ($(wc -l < "$out") lines)" >&2
