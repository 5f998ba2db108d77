/// The record layout of one kprobe or kretprobe event and its `events/<GRP>/<EVENT>/format` file.
/// kernel: kernel/trace/trace_events.c f_show (the file), kernel/trace/trace_kprobe.c kprobe_event_define_fields
/// and kretprobe_event_define_fields (the probe fields), kernel/trace/trace_probe.c traceprobe_define_arg_fields
/// and __set_print_fmt (args and `print fmt:`), v6.1.
public struct ProbeEventFormat: Sendable, Hashable {
    public let name: String
    /// The event type id (`ID:`; also `common_type` in every record).
    public let id: Int
    public let isReturn: Bool
    public let fields: [ProbeEventField]

    public init(name: String, id: Int, isReturn: Bool, fields: [ProbeEventField]) {
        self.name = name
        self.id = id
        self.isReturn = isReturn
        self.fields = fields
    }

    /// `struct trace_entry`: the common fields every event record starts with (include/linux/trace_events.h).
    static let commonFields: [(type: String, name: String, offset: Int, size: Int, signed: Bool)] = [
        ("unsigned short", "common_type", 0, 2, false),
        ("unsigned char", "common_flags", 2, 1, false),
        ("unsigned char", "common_preempt_count", 3, 1, false),
        ("int", "common_pid", 4, 4, true),
    ]

    /// The probe's own fields after `struct trace_entry`: `__probe_ip` (struct kprobe_trace_entry_head) or
    /// `__probe_func`, `__probe_ret_ip` (struct kretprobe_trace_entry_head), each an `unsigned long`.
    var probeFieldNames: [String] { isReturn ? ["__probe_func", "__probe_ret_ip"] : ["__probe_ip"] }

    /// Size of the entry head (trace_entry + probe fields); the args follow packed at this offset.
    public var headSize: Int { 8 + 8 * probeFieldNames.count }

    /// The offset of each arg: packed in declaration order without alignment padding
    /// (kernel: trace_probe.c traceprobe_parse_probe_arg_body, `parg->offset = *size; *size += ...`).
    public var fieldOffsets: [Int] {
        var offset = headSize
        return fields.map { field in
            defer { offset += field.size }
            return offset
        }
    }

    /// Bytes of the fixed part of a record (head plus args; strings add their data after it).
    public var fixedSize: Int { headSize + fields.reduce(0) { $0 + $1.size } }

    /// The `print fmt:` value. kernel: trace_probe.c __set_print_fmt.
    public var printFormat: String {
        var format = isReturn ? "\"(%lx <- %lx)" : "\"(%lx)"
        for field in fields {
            format += " \(field.name)="
            if let count = field.count {
                format += "{" + Array(repeating: field.type.printFormat, count: count).joined(separator: ",") + "}"
            } else {
                format += field.type.printFormat
            }
        }
        format += "\""
        format += probeFieldNames.map { ", REC->\($0)" }.joined()
        for field in fields {
            let names = field.count.map { count in (0..<count).map { "\(field.name)[\($0)]" } } ?? [field.name]
            format += names.map { field.type.isString ? ", __get_str(\($0))" : ", REC->\($0)" }.joined()
        }
        return format
    }

    /// The whole `format` file. A field type with a `[` that is not a `__data_loc` shows as `TYPE NAME[N]`
    /// (f_show's array_descriptor), so `u8[8]` prints as `u8 fnb[8]` but `__data_loc char[][2]` stays whole.
    public var text: String {
        func line(_ type: String, _ name: String, _ offset: Int, _ size: Int, _ signed: Bool) -> String {
            var declaration = "\(type) \(name)"
            if !type.hasPrefix("__data_loc"), let bracket = type.firstIndex(of: "[") {
                declaration = "\(type[..<bracket]) \(name)\(type[bracket...])"
            }
            return "\tfield:\(declaration);\toffset:\(offset);\tsize:\(size);\tsigned:\(signed ? 1 : 0);\n"
        }
        var text = "name: \(name)\nID: \(id)\nformat:\n"
        for common in Self.commonFields {
            text += line(common.type, common.name, common.offset, common.size, common.signed)
        }
        text += "\n"
        for (index, probeField) in probeFieldNames.enumerated() {
            text += line("unsigned long", probeField, 8 + 8 * index, 8, false)
        }
        for (field, offset) in zip(fields, fieldOffsets) {
            text += line(field.formatType, field.name, offset, field.size, field.type.isSigned)
        }
        text += "\nprint fmt: \(printFormat)\n"
        return text
    }
}
