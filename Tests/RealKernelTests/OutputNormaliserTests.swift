import Testing
@testable import RealKernel

@Suite("OutputNormaliser: what must differ between kernel and simulator, spelled once")
struct OutputNormaliserTests {
    // The module's .text in the x86_64 boundaries capture (`module sections`), and the simulator's.
    let kernel = OutputNormaliser(regions: [
        .init(name: ".text", range: 0xffff_ffff_c020_1000..<0xffff_ffff_c020_3755),
        .init(name: "stack", range: 0xffa0_0000_0000_0000..<0xffd2_0000_0000_0000, keepsOffset: false),
    ])
    let simulator = OutputNormaliser(regions: [
        .init(name: ".text", range: 0xffff_ffff_8100_1000..<0xffff_ffff_8100_3755),
    ])

    @Test("trace lines: task, PID, timestamp and need-resched go; CPU, other flags and the event stay")
    func traceLine() {
        // Kernel line from x86_64/boundaries.txt, simulator line from the same script's run.
        let k = kernel.normalise("              sh-88      [000] .NZff    10.503912: args7_5: (args7+0x5/0x40 [kpsim_corpus]) di=0x1 si=0x2")
        let s = simulator.normalise("       kprobesim-1       [000] ..Zff     0.000001: args7_5: (args7+0x5/0x40 [kpsim_corpus]) di=0x1 si=0x2")
        #expect(k == "<task> [000] ..Zff <time>: args7_5: (args7+0x5/0x40 [kpsim_corpus]) di=0x1 si=0x2")
        #expect(k == s)
    }

    @Test("a kretprobe's caller is the trigger on the kernel, the harness in the simulator")
    func kretprobeCaller() {
        let k = kernel.normalise("              sh-88      [000] .....     2.502332: sum_to_r: (call_write+0x175/0x1f0 [kpsim_corpus] <- sum_to) ret=0x6")
        #expect(k == "<task> [000] ..... <time>: sum_to_r: (<caller> <- sum_to) ret=0x6")
        #expect(simulator.normalise("       kprobesim-1       [000] .....     0.000002: sum_to_r: (0xfffffffffe000000 <- sum_to) ret=0x6") == k)
    }

    @Test("addresses: module sections keep their offset, stacks do not, others stay as they are")
    func addresses() {
        #expect(kernel.normalise("di=0xffffffffc0202790 sp=0xffa000000063f960 x=0xffffffff81076930")
                == "di=<.text+0x1790> sp=<stack> x=0xffffffff81076930")
        #expect(simulator.normalise("ffffffff81002795  k  sum_to+0x5  kpsim_corpus") == "<.text+0x1795>  k  sum_to+0x5  kpsim_corpus")
        #expect(kernel.normalise("[   54.701897] trace_kprobe: error: Failed to register probe event")
                == "[<time>] trace_kprobe: error: Failed to register probe event")
        #expect(kernel.normalise("[97] sh 0x000000000000012c") == "[<task>] 0x000000000000012c")
        #expect(simulator.normalise("[2] sleeper 0x000000000000012c") == "[<task>] 0x000000000000012c")
    }

    /// Why it sorts: the kernel lists kprobe_table by hash bucket of the load address, which differs between the
    /// kernel and the simulator. This test checks only the sort, not that order.
    @Test("a run of kprobes/list lines is sorted by normalised address; a following non-list line keeps its place")
    func listOrder() {
        let lines = ["ffffffffc0202795  k  sum_to+0x5  kpsim_corpus ", "ffffffffc0202790  k  sum_to+0x0  kpsim_corpus [FTRACE]", "0x1"]
        #expect(kernel.normalise(lines: lines) == ["<.text+0x1790>  k  sum_to+0x0  kpsim_corpus [FTRACE]",
                                                   "<.text+0x1795>  k  sum_to+0x5  kpsim_corpus ", "0x1"])
    }
}
