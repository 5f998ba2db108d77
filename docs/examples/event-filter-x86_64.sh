# An event filter in the simulator (docs/tutorial-tracefs.md, "Filtering events"). Run from the repository root:
#   swift run kprobesim run --arch x86_64 docs/examples/event-filter-x86_64.sh
load Tests/Fixtures/corpus/x86_64/O2/loops.o
echo 'p:kp/sum sum_to n=%di:u64' >> /sys/kernel/tracing/kprobe_events
echo 'n => 3' > /sys/kernel/tracing/events/kp/sum/filter
cat /sys/kernel/tracing/events/kp/sum/filter
cat /sys/kernel/tracing/error_log
echo 'n > 3 && comm ~ "work*"' > /sys/kernel/tracing/events/kp/sum/filter
cat /sys/kernel/tracing/events/kp/sum/filter
echo 1 > /sys/kernel/tracing/events/kp/sum/enable
spawn --comm worker1 sum_to 5
spawn --comm worker2 sum_to 2
spawn --comm other sum_to 9
wait
cat /sys/kernel/tracing/trace
cat /sys/kernel/tracing/kprobe_profile
