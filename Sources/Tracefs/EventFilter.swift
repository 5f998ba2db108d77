import Kprobes

/// A compiled event filter (`events/GRP/EVENT/filter`): the kernel's predicate program over the event's record.
/// Parsing follows the kernel step by step (calc_stack, then predicate_parse with parse_pred, then its second and
/// third passes), so errors carry the kernel's codes, positions and errnos; matching runs the program over the
/// record's bytes laid out as the `format` file says, as filter_match_preds does.
/// kernel: kernel/trace/trace_events_filter.c (v6.1), kernel/trace/trace_events.c trace_find_event_field and
/// trace_define_generic_fields.
public struct EventFilter: Sendable {
    /// A field a predicate can name: the event's own fields, then the generic `CPU`/`cpu`/`common_cpu` and
    /// `COMM`/`comm`, then the common fields (trace_find_event_field's search order).
    struct Field: Sendable {
        enum Kind: Sendable {
            /// A number in the record (FILTER_OTHER); sizes other than 1, 2, 4 and 8 (arrays) never match.
            case integer(offset: Int, size: Int, signed: Bool)
            /// A `__data_loc char[]` string (FILTER_DYN_STRING).
            case dynamicString(offset: Int)
            /// The CPU the event is written on (FILTER_CPU).
            case cpu
            /// `current->comm` (FILTER_COMM).
            case comm
        }
        let name: String
        let kind: Kind

        var isString: Bool {
            switch kind {
            case .dynamicString, .comm: true
            case .integer, .cpu: false
            }
        }
        var isSigned: Bool {
            switch kind {
            case .integer(_, _, let signed): signed
            case .cpu: true
            case .dynamicString, .comm: false
            }
        }
    }

    /// The operators in the order parse_pred tries them (`<=` before `<`, `>=` before `>`).
    enum Op: String, CaseIterable, Sendable {
        case glob = "~", ne = "!=", eq = "==", le = "<=", lt = "<", ge = ">=", gt = ">", band = "&"
    }

    /// One predicate (`struct filter_pred` with its `fn_num`).
    enum Test: Sendable {
        /// FILTER_PRED_FN_NOP: a field size with no comparison function.
        case never
        case integer(offset: Int, size: Int, signed: Bool, op: Op, value: UInt64, not: Bool)
        case cpu(op: Op, value: Int32)
        case comm(FilterPattern)
        case dynamicString(offset: Int, FilterPattern)
    }

    /// `struct prog_entry`: the test (nil for the final TRUE/FALSE entries), where to jump, and on which result.
    struct Entry: Sendable {
        var test: Test?
        var target: Int
        var whenToBranch: Bool
    }

    let program: [Entry]

    /// TASK_COMM_LEN: `comm` is compared as this many bytes.
    static let taskCommLength = 16
    /// MAX_FILTER_STR_VAL: the longest quoted string.
    static let maxStringLength = 256

    // MARK: Parsing

    /// Compiles `expression` (already stripped of trailing blanks, as apply_event_filter's strstrip leaves it)
    /// for an event of `format`.
    public init(_ expression: String, format: ProbeEventFormat) throws(EventFilterError) {
        let parser = Parser(text: Array(expression.utf8), fields: Self.fields(of: format))
        program = try parser.predicateParse(predicates: try parser.calcStack())
    }

    /// The fields of a kprobe or kretprobe event, in trace_find_event_field's order.
    static func fields(of format: ProbeEventFormat) -> [Field] {
        var fields: [Field] = format.probeFieldNames.enumerated().map { index, name in
            Field(name: name, kind: .integer(offset: 8 + 8 * index, size: 8, signed: false))
        }
        for (field, offset) in zip(format.fields, format.fieldOffsets) {
            fields.append(Field(name: field.name, kind: field.type.isString
                ? .dynamicString(offset: offset) : .integer(offset: offset, size: field.size, signed: field.type.isSigned)))
        }
        fields += ["CPU", "cpu", "common_cpu"].map { Field(name: $0, kind: .cpu) }
        fields += ["COMM", "comm"].map { Field(name: $0, kind: .comm) }
        fields += ProbeEventFormat.commonFields.map {
            Field(name: $0.name, kind: .integer(offset: $0.offset, size: $0.size, signed: $0.signed))
        }
        return fields
    }

    // MARK: Matching

    /// filter_match_preds: runs the program over a record's bytes (`ProbeEventRecord.bytes`), written on `cpu` by
    /// a task named `comm`. A jump sets the index to the target and the loop's increment moves one past it.
    public func matches(record: [UInt8], cpu: Int, comm: String) -> Bool {
        var i = 0
        while let test = program[i].test {
            if Self.evaluate(test, record, cpu: cpu, comm: comm) == program[i].whenToBranch { i = program[i].target }
            i += 1
        }
        return program[i].target != 0
    }

    private static func evaluate(_ test: Test, _ record: [UInt8], cpu: Int, comm: String) -> Bool {
        switch test {
        case .never:
            return false
        case let .integer(offset, size, signed, op, value, not):
            let bits = UInt64(8 * size)
            let mask: UInt64 = size == 8 ? .max : (1 << bits) - 1
            var field: UInt64 = 0
            for k in 0..<size where offset + k < record.count { field |= UInt64(record[offset + k]) << (8 * UInt64(k)) }
            let constant = value & mask
            switch op {
            case .eq, .ne: return (field == constant) != not
            case .band: return field & constant != 0
            default: break
            }
            let ordering: Int
            if signed {
                let a = Int64(bitPattern: field << (64 - bits)) >> (64 - bits)
                let b = Int64(bitPattern: constant << (64 - bits)) >> (64 - bits)
                ordering = a < b ? -1 : (a == b ? 0 : 1)
            } else {
                ordering = field < constant ? -1 : (field == constant ? 0 : 1)
            }
            return compare(ordering, op)
        case let .cpu(op, value):
            let current = Int32(cpu)
            return op == .band ? false : compare(current < value ? -1 : (current == value ? 0 : 1), op)
        case .comm(let pattern):
            // current->comm as its TASK_COMM_LEN buffer.
            var buffer = Array(comm.utf8.prefix(taskCommLength - 1))
            buffer += [UInt8](repeating: 0, count: taskCommLength - buffer.count)
            return pattern.matches(buffer, offset: 0, length: taskCommLength)
        case let .dynamicString(offset, pattern):
            var item: UInt32 = 0
            for k in 0..<4 where offset + k < record.count { item |= UInt32(record[offset + k]) << (8 * UInt32(k)) }
            return pattern.matches(record, offset: Int(item & 0xffff), length: Int(item >> 16))
        }
    }

    /// The relational operators over a three-way comparison (`==`/`!=` included, for the CPU field).
    private static func compare(_ ordering: Int, _ op: Op) -> Bool {
        switch op {
        case .lt: ordering < 0
        case .le: ordering <= 0
        case .gt: ordering > 0
        case .ge: ordering >= 0
        case .eq: ordering == 0
        case .ne: ordering != 0
        case .glob, .band: false
        }
    }
}
