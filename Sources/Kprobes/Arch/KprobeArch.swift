import Machine

/// The arch hooks of the kprobe mechanism: one protocol, two back ends, as the kernel splits `kernel/kprobes.c`
/// (policy) from `arch/*/kernel/probes` (mechanism).
///
/// The back end is what the manager registers in the machine's trap table, as `do_int3` and `brk_handler` call
/// `kprobe_int3_handler` / `kprobe_breakpoint_handler` directly: a trap reaches the arch code in one dynamic
/// call, and the back end calls into the policy half of the manager for the kretprobe and ftrace trampolines.
protocol KprobeArch: TrapHandler {
    /// Bytes of the breakpoint written over the probed instruction (x86 `cc`; arm64 `BRK #0x004`).
    var breakpoint: [UInt8] { get }
    /// `arch_adjust_kprobe_addr`: the probed address for `symbolStart + offset`, and whether it is a function entry.
    func adjustAddress(symbolStart: UInt64, offset: UInt64) throws(Errno) -> (address: UInt64, onFunctionEntry: Bool)
    /// `arch_prepare_kprobe`: decode, check, copy into a slot (or choose emulation/simulation), or refuse.
    func prepare(_ p: Kprobe) throws(Errno)
    // kretprobes
    /// The code of the return trampoline: a trap that enters the return path (x86 `int3`, arm64 `BRK #0x007`).
    var kretprobeTrampoline: [UInt8] { get }
    /// `arch_prepare_kretprobe` / `arch_rethook_prepare`: save the real return address and the frame, and
    /// replace the return address with the trampoline's.
    func prepareKretprobe(_ instance: KretprobeInstance, cpu: CPU, trampoline: UInt64)
    /// Continue at the real return address once the handlers have run.
    func resumeAfterKretprobe(cpu: CPU, returnAddress: UInt64)
    /// The kernel's message when no instance matches a return through the trampoline.
    var kretprobeLostMessage: String { get }
}
