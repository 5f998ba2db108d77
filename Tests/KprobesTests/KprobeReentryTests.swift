import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// An NMI arriving at a chosen trap: before kprobes sees the trap, it runs simulated code on the trapping CPU
/// (interrupt masking does not stop an NMI). This is how a probe can be hit while another is being stepped.
final class NMIAtTrap: TrapHandler {
    let address: UInt64
    let function: UInt64
    var fired = false

    /// `kind`: the trap that ends a step, a breakpoint (6.1) or the debug exception (the legacy profile's step).
    /// Just below `TrapObserver`'s priority, so an observer sees the trap before the NMI runs.
    init(machine: Machine, kind: Trap.Kind = .breakpoint, at address: UInt64, calling function: UInt64) {
        self.address = address
        self.function = function
        super.init()
        machine.traps.register(self, for: kind, priority: Int.max - 1)
    }

    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        guard !fired, trap.address == address else { return .notHandled }
        fired = true
        do { _ = try machine.callNested(function, arguments: [1], on: cpu) } catch { return .fatal(error) }
        return .notHandled
    }
}

/// Reads something off the CPU the first time a trap of `kind` arrives at `address`, before anyone handles it.
final class TrapObserver<Value>: TrapHandler {
    let address: UInt64
    let read: (CPU) -> Value
    private(set) var seen: Value?

    init(machine: Machine, kind: Trap.Kind, at address: UInt64, read: @escaping (CPU) -> Value) {
        self.address = address
        self.read = read
        super.init()
        machine.traps.register(self, for: kind, priority: Int.max)
    }

    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        if trap.address == address && seen == nil { seen = read(cpu) }
        return .notHandled
    }
}

/// kernel: reenter_kprobe (x86 core.c and arm64 kprobes.c), kprobe_fault_handler.
@Suite("kprobes: reentry, interrupt masking, faults in the slot")
struct KprobeReentryTests {
    static func site(_ architecture: Architecture) -> UInt64 { architecture == .x86_64 ? 0x13 : 0x20 }
    /// Where the trap after the copy sits: x86 int3 after the 3-byte add; arm64 BRK #6 in the slot's second word.
    static func slotTrap(_ architecture: Architecture, slot: UInt64) -> UInt64 { slot + (architecture == .x86_64 ? 3 : 4) }

