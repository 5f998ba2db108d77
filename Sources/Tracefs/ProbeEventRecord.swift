import Machine

/// One kprobe or kretprobe event in the trace buffer: its context, the probed address(es) and the fetched args.
/// kernel: kernel/trace/trace_kprobe.c __kprobe_trace_func / __kretprobe_trace_func (what is recorded),
/// print_kprobe_event / print_kretprobe_event (how `trace` prints it), v6.1.
public struct ProbeEventRecord: Sendable, Hashable {
    /// Where the probe fired: `__probe_ip`, or for a return probe `__probe_func` and `__probe_ret_ip`.
    public enum Location: Sendable, Hashable {
        case kprobe(ip: UInt64)
        case kretprobe(function: UInt64, returnAddress: UInt64)
    }

    public let event: ProbeEventFormat
    public let context: TraceEntryContext
    public let location: Location
    /// One value per `event.fields` entry, in order.
    public let values: [ProbeArgValue]

    public init(event: ProbeEventFormat, context: TraceEntryContext, location: Location, values: [ProbeArgValue]) {
        precondition(values.count == event.fields.count, "one value per probe event field")
        if case .kretprobe = location { precondition(event.isReturn, "a kretprobe record of a kprobe event") }
        else { precondition(!event.isReturn, "a kprobe record of a kretprobe event") }
        self.event = event
        self.context = context
        self.location = location
        self.values = values
    }

    /// Record bytes: the fixed layout of the format file plus the strings' dynamic data.
    public var size: Int { event.fixedSize + values.reduce(0) { $0 + $1.dynamicSize } }

    /// The record as the ring buffer holds it, laid out as the `format` file says: `struct trace_entry`, the
    /// probe addresses, the packed args, then the strings each `__data_loc` word (length with the NUL << 16 |
    /// offset) points at; a faulted string gets length 0 at the current end.
    /// kernel: trace_kprobe.c __kprobe_trace_func, trace_probe_tmpl.h store_trace_args.
    public var bytes: [UInt8] {
        var fixed: [UInt8] = []
        func append(_ value: UInt64, size: Int) {
            for k in 0..<size { fixed.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
        }
        append(UInt64(event.id), size: 2)
        append(UInt64(context.flags.commonFlags), size: 1)
        append(UInt64(context.flags.preemptCount), size: 1)
        append(UInt64(UInt32(bitPattern: context.pid)), size: 4)
        switch location {
        case .kprobe(let ip): append(ip, size: 8)
        case let .kretprobe(function, returnAddress):
            append(function, size: 8)
            append(returnAddress, size: 8)
        }
        var dynamic: [UInt8] = []
        func store(_ value: ProbeArgValue, size: Int) {
            switch value {
            case .scalar(let bits): append(bits, size: size)
            case .string(let text):
                let data: [UInt8] = text.map { Array($0.utf8) + [0] } ?? []
                append(UInt64(data.count) << 16 | UInt64(event.fixedSize + dynamic.count), size: 4)
                dynamic += data
            case .array(let elements): for element in elements { store(element, size: size) }
            }
        }
        for (field, value) in zip(event.fields, values) { store(value, size: field.type.size) }
        return fixed + dynamic
    }

    /// The `trace` line without its newline, e.g.
    /// `sh-89      [000] .....     3.606910: openret32: (__x64_sys_openat+0x6a/0xa0 <- do_sys_openat2) ret=3`
    /// (the comm right-aligned to 16). `kretprobeTrampoline` is the address a return probe's caller shows as
    /// `[unknown/kretprobe'd]`.
    public func traceLine(symbols: SymbolTable, kretprobeTrampoline: UInt64?) -> String {
        var line = context.prefix + event.name + ": ("
        switch location {
        case .kprobe(let ip):
            line += symbols.seqPrintIPSym(ip, withOffset: true, kretprobeTrampoline: kretprobeTrampoline)
        case .kretprobe(let function, let returnAddress):
            line += symbols.seqPrintIPSym(returnAddress, withOffset: true, kretprobeTrampoline: kretprobeTrampoline)
                + " <- " + symbols.seqPrintIPSym(function, withOffset: false, kretprobeTrampoline: kretprobeTrampoline)
        }
        line += ")"
        for (field, value) in zip(event.fields, values) {
            line += " \(field.name)=" + value.printed(as: field.type, symbols: symbols)
        }
        return line
    }
}
