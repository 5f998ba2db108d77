#!/bin/sh
# Remakes Tests/Fixtures/decoder/x86_64: raw .text samples of system binaries (<name>.bin), GNU objdump's listing
# of each (<name>.objdump, made with `objdump -D -b binary -m i386:x86-64 --adjust-vma=<address>`), the
# do_sys_openat2 bytes from the reference capture, and the assembler oracle (assembler.s -> assembler.bin by GNU as).
# Needs binutils (objdump, objcopy, as) and Debian 12's bash, gcc-12 (cc1), libc6, libssl3. Run from the repo root.
# swift build/test never run this: they read the committed outputs.
set -eu
out=Tests/Fixtures/decoder/x86_64
mkdir -p "$out"

# sample NAME FILE START_ADDRESS SIZE: SIZE bytes of FILE's .text from START_ADDRESS (an instruction boundary
# that objdump found when disassembling the whole file).
sample() {
    name=$1 file=$2 start=$3 size=$4
    set -- $(objdump -h "$file" | awk '$2 == ".text" { print $4, $6 }')
    vma=$((0x$1)) off=$((0x$2))
    skip=$((start - vma + off))
    dd if="$file" of="$out/$name.bin" bs=1 skip="$skip" count="$size" status=none
    objdump -D -b binary -m i386:x86-64 --adjust-vma="$start" "$out/$name.bin" > "$out/$name.objdump"
    echo "$name: $file .text at $(printf 0x%x "$start"), $size bytes" >> "$out/SOURCES.txt"
}

# first_match FILE REGEX LINES_BEFORE: the address of the instruction LINES_BEFORE lines before objdump's first
# instruction matching REGEX (-1: the one after it) (so a sample starts on a boundary shortly before interesting code); optional
# objdump options (an address window) in $4.
first_match() {
    objdump -d ${4:-} "$1" | awk -v re="$2" -v back="$3" '
        /^ *[0-9a-f]+:\t/ {
            n++; addr[n] = $1
            if (next_one) { a = $1; sub(":", "", a); print "0x" a; exit }
            if ($0 ~ re) {
                if (back < 0) { next_one = 1; next }
                i = n - back; if (i < 1) i = 1; a = addr[i]; sub(":", "", a); print "0x" a; exit
            }
        }'
}

text_start() { objdump -h "$1" | awk '$2 == ".text" { print "0x" $4 }'; }

: > "$out/SOURCES.txt"
libc=/usr/lib/x86_64-linux-gnu/libc.so.6
crypto=/usr/lib/x86_64-linux-gnu/libcrypto.so.3
sample bash /usr/bin/bash "$(first_match /usr/bin/bash 'push' 0)" 49152
cc1=/usr/lib/gcc/x86_64-linux-gnu/12/cc1
window=$(( $(text_start $cc1) + 0x200000 ))
# Start at the first ret found past the window start, so the decode is in sync.
sample cc1 $cc1 "$(first_match $cc1 '\tret' -1 "--start-address=$window --stop-address=$((window + 0x4000))")" 49152
sample libc "$libc" "$(first_match "$libc" 'push' 0)" 49152
sample libc-avx2 "$libc" "$(first_match "$libc" 'vpcmpeqb.*%ymm' 40)" 16384
sample libc-evex "$libc" "$(first_match "$libc" '%ymm1[6-9]|%zmm' 40)" 32768
sample libcrypto "$crypto" "$(first_match "$crypto" 'aesenc' 40)" 32768

# do_sys_openat2's first 48 bytes as /proc/kcore showed them (the last instruction is cut off).
ref=/work/shared/reference/linux-6.1-x86_64-kprobes.txt
line=$(grep -m1 '^do_sys_openat2 @ ' "$ref" | tr -d '\r')
addr=$(echo "$line" | awk '{ sub(":", "", $3); print $3 }')
echo "$line" | cut -d: -f2 | xxd -r -p > "$out/do_sys_openat2.bin"
objdump -D -b binary -m i386:x86-64 --adjust-vma="$addr" "$out/do_sys_openat2.bin" > "$out/do_sys_openat2.objdump"
echo "do_sys_openat2: $ref at $addr, $(wc -c < "$out/do_sys_openat2.bin") bytes" >> "$out/SOURCES.txt"
