# Whether the kernel lets a probe be placed on its own ftrace and kretprobe trampolines (ftrace_caller,
# ftrace_regs_caller, x86_64 arch_rethook_trampoline, arm64 __kretprobe_trampoline): for each name in kallsyms,
# the write's outcome, error_log and the kallsyms line.
. ./lib.sh
system_info
for sym in ftrace_caller ftrace_regs_caller arch_rethook_trampoline __kretprobe_trampoline; do
    section "p $sym"
    if ! grep -q " $sym\$" /proc/kallsyms; then echo "not in kallsyms"; continue; fi
    grep " $sym\$" /proc/kallsyms
    echo > $T/error_log
    if err=$( { echo "p:tramp/t$sym $sym" >> $T/kprobe_events; } 2>&1 ); then
        echo accepted
        echo "-:tramp/t$sym" >> $T/kprobe_events
    else
        echo "refused: $err"
    fi
    cat $T/error_log
done
