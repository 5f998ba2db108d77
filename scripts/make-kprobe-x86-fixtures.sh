#!/bin/sh
# Regenerates Tests/Fixtures/kprobes-x86/: assembles emulation.s with GNU as (x86_64) and writes the listing
# the tests take their offsets from. Deterministic: two runs give identical bytes. swift build/test never run it.
#   emulation.o        the relocatable object KprobeX86EmulationTests loads with ELFLoader
#   emulation.objdump  `objdump -d` of it (AT&T syntax), listed with the object's basename
#   emulation.reloc    `objdump -r` of it
set -eu
cd "$(dirname "$0")/../Tests/Fixtures/kprobes-x86"

if command -v x86_64-linux-gnu-as >/dev/null 2>&1; then
    prefix=x86_64-linux-gnu-
elif [ "$(uname -m)" = x86_64 ] && command -v as >/dev/null 2>&1; then
    prefix=
else
    apt-get install -y binutils-x86-64-linux-gnu
    prefix=x86_64-linux-gnu-
fi

"${prefix}as" --64 -o emulation.o emulation.s
"${prefix}objdump" -d emulation.o > emulation.objdump
"${prefix}objdump" -r emulation.o > emulation.reloc
"${prefix}as" --version | head -1 > toolchain.txt
