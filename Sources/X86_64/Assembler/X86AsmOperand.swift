/// One parsed AT&T operand.
enum X86AsmOperand: Equatable {
    /// A value: a number, or a label plus an offset (resolved when addresses are known).
    struct Expression: Equatable {
        var label: String?
        var offset: Int64
    }

    struct MemoryReference: Equatable {
        /// `%fs`/`%gs` override byte (0x64/0x65), 0 when none.
        var segment: UInt8 = 0
        var displacement = Expression(label: nil, offset: 0)
        var hasDisplacement = false
        var base: Int?
        var index: Int?
        var scale = 1
        var ripRelative = false
    }

    case register(number: Int, size: Int, highByte: Bool)
    case immediate(Expression)
    case memory(MemoryReference)
    /// A bare address (branch target or absolute memory).
    case target(Expression)
    /// `*operand` (indirect call/jmp).
    indirect case indirect(X86AsmOperand)

    /// Register names objdump prints, to (number, size, high byte).
    static let registers: [String: (Int, Int, Bool)] = {
        var table: [String: (Int, Int, Bool)] = [:]
        for n in 0..<16 {
            table[X86OperandFormatter.names64[n]] = (n, 8, false)
            table[X86OperandFormatter.names32[n]] = (n, 4, false)
            table[X86OperandFormatter.names16[n]] = (n, 2, false)
            table[X86OperandFormatter.names8Rex[n]] = (n, 1, false)
        }
        for (n, name) in X86OperandFormatter.names8Legacy.enumerated() where n >= 4 { table[name] = (n, 1, true) }
        return table
    }()

    /// Parses one operand; nil when it is not AT&T syntax we know.
    static func parse(_ text: String) -> X86AsmOperand? {
        let t = text.trimmedSpaces
        if t.hasPrefix("*") { return parse(String(t.dropFirst())).map { .indirect($0) } }
        if t.hasPrefix("$") { return expression(String(t.dropFirst())).map { .immediate($0) } }
        if t.hasPrefix("%"), !t.contains(":"), !t.contains("(") {
            guard let (n, size, high) = registers[String(t.dropFirst())] else { return nil }
            return .register(number: n, size: size, highByte: high)
        }
        var rest = Substring(t)
        var reference = MemoryReference()
        if rest.hasPrefix("%fs:") { reference.segment = 0x64; rest = rest.dropFirst(4) }
        else if rest.hasPrefix("%gs:") { reference.segment = 0x65; rest = rest.dropFirst(4) }
        // %ds:/%es: on string operands are implied by the instruction; they encode nothing.
        else if rest.hasPrefix("%ds:") || rest.hasPrefix("%es:") { rest = rest.dropFirst(4) }
        guard let open = rest.firstIndex(of: "(") else {
            guard let value = expression(String(rest)) else { return nil }
            if reference.segment == 0 { return .target(value) }
            reference.displacement = value
            reference.hasDisplacement = true
            return .memory(reference)
        }
        guard rest.hasSuffix(")") else { return nil }
        let displacement = rest[..<open].trimmedSpaces
        if !displacement.isEmpty {
            guard let value = expression(displacement) else { return nil }
            reference.displacement = value
            reference.hasDisplacement = true
        }
        let inner = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmedSpaces }
        if parts.count >= 1 && !parts[0].isEmpty {
            if parts[0] == "%rip" { reference.ripRelative = true }
            else {
                guard parts[0].hasPrefix("%"), let (n, size, _) = registers[String(parts[0].dropFirst())], size == 8 else { return nil }
                reference.base = n
            }
        }
        if parts.count >= 2 {
            guard parts[1].hasPrefix("%"), let (n, size, _) = registers[String(parts[1].dropFirst())], size == 8, n != 4 else { return nil }
            reference.index = n
            if parts.count == 3 {
                guard let scale = Int(parts[2]), [1, 2, 4, 8].contains(scale) else { return nil }
                reference.scale = scale
            }
        }
        return .memory(reference)
    }

    /// `0x1f`, `-12`, `label`, `label+0x10`, `label-4`.
    static func expression(_ text: String) -> Expression? {
        let t = text.trimmedSpaces
        guard !t.isEmpty else { return nil }
        if let value = number(t) { return Expression(label: nil, offset: value) }
        var label = t, offset: Int64 = 0
        if let sign = t.dropFirst().lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let value = number(String(t[t.index(after: sign)...])) else { return nil }
            offset = t[sign] == "-" ? -value : value
            label = String(t[..<sign])
        }
        guard let first = label.first, first.isLetter || first == "_" || first == ".",
              label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return nil }
        return Expression(label: label, offset: offset)
    }

    static func number(_ text: String) -> Int64? {
        var t = Substring(text)
        var negative = false
        if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
        let magnitude: UInt64?
        if t.hasPrefix("0x") || t.hasPrefix("0X") { magnitude = UInt64(t.dropFirst(2), radix: 16) }
        else { magnitude = UInt64(t) }
        guard let m = magnitude else { return nil }
        let value = Int64(bitPattern: m)
        return negative ? 0 &- value : value
    }
}
