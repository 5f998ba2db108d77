# kretprobe default maxactive: define `r:test/ret do_sys_openat2` without a number and read it back, next to the
# CPU counts it is derived from (kernel: max(10, 2 * num_possible_cpus()) when maxactive is not given).
. ./lib.sh
system_info
echo "possible: $(cat /sys/devices/system/cpu/possible)  online: $(cat /sys/devices/system/cpu/online)"
echo 'r:test/ret do_sys_openat2' >> $T/kprobe_events
echo 'r:test/retv vfs_read' >> $T/kprobe_events
echo 'r3:test/ret3 vfs_write' >> $T/kprobe_events
section kprobe_events
cat $T/kprobe_events
section dynamic_events
cat $T/dynamic_events
