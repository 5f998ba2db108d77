import Testing
import Machine
import TestSupport
@testable import Kprobes

/// One probe, armed and hit, on real compiler output (`Tests/Fixtures/corpus/*/O2/loops.o`, `sum_to`).
/// Offsets and bytes come from the objdump listings next to the objects:
///   x86_64: sum_to+0x13 `48 01 c2 add %rax,%rdx` (loop body), +0x1d `75 f1 jne 10`, loop runs 11 times for n=10.
///   arm64:  sum_to+0x20 `8b010000 add x0,x0,x1` (loop body), +0x2c `54ffffa1 b.ne 20`, also 11 times for n=10.
@Suite("kprobes: arm, trap, step out of line, post")
struct KprobeHitTests {
    @Test("arming writes int3 over the first byte and copies the instruction plus int3 into the slot (x86_64)")
    func armX86() throws {
        let lab = try KprobeLab(.x86_64)
        let address = try lab.address("sum_to", 0x13)
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13)
        try lab.kprobes.register(probe)
        #expect(probe.address == address)
        #expect(try lab.bytes(address, 3) == [0xcc, 0x01, 0xc2])
        #expect(probe.opcode == [0x48])
        let slot = try #require(probe.slotAddress)
        #expect(try lab.bytes(slot, 4) == [0x48, 0x01, 0xc2, 0xcc])
        lab.kprobes.unregister(probe)
        #expect(try lab.bytes(address, 3) == [0x48, 0x01, 0xc2])
    }

    @Test("arming writes BRK #0x004 and puts {insn, BRK #0x006} in the slot (arm64)")
    func armARM64() throws {
        let lab = try KprobeLab(.arm64)
        let address = try lab.address("sum_to", 0x20)
        let probe = Kprobe(symbolName: "sum_to", offset: 0x20)
        try lab.kprobes.register(probe)
        #expect(try lab.bytes(address, 4) == le32(0xd420_0080))
        #expect(probe.opcode == le32(0x8b01_0000))
        let slot = try #require(probe.slotAddress)
        #expect(try lab.bytes(slot, 8) == le32(0x8b01_0000) + le32(0xd420_00c0))
        lab.kprobes.unregister(probe)
        #expect(try lab.bytes(address, 4) == le32(0x8b01_0000))
    }

    @Test("a stepped hit: pre sees the kernel's ip, the copy runs in the slot, post sees the next instruction",
          arguments: [(Architecture.x86_64, UInt64(0x13), UInt64(1), UInt64(3)), (.arm64, 0x20, 0, 4)])
    func steppedHit(architecture: Architecture, offset: UInt64, preDelta: UInt64, postDelta: UInt64) throws {
        let lab = try KprobeLab(architecture)
        let address = try lab.address("sum_to", offset)
        var preIPs: [UInt64] = [], postIPs: [UInt64] = [], order: [String] = []
        let probe = Kprobe(symbolName: "sum_to", offset: offset,
                           preHandler: { ctx in preIPs.append(ctx.regs.ip); order.append("pre"); return 0 },
                           postHandler: { ctx in postIPs.append(ctx.regs.ip); order.append("post") })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(preIPs == Array(repeating: address + preDelta, count: 11))
        #expect(postIPs == Array(repeating: address + postDelta, count: 11))
        #expect(order == Array(repeating: ["pre", "post"], count: 11).flatMap { $0 })
        #expect(probe.nhit == 11 && probe.nmissed == 0)
        let steps = lab.events().filter { if case .slotStep = $0 { return true } else { return false } }
        #expect(steps.count == 11)
    }

    @Test("branches are emulated (x86_64) or simulated (arm64) in the first trap: post sees the branch target",
          arguments: [(Architecture.x86_64, UInt64(0x1d), UInt64(0x10), UInt64(0x1f)), (.arm64, 0x2c, 0x20, 0x30)])
    func emulatedBranch(architecture: Architecture, offset: UInt64, taken: UInt64, fallThrough: UInt64) throws {
        let lab = try KprobeLab(architecture)
        let base = try lab.address("sum_to")
        var postIPs: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", offset: offset, postHandler: { ctx in postIPs.append(ctx.regs.ip) })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(postIPs == Array(repeating: base + taken, count: 10) + [base + fallThrough])
        let events = lab.events()
        #expect(!events.contains { if case .slotStep = $0 { return true } else { return false } })
        let handled = events.filter {
            switch $0 { case .emulated, .simulated: return true; default: return false }
        }
        #expect(handled.count == 11)
    }

    @Test("a non-zero pre_handler return skips the step and the post_handler and resumes at the handler's ip",
          arguments: [(Architecture.x86_64, UInt64(0x13), UInt64(3)), (.arm64, 0x20, 4)])
    func preHandlerRedirects(architecture: Architecture, offset: UInt64, length: UInt64) throws {
        let lab = try KprobeLab(architecture)
        let address = try lab.address("sum_to", offset)
        var posts = 0
        // Skipping the loop body's add leaves the sum at zero.
        let probe = Kprobe(symbolName: "sum_to", offset: offset,
                           preHandler: { ctx in ctx.regs.ip = address + length; return 1 },
                           postHandler: { _ in posts += 1 })
        try lab.kprobes.register(probe)
        #expect(try lab.call("sum_to", [10]) == 0)
        #expect(posts == 0)
        #expect(probe.nhit == 11)
    }

    @Test("a disabled probe does not fire and its breakpoint is gone; enabling re-arms it",
          arguments: [Architecture.x86_64, .arm64])
    func disableEnable(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let address = try lab.address("sum_to")
        let original = try lab.bytes(address, 4)
        var hits = 0
        let probe = Kprobe(symbolName: "sum_to", preHandler: { _ in hits += 1; return 0 })
        try lab.kprobes.register(probe)
        try lab.kprobes.disable(probe)
        #expect(try lab.bytes(address, 4) == original)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(hits == 0)
        try lab.kprobes.enable(probe)
        #expect(try lab.bytes(address, 4) != original)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(hits == 1)
    }

    @Test("handlers that call the probed function: each nested hit is missed, not handled (nmissed == 2)",
          arguments: [Architecture.x86_64, .arm64], [KernelProfile.debian61, .legacy])
    func nestedHitsAreMissed(architecture: Architecture, profile: KernelProfile) throws {
        // The kernel's own selftest (lib/test_kprobes.c, test_kprobe_missed): pre and post handlers both call the
        // probed function once, so one outer hit yields two missed nested hits. On the legacy profile the post
        // handler runs in the debug exception after the step (kprobe_debug_handler), the nested hits are stepped
        // by TF in REENTER, and the outer step's TF does not leak into the handlers' calls.
        let lab = try KprobeLab(architecture, profile: profile)
        var nestedResults: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to",
                           preHandler: { ctx in nestedResults.append((try? ctx.call("sum_to", arguments: [4])) ?? 99); return 0 },
                           postHandler: { ctx in nestedResults.append((try? ctx.call("sum_to", arguments: [5])) ?? 99) })
        try lab.kprobes.register(probe)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(nestedResults == [10, 15])
        #expect(probe.nmissed == 2)
        #expect(probe.nhit == 1)
    }
}
