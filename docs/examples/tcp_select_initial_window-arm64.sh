# Seed 003 on arm64: all eight arguments arrive in x0..x7; nothing is on the stack, and the return address is
# in the link register (x30), not at +0(sp). Run from the repository root:
#   swift run kprobesim run --arch arm64 docs/examples/tcp_select_initial_window-arm64.sh
load Tests/Fixtures/corpus/arm64/O2/args.o
# The return probe first: probes on one address run newest first, and a return probe that ran before
# the others would already have swapped the return address for its trampoline.
echo 'r:kp/ret tcp_select_initial_window ret=$retval:x64' >> /sys/kernel/tracing/kprobe_events
echo 'p:kp/args tcp_select_initial_window sk=%x0:x64 space=%x1:s32 mss=%x2:u32 rmem_max=%x3:u32 window_clamp=%x4:u32 wscale_ok=%x5:s32 no_window_clamp=%x6:u64 init_rcv_wnd=%x7:u32 a8=$arg8:u32 lr=%lr:x64' >> /sys/kernel/tracing/kprobe_events
echo 1 > /sys/kernel/tracing/events/kp/enable
call tcp_select_initial_window 0x100007f0100007f 43690 65495 6291456 0 1 0 0
cat /sys/kernel/tracing/trace
