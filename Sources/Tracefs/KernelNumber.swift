/// The kernel's strict string-to-number conversions, as the probe parsers use them.
/// kernel: lib/kstrtox.c `kstrtoull`, `kstrtoll`.
enum KernelNumber {
    /// `kstrtoull(s, base)` for base 0 or 10: optional `+`, then (base 0) `0x` hex, leading-`0` octal or
    /// decimal; the whole string must be digits (one trailing newline allowed); overflow fails.
    static func kstrtoull<S: StringProtocol>(_ s: S, base: Int) -> UInt64? {
        var bytes = Array(s.utf8)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.first == UInt8(ascii: "+") { bytes.removeFirst() }
        var radix = base
        if base == 0 {
            if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] | 0x20 == UInt8(ascii: "x") {
                radix = 16
                bytes.removeFirst(2)
            } else {
                radix = bytes.first == UInt8(ascii: "0") ? 8 : 10
            }
        }
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            let digit: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(b - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(b - UInt8(ascii: "A")) + 10
            default: return nil
            }
            guard digit < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (a, o2) = m.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = a
        }
        return value
    }

    /// `kstrtoll(s, base)`: a leading `-` negates (down to `Int64.min`), otherwise as `kstrtoull` within
    /// `Int64.max`.
    static func kstrtoll<S: StringProtocol>(_ s: S, base: Int) -> Int64? {
        if s.first == "-" {
            guard let magnitude = kstrtoull(s.dropFirst(), base: base), !s.dropFirst().hasPrefix("+"),
                  magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard let value = kstrtoull(s, base: base), value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }
}
