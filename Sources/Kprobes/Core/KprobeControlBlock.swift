/// Per-CPU kprobe state: `current_kprobe` and `struct kprobe_ctlblk`, with the one saved level of nesting.
/// kernel: include/linux/kprobes.h, arch/x86/include/asm/kprobes.h, arch/arm64/include/asm/kprobes.h.
/// Fields skip dynamic exclusivity checks: one CPU's block is only touched by the thread running that CPU,
/// and the checks were a third of the cost of a hit (measured with callgrind).
final class KprobeControlBlock {
    struct Saved {
        var kprobe: Kprobe?
        var status: KprobeStatus
        /// x86 `kprobe_old_flags`/`kprobe_saved_flags`; arm64 `saved_irqflag` (DAIF bits).
        var oldFlags: UInt64
        var savedFlags: UInt64
    }

    /// `current_kprobe`: the probe being handled on this CPU, or nil.
    @exclusivity(unchecked) var current: Kprobe?
    @exclusivity(unchecked) var status: KprobeStatus = .idle
    @exclusivity(unchecked) var oldFlags: UInt64 = 0
    @exclusivity(unchecked) var savedFlags: UInt64 = 0
    /// `prev_kprobe`: only one level of nesting can be saved.
    @exclusivity(unchecked) var previous = Saved(kprobe: nil, status: .idle, oldFlags: 0, savedFlags: 0)

    /// kernel: save_previous_kprobe.
    func savePrevious() {
        previous = Saved(kprobe: current, status: status, oldFlags: oldFlags, savedFlags: savedFlags)
    }

    /// kernel: restore_previous_kprobe.
    func restorePrevious() {
        current = previous.kprobe
        status = previous.status
        oldFlags = previous.oldFlags
        savedFlags = previous.savedFlags
    }
}
