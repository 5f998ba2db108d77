/// One line of `kprobe_profile`: the event name, its hit count and its miss count.
/// kernel: kernel/trace/trace_kprobe.c probes_profile_seq_show (v6.1).
public struct KprobeProfileLine: Sendable, Hashable {
    public let event: String
    /// Handler calls summed over the CPUs (trace_kprobe_nhit).
    public let hits: UInt64
    /// `kp.nmissed`, plus `rp.nmissed` (no free kretprobe instance) for a return probe.
    public let missed: UInt64

    /// `kprobeMissed` is the probe's `kp.nmissed`; `kretprobeMissed` is `rp.nmissed` for a return probe, nil for
    /// a kprobe.
    public init(event: String, hits: UInt64, kprobeMissed: UInt64, kretprobeMissed: UInt64? = nil) {
        self.event = event
        self.hits = hits
        self.missed = kprobeMissed + (kretprobeMissed ?? 0)
    }

    /// `"  %-44s %15lu %15lu\n"`.
    public var text: String {
        "  " + event.leftJustified(44) + " " + String(hits).rightJustified(15) + " "
            + String(missed).rightJustified(15) + "\n"
    }
}
