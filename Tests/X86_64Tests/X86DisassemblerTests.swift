import Testing
import X86_64

/// Instructions the kprobe layer refuses or the kernel uses around traps, against GNU objdump 2.40's text for the
/// same bytes (taken from `as` + `objdump -d` of `iret; iretq; lret; lret $8; rdtsc; ...`, quoted here).
@Suite struct X86DisassemblerTests {
    static let objdump: [([UInt8], String)] = [
        ([0xcf], "iret"), ([0x48, 0xcf], "iretq"), ([0xcb], "lret"), ([0xca, 0x08, 0x00], "lret   $0x8"),
        ([0x0f, 0x31], "rdtsc"), ([0x0f, 0x32], "rdmsr"), ([0x0f, 0x30], "wrmsr"), ([0x0f, 0x01, 0xf8], "swapgs"),
        ([0x0f, 0xae, 0xe8], "lfence"), ([0x0f, 0xae, 0xf0], "mfence"), ([0x0f, 0xae, 0xf8], "sfence"),
        ([0xcc], "int3"), ([0xcd, 0x80], "int    $0x80"), ([0x0f, 0x0b], "ud2"),
    ]

    @Test func systemInstructions() throws {
        for (bytes, text) in Self.objdump {
            let insn = try X86Decoder.decode(bytes).get()
            #expect(insn.length == bytes.count)
            #expect(X86Disassembler.disassemble(insn, address: 0) == text)
        }
    }

    /// With a symbolizer, targets print as objdump prints them for an ELF file (`1d <sum_to+0x1d>`); without one,
    /// as for raw binary (`0x1d`).
    @Test func branchTargetsWithAndWithoutSymbols() throws {
        let insn = try X86Decoder.decode([0x75, 0xf1]).get()
        #expect(X86Disassembler.disassemble(insn, address: 0x1d) == "jne    0x10")
        #expect(X86Disassembler.disassemble(insn, address: 0x1d) { $0 == 0x10 ? "sum_to+0x10" : nil } == "jne    10 <sum_to+0x10>")
    }
}
