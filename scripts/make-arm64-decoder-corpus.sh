#!/bin/sh
# Remakes the arm64 decoder/executor fixtures under Tests/Fixtures/decoder/arm64/ (swift build/test never runs this).
# Needs: binutils-aarch64-linux-gnu, gcc-aarch64-linux-gnu, qemu-user, dpkg (multiarch download only, nothing
# is installed for arm64).
#
#   exec/routines.s        hand-written test routines (committed source)
#   exec/routines.bin      their .text as assembled by aarch64-linux-gnu-as
#   exec/routines.syms     "<offset hex> <name>" of every routine (from nm)
#   exec/routines.objdump  aarch64-linux-gnu-objdump -d of the object (symbolized branch targets)
#   exec/expected.txt      "<name> <a0> <a1> <a2> <a3> = 0x<16 hex>", the routine run natively under qemu-aarch64
#   asm/assembler.s/.bin   the assembler oracle: GNU as's bytes for a test source
#   corpus/*.bin + *.objdump   .text samples of Debian arm64 binaries and do_sys_openat2 (Linux 6.1), with
#                              `aarch64-linux-gnu-objdump -D -b binary -m aarch64` listings
set -eu
cd "$(dirname "$0")/.."
out=Tests/Fixtures/decoder/arm64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- executor routines ----------------------------------------------------------------------------------------
aarch64-linux-gnu-as -o "$work/routines.o" "$out/exec/routines.s"
aarch64-linux-gnu-objcopy -O binary -j .text "$work/routines.o" "$out/exec/routines.bin"
aarch64-linux-gnu-objdump -d "$work/routines.o" | sed -e "s|$work/||" > "$out/exec/routines.objdump"
aarch64-linux-gnu-nm "$work/routines.o" | awk '$2 == "T" { print $1, $3 }' | sort > "$out/exec/routines.syms"
{
    echo '#include <stdio.h>'
    echo '#include <stdint.h>'
    echo 'typedef uint64_t (*routine)(uint64_t, uint64_t, uint64_t, uint64_t);'
    awk '{ print "uint64_t " $2 "(uint64_t, uint64_t, uint64_t, uint64_t);" }' "$out/exec/routines.syms"
    echo 'static const struct { const char *name; routine fn; } routines[] = {'
    awk '{ print "    { \"" $2 "\", " $2 " }," }' "$out/exec/routines.syms"
    echo '};'
    cat <<'C'
static const uint64_t vectors[][4] = {
    { 0, 0, 0, 0 }, { 1, 2, 3, 4 }, { (uint64_t)-1, 1, 0, 1 },
    { 0x8000000000000000ull, 0x7fffffffffffffffull, 1, 2 }, { 0x7fffffffffffffffull, 1, 2, 1 },
    { 0xffffffffull, 1, 0x80000000ull, 0x7fffffffull }, { 0x80000000ull, 0x80000000ull, 5, 5 },
    { 0x123456789abcdef0ull, 0xfedcba9876543210ull, 0x0f0f0f0f0f0f0f0full, 0x00000000ffff0000ull },
    { 5, 0, 7, 3 }, { (uint64_t)-5, 3, (uint64_t)-7, (uint64_t)-1 },
    { 0x8000000000000000ull, (uint64_t)-1, 0x80000000ull, 0xffffffffull }, { 100, 37, 63, 64 },
    { 0xdeadbeefcafebabeull, 0x0123456789abcdefull, 31, 32 }, { 0xffff, 0x10000, 0xff00, 0x00ff },
    { 42, 42, 0, 0 }, { 0x7fffffff, 0x7fffffff, 0x80000001ull, 1 },
};
int main(void) {
    for (unsigned r = 0; r < sizeof routines / sizeof routines[0]; r++)
        for (unsigned v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
            const uint64_t *a = vectors[v];
            printf("%s %llx %llx %llx %llx = 0x%016llx\n", routines[r].name, (unsigned long long)a[0],
                   (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
                   (unsigned long long)routines[r].fn(a[0], a[1], a[2], a[3]));
        }
    return 0;
}
C
} > "$work/driver.c"
aarch64-linux-gnu-gcc -O1 -static -o "$work/driver" "$work/driver.c" "$work/routines.o"
qemu-aarch64 "$work/driver" > "$out/exec/expected.txt"

# --- decoder corpus ----------------------------------------------------------------------------------------------
mkdir -p "$out/corpus"
listing() {  # <name>: objdump listing of corpus/<name>.bin as raw aarch64 code
    aarch64-linux-gnu-objdump -D -b binary -m aarch64 "$out/corpus/$1.bin" | sed -e "s|$out/corpus/||" > "$out/corpus/$1.objdump"
}
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
apt-get update -qq
for pkg in busybox-static libc6; do
    (cd "$work" && apt-get download -q "$pkg:arm64" >/dev/null && dpkg-deb -x "$pkg"_*_arm64.deb "$work/$pkg")
done
# A contiguous 64 KiB window of .text from each (head of the section: the whole section would be megabytes).
sample() {  # <elf> <name>
    aarch64-linux-gnu-objcopy -O binary -j .text "$1" "$work/$2.text"
    head -c 65536 "$work/$2.text" > "$out/corpus/$2.bin"
    listing "$2"
}
sample "$work/busybox-static/bin/busybox" busybox
sample "$(find "$work/libc6" -name 'libc.so.6' | head -1)" libc
# do_sys_openat2's first bytes from the Linux 6.1 arm64 capture (/proc/kcore).
grep '^do_sys_openat2 @' ../shared/reference/linux-6.1-arm64-kprobes.txt | sed 's/.*: *//' | tr ' ' '\n' \
    | grep -E '^[0-9a-f]{2}$' | while read -r b; do printf "\\$(printf '%03o' "0x$b")"; done > "$out/corpus/do_sys_openat2.bin"
listing do_sys_openat2

# --- assembler oracle ------------------------------------------------------------------------------------------------
aarch64-linux-gnu-as -march=armv8.5-a -o "$work/assembler.o" "$out/asm/assembler.s"
aarch64-linux-gnu-objcopy -O binary -j .text "$work/assembler.o" "$out/asm/assembler.bin"

# --- random words --------------------------------------------------------------------------------------------------
# 16384 uniformly random words plus 16384 with op0 forced into the branch/system (101x) and load/store (x1x0)
# groups, from a fixed seed, with objdump's listing: the decode-class and disassembly oracle for edge cases.
python3 - "$out/corpus/random.bin" <<'PY'
import random, struct, sys
rng = random.Random(0x61726d36)
words = [rng.getrandbits(32) for _ in range(16384)]
for _ in range(16384):
    w = rng.getrandbits(32) & ~(0xF << 25)
    op0 = rng.choice([0b1010, 0b1011, 0b0100, 0b0110, 0b1100, 0b1110])
    words.append(w | op0 << 25)
open(sys.argv[1], "wb").write(struct.pack("<%dI" % len(words), *words))
PY
listing random
