/// `kprobe::flags`. kernel: include/linux/kprobes.h KPROBE_FLAG_*.
public struct KprobeFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The code under the probe was freed (module unloaded): listed `[GONE]`, never armed again.
    public static let gone = KprobeFlags(rawValue: 1)
    /// Temporarily disabled: registered but not armed. Listed `[DISABLED]`.
    public static let disabled = KprobeFlags(rawValue: 2)
    /// Jump-optimized (x86 optprobes). Listed `[OPTIMIZED]`.
    public static let optimized = KprobeFlags(rawValue: 4)
    /// Implemented through ftrace at a function's fentry site. Listed `[FTRACE]`.
    public static let ftrace = KprobeFlags(rawValue: 8)
    /// The probe sits at a function entry (set by registration).
    public static let onFunctionEntry = KprobeFlags(rawValue: 16)
}
