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
    /// `arch_arm_kprobe` / `arch_disarm_kprobe`: write the breakpoint / the saved original back.
    func arm(_ p: Kprobe) throws(Errno)
    func disarm(_ p: Kprobe)
    /// `arch_remove_kprobe`: free the slot.
    func remove(_ p: Kprobe)
    /// The trap handlers the back end takes: breakpoints, single-step debug traps, faults.
    func handleTrap(_ trap: Trap, cpu: CPU) -> TrapResult
}
