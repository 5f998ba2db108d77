/// A probe event argument type as the kernel's type table defines it: its record size, signedness, the type
/// name the `format` file shows, and the printf format used both for the trace line and the `print fmt:` line.
/// kernel: kernel/trace/trace_probe.c probe_fetch_types, DEFINE_BASIC_PRINT_TYPE_FUNC, PRINT_TYPE_FMT_NAME (v6.1).
/// Bitfield types (`b<W>@<O>/<S>`) are stored and printed as the container type `u<S>` (see `ProbeArgType`).
public enum FetchType: String, Sendable, Hashable, CaseIterable {
    case u8, u16, u32, u64
    case s8, s16, s32, s64
    case x8, x16, x32, x64
    case string, ustring
    case symbol
    /// v6.2 and later only (`KernelProfile.probeFetchTypeChar`): a u8 printed as a character.
    case char

    /// Bytes in the record: the value itself, or the 32-bit `__data_loc` word for strings.
    public var size: Int {
        switch self {
        case .u8, .s8, .x8, .char: 1
        case .u16, .s16, .x16: 2
        case .u32, .s32, .x32, .string, .ustring: 4
        case .u64, .s64, .x64, .symbol: 8
        }
    }

    /// The `signed:` flag of the field (`__ASSIGN_FETCH_TYPE(..., is_signed, ...)`; strings are marked signed).
    public var isSigned: Bool {
        switch self {
        case .s8, .s16, .s32, .s64, .string, .ustring: true
        default: false
        }
    }

    /// The field type in the `format` file: `xN` alias `uN`, `symbol` is `u64` (ADDR_FETCH_TYPE on 64-bit),
    /// strings are `__data_loc char[]`.
    public var formatType: String {
        switch self {
        case .x8, .char: "u8"
        case .x16: "u16"
        case .x32: "u32"
        case .x64, .symbol: "u64"
        case .string, .ustring: "__data_loc char[]"
        default: rawValue
        }
    }

    /// The printf format (`PRINT_TYPE_FMT_NAME`) as it appears inside the `print fmt:` string literal.
    public var printFormat: String {
        switch self {
        case .u8, .u16, .u32: "%u"
        case .u64: "%Lu"
        case .s8, .s16, .s32: "%d"
        case .s64: "%Ld"
        case .x8, .x16, .x32: "0x%x"
        case .x64: "0x%Lx"
        case .string, .ustring: "\\\"%s\\\""
        case .symbol: "%pS"
        case .char: "'%c'"
        }
    }

    /// Strings are dynamic data referenced by a `__data_loc` word, printed via `__get_str()`.
    public var isString: Bool { self == .string || self == .ustring }
}
