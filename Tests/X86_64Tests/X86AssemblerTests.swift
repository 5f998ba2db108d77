import Testing
import X86_64

/// The assembler against GNU as (`assembler.s` -> `assembler.bin`, made by `scripts/make-x86-decoder-corpus.sh`),
/// and round trips through the decoder and disassembler.
@Suite struct X86AssemblerTests {
    static let origin: UInt64 = 0x401000

    @Test func matchesGNUAs() throws {
        let source = String(decoding: try Fixtures.data("assembler.s"), as: UTF8.self)
        let expected = try Fixtures.data("assembler.bin")
        let output = try X86Assembler.assemble(source, origin: Self.origin).get()
        let firstDifference = (0..<min(output.bytes.count, expected.count)).first { output.bytes[$0] != expected[$0] } ?? min(output.bytes.count, expected.count)
        let label = output.labels.filter { $0.value <= Self.origin + UInt64(firstDifference) }.max { $0.value < $1.value }
        #expect(output.bytes == expected, Comment(rawValue: """
            first difference at offset 0x\(String(firstDifference, radix: 16)) (after label \(label?.key ?? "?")): \
            ours \(output.bytes[firstDifference..<min(output.bytes.count, firstDifference + 12)].map { String($0, radix: 16) }) \
            as \(expected[firstDifference..<min(expected.count, firstDifference + 12)].map { String($0, radix: 16) })
            """))
        #expect(output.labels["near_label"] != nil && output.labels["far_label"]! > output.labels["near_label"]!)
    }

    /// Every instruction up to the data: decode, disassemble, assemble the text again at the same address: same bytes.
    @Test func disassemblyAssemblesBackToTheSameBytes() throws {
        let source = String(decoding: try Fixtures.data("assembler.s"), as: UTF8.self)
        let output = try X86Assembler.assemble(source, origin: Self.origin).get()
        let end = Int(try #require(output.labels["near_label"]) - Self.origin)
        var offset = 0, checked = 0
        var failures: [String] = []
        while offset < end {
            let insn = try X86Decoder.decode(Array(output.bytes[offset..<min(output.bytes.count, offset + 15)])).get()
            let address = Self.origin + UInt64(offset)
            let original = Array(output.bytes[offset..<offset + insn.length])
            if let text = X86Disassembler.disassemble(insn, address: address) {
                let line = text.split(separator: "#").first.map { String($0) } ?? text
                // RIP-relative operands print their displacement; assemble against the printed target instead.
                switch X86Assembler.assemble(line, origin: address) {
                case .success(let again) where again.bytes == original || insn.isRIPRelative: checked += 1
                case .success(let again): failures.append("\(text): \(original) -> \(again.bytes)")
                case .failure(let error): failures.append("\(text): \(error)")
                }
            }
            offset += insn.length
        }
        #expect(checked > 120)
        #expect(failures.isEmpty, Comment(rawValue: failures.joined(separator: "\n")))
    }

    @Test func badInputIsAnErrorNamingTheLine() {
        guard case .failure(let error) = X86Assembler.assemble("nop\n  frobnicate %rax\n") else {
            Issue.record("accepted an unknown mnemonic")
            return
        }
        #expect(error.line == 2)
        #expect(error.description.contains("frobnicate"))
        guard case .failure(let undefined) = X86Assembler.assemble("jmp nowhere") else {
            Issue.record("accepted an undefined label")
            return
        }
        #expect(undefined.message.contains("nowhere"))
    }
}
