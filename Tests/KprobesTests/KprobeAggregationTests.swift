import Testing
import Machine
import TestSupport
@testable import Kprobes

/// Several probes on one address. kernel/kprobes.c: register_aggr_kprobe adds children at the head, so the newest
/// runs first; aggr_pre_handler stops at the first non-zero return; kprobes_inc_nmissed_count counts a miss on
/// every child; disabled children are skipped.
@Suite("kprobes: aggregated probes")
struct KprobeAggregationTests {
    /// sum_to's stepped loop body: x86_64 +0x13 (3-byte add), arm64 +0x20 (4-byte add).
    static func site(_ architecture: Architecture) -> (offset: UInt64, length: UInt64) {
        architecture == .x86_64 ? (0x13, 3) : (0x20, 4)
    }

    @Test("newest first; one breakpoint and one slot shared by all", arguments: [Architecture.x86_64, .arm64])
    func order(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let (offset, _) = Self.site(architecture)
        var order: [String] = []
        let probes = ["A", "B", "C"].map { name in
            Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in order.append(name); return 0 },
                   postHandler: { _ in order.append(name.lowercased()) })
        }
        for p in probes { try lab.kprobes.register(p) }
        #expect(Set(probes.map { $0.slotAddress }).count == 1)
        #expect(lab.kprobes.registered.map { $0 === probes[2] } == [true, false, false])
        #expect(try lab.call("sum_to", [0]) == 0) // one pass through the loop body
        #expect(order == ["C", "B", "A", "c", "b", "a"])
    }

    @Test("the first non-zero pre_handler stops the rest and skips every post_handler", arguments: [Architecture.x86_64, .arm64])
    func firstNonZeroStops(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let (offset, length) = Self.site(architecture)
        let address = try lab.address("sum_to", offset)
        var order: [String] = []
        let a = Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in order.append("A"); return 0 },
                       postHandler: { _ in order.append("a") })
        let b = Kprobe(symbolName: "sum_to", offset: offset, preHandler: { ctx in
            order.append("B"); ctx.regs.ip = address + length; return 1
        })
        let c = Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in order.append("C"); return 0 },
                       postHandler: { _ in order.append("c") })
        for p in [a, b, c] { try lab.kprobes.register(p) }
        // B skips the add: the loop runs once (n = 0) and adds nothing.
        #expect(try lab.call("sum_to", [0]) == 0)
        #expect(order == ["C", "B"])
    }

    @Test("disabled children are skipped; the breakpoint goes only when all are disabled", arguments: [Architecture.x86_64, .arm64])
    func disabledChildren(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let (offset, _) = Self.site(architecture)
        let address = try lab.address("sum_to", offset)
        let original = try lab.bytes(address, 1)
        var order: [String] = []
        let a = Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in order.append("A"); return 0 })
        let b = Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in order.append("B"); return 0 })
        try lab.kprobes.register(a)
        try lab.kprobes.register(b)
        try lab.kprobes.disable(b)
        _ = try lab.call("sum_to", [0])
        #expect(order == ["A"])
        #expect(try lab.bytes(address, 1) != original)
        try lab.kprobes.disable(a)
        #expect(try lab.bytes(address, 1) == original)
        try lab.kprobes.enable(b)
        order = []
        _ = try lab.call("sum_to", [0])
        #expect(order == ["B"])
    }

    @Test("a miss on the aggregate counts on every child; unregistering the last restores the bytes",
          arguments: [Architecture.x86_64, .arm64])
    func missesAndUnregister(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let (offset, _) = Self.site(architecture)
        let address = try lab.address("sum_to", offset)
        let original = try lab.bytes(address, 4)
        let a = Kprobe(symbolName: "sum_to", offset: offset)
        let b = Kprobe(symbolName: "sum_to", offset: offset)
        try lab.kprobes.register(a)
        try lab.kprobes.register(b)
        // Another probe whose handler runs sum_to(2): its loop body passes 3 times, each a nested (missed) hit.
        let outer = Kprobe(symbolName: "sum_squares_while", preHandler: { ctx in _ = try? ctx.call("sum_to", arguments: [2]); return 0 })
        try lab.kprobes.register(outer)
        _ = try lab.call("sum_squares_while", [1])
        #expect(a.nmissed == 3 && b.nmissed == 3)
        #expect(a.nhit == 0 && b.nhit == 0)
        lab.kprobes.unregister(a)
        #expect(try lab.bytes(address, 1) != Array(original.prefix(1)))
        lab.kprobes.unregister(b)
        #expect(try lab.bytes(address, 4) == original)
        #expect(lab.kprobes.get(address) == nil)
    }
}
