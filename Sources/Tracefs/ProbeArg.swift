import Kprobes
import Machine

/// One `[NAME=]FETCHARG[:TYPE][[N]]` of a probe definition. kernel: kernel/trace/trace_probe.c
/// `traceprobe_parse_probe_arg`, `traceprobe_parse_probe_arg_body`, `parse_probe_arg`, `parse_probe_vars`.
public struct ProbeArg: Sendable, Hashable {
    /// `NAME`, or `argN` (1-based position) when omitted.
    public var name: String
    /// The text after `NAME=` as written (`parg->comm`), which `kprobe_events` prints back.
    public var comm: String
    public var fetch: FetchArg
    public var type: ProbeArgType
    /// `[N]`: an array of N elements; nil for a scalar.
    public var count: UInt64?

    /// `MAX_ARG_NAME_LEN`, `MAX_ARGSTR_LEN`, `MAX_ARRAY_LEN`, `FETCH_INSN_MAX` (kernel/trace/trace_probe.h).
    static let maxArgNameLength = 32, maxArgStringLength = 63, maxArrayLength: UInt64 = 64, fetchInsnMax = 16
    /// Names an argument may not take. kernel: trace_probe.c `reserved_field_names`.
    static let reservedFieldNames = ["common_type", "common_flags", "common_preempt_count", "common_pid",
                                     "common_tgid", "__probe_ip", "__probe_ret_ip", "__probe_func"]

    /// What the parser needs to know about the probe (`TPARG_FL_RETURN`, `TPARG_FL_FENTRY`) and the kernel.
    struct Context {
        var architecture: Architecture
        var profile: KernelProfile
        var isReturn: Bool
        var isFunctionEntry: Bool
        /// `PARAM_MAX_STACK`: THREAD_SIZE / sizeof(long), 16 KiB stacks on both architectures.
        var maxStack: UInt64 { 16384 / 8 }
    }

