# Seed 003: an 8-argument probe on tcp_select_initial_window (x86_64). Run from the repository root:
#   swift run kprobesim run --arch x86_64 docs/examples/tcp_select_initial_window-x86_64.sh
load Tests/Fixtures/corpus/x86_64/O2/args.o
# The return probe first: probes on one address run newest first, and a return probe that ran before
# the others would already have swapped the return address for its trampoline.
echo 'r:kp/ret tcp_select_initial_window ret=$retval:x64' >> /sys/kernel/tracing/kprobe_events
# The article's line: the 7th and 8th arguments are on the stack, but at function entry +0(%sp) is the
# return address the call pushed, so they are at +8(%sp) and +16(%sp). Its rsv_wscale reads the first byte of
# the caller's code, its init_rcv_wnd the top half of the return address: 4294967295 (0xffffffff) for any
# kernel text address, exactly the value the article's trace shows. (In the kernel the 4th, 5th and 7th
# arguments are pointers, hence the article's dereferences; the corpus function takes the values.)
echo 'p:kp/article tcp_select_initial_window sk=%di:x64 space=%si:s32 mss=%dx:u32 rmem_max=%cx:u32 window_clamp=%r8:u32 wscale_ok=%r9:s32 rsv_wscale=+0(+0(%sp)):u8 init_rcv_wnd=+4(%sp):u32' >> /sys/kernel/tracing/kprobe_events
echo 'p:kp/fixed tcp_select_initial_window no_window_clamp=+8(%sp):u64 init_rcv_wnd=+16(%sp):u32 a7=$arg7 a8=$arg8:u32 ret=+0(%sp):symbol' >> /sys/kernel/tracing/kprobe_events
echo 1 > /sys/kernel/tracing/events/kp/enable
# The article's sk, space, mss and wscale_ok; init_rcv_wnd (the 8th) is 0, as the kernel passes it here.
call tcp_select_initial_window 0x100007f0100007f 43690 65495 6291456 0 1 0 0
cat /sys/kernel/tracing/trace
