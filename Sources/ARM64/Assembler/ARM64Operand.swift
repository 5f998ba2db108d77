/// One parsed operand of an assembly line, in the syntax objdump prints and GNU as accepts.
enum ARM64Operand: Equatable {
    /// A general register: number 0...31 (31 is SP or ZR, told apart by `isSP`).
    case register(UInt32, is64: Bool, isSP: Bool)
    /// `#imm` (decimal, `0x` hex, negative).
    case immediate(Int64)
    /// `lsl #3`, `sxtw`, `uxtw #2`...: a shift or extend name and its amount (nil when omitted).
    case modifier(String, Int64?)
    /// `[base, inner...]` with `!` for pre-index.
    case memory([ARM64Operand], writeback: Bool)
    /// A bare word: a label, condition, system register, prefetch or barrier name.
    case name(String)
    /// A numeric target as objdump prints it (`0x1234`, or `1234 <sym+0x10>`).
    case address(UInt64)
    /// SIMD&FP register for literal loads (`s0`, `d1`, `q2`): size log2 and number.
    case vector(UInt32, size: UInt32)

    /// Splits operand text at top-level commas and parses each piece.
    static func parseList(_ text: String) -> [ARM64Operand]? {
        var pieces: [String] = []
        var depth = 0
        var current = ""
        for character in text {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1 }
            if character == "," && depth == 0 {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.allSatisfy({ $0 == " " }) || !pieces.isEmpty { pieces.append(current) }
        var operands: [ARM64Operand] = []
        for piece in pieces {
            guard let operand = parse(piece.trimmed) else { return nil }
            operands.append(operand)
        }
        return operands
    }

    static func parse(_ text: String) -> ARM64Operand? {
        guard let first = text.first else { return nil }
        if first == "[" {
            var body = text
            let writeback = body.hasSuffix("!")
            if writeback { body.removeLast() }
            guard body.hasSuffix("]") else { return nil }
            body.removeFirst()
            body.removeLast()
            guard let inner = parseList(body), !inner.isEmpty else { return nil }
            return .memory(inner, writeback: writeback)
        }
        if first == "#" { return parseNumber(String(text.dropFirst())).map { .immediate($0) } }
        if let register = parseRegister(text) { return register }
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if words.count == 2, modifierNames.contains(String(words[0])), words[1].hasPrefix("#"),
           let amount = parseNumber(String(words[1].dropFirst())) {
            return .modifier(String(words[0]), amount)
        }
        if words.count == 1, modifierNames.contains(text) { return .modifier(text, nil) }
        if text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) { return .address(value) }
        if words.count >= 2, words[1].hasPrefix("<"), let value = UInt64(words[0], radix: 16) { return .address(value) }
        if let vector = parseVector(text) { return vector }
        return .name(text)
    }

    static let modifierNames: Set<String> = ["lsl", "lsr", "asr", "ror", "uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"]

    static func parseNumber(_ text: String) -> Int64? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let magnitude: UInt64?
        if body.hasPrefix("0x") { magnitude = UInt64(body.dropFirst(2), radix: 16) } else { magnitude = UInt64(body) }
        guard let magnitude else { return nil }
        let value = Int64(bitPattern: magnitude)
        return negative ? 0 &- value : value
    }

    static func parseRegister(_ text: String) -> ARM64Operand? {
        switch text {
        case "sp": return .register(31, is64: true, isSP: true)
        case "wsp": return .register(31, is64: false, isSP: true)
        case "xzr": return .register(31, is64: true, isSP: false)
        case "wzr": return .register(31, is64: false, isSP: false)
        case "lr": return .register(30, is64: true, isSP: false)
        default:
            guard let prefix = text.first, prefix == "x" || prefix == "w", text.count <= 3,
                  let n = UInt32(text.dropFirst()), n <= 30, String(n) == text.dropFirst() else { return nil }
            return .register(n, is64: prefix == "x", isSP: false)
        }
    }

    static func parseVector(_ text: String) -> ARM64Operand? {
        guard let prefix = text.first, let size = ["s": UInt32(2), "d": 3, "q": 4][prefix],
              let n = UInt32(text.dropFirst()), n <= 31, String(n) == text.dropFirst() else { return nil }
        return .vector(n, size: size)
    }
}

extension String {
    var trimmed: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
