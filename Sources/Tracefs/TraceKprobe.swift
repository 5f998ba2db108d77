import Kprobes
import Machine

/// One kprobe event (`struct trace_kprobe`): its definition, its event files, and the kprobe or kretprobe it
/// registered (disabled until the event is enabled). kernel: kernel/trace/trace_kprobe.c.
final class TraceKprobe {
    let definition: KprobeEventDefinition
    let group: String
    let name: String
    let format: ProbeEventFormat
    /// The registered probe: a kprobe, or the kretprobe whose `kp` it is.
    let kprobe: Kprobe
    let kretprobe: Kretprobe?
    /// `tk->nhit`: events recorded (kprobe_dispatcher / kretprobe_dispatcher).
    var nhit: UInt64 = 0
    /// `trace_probe_is_enabled`: the event's `enable` file is 1.
    var isEnabled = false

    init(definition: KprobeEventDefinition, group: String, name: String, format: ProbeEventFormat,
         kprobe: Kprobe, kretprobe: Kretprobe?) {
        self.definition = definition
        self.group = group
        self.name = name
        self.format = format
        self.kprobe = kprobe
        self.kretprobe = kretprobe
    }

    /// The `kprobe_profile` line: return probes add the kretprobe's own misses (maxactive exhausted).
    /// kernel: trace_kprobe.c probes_profile_seq_show.
    var profileLine: KprobeProfileLine {
        KprobeProfileLine(event: name, hits: nhit, kprobeMissed: kprobe.nmissed, kretprobeMissed: kretprobe?.nmissed)
    }
}
