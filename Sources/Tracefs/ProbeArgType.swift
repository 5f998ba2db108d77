import Kprobes

/// A probe argument's `:TYPE` as parsed: the fetch type, and for `b<W>@<O>/<S>` the bitfield within its `u<S>`
/// container. kernel: kernel/trace/trace_probe.c `probe_fetch_types`, `find_fetch_type`,
/// `__parse_bitfield_probe_arg`.
public struct ProbeArgType: Sendable, Hashable {
    /// The type in the record; a bitfield has its container's (`u8`...`u64`).
    public var kind: FetchType
    /// `b<width>@<offset>/<container bits>`: `width` bits starting `offset` bits up in the container.
    public struct Bitfield: Sendable, Hashable {
        public var width: UInt64
        public var offset: UInt64
    }
    public var bitfield: Bitfield?

    /// The table name (`u32`, `string`, ...).
    public var name: String { kind.rawValue }
    /// Bytes the field takes in the record (4 for the `__data_loc` of strings).
    public var size: Int { kind.size }
    var isString: Bool { kind.isString }

    init(_ kind: FetchType) { self.kind = kind }

    /// No `:TYPE`: `DEFAULT_FETCH_TYPE_STR`, `x64` on 64-bit kernels.
    static let defaultType = ProbeArgType(.x64)

    /// `find_fetch_type(type)` of v6.1 (plus `char` where the profile has it); nil is `BAD_TYPE`.
    static func find(_ type: String, profile: KernelProfile) -> ProbeArgType? {
        if type.hasPrefix("b") {
            guard let slash = type.firstIndex(of: "/"),
                  let bits = KernelNumber.kstrtoull(type[type.index(after: slash)...], base: 0),
                  let container = FetchType(rawValue: "u\(bits)"), [8, 16, 32, 64].contains(bits) else { return nil }
            return ProbeArgType(container)
        }
        guard let kind = FetchType(rawValue: type), kind != .char || profile.probeFetchTypeChar else { return nil }
        return ProbeArgType(kind)
    }

    /// `__parse_bitfield_probe_arg`: `b<W>@<O>/<S>` with W > 0 and W + O <= S; false is `BAD_BITFIELD`.
    /// `simple_strtoul` semantics: the longest digit prefix (base 0), no error on junk.
    mutating func parseBitfield(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var i = 1
        let width = Self.simpleStrtoul(bytes, &i)
        guard width != 0, i < bytes.count, bytes[i] == UInt8(ascii: "@") else { return false }
        i += 1
        let start = i
        let offset = Self.simpleStrtoul(bytes, &i)
        guard i != start, i < bytes.count, bytes[i] == UInt8(ascii: "/") else { return false }
        bitfield = Bitfield(width: width, offset: offset)
        let (sum, overflow) = width.addingReportingOverflow(offset)
        return !overflow && sum <= UInt64(size * 8)
    }

    /// kernel: lib/vsprintf.c `simple_strtoul` with base 0: stops at the first non-digit; `i` ends there.
    private static func simpleStrtoul(_ bytes: [UInt8], _ i: inout Int) -> UInt64 {
        var radix: UInt64 = 10
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "0"), bytes[i + 1] | 0x20 == UInt8(ascii: "x"),
           i + 2 < bytes.count, hexDigit(bytes[i + 2]) != nil {
            radix = 16
            i += 2
        } else if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            radix = 8
        }
        var value: UInt64 = 0
        while i < bytes.count, let d = hexDigit(bytes[i]), d < radix {
            value = value &* radix &+ d
            i += 1
        }
        return value
    }

    private static func hexDigit(_ b: UInt8) -> UInt64? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(b - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(b - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
