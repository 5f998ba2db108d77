/// Every kprobe behaviour that changed between kernel versions, as data. Code asks the profile; it never tests a
/// version number. `debian61` is the default and the one checked against a real kernel (`Tests/Fixtures/realkernel`).
public struct KernelProfile: Sendable, Hashable, CustomStringConvertible {
    public enum X86SingleStep: Sendable, Hashable {
        /// v5.13 and later: an `int3` follows the copied instruction; jumps, calls and friends are emulated.
        /// kernel: arch/x86/kernel/kprobes/core.c prepare_singlestep, prepare_emulation.
        case int3AfterCopy
        /// Up to v5.12: the trap flag steps the copy and the debug exception finishes it (`resume_execution`).
        case trapFlag
    }

    public enum ARM64SingleStep: Sendable, Hashable {
        /// About v5.10 and later (commit 7ee31a3aa8f4): `BRK #0x006` after the copy in an 8-byte slot.
        case brkAfterCopy
        /// Earlier: hardware single-step of a 4-byte slot.
        case hardwareStep
    }

    public let name: String
    public var x86SingleStep: X86SingleStep
    public var arm64SingleStep: ARM64SingleStep
    /// `CONFIG_PREEMPTION`: x86 boosting exists only without it; the kretprobe default `maxactive` depends on it.
    public var preemptible: Bool
    /// `kprobe::fault_handler` exists (removed in v5.14).
    public var hasFaultHandler: Bool
    /// x86 `can_probe` rejects INT/UD instructions with -EILSEQ itself (later kernels). Without it, an `int3`
    /// fails the copy (-EINVAL) and the others are emulated or stepped as any instruction.
    public var x86CanProbeRejectsTrapInstructions: Bool
    /// x86 `kprobe_int3_handler` treats an int3 that has vanished (another CPU disarmed the probe) by rewinding
    /// the IP to the original instruction (present until about v6.9, including the trap-flag era).
    public var x86RecoversVanishedInt3: Bool
    /// arm64 simulates NOP instead of stepping it (about v6.13 and later).
    public var arm64SimulatesNop: Bool
    /// x86 emulation of `call *%reg` pushes the real next instruction. From v5.13 it pushed `addr + 5`
    /// (`int3_emulate_call` assumes a 5-byte call) until the 2024 fix "x86/kprobes: fix incorrect return address
    /// calculation in kprobe_emulate_call_indirect" (Fixes: 6256e668b7af), which the 6.1 stable series took.
    public var x86IndirectCallReturnsToNextInstruction: Bool
    /// `KRETPROBE_MAX_DATA_SIZE` (4096): larger `data_size` is -E2BIG. Added in 2023 and taken by the stable
    /// series; nil where no limit exists.
    public var kretprobeMaxDataSize: Int?
    /// `OPTIMIZE_DELAY` (5 jiffies) in simulated cycles: how long after queueing the optimizer writes the jumps.
    /// 5 jiffies at HZ=250 (Debian) is 20 ms, 20,000,000 cycles at the cost model's 1 GHz.
    public var optimizeDelayCycles: UInt64 = 20_000_000
    /// Probe events accept the `char` fetch type. kernel: kernel/trace/trace_probe.c `probe_fetch_types`
    /// gained `char` in v6.2; v6.1 (both profiles here) rejects `:char` with `BAD_TYPE`, as captured.
    public var probeFetchTypeChar = false
    /// x86 `can_probe` gives up (-EILSEQ) when its decode from the function start meets an `int3`, taking it for
    /// someone's breakpoint. From v6.0 only a kgdb breakpoint stops it and other `int3`s (the `ret; int3` padding
    /// of return-thunk and SLS sites) decode as one-byte instructions: commit 2304d14db659 "x86/kprobes: Fix
    /// kprobes instruction boudary check with CONFIG_RETHUNK". The 6.1 guest accepts probes past that padding
    /// (x86_64/boundaries.txt).
    public var x86CanProbeStopsAtInt3 = false
    /// arm64 `simulate_ldr_literal` reads eight bytes for the W form too and keeps the low half (`*(u64 *)`
    /// then `set_w_reg`), as v5.4 did. Commit 50f813e57601 "arm64: probes: Fix simulate_ldr*_literal()" (v6.12,
    /// Cc: stable, in the 5.15 and 6.1 stable series of October 2024) reads exactly four
    /// (`READ_ONCE(*(u32 *)load_addr)`); debian-6.1 (6.1.192) has it.
    public var arm64LiteralWLoadReadsDoubleword = false
    /// arm64 `kprobe_fault_handler` restores the saved DAIF (kprobes_restore_local_irqflag) when the copy in
    /// the slot faults in HIT_SS: so in 6.0/6.1; 5.4 only turns the hardware step off and leaves PSTATE.I set.
    public var arm64FaultInSlotRestoresInterruptMask = true

