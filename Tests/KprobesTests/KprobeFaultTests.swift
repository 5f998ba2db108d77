import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Faults around kprobes: in the slot (both profiles, HIT_SS and REENTER), inside handlers with the legacy
/// user fault_handler (its `trapnr`, aggregated probes), and the legacy arm64 BUG message.
/// kernel: arch/arm64/kernel/probes/kprobes.c kprobe_fault_handler, reenter_kprobe (5.4 and 6.1);
/// arch/x86/kernel/kprobes/core.c kprobe_fault_handler; kernel/kprobes.c aggr_pre_handler, aggr_post_handler,
/// aggr_fault_handler, kprobes_inc_nmissed_count (5.4).
@Suite("kprobes: faults, fault_handler, legacy arm64 BUGs")
struct KprobeFaultTests {
    /// Two tiny functions that fault on the address in the first argument, then return 5:
    /// `load_from`: arm64 `ldr x1, [x0]` (f9400001), x86 `mov (%rdi),%rcx` (48 8b 0f);
    /// `store_to`: arm64 `str x1, [x0]` (f9000001), x86 `mov %rsi,(%rdi)` (48 89 37);
    /// then arm64 `mov x0, #5; ret` (d28000a0 d65f03c0), x86 `mov $5,%eax; ret` (b8 05 00 00 00 c3).
    /// The arm64 words are aarch64-linux-gnu-as output. The faulting instruction is 4 bytes on arm64, 3 on x86.
    static func defineFaulting(_ lab: KprobeLab, _ architecture: Architecture) throws -> (load: UInt64, store: UInt64) {
        switch architecture {
        case .arm64:
            return (try lab.define("load_from", bytes: le32(0xf940_0001) + le32(0xd280_00a0) + le32(0xd65f_03c0)),
                    try lab.define("store_to", bytes: le32(0xf900_0001) + le32(0xd280_00a0) + le32(0xd65f_03c0)))
        case .x86_64:
            return (try lab.define("load_from", bytes: [0x48, 0x8b, 0x0f, 0xb8, 0x05, 0, 0, 0, 0xc3]),
                    try lab.define("store_to", bytes: [0x48, 0x89, 0x37, 0xb8, 0x05, 0, 0, 0, 0xc3]))
        }
    }

    static func faultingLength(_ architecture: Architecture) -> UInt64 { architecture == .arm64 ? 4 : 3 }

    // MARK: Legacy arm64: BUG on a hit while stepping

