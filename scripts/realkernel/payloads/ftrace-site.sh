# Where the ftrace call site of a function is: the bytes of do_sys_openat2's entry with no tracer, with the
# function tracer filtered to it, and with a kprobe at +0 as well. x86_64: the 5-byte NOP at +0 becomes a call;
# arm64 (patchable-function-entry=2): the first NOP is `mov x9, x30` from boot and the second one becomes a BL.
. ./lib.sh
system_info
kcore_map
base=$(awk '$3 == "do_sys_openat2" { print $1; exit }' /proc/kallsyms)
section "do_sys_openat2 @ $base, no tracer"
echo "$(kread "$base" 16)"
echo do_sys_openat2 > $T/set_ftrace_filter
echo function > $T/current_tracer
section "function tracer on do_sys_openat2 (set_ftrace_filter)"
echo "$(kread "$base" 16)"
echo "enabled_functions: $(cat $T/enabled_functions)"
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
section "kprobe at do_sys_openat2+0, enabled"
echo 'p:test/entry do_sys_openat2' >> $T/kprobe_events
echo 1 > $T/events/test/entry/enable
echo "$(kread "$base" 16)"
echo "enabled_functions: $(cat $T/enabled_functions)"
cat $D/kprobes/list
echo 0 > $T/events/test/entry/enable
echo > $T/kprobe_events
for off in 4 8; do
    section "kprobe at do_sys_openat2+$off"
    echo > $T/error_log
    if echo "p:test/o$off do_sys_openat2+$off" >> $T/kprobe_events; then echo accepted; fi
    cat $T/error_log
    echo > $T/kprobe_events
done
