import Foundation
import Testing
import Machine
import ARM64
import TestSupport
@testable import Kprobes

/// Directed tests of every instruction family arm64 kprobes simulate instead of stepping.
/// kernel: arch/arm64/kernel/probes/decode-insn.c arm_probe_decode_insn (which families are simulated),
/// simulate-insn.c (what each does), kprobes.c setup_singlestep / post_kprobe_handler (simulated right after the
/// pre_handler, then the post_handler with the new pc, no slot).
///
/// Each routine is assembled by the project's assembler at the address it is placed at, run once without a
/// probe and once with a probe on the instruction at `site:`. Expected values are derived by hand from the
/// A64 definition of the instruction (written next to each case); the probed run must also end in exactly the
/// unprobed run's architectural state (x0-x30, sp, pc, pstate).
@Suite("kprobes: arm64 simulated instructions, family by family")
struct KprobeARM64SimulationTests {
    /// `pt_regs` words compared between the runs: x0-x30, sp, pc, pstate.
    static let stateWords = ARM64PtRegs.pstate + 1

    struct Outcome {
        var labels: [String: UInt64]
        var result: UInt64
        var plain: [UInt64]
        var probed: [UInt64]
        var prePCs: [UInt64]
        var postPCs: [UInt64]
        var postRegs: [[UInt64]]
        var events: [KprobeEvent]
        var probe: Kprobe
        var lab: KprobeLab
        var site: UInt64 { labels["site"]! }
    }

    /// Label addresses of `source` at `origin`, by the assembler's layout (each statement 4 bytes, `.quad` 8).
    static func labels(_ source: String, origin: UInt64) -> [String: UInt64] {
        var labels: [String: UInt64] = [:]
        var address = origin
        for raw in source.split(separator: "\n") {
            var text = raw.trimmingCharacters(in: .whitespaces)
            if let colon = text.firstIndex(of: ":") {
                labels[String(text[..<colon])] = address
                text = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            }
            if text.isEmpty || text.hasPrefix("//") { continue }
            address += text.hasPrefix(".quad") ? 8 : 4
        }
        return labels
    }

    /// Places `source(origin)` as text function `routine` in a fresh lab; returns the lab and the labels.
    static func place(_ source: (UInt64) -> String, profile: KernelProfile) throws -> (KprobeLab, [String: UInt64]) {
        let lab = try KprobeLab(.arm64, profile: profile)
        let size = try ARM64Assembler.assemble(source(0)).count
        var labels: [String: UInt64] = [:]
        try lab.define("routine", size: size) { origin in
            labels = Self.labels(source(origin), origin: origin)
            return try ARM64Assembler.assemble(source(origin), origin: origin)
        }
        return (lab, labels)
    }

    static func state(_ lab: KprobeLab) -> [UInt64] {
        Array(lab.machine.cpus[0].registers.snapshot(count: stateWords))
    }