    /// 5.4 reenter_kprobe: HIT_SS and REENTER print "Unrecoverable kprobe detected." and BUG() (6.1 prints
    /// "Failed to recover from reentered kprobes."). The legacy step ends in a debug (single-step) exception
    /// reported at the stepped slot (pc already at slot + 4), where the NMI runs the other probed function.
    @Test("legacy arm64: a hit in HIT_SS BUGs with \"Unrecoverable kprobe detected.\"")
    func legacyHitWhileStepping() throws {
        let lab = try KprobeLab(.arm64, profile: .legacy)
        let stepped = Kprobe(symbolName: "sum_to", offset: 0x20)
        try lab.kprobes.register(stepped)
        var nestedRuns = 0
        try lab.kprobes.register(Kprobe(symbolName: "sum_squares_while", preHandler: { _ in nestedRuns += 1; return 0 }))
        let slot = try #require(stepped.slotAddress)
        let nmi = NMIAtTrap(machine: lab.machine, kind: .debug, at: slot, calling: try lab.address("sum_squares_while"))
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [0]) }
        #expect(nmi.fired)
        guard case .kernelBug(let message, let address, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message == "Unrecoverable kprobe detected.")
        #expect(address == (try lab.address("sum_squares_while")))
        #expect(nestedRuns == 0)
    }

    @Test("legacy arm64: a hit in REENTER BUGs with \"Unrecoverable kprobe detected.\"")
    func legacyHitInReenter() throws {
        let lab = try KprobeLab(.arm64, profile: .legacy)
        let first = Kprobe(symbolName: "sum_to", offset: 0x20)
        try lab.kprobes.register(first)
        // digit_count's pre_handler runs sum_squares_while, whose probed first instruction is then stepped in
        // REENTER; the NMI at that step's debug trap runs sum_to and hits `first`.
        let nested = Kprobe(symbolName: "sum_squares_while")
        try lab.kprobes.register(nested)
        var status: KprobeStatus?
        let outer = Kprobe(symbolName: "digit_count", preHandler: { ctx in
            _ = try? ctx.call("sum_squares_while", arguments: [1])
            return 0
        })
        try lab.kprobes.register(outer)
        let slot = try #require(nested.slotAddress)
        let kprobes = lab.kprobes
        let observer = TrapObserver(machine: lab.machine, kind: .debug, at: slot) { kprobes.controlBlock($0).status }
        let nmi = NMIAtTrap(machine: lab.machine, kind: .debug, at: slot, calling: try lab.address("sum_to"))
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("digit_count", [5]) }
        #expect(nmi.fired)
        status = observer.seen
        #expect(status == .reenter)
        guard case .kernelBug(let message, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message == "Unrecoverable kprobe detected.")
    }

    // MARK: Faults in the slot

    /// 5.4 kprobe_fault_handler, HIT_SS: pc = probe address, kernel_disable_single_step (MDSCR.SS off),
    /// reset_current_kprobe — and no kprobes_restore_local_irqflag, so PSTATE.I stays as setup_singlestep set it
    /// (6.0/6.1 added the restore for HIT_SS). inet_bind+0xc is `ldrh w0, [x1]`, x1 = 0x10.
    @Test("legacy arm64: a fault in the slot rewinds, turns the step off and leaves PSTATE.I masked")
    func legacyFaultInSlot() throws {
        let lab = try KprobeLab(.arm64, profile: .legacy, files: ["lists"])
        let address = try lab.address("inet_bind", 0xc)
        try lab.kprobes.register(Kprobe(symbolName: "inet_bind", offset: 0xc))
        lab.machine.ledger.isRecording = true
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("inet_bind", [0, 0x10, 16]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault && trap.fault?.address == 0x10)
        let registers = lab.machine.cpus[0].registers
        #expect(registers[ARM64PtRegs.pc] == address)
        #expect(registers[ARM64PtRegs.mdscr] & ARM64PtRegs.mdscrSS == 0)
        #expect(registers[ARM64PtRegs.pstate] & ARM64PtRegs.psrI != 0)
        #expect(lab.kprobes.controlBlock(lab.machine.cpus[0]).current == nil)
        #expect(lab.events().contains(.faultInSlot(address: address, faultAddress: 0x10)))
    }

    /// A fault by a copy stepped in REENTER (both arm64 kernels): restore_previous_kprobe, so the outer probe is
    /// current again in HIT_ACTIVE when the fault reaches the outer pre_handler's call.
    @Test("arm64: a fault in the slot while in REENTER restores the previous kprobe", arguments: KernelProfile.all)
    func faultInSlotWhileReentered(profile: KernelProfile) throws {
        let lab = try KprobeLab(.arm64, profile: profile, files: ["loops", "lists"])
        let nestedAddress = try lab.address("inet_bind", 0xc)
        let nested = Kprobe(symbolName: "inet_bind", offset: 0xc)
        try lab.kprobes.register(nested)
        var after: (current: Kprobe?, status: KprobeStatus, mdscr: UInt64)?
        var callFailed = false
        let outer = Kprobe(symbolName: "digit_count")
        outer.preHandler = { ctx in
            do { _ = try ctx.call("inet_bind", arguments: [0, 0x10, 16]) } catch { callFailed = true }
            let kcb = lab.kprobes.controlBlock(ctx.cpu)
            after = (kcb.current, kcb.status, ctx.regs[ARM64PtRegs.mdscr])
            return 0
        }
        try lab.kprobes.register(outer)
        lab.machine.ledger.isRecording = true
        _ = try? lab.call("digit_count", [5])
        #expect(callFailed)
        let seen = try #require(after)
        #expect(seen.current === outer)
        #expect(seen.status == .hitActive)
        #expect(nested.nmissed == 1)   // reenter_kprobe counted the nested hit
        #expect(lab.events().contains(.faultInSlot(address: nestedAddress, faultAddress: 0x10)))
        // 5.4 also turned the hardware step off (kernel_disable_single_step) before the outer probe's own step.
        if profile.arm64SingleStep == .hardwareStep { #expect(seen.mdscr & ARM64PtRegs.mdscrSS == 0) }
    }

    // MARK: The user fault_handler's trapnr

    /// 5.4 arm64 calls `cur->fault_handler(cur, regs, fsr)` with do_page_fault's ESR_EL1 (x86 passes trapnr 14,
    /// X86_TRAP_PF). The ESR, by hand from the Arm ARM (ESR_ELx, data abort ISS):
    ///   EC = 0x25 (data abort, same EL) << 26 = 0x94000000; IL = 1 << 25 = 0x02000000; ISV = 0;
    ///   WnR (bit 6) = 0x40 for a store; DFSC = 0b000111 (translation fault, level 3) when nothing is mapped,
    ///   0b001111 (permission fault, level 3) for a store to read-only text.
    ///   load of 0x10: 0x96000007; store to 0x10: 0x96000047; store to text: 0x9600004f.
    /// `int trapnr` receives the unsigned ESR's bit pattern. The handler returns 1 after moving the pc past the
    /// faulting instruction, so the call completes (returning 5) — the fault counted as missed first.
    @Test("legacy: the fault_handler gets the ESR on arm64 and 14 on x86_64, and a non-zero return handles the fault",
          arguments: [Architecture.arm64, .x86_64])
    func faultHandlerTrapNumber(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, profile: .legacy)
        lab.kprobes.optimizationEnabled = false
        let (load, store) = try Self.defineFaulting(lab, architecture)
        let text = try lab.address("sum_squares_while")
        var trapnrs: [Int32] = [], results: [UInt64] = [], missedAtHandler: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", preHandler: { ctx in
            results.append((try? ctx.call(load, arguments: [0x10])) ?? 0)
            results.append((try? ctx.call(store, arguments: [0x10, 1])) ?? 0)
            results.append((try? ctx.call(store, arguments: [text, 1])) ?? 0)
            return 0
        })
        probe.faultHandler = { ctx, trapnr in
            trapnrs.append(trapnr)
            missedAtHandler.append(ctx.kprobe.nmissed)
            ctx.regs.ip += Self.faultingLength(architecture)
            return 1
        }
        try lab.kprobes.register(probe)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(results == [5, 5, 5])
        switch architecture {
        case .arm64:
            #expect(trapnrs == [Int32(bitPattern: 0x9600_0007), Int32(bitPattern: 0x9600_0047), Int32(bitPattern: 0x9600_004f)])
        case .x86_64:
            #expect(trapnrs == [14, 14, 14])
        }
        #expect(missedAtHandler == [1, 2, 3])
        #expect(probe.nmissed == 3)
    }

    // MARK: Aggregated probes and kprobe_instance

    /// Two probes at one address (5.4): `older` registered first, `newer` second, so `newer`'s pre_handler runs
    /// first (list_add_rcu at the head). `older`'s pre_handler faults. The aggregator's fault_handler is
    /// aggr_fault_handler, which calls the fault_handler of `kprobe_instance` — the child whose handler is
    /// running, `older` — and only that one. kprobes_inc_nmissed_count on the aggregator has already counted
    /// the fault on both children when it runs.
    @Test("legacy: a fault in one aggregated child's pre_handler goes to that child's fault_handler only",
          arguments: [Architecture.arm64, .x86_64], [Int32(0), 1])
    func aggregatedFaultHandler(architecture: Architecture, returned: Int32) throws {
        let lab = try KprobeLab(architecture, profile: .legacy)
        lab.kprobes.optimizationEnabled = false
        let (load, _) = try Self.defineFaulting(lab, architecture)
        var calls: [String] = [], missed: [[UInt64]] = []
        var loadResult: UInt64?
        let older = Kprobe(symbolName: "sum_to")
        let newer = Kprobe(symbolName: "sum_to")
        older.preHandler = { ctx in
            calls.append("older pre")
            loadResult = try? ctx.call(load, arguments: [0x10])
            return 0
        }
        older.faultHandler = { ctx, _ in
            calls.append("older fault")
            missed.append([older.nmissed, newer.nmissed])
            if returned != 0 { ctx.regs.ip += Self.faultingLength(architecture) }
            return returned
        }
        newer.preHandler = { _ in calls.append("newer pre"); return 0 }
        newer.faultHandler = { _, _ in calls.append("newer fault"); return 0 }
        try lab.kprobes.register(older)
        try lab.kprobes.register(newer)
        #expect(lab.kprobes.get(try lab.address("sum_to"))?.isAggregator == true)
        if returned != 0 {
            // Handled: the load is skipped, the call returns 5 and sum_to finishes normally.
            #expect(try lab.call("sum_to", [3]) == 6)
            #expect(loadResult == 5)
        } else {
            // Not handled: the fault goes on to the kernel's page fault path and kills the run.
            let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [3]) }
            guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(trap.kind == .pageFault)
        }
        #expect(calls == ["newer pre", "older pre", "older fault"])
        #expect(missed == [[1, 1]])
        #expect(older.nmissed == 1 && newer.nmissed == 1)
    }

    /// aggr_post_handler sets kprobe_instance around each post_handler: a fault in `second`'s post_handler
    /// (HIT_SSDONE) reaches `second`'s fault_handler, not `first`'s, whose pre_handler ran before.
    @Test("legacy: a fault in an aggregated child's post_handler goes to that child's fault_handler",
          arguments: [Architecture.arm64, .x86_64])
    func aggregatedPostHandlerFault(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, profile: .legacy)
        lab.kprobes.optimizationEnabled = false
        let (load, _) = try Self.defineFaulting(lab, architecture)
        var calls: [String] = []
        let first = Kprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 0x13 : 0x20)
        first.preHandler = { _ in 0 }
        first.faultHandler = { _, _ in calls.append("first fault"); return 0 }
        let second = Kprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 0x13 : 0x20)
        second.postHandler = { ctx in _ = try? ctx.call(load, arguments: [0x10]) }
        second.faultHandler = { ctx, _ in
            calls.append("second fault")
            ctx.regs.ip += Self.faultingLength(architecture)
            return 1
        }
        try lab.kprobes.register(first)
        try lab.kprobes.register(second)
        #expect(try lab.call("sum_to", [0]) == 0)   // sum_to(0): the site runs once
        #expect(calls == ["second fault"])
        #expect(first.nmissed == 1 && second.nmissed == 1)
    }

    /// The 6.1 kernel has no fault_handler: nothing tracks kprobe_instance, and an aggregated child's fault is
    /// not counted as missed (the HIT_ACTIVE case is gone from kprobe_fault_handler).
    @Test("6.1: no kprobe_instance, no miss for a fault in an aggregated child", arguments: [Architecture.arm64, .x86_64])
    func noInstanceOn61(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        lab.kprobes.optimizationEnabled = false
        let (load, _) = try Self.defineFaulting(lab, architecture)
        var instanceSetDuringPre: Bool?
        let older = Kprobe(symbolName: "sum_to", preHandler: { ctx in
            instanceSetDuringPre = lab.kprobes.controlBlock(ctx.cpu).instance != nil
            _ = try? ctx.call(load, arguments: [0x10])
            return 0
        })
        let newer = Kprobe(symbolName: "sum_to", preHandler: { _ in 0 })
        try lab.kprobes.register(older)
        try lab.kprobes.register(newer)
        _ = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [3]) }
        #expect(instanceSetDuringPre == false)
        #expect(older.nmissed == 0 && newer.nmissed == 0)
    }
}
