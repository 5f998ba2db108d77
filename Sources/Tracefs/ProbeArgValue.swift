import Machine

/// The fetched value of one probe event argument, as stored in the record.
public enum ProbeArgValue: Sendable, Hashable {
    /// A numeric or `symbol` value: the fetched bits; the record keeps the low `FetchType.size` bytes.
    case scalar(UInt64)
    /// A `string`/`ustring` value; nil when the fetch faulted (the kernel stores a zero-length `__data_loc`).
    case string(String?)
    /// A `TYPE[N]` array, one value per element.
    case array([ProbeArgValue])

    /// Bytes of dynamic data the value appends after the fixed record: string length plus NUL, nothing for a
    /// fault. kernel: kernel/trace/trace_probe_tmpl.h __get_data_size, fetch_store_strlen.
    var dynamicSize: Int {
        switch self {
        case .scalar: 0
        case .string(let text): text.map { $0.utf8.count + 1 } ?? 0
        case .array(let elements): elements.reduce(0) { $0 + $1.dynamicSize }
        }
    }

    /// The value as the trace line prints it for `type` (`.string` values for string types, `.scalar` for the
    /// others); `symbols` resolves `symbol` values (`%pS`).
    /// kernel: kernel/trace/trace_probe.c DEFINE_BASIC_PRINT_TYPE_FUNC, PRINT_TYPE_FUNC_NAME(string) (a
    /// zero-length string prints FAULT_STRING `(fault)`), PRINT_TYPE_FUNC_NAME(symbol); print_probe_args
    /// (arrays as `{v,v}`).
    func printed(as type: FetchType, symbols: SymbolTable) -> String {
        switch self {
        case .array(let elements):
            return "{" + elements.map { $0.printed(as: type, symbols: symbols) }.joined(separator: ",") + "}"
        case .string(let text):
            return text.map { "\"\($0)\"" } ?? "(fault)"
        case .scalar(let bits):
            let width = UInt64(type.size * 8)
            let value = width == 64 ? bits : bits & ((1 << width) - 1)
            switch type {
            case .u8, .u16, .u32, .u64: return String(value)
            case .s8, .s16, .s32, .s64: return String(Int64(bitPattern: value << (64 - width)) >> (64 - width))
            case .x8, .x16, .x32, .x64: return "0x" + String(value, radix: 16)
            case .symbol: return symbols.format(value)
            case .char: return "'" + String(Character(UnicodeScalar(UInt8(truncatingIfNeeded: value)))) + "'"
            case .string, .ustring: preconditionFailure("a \(type) field holds .string values")
            }
        }
    }
}
