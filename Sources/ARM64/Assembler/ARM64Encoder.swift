/// Encodes one parsed instruction; the families are extensions in their own files.
struct ARM64Encoder {
    struct Problem: Error { let problem: String }

    let mnemonic: String
    let operands: [ARM64Operand]
    let address: UInt64
    let labels: [String: UInt64]

    func fail(_ problem: String) -> Problem { Problem(problem: problem) }

    func encode() throws(Problem) -> UInt32 {
        if let word = try encodeBranchSystem() { return word }
        if let word = try encodeLoadStore() { return word }
        if let word = try encodeDataProcessing() { return word }
        throw fail("unknown or unsupported mnemonic '\(mnemonic)'")
    }

    // MARK: Operand access

    func operand(_ n: Int) throws(Problem) -> ARM64Operand {
        guard n < operands.count else { throw fail("missing operand \(n + 1)") }
        return operands[n]
    }

    func expectCount(_ counts: ClosedRange<Int>) throws(Problem) {
        guard counts.contains(operands.count) else { throw fail("expected \(counts) operands, got \(operands.count)") }
    }

    /// Register operand `n`: its number, width and whether it is SP.
    func register(_ n: Int) throws(Problem) -> (number: UInt32, is64: Bool, isSP: Bool) {
        guard case .register(let number, let is64, let isSP) = try operand(n) else { throw fail("operand \(n + 1) must be a register") }
        return (number, is64, isSP)
    }

    /// A register that must not be SP (a zero-register position) of the given width.
    func gpr(_ n: Int, _ is64: Bool) throws(Problem) -> UInt32 {
        let r = try register(n)
        guard !r.isSP else { throw fail("operand \(n + 1) cannot be sp") }
        guard r.is64 == is64 else { throw fail("operand \(n + 1) has the wrong width") }
        return r.number
    }

    /// A register that may be SP (not ZR) of the given width.
    func spOrGPR(_ n: Int, _ is64: Bool) throws(Problem) -> UInt32 {
        let r = try register(n)
        guard r.number != 31 || r.isSP else { throw fail("operand \(n + 1) cannot be the zero register") }
        guard r.is64 == is64 else { throw fail("operand \(n + 1) has the wrong width") }
        return r.number
    }

    func immediate(_ n: Int) throws(Problem) -> Int64 {
        guard case .immediate(let value) = try operand(n) else { throw fail("operand \(n + 1) must be an immediate") }
        return value
    }

    func name(_ n: Int) throws(Problem) -> String {
        guard case .name(let value) = try operand(n) else { throw fail("operand \(n + 1) must be a name") }
        return value
    }

    /// A branch or literal target: a label or an absolute address.
    func target(_ n: Int) throws(Problem) -> UInt64 {
        switch try operand(n) {
        case .address(let value): return value
        case .name(let label):
            guard let value = labels[label] else { throw fail("undefined label '\(label)'") }
            return value
        case .immediate(let value): return UInt64(bitPattern: value)
        default: throw fail("operand \(n + 1) must be a label or address")
        }
    }

    /// `target - address` scaled by 4, checked to fit `bits` signed bits.
    func pcOffset(_ n: Int, bits: Int, scale: Int64 = 4) throws(Problem) -> UInt32 {
        let delta = Int64(bitPattern: try target(n) &- address)
        guard delta % scale == 0 else { throw fail("target is not aligned") }
        let scaled = delta / scale
        let limit = Int64(1) << (bits - 1)
        guard scaled >= -limit && scaled < limit else { throw fail("target out of range") }
        return UInt32(truncatingIfNeeded: scaled) & ((1 << UInt32(bits)) - 1)
    }

    func checked(_ value: Int64, _ range: ClosedRange<Int64>, _ what: String) throws(Problem) -> UInt32 {
        guard range.contains(value) else { throw fail("\(what) \(value) out of range \(range)") }
        return UInt32(truncatingIfNeeded: value)
    }

    static let conditions = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]
    static let conditionAliases = ["hs": 2, "lo": 3]

    func condition(_ n: Int) throws(Problem) -> UInt32 {
        let text = try name(n)
        if let index = ARM64Encoder.conditions.firstIndex(of: text) { return UInt32(index) }
        if let index = ARM64Encoder.conditionAliases[text] { return UInt32(index) }
        throw fail("unknown condition '\(text)'")
    }
}
