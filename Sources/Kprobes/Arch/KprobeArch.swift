import Machine

/// The arch hooks of the kprobe mechanism: one protocol, two back ends, as the kernel splits `kernel/kprobes.c`
/// (policy) from `arch/*/kernel/probes` (mechanism).
protocol KprobeArch: AnyObject {
    /// Bytes of the breakpoint written over the probed instruction (x86 `cc`; arm64 `BRK #0x004`).
    var breakpoint: [UInt8] { get }
    /// `arch_adjust_kprobe_addr`: the probed address for `symbolStart + offset`, and whether it is a function entry.
    func adjustAddress(symbolStart: UInt64, offset: UInt64) throws(Errno) -> (address: UInt64, onFunctionEntry: Bool)
    /// `arch_prepare_kprobe`: decode, check, copy into a slot (or choose emulation/simulation), or refuse.
    func prepare(_ p: Kprobe) throws(Errno)
    /// The trap handlers the back end takes: breakpoints, single-step debug traps, faults.
    func handleTrap(_ trap: Trap, cpu: CPU) -> TrapResult

    // kretprobes
    /// The code of the return trampoline: a trap that enters the return path (x86 `int3`, arm64 `BRK #0x007`).
    var kretprobeTrampoline: [UInt8] { get }
    /// `arch_prepare_kretprobe` / `arch_rethook_prepare`: save the real return address and the frame, and
    /// replace the return address with the trampoline's.
    func prepareKretprobe(_ instance: KretprobeInstance, cpu: CPU, trampoline: UInt64)
    /// When `trap` is the trampoline's, the frame to match instances against; nil otherwise.
    func kretprobeFrame(_ trap: Trap, cpu: CPU, trampoline: UInt64) -> UInt64?
    /// Continue at the real return address once the handlers have run.
    func resumeAfterKretprobe(cpu: CPU, returnAddress: UInt64)
    /// The kernel's message when no instance matches a return through the trampoline.
    var kretprobeLostMessage: String { get }
}
