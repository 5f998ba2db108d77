#!/bin/bash
# Prepares everything run.sh needs to boot Debian's 6.1 kernels under QEMU: host packages, both kernels
# (downloaded and extracted, never installed), the arm64 busybox, and a base initramfs per arch.
# Idempotent: each step is skipped when its output already exists. Nothing is written into the git tree.
#
# Environment:
#   KPROBESIM_CACHE        cache root (default $HOME/.cache/kprobesim/realkernel)
#   KPROBESIM_KERNEL_ABI   kernel ABI name (default 6.1.0-56, the one the shared reference captures used)
set -euo pipefail

CACHE=${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}
ABI=${KPROBESIM_KERNEL_ABI:-6.1.0-56}
HERE=$(cd "$(dirname "$0")" && pwd)

say() { printf 'prepare: %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { say "must run as root (apt-get, dpkg --add-architecture)"; exit 1; }; }

mkdir -p "$CACHE/debs"

# 1. Host packages. Only installed when a tool is missing, so a prepared host needs no network.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v file >/dev/null || missing+=(file)
command -v objdump >/dev/null || missing+=(binutils)
command -v aarch64-linux-gnu-objdump >/dev/null || missing+=(binutils-aarch64-linux-gnu)
if [ ${#missing[@]} -gt 0 ]; then
    need_root
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# 2. Foreign architecture, so apt-get download can fetch arm64 packages (download only, never install).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    need_root
    say "adding dpkg architecture arm64"
    dpkg --add-architecture arm64
    apt-get update -qq
fi

# fetch PKG DEBARCH DEST: downloads PKG:DEBARCH into the cache (once) and extracts it to DEST (once).
fetch() {
    local pkg=$1 debarch=$2 dest=$3 deb
    [ -d "$dest" ] && return 0
    deb=$(ls "$CACHE/debs/${pkg}_"*"_$debarch.deb" 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        say "downloading $pkg:$debarch"
        (cd "$CACHE/debs" && apt-get download -qq "$pkg:$debarch" >&2) || {
            say "apt-get download $pkg:$debarch failed: is it still offered? (apt-cache policy $pkg:$debarch)"; exit 1; }
        deb=$(ls -t "$CACHE/debs/${pkg}_"*"_$debarch.deb" | head -1)
    fi
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp" && dpkg-deb -x "$deb" "$dest.tmp" && mv "$dest.tmp" "$dest"
    basename "$deb" > "$dest/DEB"
}

fetch "linux-image-$ABI-amd64" amd64 "$CACHE/x86_64/kernel"
fetch "linux-image-$ABI-arm64" arm64 "$CACHE/arm64/kernel"
fetch busybox-static arm64 "$CACHE/arm64/busybox"
# Kernel headers and kbuild for building the corpus module against the guest kernels (build-module.sh); the
# kbuild tools are host (amd64) binaries, also used for the arm64 cross build.
fetch "linux-headers-$ABI-common" all "$CACHE/headers/common"
fetch "linux-headers-$ABI-amd64" amd64 "$CACHE/headers/x86_64"
fetch "linux-headers-$ABI-arm64" arm64 "$CACHE/headers/arm64"
fetch "linux-kbuild-${ABI%.*}" amd64 "$CACHE/headers/kbuild"
mkdir -p "$CACHE/x86_64/busybox/bin"
[ -x "$CACHE/x86_64/busybox/bin/busybox" ] || cp /bin/busybox "$CACHE/x86_64/busybox/bin/busybox"

# 3. Base initramfs per arch: busybox and the /init that mounts the pseudo filesystems, runs /payload.sh
# between nonce markers and powers off. run.sh appends a second cpio holding the payload.
for arch in x86_64 arm64; do
    out="$CACHE/$arch/base.cpio.gz"
    if [ ! -s "$out" ] || [ "$HERE/init.sh" -nt "$out" ]; then
        root=$(mktemp -d)
        mkdir -p "$root"/{bin,dev,proc,sys,tmp,root}
        cp "$CACHE/$arch/busybox/bin/busybox" "$root/bin/busybox"
        ln -s busybox "$root/bin/sh"
        install -m 0755 "$HERE/init.sh" "$root/init"
        (cd "$root" && find . | cpio -o -H newc --quiet --owner 0:0 | gzip -9) > "$out.tmp"
        mv "$out.tmp" "$out"
        rm -rf "$root"
        say "built $out"
    fi
done

kx=$(ls "$CACHE"/x86_64/kernel/boot/vmlinuz-* | head -1)
ka=$(ls "$CACHE"/arm64/kernel/boot/vmlinuz-* | head -1)
cat <<INFO
cache:            $CACHE
x86_64 kernel:    $kx  ($(cat "$CACHE/x86_64/kernel/DEB"))
x86_64 initramfs: $CACHE/x86_64/base.cpio.gz
arm64 kernel:     $ka  ($(cat "$CACHE/arm64/kernel/DEB"))
arm64 initramfs:  $CACHE/arm64/base.cpio.gz
qemu:             $(qemu-system-x86_64 --version | head -1)
symbols:          Debian's System.map is a placeholder; kernel-text.sh takes them from the guest's /proc/kallsyms
INFO
