/// The per-CPU kprobe state machine. kernel: include/linux/kprobes.h KPROBE_HIT_ACTIVE...; the values are
/// bits because the arm64 code tests them with `&`.
public enum KprobeStatus: UInt32, Sendable, CustomStringConvertible {
    /// No kprobe is being handled on this CPU (status is meaningless while `current_kprobe` is NULL).
    case idle = 0
    /// The pre_handler is running.
    case hitActive = 0x1
    /// The copied instruction is being single-stepped (or emulated).
    case hitSS = 0x2
    /// A second probe was hit while the first was active: it is being stepped without handlers.
    case reenter = 0x4
    /// The step is done; the post_handler is running.
    case hitSSDone = 0x8

    public var description: String {
        switch self {
        case .idle: return "idle"
        case .hitActive: return "KPROBE_HIT_ACTIVE"
        case .hitSS: return "KPROBE_HIT_SS"
        case .reenter: return "KPROBE_REENTER"
        case .hitSSDone: return "KPROBE_HIT_SSDONE"
        }
    }
}
