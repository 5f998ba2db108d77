/// One argument of a probe event as the `kprobe_events` parser produces it: `NAME=FETCHARG[:TYPE][[N]]`.
/// kernel: kernel/trace/trace_probe.h struct probe_arg (name, type, count).
public struct ProbeEventField: Sendable, Hashable {
    public let name: String
    public let type: FetchType
    /// `TYPE[N]` arrays: N elements (kernel `probe_arg.count`); nil for a scalar.
    public let count: Int?

    public init(name: String, type: FetchType, count: Int? = nil) {
        self.name = name
        self.type = type
        self.count = count
    }

    /// Bytes the field takes in the record (size × count for arrays).
    /// kernel: kernel/trace/trace_probe.c traceprobe_define_arg_fields
    public var size: Int { type.size * (count ?? 1) }

    /// The field's type as defined for the event: the fetch type's format type, with `[N]` appended for arrays
    /// (kernel: trace_probe.c traceprobe_parse_probe_arg_body, `parg->fmt = "%s[%d]"`).
    public var formatType: String { count.map { "\(type.formatType)[\($0)]" } ?? type.formatType }
}
