import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// The legacy profile (a 5.4-era, non-preemptible kernel, as most tutorials describe kprobes).
/// kernel (trap-flag era): arch/x86/kernel/kprobes/core.c setup_singlestep, resume_execution,
/// kprobe_debug_handler, can_boost, kprobe_fault_handler; arm64 5.4 kprobes.c kernel_enable_single_step,
/// kprobe_single_step_handler.
@Suite("kprobes: legacy profile (trap-flag / hardware single-step, boosting, fault_handler)")
struct KprobeLegacyProfileTests {
    func traps(_ lab: KprobeLab, _ kind: Trap.Kind) -> [Trap] {
        lab.machine.ledger.events(of: MachineEvent.self).compactMap {
            if case .trap(let trap) = $0, trap.kind == kind { return trap } else { return nil }
        }
    }

    @Test("x86_64: the copy is stepped with TF and finished by the debug exception, not a second int3")
    func x86TrapFlagStep() throws {
        let lab = try KprobeLab(.x86_64, profile: .legacy)
        let address = try lab.address("sum_to", 0x13)
        var preIPs: [UInt64] = [], postIPs: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { ctx in preIPs.append(ctx.regs.ip); return 0 },
                           postHandler: { ctx in postIPs.append(ctx.regs.ip) })
        try lab.kprobes.register(probe)
        let slot = try #require(probe.slotAddress)
        // No int3 after the copy in this era: the slot holds the add and nothing the CPU will reach.
        #expect(try lab.bytes(slot, 3) == [0x48, 0x01, 0xc2])
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(preIPs == Array(repeating: address + 1, count: 11))
        #expect(postIPs == Array(repeating: address + 3, count: 11))
        #expect(traps(lab, .debug).count == 11)
        #expect(traps(lab, .breakpoint).count == 11)
        // TF is clear again when the function returns.
        #expect(lab.machine.cpus[0].registers[X86PtRegs.flags] & (1 << 8) == 0)
    }

    @Test("x86_64: a jump runs in the slot and resume_execution moves the IP back to original coordinates")
    func x86JumpFromSlot() throws {
        let lab = try KprobeLab(.x86_64, profile: .legacy)
        let base = try lab.address("sum_to")
        var postIPs: [UInt64] = []
        // sum_to+0x1d: 75 f1 jne sum_to+0x10, taken 10 times then not.
        let probe = Kprobe(symbolName: "sum_to", offset: 0x1d, postHandler: { ctx in postIPs.append(ctx.regs.ip) })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(postIPs == Array(repeating: base + 0x10, count: 10) + [base + 0x1f])
        #expect(!lab.events().contains { if case .emulated = $0 { return true } else { return false } })
    }

    @Test("x86_64: with no post_handler the copy is boosted: a jmp back, one trap per hit")
    func x86Boost() throws {
        let lab = try KprobeLab(.x86_64, profile: .legacy)
        // debug.kprobes-optimization = 0: a probe with no post_handler is otherwise queued for jump optimization
        // (5.4 has optprobes too), and its int3 hits run the detour's copies (setup_detour_execution) instead.
        lab.kprobes.optimizationEnabled = false
        let address = try lab.address("sum_to", 0x13)
        var hits = 0
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in hits += 1; return 0 })
        try lab.kprobes.register(probe)
        let slot = try #require(probe.slotAddress)
        // Copy, then e9 rel32 to sum_to+0x16: rel = (address + 3) - (slot + 3 + 5).
        let rel = UInt32(truncatingIfNeeded: Int64(bitPattern: address + 3) - Int64(bitPattern: slot + 8))
        #expect(try lab.bytes(slot, 8) == [0x48, 0x01, 0xc2, 0xe9] + (0..<4).map { UInt8(truncatingIfNeeded: rel >> (8 * UInt32($0))) })
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(hits == 11)
        #expect(traps(lab, .breakpoint).count == 11)
        #expect(traps(lab, .debug).isEmpty)
        // Every hit runs the copy boosted (kernel: setup_singlestep "Boost up"), none single-stepped.
        let kinds = lab.events().compactMap { if case .slotStep(_, _, let kind) = $0 { kind } else { nil } }
        #expect(kinds == Array(repeating: .boosted, count: 11))
    }

    @Test("the debian-6.1 profile never boosts (CONFIG_PREEMPTION): the same probe takes two traps per hit")
    func noBoostOnPreemptible() throws {
        let lab = try KprobeLab(.x86_64)
        lab.kprobes.optimizationEnabled = false // debug.kprobes-optimization = 0: the int3 path alone
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        _ = try lab.call("sum_to", [10])
        #expect(traps(lab, .breakpoint).count == 22)
        let kinds = lab.events().compactMap { if case .slotStep(_, _, let kind) = $0 { kind } else { nil } }
        #expect(kinds == Array(repeating: .singleStep, count: 11))
    }

    @Test("x86_64 and arm64: a fault inside a handler counts as missed and goes to the user's fault_handler first",
          arguments: [Architecture.x86_64, .arm64])
    func faultHandler(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, profile: .legacy, files: ["loops", "lists"])
        var faults: [Int32] = []
        let inetBind = try lab.address("inet_bind")
        let probe = Kprobe(symbolName: "sum_to",
                           preHandler: { ctx in _ = try? ctx.call(inetBind, arguments: [0, 0x10, 16]); return 0 },
                           faultHandler: { _, trapnr in faults.append(trapnr); return 0 })
        try lab.kprobes.register(probe)
        // The sample's fault_handler returns 0 ("we don't handle the fault"): the fault then kills the kernel.
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [1]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault)
        #expect(faults.count == 1)
        #expect(probe.nmissed == 1)
    }

    /// The same fault on the 6.1 profile: since "kprobes: Remove user fault_handler" (v5.14) the HIT_ACTIVE and
    /// HIT_SSDONE cases are gone from both arches' kprobe_fault_handler, so nothing counts it as missed.
    @Test("6.1: a fault inside a pre_handler is not counted as missed", arguments: [Architecture.x86_64, .arm64])
    func faultWithoutHandler(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["loops", "lists"])
        let inetBind = try lab.address("inet_bind")
        let probe = Kprobe(symbolName: "sum_to",
                           preHandler: { ctx in _ = try? ctx.call(inetBind, arguments: [0, 0x10, 16]); return 0 })
        try lab.kprobes.register(probe)
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [1]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault)
        #expect(probe.nmissed == 0)
    }

    @Test("arm64: a 4-byte slot stepped by the hardware single-step, with only PSTATE.I masked")
    func arm64HardwareStep() throws {
        let lab = try KprobeLab(.arm64, profile: .legacy)
        let address = try lab.address("sum_to", 0x20)
        var preIPs: [UInt64] = [], postIPs: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", offset: 0x20, preHandler: { ctx in preIPs.append(ctx.regs.ip); return 0 },
                           postHandler: { ctx in postIPs.append(ctx.regs.ip) })
        try lab.kprobes.register(probe)
        let slot = try #require(probe.slotAddress)
        #expect(try lab.bytes(slot, 4) == le32(0x8b01_0000))
        final class Observer: TrapHandler {
            var pstate: UInt64?
            override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
                if trap.kind == .debug && pstate == nil { pstate = cpu.registers[ARM64PtRegs.pstate] }
                return .notHandled
            }
        }
        let observer = Observer()
        lab.machine.traps.register(observer, for: .debug, priority: Int.max)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(preIPs == Array(repeating: address, count: 11))
        #expect(postIPs == Array(repeating: address + 4, count: 11))
        #expect(traps(lab, .debug).count == 11)
        #expect(try #require(observer.pstate) & 0x3c0 == ARM64PtRegs.psrI)
        #expect(lab.machine.cpus[0].registers[ARM64PtRegs.mdscr] & ARM64PtRegs.mdscrSS == 0)
    }
}
