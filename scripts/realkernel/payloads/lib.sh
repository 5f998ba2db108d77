# Helpers shared by the payloads (capture.sh passes it with --file, so it sits in the working directory).
T=/sys/kernel/tracing
D=/sys/kernel/debug

# kcore_map: writes ./kcore.map, one "VADDR FILESZ OFFSET" (hex) line per PT_LOAD program header of
# /proc/kcore, so kread can turn a kernel virtual address into a file offset.
kcore_map() {
    phoff=$(od -An -tu8 -j32 -N8 /proc/kcore | tr -d ' ')
    phnum=$(od -An -tu2 -j56 -N2 /proc/kcore | tr -d ' ')
    i=0
    while [ "$i" -lt "$phnum" ]; do
        o=$((phoff + i * 56))
        type=$(od -An -tu4 -j$o -N4 /proc/kcore | tr -d ' ')
        # p_offset p_vaddr p_paddr p_filesz p_memsz
        set -- $(od -An -tx8 -j$((o + 8)) -N40 /proc/kcore)
        [ "$type" = 1 ] && echo "$2 $4 $1"
        i=$((i + 1))
    done > ./kcore.map
}

# kread HEXADDR COUNT: the live bytes at a kernel address, as space-separated hex.
kread() {
    a=$((0x$1))
    while read -r v s off; do
        d=$((a - 0x$v))
        if [ "$d" -ge 0 ] && [ "$d" -lt $((0x$s)) ]; then
            dd if=/proc/kcore bs=1 skip=$((0x$off + d)) count="$2" 2>/dev/null | od -An -v -tx1 | tr -s ' \n' '  ' \
                | sed 's/^ //; s/ $//'
            return 0
        fi
    done < ./kcore.map
    echo "(not in /proc/kcore)"
}

# section TITLE: a header line the fixture readers split on.
section() { echo; echo "################ $*"; }

# system_info: what kernel and machine the payload ran on.
system_info() {
    section system
    uname -a
    cat /proc/cmdline
    echo "nproc: $(nproc)"
    echo "kprobes-optimization: $(cat /proc/sys/debug/kprobes-optimization 2>/dev/null || echo absent)"
    echo "kprobes/enabled: $(cat $D/kprobes/enabled)"
}
