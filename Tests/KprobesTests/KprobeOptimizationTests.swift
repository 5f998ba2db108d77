import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// x86_64 jump optimization (kernel/kprobes.c, arch/x86/kernel/kprobes/opt.c, 6.1) on corpus loops.o (O2).
/// sum_to: +0xe `31 d2` xor, +0x10 `48 89 c1` mov (the loop head, target of the jne at +0x1d), +0x13 `48 01 c2`
/// add, +0x16 `48 83 c0 01` add, +0x1a `48 39 cf` cmp. A jump at +0x13 replaces +0x13..+0x19 (7 bytes).
@Suite("kprobes: x86_64 jump-optimized probes")
struct KprobeOptimizationTests {
    static func lab(delay: UInt64 = 20_000_000) throws -> KprobeLab {
        var profile = KernelProfile.debian61
        profile.optimizeDelayCycles = delay
        return try KprobeLab(.x86_64, profile: profile)
    }

    /// init_aggr_kprobe: the detour belongs to the aggregate. A probe that joined one keeps no detour of its
    /// own, so when it leaves and is registered again it builds a fresh one instead of reusing the aggregate's
    /// (freed with it, and jumping back to the aggregate's site): found by a module reload, where the stale
    /// detour jumped into the unloaded text.
    @Test("a probe that joined an aggregate keeps no detour; registered again alone it gets its own")
    func aggregateDetourStaysWithAggregate() throws {
        let lab = try Self.lab()
        let first = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(first)
        lab.kprobes.runOptimizer()
        #expect(first.optinsn != nil)
        let second = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(second)
        #expect(first.optinsn == nil)
        lab.kprobes.unregister([first, second])
        // Unregistering a child left it DISABLED, which register_kprobe keeps: enable it, as trace_kprobe does.
        first.forgetResolvedAddress()
        try lab.kprobes.register(first)
        try lab.kprobes.enable(first)
        lab.kprobes.runOptimizer()
        #expect(first.optinsn != nil)
        // The loop body runs 11 times for sum_to(10) = 55 (loops.c: i = 0...n), each through the detour.
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(first.nhit == 11 && second.nhit == 0)
    }

    @Test("queued at once (OPTIMIZED), the optimizer writes e9 over the site and leaves the other replaced bytes")
    func optimize() throws {
        let lab = try Self.lab()
        let address = try lab.address("sum_to", 0x13)
        let original = try lab.bytes(address, 7)
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(probe)
        #expect(probe.isOptimized)
        #expect(try lab.bytes(address, 1) == [0xcc]) // still the int3 until the optimizer runs
        lab.kprobes.runOptimizer()
        let bytes = try lab.bytes(address, 7)
        #expect(bytes[0] == 0xe9)
        #expect(Array(bytes[5..<7]) == Array(original[5..<7])) // stale
        let rel = Int64(Int32(bitPattern: UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24))
        let detour = UInt64(bitPattern: Int64(bitPattern: address + 5) + rel)
        #expect(lab.machine.symbols.formatName(detour) == "kprobe_optinsn_page [__builtin__kprobes]")
        // Detour: the callback trap, the relocated add and add, then jmp back to +0x1a.
        #expect(try lab.bytes(detour, 8) == [0xcc] + Array(original[0..<7]))
        #expect(lab.kprobes.debugfsList().contains("[OPTIMIZED]"))
        lab.kprobes.unregister(probe)
        #expect(try lab.bytes(address, 7) == original)
    }