    public init(name: String, x86SingleStep: X86SingleStep, arm64SingleStep: ARM64SingleStep, preemptible: Bool,
                hasFaultHandler: Bool, x86CanProbeRejectsTrapInstructions: Bool, x86RecoversVanishedInt3: Bool,
                arm64SimulatesNop: Bool, x86IndirectCallReturnsToNextInstruction: Bool, kretprobeMaxDataSize: Int?) {
        self.name = name
        self.x86SingleStep = x86SingleStep
        self.arm64SingleStep = arm64SingleStep
        self.preemptible = preemptible
        self.hasFaultHandler = hasFaultHandler
        self.x86CanProbeRejectsTrapInstructions = x86CanProbeRejectsTrapInstructions
        self.x86RecoversVanishedInt3 = x86RecoversVanishedInt3
        self.arm64SimulatesNop = arm64SimulatesNop
        self.x86IndirectCallReturnsToNextInstruction = x86IndirectCallReturnsToNextInstruction
        self.kretprobeMaxDataSize = kretprobeMaxDataSize
    }

    /// Debian 6.1 (6.1.192), both architectures: `CONFIG_PREEMPTION=y` (the captured `r` probe reads back as
    /// `r10` on one CPU, which only the preemptible formula gives).
    public static let debian61 = KernelProfile(
        name: "debian-6.1", x86SingleStep: .int3AfterCopy, arm64SingleStep: .brkAfterCopy, preemptible: true,
        hasFaultHandler: false, x86CanProbeRejectsTrapInstructions: false, x86RecoversVanishedInt3: true,
        arm64SimulatesNop: false, x86IndirectCallReturnsToNextInstruction: true, kretprobeMaxDataSize: 4096)

    /// A 5.4-era non-preemptible kernel, as most tutorials describe kprobes: trap-flag single-step and a debug
    /// exception on x86, hardware single-step on arm64, boosting, the user `fault_handler`.
    public static let legacy: KernelProfile = {
        var profile = KernelProfile(
            name: "legacy-5.4", x86SingleStep: .trapFlag, arm64SingleStep: .hardwareStep, preemptible: false,
            hasFaultHandler: true, x86CanProbeRejectsTrapInstructions: false, x86RecoversVanishedInt3: true,
            arm64SimulatesNop: false, x86IndirectCallReturnsToNextInstruction: true, kretprobeMaxDataSize: nil)
        profile.x86CanProbeStopsAtInt3 = true
        profile.arm64LiteralWLoadReadsDoubleword = true
        profile.arm64FaultInSlotRestoresInterruptMask = false
        return profile
    }()

    public static let all: [KernelProfile] = [.debian61, .legacy]

    public static func named(_ name: String) -> KernelProfile? {
        all.first { $0.name == name || $0.name.hasPrefix(name) }
    }

    /// kretprobe `maxactive` when the caller leaves it <= 0. kernel: kernel/kprobes.c register_kretprobe:
    /// `max(10, 2 * num_possible_cpus())` with CONFIG_PREEMPTION, else `num_possible_cpus()`.
    public func defaultMaxactive(possibleCPUs: Int) -> Int {
        preemptible ? max(10, 2 * possibleCPUs) : possibleCPUs
    }

    public var description: String { name }
}
