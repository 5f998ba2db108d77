/// Assembles A64 source in the syntax `ARM64Disassembler` prints (and GNU as accepts) for the subset the
/// executor runs: one instruction per line, `label:` definitions, `.word`/`.quad` data, `//` comments. Branch
/// and literal targets are labels or absolute addresses (`0x1234`, or objdump's `1234 <sym+0x10>`).
public enum ARM64Assembler {
    /// Assembles `source` placed at `origin`; labels may be used before they are defined.
    public static func assemble(_ source: String, origin: UInt64 = 0) throws(ARM64AssemblerError) -> [UInt8] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var labels: [String: UInt64] = [:]
        var statements: [(line: Int, text: String, address: UInt64)] = []
        var address = origin
        for (index, raw) in lines.enumerated() {
            var text = raw
            if let comment = text.indices.first(where: { text[$0...].hasPrefix("//") }) { text = String(text[..<comment]) }
            text = text.trimmed
            while let colon = text.firstIndex(of: ":"), !text[..<colon].contains(" "), !text[..<colon].contains("\t") {
                labels[String(text[..<colon])] = address
                text = String(text[text.index(after: colon)...]).trimmed
            }
            guard !text.isEmpty else { continue }
            statements.append((index + 1, text, address))
            address &+= text.hasPrefix(".quad") ? 8 : 4
        }
        var bytes: [UInt8] = []
        for statement in statements {
            let value: UInt64
            let size: Int
            if statement.text.hasPrefix(".word") || statement.text.hasPrefix(".quad") {
                size = statement.text.hasPrefix(".word") ? 4 : 8
                let operand = String(statement.text.dropFirst(5)).trimmed
                guard let parsed = ARM64Operand.parseNumber(operand) else {
                    throw ARM64AssemblerError(line: statement.line, text: statement.text, problem: "expected a number")
                }
                value = UInt64(bitPattern: parsed)
            } else {
                size = 4
                value = UInt64(try assemble(line: statement.text, at: statement.address, labels: labels, lineNumber: statement.line))
            }
            for i in 0..<size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
        }
        return bytes
    }

    /// Assembles one instruction at `address`.
    public static func assemble(line: String, at address: UInt64 = 0, labels: [String: UInt64] = [:]) throws(ARM64AssemblerError) -> UInt32 {
        try assemble(line: line.trimmed, at: address, labels: labels, lineNumber: 1)
    }

    static func assemble(line text: String, at address: UInt64, labels: [String: UInt64], lineNumber: Int) throws(ARM64AssemblerError) -> UInt32 {
        let split = text.firstIndex(where: { $0 == " " || $0 == "\t" })
        let mnemonic = String(split.map { text[..<$0] } ?? Substring(text)).lowercased()
        let operandText = split.map { String(text[$0...]).trimmed } ?? ""
        guard let operands = ARM64Operand.parseList(operandText) else {
            throw ARM64AssemblerError(line: lineNumber, text: text, problem: "cannot parse the operands")
        }
        let encoder = ARM64Encoder(mnemonic: mnemonic, operands: operands, address: address, labels: labels)
        do { return try encoder.encode() } catch {
            throw ARM64AssemblerError(line: lineNumber, text: text, problem: error.problem)
        }
    }
}
