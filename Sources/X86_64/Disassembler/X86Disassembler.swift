/// GNU objdump-style AT&T disassembly.
public enum X86Disassembler {
    static func hex2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }
    public static func text(_ insn: X86Instruction, address: UInt64, symbolizer: ((UInt64) -> String?)? = nil) -> String { "" }
}
