import Kprobes
import Machine

/// One probe of a kprobe event (`struct trace_kprobe`): its definition and the kprobe or kretprobe it
/// registered, disabled until the event is enabled. Several may share one event (`trace_probe_append`).
/// kernel: kernel/trace/trace_kprobe.c.
final class TraceKprobe {
    /// The event files and state this probe shares with the other probes of its event (`struct trace_probe_event`).
    final class Event {
        let group: String
        let name: String
        let format: ProbeEventFormat
        /// `trace_probe_is_enabled`: the event's `enable` file is 1.
        var isEnabled = false
        /// The compiled filter; nil records every hit (no filter, or the last one written failed to parse).
        var filter: EventFilter?
        /// What the `filter` file shows: the expression, or after a failed write the expression with the
        /// error; nil shows `none`.
        var filterString: String?

        init(group: String, name: String, format: ProbeEventFormat) {
            self.group = group
            self.name = name
            self.format = format
        }
    }

    let definition: KprobeEventDefinition
    let event: Event
    /// The registered probe: a kprobe, or the kretprobe whose `kp` it is.
    let kprobe: Kprobe
    let kretprobe: Kretprobe?
    /// `tk->nhit`: events recorded (kprobe_dispatcher / kretprobe_dispatcher).
    var nhit: UInt64 = 0
    /// Whether its kprobe is registered: false while registration is deferred (an address in no loaded text, a
    /// `MOD:SYM` of a module not loaded: `trace_kprobe_module_exist`).
    var isRegistered = false

    init(definition: KprobeEventDefinition, event: Event, kprobe: Kprobe, kretprobe: Kretprobe?) {
        self.definition = definition
        self.event = event
        self.kprobe = kprobe
        self.kretprobe = kretprobe
    }

    /// The `kprobe_profile` line: return probes add the kretprobe's own misses (maxactive exhausted).
    /// kernel: trace_kprobe.c probes_profile_seq_show.
    var profileLine: KprobeProfileLine {
        KprobeProfileLine(event: event.name, hits: nhit, kprobeMissed: kprobe.nmissed, kretprobeMissed: kretprobe?.nmissed)
    }
}