    @Test("a hit while stepping: x86_64 counts it missed and carries on; arm64 BUGs (\"Failed to recover from reentered kprobes.\")",
          arguments: [Architecture.x86_64, .arm64])
    func hitWhileStepping(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        var posts = 0
        let stepped = Kprobe(symbolName: "sum_to", offset: Self.site(architecture), postHandler: { _ in posts += 1 })
        try lab.kprobes.register(stepped)
        var nestedHandlerRuns = 0
        let other = Kprobe(symbolName: "sum_squares_while", preHandler: { _ in nestedHandlerRuns += 1; return 0 })
        try lab.kprobes.register(other)
        let slot = try #require(stepped.slotAddress)
        _ = NMIAtTrap(machine: lab.machine, at: Self.slotTrap(architecture, slot: slot), calling: try lab.address("sum_squares_while"))
        switch architecture {
        case .x86_64:
            #expect(try lab.call("sum_to", [0]) == 0)
            #expect(other.nmissed == 1 && nestedHandlerRuns == 0)
            #expect(posts == 1)
        case .arm64:
            let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [0]) }
            guard case .kernelBug(let message, let address, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(message == "Failed to recover from reentered kprobes.")
            #expect(address == (try lab.address("sum_squares_while")))
        }
    }

    @Test("a hit while a nested probe is being stepped (REENTER) is fatal on both architectures and profiles",
          arguments: [Architecture.x86_64, .arm64], [KernelProfile.debian61, .legacy])
    func hitInReenter(architecture: Architecture, profile: KernelProfile) throws {
        let lab = try KprobeLab(architecture, profile: profile)
        lab.kprobes.optimizationEnabled = false // keep the handler-less probes on the int3 path
        let first = Kprobe(symbolName: "sum_to", offset: Self.site(architecture))
        try lab.kprobes.register(first)
        // The outer probe's handler runs sum_squares_while, whose first instruction (x86 `xor %ecx,%ecx`, arm64
        // `mov x3, x0`) is probed and therefore stepped in REENTER; an NMI at that step's second trap runs sum_to,
        // hitting the first probe again.
        // A post_handler keeps the legacy profile's non-preemptible kernel from boosting it (5.4 setup_singlestep
        // boosts only `boostable && !p->post_handler`), so it is stepped in REENTER on both profiles.
        let nested = Kprobe(symbolName: "sum_squares_while", postHandler: { _ in })
        try lab.kprobes.register(nested)
        let outer = Kprobe(symbolName: "digit_count", preHandler: { ctx in _ = try? ctx.call("sum_squares_while", arguments: [1]); return 0 })
        try lab.kprobes.register(outer)
        let slot = try #require(nested.slotAddress)
        // 6.1 ends the step with the slot's int3 after the 2-byte xor (x86) or its BRK #6 (arm64); the legacy
        // profile with the debug exception after the step, whose address is the stepped copy (the slot).
        let legacy = profile.x86SingleStep == .trapFlag
        let nmi = legacy
            ? NMIAtTrap(machine: lab.machine, kind: .debug, at: slot, calling: try lab.address("sum_to"))
            : NMIAtTrap(machine: lab.machine, at: slot + (architecture == .x86_64 ? 2 : 4), calling: try lab.address("sum_to"))
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("digit_count", [5]) }
        #expect(nmi.fired)
        guard case .kernelBug(let message, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        // kernel: reenter_kprobe. x86 says "Unrecoverable kprobe detected." in both eras; arm64 says it up to the
        // BRK single-step rework and "Failed to recover from reentered kprobes." since.
        #expect(message == (architecture == .x86_64 || legacy ? "Unrecoverable kprobe detected." : "Failed to recover from reentered kprobes."))
    }

    @Test("interrupts are masked while the copy runs (x86 IF clear, arm64 DAIF all set) and restored after",
          arguments: [Architecture.x86_64, .arm64])
    func interruptsMaskedDuringStep(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        var postMask: UInt64 = 0
        let flags = architecture == .x86_64 ? X86PtRegs.flags : ARM64PtRegs.pstate
        let mask: UInt64 = architecture == .x86_64 ? 1 << 9 : 0x3c0
        let probe = Kprobe(symbolName: "sum_to", offset: Self.site(architecture),
                           postHandler: { ctx in postMask = ctx.regs[flags] & mask })
        try lab.kprobes.register(probe)
        let slot = try #require(probe.slotAddress)
        let observer = TrapObserver(machine: lab.machine, kind: .breakpoint, at: Self.slotTrap(architecture, slot: slot)) {
            $0.registers[flags]
        }
        _ = try lab.call("sum_to", [0])
        let during = try #require(observer.seen)
        #expect(during & mask == (architecture == .x86_64 ? 0 : mask))
        #expect(postMask == (architecture == .x86_64 ? mask : 0))
    }

    @Test("a fault raised by the copy rewinds the IP to the probe address and clears the kprobe state",
          arguments: [(Architecture.x86_64, UInt64(5)), (.arm64, 0xc)])
    func faultInSlot(architecture: Architecture, offset: UInt64) throws {
        // inet_bind reads addr->sin_family: x86_64 +5 `cmpw $0x2,(%rsi)`, arm64 +0xc `ldrh w0, [x1]`.
        let lab = try KprobeLab(architecture, files: ["lists"])
        let address = try lab.address("inet_bind", offset)
        let probe = Kprobe(symbolName: "inet_bind", offset: offset)
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("inet_bind", [0, 0x10, 16]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault && trap.fault?.address == 0x10)
        #expect(lab.machine.cpus[0].registers[lab.pc] == address)
        #expect(lab.kprobes.controlBlock(lab.machine.cpus[0]).current == nil)
        // Both arches record the faulting data address (x86 cr2, arm64 FAR_EL1), not where the copy ran.
        #expect(lab.events().contains(.faultInSlot(address: address, faultAddress: 0x10)))
        if architecture == .arm64 {
            // 6.1 kprobe_fault_handler, HIT_SS: kprobes_restore_local_irqflag puts back DAIF as saved at the BRK
            // (all clear in this call), after setup_singlestep had masked all four for the copy.
            #expect(lab.machine.cpus[0].registers[ARM64PtRegs.pstate] & ARM64PtRegs.daifMask == 0)
        }
    }
}
