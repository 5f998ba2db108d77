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
ref=../shared/reference/linux-6.1-x86_64-kprobes.txt  # shared/ sits beside the repository
line=$(grep -m1 '^do_sys_openat2 @ ' "$ref" | tr -d '\r')
addr=$(echo "$line" | awk '{ sub(":", "", $3); print $3 }')
echo "$line" | cut -d: -f2 | xxd -r -p > "$out/do_sys_openat2.bin"
objdump -D -b binary -m i386:x86-64 --adjust-vma="$addr" "$out/do_sys_openat2.bin" > "$out/do_sys_openat2.objdump"
echo "do_sys_openat2: $ref at $addr, $(wc -c < "$out/do_sys_openat2.bin") bytes" >> "$out/SOURCES.txt"

# Native-execution flag oracle (flags.txt): each snippet below is assembled by GNU as into a harness that loads
# %rax/%rcx/%rdx/RFLAGS, runs the snippet on this machine's CPU and stores them back. Each line records inputs,
# outputs and the mask of RFLAGS bits the SDM defines for that instruction and count (undefined bits differ
# between Intel and AMD, so the test compares only defined ones). Snippets that raise #DE natively are skipped.
work=$(mktemp -d)
cat > "$work/snippets.txt" <<'SNIPPETS'
add %rcx,%rax|all
add %ecx,%eax|all
add %cl,%al|all
add %cx,%ax|all
adc %rcx,%rax|all
adc %cl,%al|all
sub %rcx,%rax|all
sub %ecx,%eax|all
sbb %rcx,%rax|all
sbb %ecx,%eax|all
cmp %rcx,%rax|all
cmp %cl,%al|all
neg %rax|all
neg %eax|all
inc %rax|all
dec %eax|all
inc %al|all
and %rcx,%rax|logic
or %ecx,%eax|logic
xor %cx,%ax|logic
test %rcx,%rax|logic
imul %rcx,%rax|mul
imul %ecx,%eax|mul
imul %cx,%ax|mul
imul $-3,%rcx,%rax|mul
mul %rcx|mul
mul %ecx|mul
mul %cl|mul
imul %rcx|mul
imul %ecx|mul
div %rcx|none
div %ecx|none
idiv %rcx|none
idiv %ecx|none
shl %cl,%rax|shift64
shl %cl,%eax|shift32
shl %cl,%al|shift8
shr %cl,%rax|shift64
shr %cl,%eax|shift32
sar %cl,%rax|shift64
sar %cl,%eax|shift32
sar %cl,%ax|shift16
rol %cl,%rax|rotate64
ror %cl,%eax|rotate32
rcl %cl,%rax|rotate64
rcr %cl,%eax|rotate32
rcl %cl,%al|rotate8
shld %cl,%rdx,%rax|double64
shrd %cl,%rdx,%rax|double64
shld %cl,%edx,%eax|double32
shrd %cl,%edx,%eax|double32
bt %rcx,%rax|bt
bts %ecx,%eax|bt
btr %rcx,%rax|bt
btc %ecx,%eax|bt
bsf %rcx,%rax|bsf
bsr %ecx,%eax|bsf
tzcnt %rcx,%rax|tzcnt
lzcnt %ecx,%eax|tzcnt
popcnt %rcx,%rax|all
xadd %rcx,%rax|all
cmpxchg %rdx,%rcx|all
cwtl|all
cltq|all
cqto|all
cltd|all
bswap %rax|all
bswap %ecx|all
movsbq %cl,%rax|all
movswl %cx,%eax|all
movzbl %ch,%eax|all
cmovl %rcx,%rax|all
cmovbe %ecx,%eax|all
setg %al|all
setp %cl|all
shl $1,%rax|shift64by1
shl $7,%eax|shift32by7
shr $1,%eax|shift32by1
shr $33,%rax|shift64by33
sar $1,%rax|shift64by1
sar $31,%eax|shift32by31
add $-3,%rax|all
sub $0x7f,%ecx|all
cmp $0x80,%eax|all
and $-16,%rax|logic
xor $0x55,%cl|logic
mov %rcx,%rax|all
mov %ecx,%eax|all
SNIPPETS
{
    echo '.text'
    n=0
    while IFS='|' read -r insn kind; do
        echo ".globl run_$n; run_$n: push %rbx; mov %rdi,%rbx; mov (%rbx),%rax; mov 8(%rbx),%rcx; mov 16(%rbx),%rdx"
        echo "  pushq 24(%rbx); popfq"
        echo "start_$n: $insn"
        echo "end_$n: pushfq; popq 24(%rbx); mov %rax,(%rbx); mov %rcx,8(%rbx); mov %rdx,16(%rbx); pop %rbx; ret"
        n=$((n + 1))
    done < "$work/snippets.txt"
    echo '.section .note.GNU-stack,"",@progbits'
    echo '.data; .globl snippet_table; snippet_table:'
    i=0; while [ $i -lt $n ]; do echo ".quad run_$i, start_$i, end_$i"; i=$((i + 1)); done
} > "$work/snippets.s"
{
    echo '#include <stdio.h>'
    echo '#include <stdint.h>'
    echo '#include <signal.h>'
    echo '#include <setjmp.h>'
    echo '#include <string.h>'
    echo '#include <stdlib.h>'
    echo 'struct entry { void (*run)(uint64_t *); uint8_t *start, *end; };'
    echo 'extern struct entry snippet_table[];'
    echo 'static const char *names[] = {'
    sed 's/|.*//; s/.*/"&",/' "$work/snippets.txt"
    echo '}; static const char *kinds[] = {'
    sed 's/.*|//; s/.*/"&",/' "$work/snippets.txt"
    echo '};'
    cat <<'C'
static sigjmp_buf env;
static void fpe(int sig) { (void)sig; siglongjmp(env, 1); }
static const uint64_t values[] = { 0, 1, 3, 8, 31, 33, 63, 0x7f, 0x80, 0xff, 0x8000, 0x7fffffff, 0x80000000,
    0xffffffff, 0x8000000000000000ull, 0xffffffffffffffffull, 0x123456789abcdef0ull };
#define NV (sizeof values / sizeof values[0])
/* RFLAGS bits the SDM defines after the instruction (CF PF AF ZF SF OF = 0x8d5). */
static uint64_t defined(const char *kind, uint64_t rcx) {
    unsigned bits = 64, c;
    if (!strcmp(kind, "all")) return 0x8d5;
    if (!strcmp(kind, "logic")) return 0x8c5;
    if (!strcmp(kind, "mul")) return 0x801;
    if (!strcmp(kind, "none")) return 0;
    if (!strcmp(kind, "bt")) return 0x41;
    if (!strcmp(kind, "bsf")) return 0x40;
    if (!strcmp(kind, "tzcnt")) return 0x41;
    if (!strncmp(kind, "shift64", 7)) bits = 64; else if (strstr(kind, "32")) bits = 32;
    else if (strstr(kind, "16")) bits = 16; else if (strstr(kind, "8")) bits = 8;
    c = rcx & (bits == 64 ? 63 : 31);
    if (strstr(kind, "by")) c = (unsigned)atoi(strstr(kind, "by") + 2);   /* immediate count */
    if (c == 0) return 0x8d5;                          /* count 0: nothing changes */
    if (!strncmp(kind, "shift", 5)) return (c == 1 ? 0x800 : 0) | (c <= bits ? 1 : 0) | 0xc4;
    if (!strncmp(kind, "rotate", 6)) return (c == 1 ? 0x800 : 0) | 0x1 | 0xd4;
    if (!strncmp(kind, "double", 6)) return c > bits ? 0 : (c == 1 ? 0x800 : 0) | 0xc5;
    return 0;
}
int main(void) {
    signal(SIGFPE, fpe);
    int n = sizeof names / sizeof names[0];
    for (int s = 0; s < n; s++) {
        printf("snippet %s |", names[s]);
        for (uint8_t *p = snippet_table[s].start; p < snippet_table[s].end; p++) printf(" %02x", *p);
        printf("\n");
        for (unsigned i = 0; i < NV; i++) for (unsigned j = 0; j < NV; j++) {
            uint64_t in[4] = { values[i], values[j], values[(i * 7 + j) % NV], (i + j) % 2 ? 0x202 | 0x8d5 : 0x202 };
            uint64_t st[4]; memcpy(st, in, sizeof st);
            if (sigsetjmp(env, 1)) continue;
            snippet_table[s].run(st);
            printf("%llx %llx %llx %llx -> %llx %llx %llx %llx %llx\n",
                (unsigned long long)in[0], (unsigned long long)in[1], (unsigned long long)in[2], (unsigned long long)in[3],
                (unsigned long long)st[0], (unsigned long long)st[1], (unsigned long long)st[2],
                (unsigned long long)(st[3] & 0x8d5), (unsigned long long)defined(kinds[s], in[1]));
        }
    }
    return 0;
}
C
} > "$work/oracle.c"
gcc -O1 -o "$work/oracle" "$work/oracle.c" "$work/snippets.s"
"$work/oracle" > "$out/flags.txt"
echo "flags.txt: native results on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') from scripts/make-x86-decoder-corpus.sh" >> "$out/SOURCES.txt"
rm -rf "$work"

# Assembler oracle: GNU as assembles assembler.s, ld places .text at 0x401000, objcopy takes the bytes.
work=$(mktemp -d)
as -o "$work/a.o" "$out/assembler.s"
ld -o "$work/a.elf" -Ttext=0x401000 -e 0x401000 "$work/a.o"
objcopy -O binary -j .text "$work/a.elf" "$out/assembler.bin"
echo "assembler.bin: GNU as + ld -Ttext=0x401000 of assembler.s" >> "$out/SOURCES.txt"
rm -rf "$work"
