/// Renders A64 instructions as `aarch64-linux-gnu-objdump -d` prints them (binutils 2.40): mnemonic, a tab,
/// operands, objdump's preferred aliases (`mov`, `cmp`, `tst`, `lsl`, `ubfx`, `cset`, `ret`, `paciasp`...),
/// `#0x..` immediates where objdump prints hex and decimal where it prints decimal. objdump's trailing comments
/// (`// #5`, `// b.any`) are not part of the text. Branch and literal targets are absolute: `0x1234`, or with a
/// symbolizer, `1234 <sym+0x10>` as `objdump -d` prints them for an object with symbols.
public enum ARM64Disassembler {
    /// Names a target address as `sym` or `sym+0xoff`, or nil when nothing covers it.
    public typealias Symbolizer = (UInt64) -> String?

    /// The text of the instruction word at `address`; `.inst\t0x........ ; undefined` for words that do not
    /// decode, as objdump prints them (`udf\t#n` for the permanently undefined `UDF`).
    public static func disassemble(_ word: UInt32, at address: UInt64 = 0, symbolizer: Symbolizer? = nil) -> String {
        do {
            return disassemble(try ARM64Decoder.decode(word), at: address, symbolizer: symbolizer)
        } catch {
            if word >> 16 == 0 { return "udf\t#\(word)" }
            return ".inst\t0x\(hex8(word)) ; undefined"
        }
    }

    /// A one-line description for error messages: the word and, when it decodes, its disassembly.
    public static func describe(_ word: UInt32) -> String {
        let text = String(disassemble(word).map { $0 == "\t" ? " " : $0 })
        return "\(hex8(word)) (\(text))"
    }

    public static func disassemble(_ i: ARM64Instruction, at address: UInt64 = 0, symbolizer: Symbolizer? = nil) -> String {
        let formatter = ARM64InstructionFormatter(instruction: i, address: address, symbolizer: symbolizer)
        let (mnemonic, operands) = formatter.format()
        return operands.isEmpty ? mnemonic : mnemonic + "\t" + operands
    }

    static func hex8(_ word: UInt32) -> String {
        let text = String(word, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }
}