    @Test("an optimized hit: pre_handler sees ip = addr + 1; its return value and ip changes are ignored")
    func optimizedHit() throws {
        let lab = try Self.lab()
        let address = try lab.address("sum_to", 0x13)
        var ips: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { ctx in
            ips.append(ctx.regs.ip)
            ctx.regs.ip = 0xdead  // ignored on the optimized path
            return 1
        })
        try lab.kprobes.register(probe)
        lab.kprobes.runOptimizer()
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(ips == Array(repeating: address + 1, count: 11))
        #expect(lab.events().filter { if case .optimizedCallback = $0 { return true } else { return false } }.count == 11)
    }

    @Test("the optimizer runs by itself OPTIMIZE_DELAY after queueing; before that, int3 hits detour (no second trap)")
    func delayedOptimizer() throws {
        let lab = try Self.lab(delay: 2_000)
        var hits = 0
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in hits += 1; return 0 })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [2000]) == 2001000)
        #expect(hits == 2001)
        let events = lab.events()
        #expect(events.contains { if case .optimized = $0 { return true } else { return false } })
        #expect(!events.contains { if case .slotReturn = $0 { return true } else { return false } })
        #expect(try lab.bytes(try lab.address("sum_to", 0x13), 1) == [0xe9])
        // The int3 hits before the jump was written ran the detour's copies (setup_detour_execution), never a
        // single step; the hits after it come through the jump and its callback, with no int3 at all.
        let kinds = events.compactMap { if case .slotStep(_, _, let kind) = $0 { kind } else { nil } }
        #expect(!kinds.isEmpty && kinds.allSatisfy { $0 == .detour })
    }

    @Test("a probe with a post_handler joining the address unoptimizes it; one without keeps it optimized")
    func postHandlerUnoptimizes() throws {
        let lab = try Self.lab()
        let address = try lab.address("sum_to", 0x13)
        let original = try lab.bytes(address, 7)
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 }))
        lab.kprobes.runOptimizer()
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 }))
        lab.kprobes.runOptimizer()
        #expect(try lab.bytes(address, 1) == [0xe9])
        let withPost = Kprobe(symbolName: "sum_to", offset: 0x13, postHandler: { _ in })
        try lab.kprobes.register(withPost)
        // Back to int3: cc, then the four saved bytes.
        #expect(try lab.bytes(address, 7) == [0xcc] + Array(original[1..<7]))
        #expect(!lab.kprobes.debugfsList().contains("[OPTIMIZED]"))
        lab.kprobes.unregister(withPost)
        lab.kprobes.runOptimizer()
        #expect(try lab.bytes(address, 1) == [0xe9])
    }

    @Test("refusals: a jump into the replaced bytes, another probe inside them, an indirect jump in the function")
    func refusals() throws {
        let lab = try Self.lab()
        // +0xe would replace +0xe..+0x12; the jne at +0x1d targets +0x10, inside (addr+1 .. addr+5].
        let headProbe = Kprobe(symbolName: "sum_to", offset: 0xe, preHandler: { _ in 0 })
        try lab.kprobes.register(headProbe)
        #expect(!headProbe.isOptimized)
        // An armed probe inside +0x13's region (at +0x16) blocks it.
        let inside = Kprobe(symbolName: "sum_to", offset: 0x16, postHandler: { _ in })
        try lab.kprobes.register(inside)
        let blocked = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(blocked)
        #expect(!blocked.isOptimized)
        #expect(try lab.call("sum_to", [10]) == 55)
        // Jump tables: switch.o's jt_dispatch jumps through `jmp *0x0(,%rdi,8)` (objdump: +0xd, ff 24 fd): never
        // optimized, wherever the probe is.
        let switches = try KprobeLab(.x86_64, files: ["switch"])
        #expect(try switches.bytes(try switches.address("jt_dispatch", 0xd), 3) == [0xff, 0x24, 0xfd])
        let probe = Kprobe(symbolName: "jt_dispatch", preHandler: { _ in 0 })
        try switches.kprobes.register(probe)
        #expect(!probe.isOptimized)
    }

    @Test("debug.kprobes-optimization = 0 unoptimizes every probe; 1 queues them again")
    func sysctl() throws {
        let lab = try Self.lab()
        let address = try lab.address("sum_to", 0x13)
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(probe)
        lab.kprobes.runOptimizer()
        lab.kprobes.optimizationEnabled = false
        #expect(!probe.isOptimized)
        #expect(try lab.bytes(address, 1) == [0xcc])
        lab.kprobes.optimizationEnabled = true
        lab.kprobes.runOptimizer()
        #expect(probe.isOptimized)
        #expect(try lab.bytes(address, 1) == [0xe9])
    }
}
