# Hits: probes of different kinds on do_sys_openat2 with register/stack fetch args, triggered by one
# `cat /proc/version`, to show which IP/PC the pre handler saw for an ftrace (+0), int3/BRK, emulated/simulated
# branch and (x86) jump-optimized probe, and what a kretprobe handler sees. x86_64 runs every probe set twice:
# with kprobes-optimization on, then off, so the same address is seen optimized and as a plain int3 probe.
. ./lib.sh
system_info
kcore_map
base=$(awk '$3 == "do_sys_openat2" { print $1; exit }' /proc/kallsyms)
echo "do_sys_openat2 @ $base: $(kread "$base" 96)"

if [ "$(uname -m)" = x86_64 ]; then
    args='ip=%ip sp=%sp ax=%ax di=%di flags=%flags st0=$stack0'
    offsets='0 5 71 78'   # ftrace nop; push %r12; call build_open_flags (rel32); je rel8
    retargs='ip=%ip sp=%sp ret=$retval'
else
    args='pc=%pc sp=%sp x0=%x0 lr=%lr pstate=%pstate st0=$stack0'
    offsets='0 8 20 76 80'   # mov x9,x30; paciasp; stp x29,x30; bl build_open_flags; cbz w0
    retargs='pc=%pc sp=%sp lr=%lr ret=$retval'
fi

# phase TITLE: defines the probes, enables them, lets the optimizer run, reads the list and armed bytes,
# triggers once, disables, and reads trace and profile before removing the events (removal clears the buffer).
phase() {
    for off in $offsets; do
        echo "p:test/o$off do_sys_openat2+$off $args" >> $T/kprobe_events || echo "define o$off failed"
    done
    echo "r:test/ret do_sys_openat2 $retargs" >> $T/kprobe_events || echo "define ret failed"
    echo 1 > $T/events/test/enable
    sleep 3
    section "$1: kprobe_events"
    cat $T/kprobe_events
    section "$1: debugfs kprobes/list (enabled)"
    cat $D/kprobes/list
    section "$1: armed bytes"
    for off in $offsets; do
        a=$(printf '%x' $((0x$base + off)))
        echo "+$off $a: $(kread "$a" 8)"
    done
    # Clearing the buffer and enabling/disabling are shell builtins: the only new process is the one cat.
    echo > $T/trace
    cat /proc/version > /dev/null
    echo 0 > $T/events/test/enable
    section "$1: trace (one cat /proc/version)"
    grep -v '^#' $T/trace
    section "$1: kprobe_profile"
    cat $T/kprobe_profile
    echo > $T/kprobe_events
}

if [ -e /proc/sys/debug/kprobes-optimization ]; then
    phase "optimization on"
    echo 0 > /proc/sys/debug/kprobes-optimization
    phase "optimization off"
else
    phase "no optprobes"
fi