    /// `traceprobe_parse_probe_arg(tp, i, arg, flags)`; `previous` are the arguments already parsed.
    static func parse(_ arg: String, position i: Int, previous: [ProbeArg], context: Context,
                      log: TraceProbeLog) throws(KprobeEventError) -> ProbeArg {
        let bytes = Array(arg.utf8)
        let name: String
        var offset = 0
        if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
            if eq > maxArgNameLength { throw log.error(0, .ARG_NAME_TOO_LONG) }
            if eq == 0 { throw log.error(0, .NO_ARG_NAME) }
            name = text(bytes[..<eq])
            offset = eq + 1
        } else {
            name = "arg\(i + 1)"
        }
        if !KprobeEventDefinition.isGoodName(name) { throw log.error(0, .BAD_ARG_NAME) }
        if reservedFieldNames.contains(name) || previous.contains(where: { $0.name == name }) {
            throw log.error(0, .USED_ARG_NAME)
        }
        return try parseBody(text(bytes[offset...]), offset: offset, name: name, context: context, log: log)
    }

    /// `traceprobe_parse_probe_arg_body(arg, size, parg, flags, offset)`.
    private static func parseBody(_ arg: String, offset: Int, name: String, context: Context,
                                  log: TraceProbeLog) throws(KprobeEventError) -> ProbeArg {
        let bytes = Array(arg.utf8)
        if bytes.count > maxArgStringLength { throw log.error(offset, .ARG_TOO_LONG) }
        if bytes.isEmpty { throw log.error(offset, .NO_ARG_BODY) }
        var fetchText = bytes[...]
        var typeText: ArraySlice<UInt8>?
        var typeStart = 0
        var count: UInt64?
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            fetchText = bytes[..<colon]
            typeStart = colon + 1
            var t = bytes[typeStart...]
            if let open = t.firstIndex(of: UInt8(ascii: "[")) {
                let inner = bytes[(open + 1)...]
                t = bytes[typeStart..<open]
                guard let close = inner.firstIndex(of: UInt8(ascii: "]")) else {
                    throw log.error(offset + bytes.count, .ARRAY_NO_CLOSE)
                }
                if close + 1 != bytes.count { throw log.error(offset + close + 1, .BAD_ARRAY_SUFFIX) }
                guard let n = KernelNumber.kstrtoull(text(bytes[(open + 1)..<close]), base: 0),
                      n != 0, n <= UInt64(UInt32.max) else { throw log.error(offset + open + 1, .BAD_ARRAY_NUM) }
                if n > maxArrayLength { throw log.error(offset + open + 1, .ARRAY_TOO_BIG) }
                count = n
            }
            typeText = t
        }
        let fetchString = text(fetchText)
        var type: ProbeArgType
        if fetchString == "$comm" || fetchString == "$COMM" || fetchString.hasPrefix("\\\"") {
            // "The type of $comm must be "string", and not an array." Fails without an error_log entry in
            // 6.1 (captured: `s=$comm:u32`); NEED_STRING_TYPE came in 2024 and is not in the capture.
            if count != nil || (typeText.map { text($0) != "string" } ?? false) { throw KprobeEventError(.EINVAL) }
            type = ProbeArgType(.string)
        } else if let typeText {
            guard let found = ProbeArgType.find(text(typeText), profile: context.profile) else {
                throw log.error(offset + typeStart, .BAD_TYPE)
            }
            type = found
        } else {
            type = .defaultType
        }

        var code = 0
        let fetch = try parseFetch(Array(fetchText), code: &code, context: context, offset: offset, log: log)
        let typeOffset = offset + (typeText == nil ? 0 : typeStart)
        // Store operation: a dereference becomes the store in place, anything else takes the next slot.
        if type.isString {
            if !fetch.isStringSource { throw log.error(typeOffset, .BAD_STRING) }
            if !fetch.isMemory || count != nil { code += 1 }
        } else if !fetch.isMemory {
            code += 1
        }
        if code >= fetchInsnMax - 1 { throw log.error(offset, .TOO_MANY_OPS) }
        // Modify operation (bitfield), then the loop operation (array), each one more slot.
        if let typeText, typeText.first == UInt8(ascii: "b") {
            code += 1
            if code >= fetchInsnMax - 1 || !type.parseBitfield(text(typeText)) {
                throw log.error(offset + typeStart, .BAD_BITFIELD)
            }
        }
        if count != nil {
            if !type.isString, !fetch.isMemory { throw log.error(typeOffset, .BAD_STRING) }
            code += 1
            if code >= fetchInsnMax - 1 { throw log.error(offset, .TOO_MANY_OPS) }
        }
        return ProbeArg(name: name, comm: arg, fetch: fetch, type: type, count: count)
    }

    /// `parse_probe_arg(arg, type, pcode, end, flags, offs)`; `code` is the index of the current fetch
    /// instruction (each memory access takes one more; `FETCH_INSN_MAX - 1` is the end marker).
    private static func parseFetch(_ arg: [UInt8], code: inout Int, context: Context, offset offs: Int,
                                   log: TraceProbeLog) throws(KprobeEventError) -> FetchArg {
        guard let first = arg.first else { throw log.error(offs, .BAD_FETCH_ARG) }
        let rest = text(arg.dropFirst())
        switch first {
        case UInt8(ascii: "$"):
            return try parseVars(rest, context: context, offset: offs, log: log)
        case UInt8(ascii: "%"):
            guard ProbeRegisterTable.names(context.architecture).contains(rest) else {
                throw log.error(offs, .BAD_REG_NAME)
            }
            return .register(rest)
        case UInt8(ascii: "@"):
            let fetch: FetchArg
            if let c = arg.dropFirst().first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                guard let address = KernelNumber.kstrtoull(rest, base: 0) else { throw log.error(offs, .BAD_MEM_ADDR) }
                fetch = .memory(address)
            } else if arg.dropFirst().first == UInt8(ascii: "+") {
                throw log.error(offs, .FILE_ON_KPROBE)
            } else {
                // FETCH_NOP_SYMBOL, then the FETCH_OP_IMM that registration fills in.
                fetch = .symbolMemory(rest)
                code += 1
                if code == fetchInsnMax - 1 { throw log.error(offs, .TOO_MANY_OPS) }
            }
            code += 1
            if code == fetchInsnMax - 1 { throw log.error(offs, .TOO_MANY_OPS) }
            return fetch
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            var a = arg[...]
            var user = false
            if a.dropFirst().first == UInt8(ascii: "u") {
                user = true
                a = a.dropFirst()
                a[a.startIndex] = first
            }
            if a.first == UInt8(ascii: "+") { a = a.dropFirst() }
            guard let open = a.firstIndex(of: UInt8(ascii: "(")) else { throw log.error(offs, .DEREF_NEED_BRACE) }
            guard let derefOffset = KernelNumber.kstrtoll(text(a[..<open]), base: 0) else {
                throw log.error(offs, .BAD_DEREF_OFFS)
            }
            let innerOffs = offs + (open + 1 - a.startIndex) + (a.first != UInt8(ascii: "-") ? 1 : 0)
            let inner = a[(open + 1)...]
            guard let close = inner.lastIndex(of: UInt8(ascii: ")")) else {
                throw log.error(innerOffs + inner.count, .DEREF_OPEN_BRACE)
            }
            let base = try parseFetch(Array(inner[..<close]), code: &code, context: context, offset: innerOffs,
                                      log: log)
            if case .comm = base { throw log.error(innerOffs, .COMM_CANT_DEREF) }
            if case .immediateString = base { throw log.error(innerOffs, .COMM_CANT_DEREF) }
            code += 1
            if code == fetchInsnMax - 1 { throw log.error(innerOffs, .TOO_MANY_OPS) }
            return .dereference(offset: derefOffset, user: user, base)
        case UInt8(ascii: "\\"):
            if arg.dropFirst().first == UInt8(ascii: "\"") {
                // kernel: __parse_imm_string
                let string = arg.dropFirst(2)
                guard string.last == UInt8(ascii: "\"") else { throw log.error(offs + 2 + string.count, .IMMSTR_NO_CLOSE) }
                return .immediateString(text(string.dropLast()))
            }
            guard let value = strToImmediate(rest) else { throw log.error(offs + 1, .BAD_IMM) }
            return .immediate(value)
        default:
            throw log.error(offs, .BAD_FETCH_ARG)
        }
    }

    /// `parse_probe_vars(arg, type, code, flags, offs)`: `arg` is the text after `$`.
    private static func parseVars(_ arg: String, context: Context, offset offs: Int,
                                  log: TraceProbeLog) throws(KprobeEventError) -> FetchArg {
        if arg == "retval" {
            guard context.isReturn else { throw log.error(offs, .RETVAL_ON_PROBE) }
            return .retval
        }
        if arg.hasPrefix("stack") {
            let n = arg.dropFirst(5)
            if n.isEmpty { return .stackPointer }
            guard n.first!.isASCII, n.first!.isNumber, let param = KernelNumber.kstrtoull(n, base: 10) else {
                throw log.error(offs, .BAD_VAR)
            }
            if param > context.maxStack { throw log.error(offs, .BAD_STACK_NUM) }
            return .stack(param)
        }
        if arg == "comm" || arg == "COMM" { return .comm }
        // `(flags & TPARG_FL_MASK) == (TPARG_FL_KERNEL | TPARG_FL_FENTRY)`: entry kprobes only, not kretprobes.
        if context.isFunctionEntry, !context.isReturn, arg.hasPrefix("arg") {
            guard let param = KernelNumber.kstrtoull(arg.dropFirst(3), base: 10) else { throw log.error(offs, .BAD_VAR) }
            if param == 0 || param > context.maxStack { throw log.error(offs, .BAD_ARG_NUM) }
            return .argument(param)
        }
        throw log.error(offs, .BAD_VAR)
    }

    /// `str_to_immediate`: a digit starts an unsigned number, `-` a signed one, `+` a signed one after it.
    private static func strToImmediate(_ s: String) -> UInt64? {
        switch s.first {
        case let c? where c.isASCII && c.isNumber: KernelNumber.kstrtoull(s, base: 0)
        case "-": KernelNumber.kstrtoll(s, base: 0).map { UInt64(bitPattern: $0) }
        case "+": KernelNumber.kstrtoll(s.dropFirst(), base: 0).map { UInt64(bitPattern: $0) }
        default: nil
        }
    }

    private static func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