    /// Runs `source` from `entry:` without and then with a probe at `site:`.
    static func run(_ source: @escaping (UInt64) -> String, args: [UInt64] = [],
                    profile: KernelProfile = .debian61) throws -> Outcome {
        let (plainLab, plainLabels) = try place(source, profile: profile)
        _ = try plainLab.machine.call(try #require(plainLabels["entry"]), arguments: args)
        let plain = state(plainLab)

        let (lab, labels) = try place(source, profile: profile)
        #expect(labels == plainLabels, "both runs place the routine at the same address")
        var prePCs: [UInt64] = [], postPCs: [UInt64] = [], postRegs: [[UInt64]] = []
        let site = try #require(labels["site"])
        let probe = Kprobe(address: site,
                           preHandler: { ctx in prePCs.append(ctx.regs.ip); return 0 },
                           postHandler: { ctx in
                               postPCs.append(ctx.regs.ip)
                               postRegs.append((0..<stateWords).map { ctx.regs[$0] })
                           })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        let result = try lab.machine.call(try #require(labels["entry"]), arguments: args)
        return Outcome(labels: labels, result: result, plain: plain, probed: state(lab), prePCs: prePCs,
                       postPCs: postPCs, postRegs: postRegs, events: lab.events(), probe: probe, lab: lab)
    }

    /// The common checks: simulated by `function` with the pc landing on `resume`, no slot, handlers at the
    /// probe address and at `resume`, the same final state as without the probe.
    static func check(_ o: Outcome, function: String, resume: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.probe.slotAddress == nil, sourceLocation: sourceLocation)
        #expect(o.events.contains(.simulated(address: o.site, instruction: function, resumeAt: resume)),
                "\(o.events)", sourceLocation: sourceLocation)
        #expect(!o.events.contains { if case .slotStep = $0 { return true } else { return false } },
                sourceLocation: sourceLocation)
        #expect(o.prePCs == [o.site], sourceLocation: sourceLocation)
        #expect(o.postPCs == [resume], sourceLocation: sourceLocation)
        #expect(o.probed == o.plain, sourceLocation: sourceLocation)
    }

    // MARK: Immediate branches

    @Test("B: pc = addr + imm26 * 4", arguments: KernelProfile.all)
    func b(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
              mov x0, #1
            site:
              b skip
              mov x0, #2
            skip:
              add x0, x0, #10
              ret
            """ }, profile: profile)
        // The mov #2 is jumped over: 1 + 10.
        #expect(o.result == 11)
        Self.check(o, function: "simulate_b_bl", resume: o.labels["skip"]!)
    }

    @Test("BL: pc = target and x30 = addr + 4", arguments: KernelProfile.all)
    func bl(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
              mov x9, x30
              mov x0, #0
            site:
              bl callee
              add x0, x0, #100
              mov x30, x9
              ret
            callee:
              add x0, x0, #5
              mov x10, x30
              ret
            """ }, profile: profile)
        #expect(o.result == 105)
        Self.check(o, function: "simulate_b_bl", resume: o.labels["callee"]!)
        // The link register as the post_handler sees it, and as the callee saw it (x10): site + 4.
        #expect(o.postRegs.first?[ARM64PtRegs.lr] == o.site + 4)
        #expect(o.probed[10] == o.site + 4)
    }

    /// `cmp x0, #5` then the branch: EQ holds for 5 only; LT (N != V) for signed values below 5, so for
    /// -1 (0xffff_ffff_ffff_ffff: -1 - 5 = -6, N = 1, V = 0) but not for 6.
    @Test("B.cond taken and not taken", arguments: [
        ("b.eq", UInt64(5), true), ("b.eq", 6, false), ("b.lt", UInt64.max, true), ("b.lt", 6, false),
    ])
    func bCond(condition: String, value: UInt64, taken: Bool) throws {
        try Self.checkBranch("\(condition) target", after: "cmp x0, #5", value: value, taken: taken, function: "simulate_b_cond")
    }

    /// Runs `branch` at `site:` (after `setup`, if any) with x0 = `value`: falling through returns 1, the
    /// branch to `target:` returns 2; the probed run must agree and resume at the target or site + 4.
    static func checkBranch(_ branch: String, after setup: String = "", value: UInt64, taken: Bool, function: String) throws {
        let o = try Self.run({ _ in """
            entry:
              \(setup)
            site:
              \(branch)
              mov x0, #1
              ret
            target:
              mov x0, #2
              ret
            """ }, args: [value])
        #expect(o.result == (taken ? 2 : 1))
        Self.check(o, function: function, resume: taken ? o.labels["target"]! : o.site + 4)
    }

    /// The W forms test only the low 32 bits (check_cbz/check_cbnz use get_w_reg): 0x1_0000_0000 is zero as
    /// w0 and non-zero as x0.
    @Test("CBZ/CBNZ, W and X forms", arguments: [
        ("cbz w0", UInt64(0x1_0000_0000), true), ("cbz x0", 0x1_0000_0000, false), ("cbz x0", 0, true),
        ("cbnz w0", 0x1_0000_0000, false), ("cbnz x0", 0x1_0000_0000, true), ("cbnz w0", 7, true),
    ])
    func cbzCbnz(instruction: String, value: UInt64, taken: Bool) throws {
        try Self.checkBranch("\(instruction), target", value: value, taken: taken, function: "simulate_cbz_cbnz")
    }

    /// The bit number is b5:b40 (bit 31 of the instruction and bits 23:19), so bit 33 needs b5.
    @Test("TBZ/TBNZ, bit numbers below and above 31", arguments: [
        ("tbz x0, #33", UInt64(1) << 33, false), ("tbz x0, #33", 1 << 32, true),
        ("tbnz x0, #33", 1 << 33, true), ("tbnz w0, #3", 0x8, true), ("tbnz w0, #3", 0x7, false),
    ])
    func tbzTbnz(instruction: String, value: UInt64, taken: Bool) throws {
        try Self.checkBranch("\(instruction), target", value: value, taken: taken, function: "simulate_tbz_tbnz")
    }

    // MARK: Register branches

    @Test("BR: pc = Xn", arguments: KernelProfile.all)
    func br(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
              adr x1, target
            site:
              br x1
              mov x0, #1
              ret
            target:
              mov x0, #2
              ret
            """ }, profile: profile)
        #expect(o.result == 2)
        Self.check(o, function: "simulate_br_blr_ret", resume: o.labels["target"]!)
    }

    @Test("BLR: pc = Xn, x30 = addr + 4", arguments: KernelProfile.all)
    func blr(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
              mov x9, x30
              adr x1, callee
            site:
              blr x1
              mov x30, x9
              ret
            callee:
              mov x10, x30
              mov x0, #7
              ret
            """ }, profile: profile)
        #expect(o.result == 7)
        Self.check(o, function: "simulate_br_blr_ret", resume: o.labels["callee"]!)
        #expect(o.postRegs.first?[ARM64PtRegs.lr] == o.site + 4)
        #expect(o.probed[10] == o.site + 4)
    }

    /// simulate_br_blr_ret sets the pc before x30 ("update pc first in case we're doing a blr lr"), so
    /// `blr x30` jumps to the old x30 and links site + 4.
    @Test("BLR x30: jumps to the old x30")
    func blrLinkRegister() throws {
        let o = try Self.run({ _ in """
            entry:
              mov x9, x30
              adr x30, callee
            site:
              blr x30
              mov x30, x9
              ret
            callee:
              mov x10, x30
              mov x0, #8
              ret
            """ })
        #expect(o.result == 8)
        Self.check(o, function: "simulate_br_blr_ret", resume: o.labels["callee"]!)
        #expect(o.probed[10] == o.site + 4)
    }

    @Test("RET: pc = x30", arguments: KernelProfile.all)
    func ret(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
              mov x9, x30
              bl callee
            back:
              mov x30, x9
              ret
            callee:
              mov x0, #3
            site:
              ret
            """ }, profile: profile)
        #expect(o.result == 3)
        Self.check(o, function: "simulate_br_blr_ret", resume: o.labels["back"]!)
    }

    // MARK: PC-relative addresses

    /// ADR: Xd = addr + imm21, here backwards (to `before`, 8 bytes before the instruction) and forwards.
    @Test("ADR: Xd = addr + imm21, backwards and forwards", arguments: ["before", "after"])
    func adr(label: String) throws {
        let o = try Self.run({ _ in """
            before:
              .quad 0
            entry:
            site:
              adr x0, \(label)
              ret
            after:
              .word 0
            """ })
        #expect(o.result == o.labels[label]!)
        #expect(o.result == (label == "before" ? o.site - 8 : o.site + 8))
        Self.check(o, function: "simulate_adr_adrp", resume: o.site + 4)
    }

    /// ADRP: Xd = (addr & ~0xfff) + imm21 << 12, the 4 KiB page of the target, whatever the offset inside it.
    @Test("ADRP: Xd = page(addr) + imm21 pages", arguments: [Int64(0x12345), -0x5678])
    func adrp(distance: Int64) throws {
        let o = try Self.run({ origin in """
            entry:
            site:
              adrp x0, 0x\(String(UInt64(bitPattern: Int64(bitPattern: origin) + distance), radix: 16))
              ret
            """ })
        let target = UInt64(bitPattern: Int64(bitPattern: o.site) + distance)
        #expect(o.result == target & ~0xfff)
        #expect(o.result & 0xfff == 0 && o.result != o.site & ~0xfff)
        Self.check(o, function: "simulate_adr_adrp", resume: o.site + 4)
    }

    // MARK: Literal loads

    /// LDR Xt, label: the 8 bytes at addr + imm19 * 4.
    @Test("LDR (literal), X form", arguments: KernelProfile.all)
    func ldrLiteralX(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
            site:
              ldr x0, literal
              ret
            literal:
              .quad 0x1122334455667788
            """ }, profile: profile)
        #expect(o.result == 0x1122_3344_5566_7788)
        Self.check(o, function: "simulate_ldr_literal", resume: o.site + 4)
    }

    /// LDR Wt, label: 4 bytes, zero-extended into Xt (the old upper half of x0, all ones here, is cleared).
    @Test("LDR (literal), W form: four bytes, zero-extended", arguments: KernelProfile.all)
    func ldrLiteralW(profile: KernelProfile) throws {
        let o = try Self.run({ _ in """
            entry:
            site:
              ldr w0, literal
              ret
            literal:
              .quad 0x1122334455667788
            """ }, args: [UInt64.max], profile: profile)
        #expect(o.result == 0x5566_7788)
        Self.check(o, function: "simulate_ldr_literal", resume: o.site + 4)
    }

    /// LDRSW Xt, label: 4 bytes sign-extended to 64 bits; the literal sits before the instruction (negative
    /// imm19).
    @Test("LDRSW (literal): sign-extended, backwards", arguments: [(UInt64(0x8000_0001), UInt64(0xffff_ffff_8000_0001)),
                                                                 (0x7fff_fffe, 0x7fff_fffe)])
    func ldrswLiteral(word: UInt64, expected: UInt64) throws {
        let o = try Self.run({ _ in """
            literal:
              .word 0x\(String(word, radix: 16))
            entry:
            site:
              ldrsw x0, literal
              ret
            """ })
        #expect(o.result == expected)
        Self.check(o, function: "simulate_ldrsw_literal", resume: o.site + 4)
    }

    /// 6.1 reads exactly four bytes for the W form: v6.12's 50f813e57601 "arm64: probes: Fix
    /// simulate_ldr*_literal()" (READ_ONCE(*(u32 *)load_addr); before it `*(u64 *)` then lower_32_bits) is
    /// Cc: stable and in the 6.1 stable series that debian-6.1 (6.1.192) follows. A W literal in the last four
    /// bytes of the text mapping, with nothing mapped after it, therefore loads; an eight-byte read would not.
    @Test("debian-6.1: a W literal in the last four bytes of a mapping loads (a 4-byte read)")
    func ldrLiteralWAtMappingEnd() throws {
        let nops = String(repeating: "  nop\n", count: 1021)
        let o = try Self.run({ _ in "entry:\nsite:\n  ldr w0, literal\n  ret\n" + nops + "literal:\n  .word 0x7eadbeef\n" })
        let literal = try #require(o.labels["literal"])
        #expect(literal & 0xfff == 0xffc)
        #expect(o.lab.machine.memory.permissions(at: literal + 4) == nil)
        #expect(o.result == 0x7ead_beef)
        Self.check(o, function: "simulate_ldr_literal", resume: o.site + 4)
    }

    /// The same layout on the 5.4 profile: `*(u64 *)load_addr` reads four bytes past the mapping, inside the BRK
    /// handler, where no exception fixup covers the access, so the kernel oopses ("Unable to handle kernel paging
    /// request at virtual address" the next page, arch/arm64/mm/fault.c die_kernel_fault). The unprobed code
    /// loads fine: only the simulation reads eight bytes.
    @Test("legacy: the same W literal oopses, the simulation's eight-byte read running off the mapping")
    func ldrLiteralWAtMappingEndLegacy() throws {
        let nops = String(repeating: "  nop\n", count: 1021)
        let source = { (_: UInt64) in "entry:\nsite:\n  ldr w0, literal\n  ret\n" + nops + "literal:\n  .word 0x7eadbeef\n" }
        let (plain, plainLabels) = try Self.place(source, profile: .legacy)
        #expect(try plain.machine.call(try #require(plainLabels["entry"])) == 0x7ead_beef)

        let (lab, labels) = try Self.place(source, profile: .legacy)
        let literal = try #require(labels["literal"])
        #expect(literal & 0xfff == 0xffc && lab.machine.memory.permissions(at: literal + 4) == nil)
        let site = try #require(labels["site"])
        try lab.kprobes.register(Kprobe(address: site, preHandler: { _ in 0 }))
        let error = #expect(throws: SimulationError.self) { _ = try lab.machine.call(try #require(labels["entry"])) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault && trap.address == site)
        // The read of eight bytes at `literal` faults on the first byte it cannot reach: the next page.
        #expect(trap.fault?.address == literal + 4)
        #expect(lab.machine.crashed != nil)
    }
}
