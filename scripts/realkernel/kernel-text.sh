#!/bin/bash
# Builds the host-side view of a guest kernel's text used to choose probe candidates, cached next to the kernel:
#   $CACHE/ARCH/kallsyms     text symbols from the running guest (nokaslr, so stable run to run)
#   $CACHE/ARCH/blacklist    debugfs kprobes/blacklist of the running guest
#   $CACHE/ARCH/ftrace-functions  available_filter_functions (functions kprobe_events may probe)
#   $CACHE/ARCH/section-bounds  __start_*/__stop_* symbols (jump table, static calls, bug table, ...)
#   $CACHE/ARCH/text.objdump disassembly of the kernel image (x86_64: vmlinux unpacked from the bzImage's xz
#                            payload; arm64: the uncompressed Image at _text), with raw bytes
# The disassembly is of the image on disk; boot-time patching (ftrace NOPs, return thunks, alternatives) is
# only seen in the guest, which is why the matrix payload records the live bytes of every candidate.
#   kernel-text.sh x86_64|arm64
set -euo pipefail
CACHE=${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}
HERE=$(cd "$(dirname "$0")" && pwd)
arch=${1:-}
case $arch in x86_64|arm64) ;; *) echo "usage: $0 x86_64|arm64" >&2; exit 2 ;; esac
dir=$CACHE/$arch

if [ ! -s "$dir/kallsyms" ] || [ ! -s "$dir/blacklist" ] || [ ! -s "$dir/section-bounds" ] || [ ! -s "$dir/ftrace-functions" ]; then
    "$HERE/run.sh" --arch "$arch" "$HERE/payloads/symbols.sh" > "$dir/symbols.out"
    sed -n '/^## blacklist$/,/^## /p' "$dir/symbols.out" | grep -v '^## ' > "$dir/blacklist"
    sed -n '/^## kallsyms.gz.b64$/,/^## end$/p' "$dir/symbols.out" | grep -v '^## ' | base64 -d | gunzip \
        | sort > "$dir/kallsyms"
    sed -n '/^## section bounds$/,/^## end$/p' "$dir/symbols.out" | grep -v '^## ' > "$dir/section-bounds"
    sed -n '/^## available_filter_functions.gz.b64$/,/^## section bounds$/p' "$dir/symbols.out" | grep -v '^## ' \
        | base64 -d | gunzip | awk '{ print $1 }' | sort -u > "$dir/ftrace-functions"
fi

if [ ! -s "$dir/text.objdump" ]; then
    kernel=$(ls "$dir"/kernel/boot/vmlinuz-* | head -1)
    text=$(awk '$3 == "_stext" { print $1 }' "$dir/kallsyms")
    etext=$(awk '$3 == "_etext" { print $1 }' "$dir/kallsyms")
    [ -n "$text" ] && [ -n "$etext" ] || { echo "kernel-text.sh: _stext/_etext missing from $dir/kallsyms" >&2; exit 1; }
    if [ "$arch" = x86_64 ]; then
        # extract-vmlinux logic: the payload is the first xz stream in the bzImage (Debian builds with XZ).
        off=$(grep -abo $'\xfd7zXZ' "$kernel" | head -1 | cut -d: -f1)
        tail -c +"$((off + 1))" "$kernel" | xz -dc 2>/dev/null > "$dir/vmlinux" || true
        objdump -d --start-address="0x$text" --stop-address="0x$etext" "$dir/vmlinux" > "$dir/text.objdump"
    else
        # kallsyms has no _text here; Image offset 0 is KIMAGE_VADDR, and _stext sits 64 KiB into the Image.
        base=$(awk '$3 == "_text" { print $1 }' "$dir/kallsyms")
        [ -n "$base" ] || base=$(printf '%x' $((0x$text - 0x10000)))
        aarch64-linux-gnu-objdump -D -b binary -m aarch64 --adjust-vma="0x$base" \
            --start-address="0x$text" --stop-address="0x$etext" "$kernel" > "$dir/text.objdump"
    fi
fi
ls -la "$dir/kallsyms" "$dir/blacklist" "$dir/text.objdump"
