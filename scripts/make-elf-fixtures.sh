#!/bin/sh
# Regenerates Tests/Fixtures/elf/: assembles the sources in src/, links each object with GNU ld at the exact
# addresses ELFLoader chooses for it in a fresh machine (see ELFLayout), and dumps what ld produced, which the
# tests use as the independent oracle:
#   <arch>/<name>.o            the relocatable object the loader loads
#   <arch>/<name>.linked       ld's ET_EXEC output (also the ET_EXEC loading fixture)
#   <arch>/<name>.<section>.bin objcopy -O binary of each linked output section with contents
#   <arch>/<name>.layout       "name vma size contents|nobits" per allocated output section (objdump -h)
#   <arch>/<name>.nm           nm -S of the linked image (symbol addresses, sizes, kallsyms-style types)
# Needs binutils for both arches; swift build/test never run this.
set -eu
cd "$(dirname "$0")/../Tests/Fixtures/elf"

if ! command -v aarch64-linux-gnu-as >/dev/null 2>&1; then
    apt-get install -y binutils-aarch64-linux-gnu
fi

# The loader's placement in a fresh machine: the text region starts at Architecture.kernelTextBase, the
# read-only region at the next page after text, the writable region at the next page after that; each region
# takes its sections in section-header order honouring sh_addralign, NOBITS after PROGBITS, COMMON last.
# Gaps are zero (=0 stops ld filling code gaps with nops), as the module loader's memset leaves them.
# .modinfo is discarded: the module loader does not keep it either.
# The host function the tests register first lives at Machine.hostFunctionBase + 16.
link() { # arch prefix base name entry defsyms...
    arch=$1; prefix=$2; base=$3; name=$4; entry=$5; shift 5
    cat > "$arch/link.ld" <<LD
PHDRS { text PT_LOAD FLAGS(5); rodata PT_LOAD FLAGS(4); data PT_LOAD FLAGS(6); }
SECTIONS {
  . = $base;
  .text : { *(.text .text.*) } :text =0
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.* __mcount_loc) } :rodata
  . = ALIGN(0x1000);
  .data : { *(.data .data.* __patchable_function_entries) } :data
  .bss : { *(.bss .bss.*) *(COMMON) } :data
  /DISCARD/ : { *(.note.GNU-stack) *(.modinfo) }
}
LD
    ${prefix}ld -static -nostdlib --build-id=none --no-relax -z max-page-size=0x1000 -z noexecstack -e "$entry" "$@" -T "$arch/link.ld" \
        -o "$arch/$name.linked" "$arch/$name.o"
    rm "$arch/link.ld"
    # "name vma size contents|nobits" per allocated output section; the flags line after each tells which.
    ${prefix}objdump -h "$arch/$name.linked" | awk '
        $2 ~ /^\./ { line = $2 " 0x" $4 " 0x" $3; next }
        line != "" && $0 ~ /ALLOC/ { print line, ($0 ~ /CONTENTS/ ? "contents" : "nobits") }
        { line = "" }' > "$arch/$name.layout"
    while read -r section vma size kind; do
        if [ "$kind" = contents ]; then
            ${prefix}objcopy -O binary -j "$section" "$arch/$name.linked" "$arch/$name$section.bin"
        fi
    done < "$arch/$name.layout"
    ${prefix}nm -S "$arch/$name.linked" > "$arch/$name.nm"
}

mkdir -p x86_64 arm64
as --64 -o x86_64/relocs.o src/x86_64.s
link x86_64 "" 0xffffffff81000000 relocs x86_entry \
    --defsym printk=0xfffffffffe000010 --defsym small_value=0x12345678

aarch64-linux-gnu-as -o arm64/relocs.o src/arm64.s
link arm64 aarch64-linux-gnu- 0xffff800008000000 relocs a64_entry \
    --defsym printk=0xfffffffffe000010 --defsym small16=0x1234 \
    --defsym small32=0x12345678 --defsym small48=0x123456789abc

# Objects for overflow and unsupported-type tests: the tests choose where their external symbols live.
as --64 -o x86_64/overflow.o src/x86_64-overflow.s
as --64 -o x86_64/unsupported.o src/x86_64-unsupported.s
aarch64-linux-gnu-as -o arm64/overflow.o src/arm64-overflow.s
aarch64-linux-gnu-as -o arm64/unsupported.o src/arm64-unsupported.s
aarch64-linux-gnu-as -o arm64/beyond.o src/arm64-beyond.s
# The module PLT veneer oracle: GNU as's encoding of the veneer for the first host function.
aarch64-linux-gnu-as -o arm64/veneer.o src/arm64-veneer.s
aarch64-linux-gnu-objcopy -O binary -j .text arm64/veneer.o arm64/veneer.bin
rm arm64/veneer.o
