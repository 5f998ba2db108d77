# A tracefs session in the simulator, mirroring the one captured on Debian's 6.1 kernel
# (Tests/Fixtures/realkernel/reference/linux-6.1-x86_64-kprobes.txt). Run from the repository root:
#   swift run kprobesim run --arch x86_64 docs/examples/kprobe-events-x86_64.sh
load Tests/Fixtures/corpus/x86_64/O2-ftrace/loops.o
echo 'r5:kp/sumret sum_to ret=$retval' >> /sys/kernel/tracing/kprobe_events
echo 'r:kp/sumret32 sum_to ret=$retval:s32' >> /sys/kernel/tracing/kprobe_events
echo 'p:kp/types sum_to a=$arg1:s32 b=$arg1:x16 c=$arg1:u8 bf=$arg1:b4@0/32 ip=%ip sym=%ip:symbol st0=$stack0 comm=$comm cm=$comm:string' >> /sys/kernel/tracing/kprobe_events
echo 'p:kp/bad_reg sum_to x=%x0' >> /sys/kernel/tracing/kprobe_events
cat /sys/kernel/tracing/error_log
cat /sys/kernel/tracing/kprobe_events
cat /sys/kernel/debug/kprobes/list
echo 1 > /sys/kernel/tracing/events/kp/enable
call sum_to 100
cat /sys/kernel/tracing/trace
cat /sys/kernel/tracing/kprobe_profile
echo > /sys/kernel/tracing/kprobe_events
