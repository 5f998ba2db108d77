import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// x86_64 kprobes on ftrace sites (arch/x86/kernel/kprobes/ftrace.c, 6.1), on the corpus built with the kernel's
/// ftrace flags (`O2-ftrace`: every function starts with `0f 1f 44 00 00`, recorded in `__mcount_loc`).
/// sum_to there: +0 the fentry NOP, +5 `mov $0x186a0,%eax`, the loop body `add %rax,%rdx` at +0x1b.
@Suite("kprobes: x86_64 kprobes on ftrace sites")
struct KprobeFtraceTests {
    static func lab() throws -> KprobeLab { try KprobeLab(.x86_64, variant: "O2-ftrace") }

    @Test("a probe on the fentry site is an ftrace probe: no int3, no slot, the NOP becomes a call; [FTRACE]")
    func arming() throws {
        let lab = try Self.lab()
        let site = try lab.address("sum_to")
        #expect(lab.machine.ftraceLocations.contains(site))
        let probe = Kprobe(symbolName: "sum_to", preHandler: { _ in 0 })
        try lab.kprobes.register(probe)
        #expect(probe.isFtrace && probe.slotAddress == nil)
        let bytes = try lab.bytes(site, 5)
        #expect(bytes[0] == 0xe8)
        let rel = Int64(Int32(bitPattern: UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24))
        let target = UInt64(bitPattern: Int64(bitPattern: site + 5) + rel)
        #expect(lab.machine.symbols.formatName(target) == "ftrace_regs_caller")
        #expect(lab.kprobes.debugfsList().hasSuffix("k  sum_to+0x0  loops [FTRACE]\n"))
        lab.kprobes.unregister(probe)
        #expect(try lab.bytes(site, 5) == [0x0f, 0x1f, 0x44, 0x00, 0x00])
    }

    @Test("the handlers see ip = addr + 1 (pre) and addr + 5 (post), sp as at function entry; the function is unchanged")
    func registerView() throws {
        let lab = try Self.lab()
        let site = try lab.address("sum_to")
        var preIP: UInt64 = 0, postIP: UInt64 = 0, returnAddress: UInt64 = 0
        let probe = Kprobe(symbolName: "sum_to", preHandler: { ctx in
            preIP = ctx.regs.ip
            returnAddress = (try? ctx.machine.memory.read64(ctx.regs.sp)) ?? 0
            return 0
        }, postHandler: { ctx in postIP = ctx.regs.ip })
        try lab.kprobes.register(probe)
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(preIP == site + 1 && postIP == site + 5)
        #expect(returnAddress == lab.machine.hostReturnAddress) // [sp] is the probed function's return address
        #expect(probe.nhit == 1)
    }

    @Test("a pre_handler that returns non-zero keeps the ip it set (IPMODIFY): here, straight to sum_to's end")
    func ipModify() throws {
        let lab = try Self.lab()
        let ret = try lab.address("sum_to", 0x27) // `mov %rdx,%rax; ret` tail (objdump: +0x27, +0x2a): returns rdx
        #expect(try lab.bytes(ret, 4) == [0x48, 0x89, 0xd0, 0xc3])
        let probe = Kprobe(symbolName: "sum_to", preHandler: { ctx in
            ctx.regs[X86PtRegs.dx] = 1234
            ctx.regs.ip = ret
            return 1
        })
        try lab.kprobes.register(probe)
        #expect(try lab.call("sum_to", [10]) == 1234)
    }

    @Test("recursion on the ftrace path is dropped silently: a nested ftrace hit runs nothing and is not counted")
    func recursion() throws {
        let lab = try Self.lab()
        var nested = 0
        let inner = Kprobe(symbolName: "sum_squares_while", preHandler: { _ in nested += 1; return 0 })
        try lab.kprobes.register(inner)
        let outer = Kprobe(symbolName: "sum_to", preHandler: { ctx in _ = try? ctx.call("sum_squares_while", arguments: [2]); return 0 })
        try lab.kprobes.register(outer)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(nested == 0 && inner.nmissed == 0)
        // Outside a handler, the same probe fires normally.
        _ = try lab.call("sum_squares_while", [2])
        #expect(nested == 1)
    }

    @Test("an int3 probe elsewhere in the function still finds its boundaries through the patched site")
    func boundariesThroughPatchedSite() throws {
        let lab = try Self.lab()
        try lab.kprobes.register(Kprobe(symbolName: "sum_to"))
        #expect(throws: Errno.EILSEQ) { try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 2)) }
        let body = Kprobe(symbolName: "sum_to", offset: 0x1b, preHandler: { _ in 0 })
        try lab.kprobes.register(body)
        #expect(body.slotAddress != nil && !body.isFtrace)
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(body.nhit == 11)
    }

    @Test("a kretprobe on an ftrace site swaps the return address through the ftrace path")
    func kretprobe() throws {
        let lab = try Self.lab()
        var seen: [UInt64] = []
        let rp = Kretprobe(symbolName: "sum_to", handler: { _, ctx in seen.append(ctx.regs.returnValue); return 0 })
        try lab.kprobes.register(rp)
        #expect(rp.kp.isFtrace)
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(seen == [55])
        #expect(lab.kprobes.debugfsList().contains("r  sum_to+0x0  loops [FTRACE]"))
    }
}
