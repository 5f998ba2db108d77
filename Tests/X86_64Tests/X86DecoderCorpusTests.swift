import Testing
import X86_64

/// Instruction lengths against GNU objdump 2.40 over real machine code (system binaries' `.text`, libc's AVX2 and
/// EVEX string functions, libcrypto's AES-NI/AVX code, the kernel's do_sys_openat2). Expected values are objdump's.
@Suite struct X86DecoderCorpusTests {
    /// Prefix-only lines objdump prints when the rest of the instruction is invalid or cut off.
    static func isPrefixOnly(_ text: String) -> Bool {
        let tokens = text.split(separator: " ")
        guard tokens.count == 1 else { return false }
        let mnemonic = String(tokens[0])
        return ["cs", "ds", "es", "ss", "fs", "gs", "data16", "addr32", "lock", "repz", "repnz", "rep", "bnd",
                "notrack"].contains(mnemonic) || mnemonic.hasPrefix("rex")
    }

    @Test(arguments: Fixtures.corpusNames)
    func lengthsAgreeWithObjdump(_ name: String) throws {
        let code = try Fixtures.data(name + ".bin")
        let listing = try Fixtures.listing(name + ".objdump")
        let base = try #require(listing.first).address
        var compared = 0, mismatches: [String] = []
        var i = 0
        while i < listing.count {
            let line = listing[i]
            let offset = Int(line.address - base)
            // objdump splits an invalid instruction into prefix lines and a (bad) line; group them.
            var group = i
            while group < listing.count - 1 && Self.isPrefixOnly(listing[group].text) { group += 1 }
            let last = listing[group]
            let bad = last.text.hasPrefix("(bad)") || last.text.hasPrefix(".byte") || last.text.contains("(bad)")
            let expected = Int(last.address - line.address) + last.bytes.count
            let nearEnd = offset + X86Decoder.maximumLength > code.count
            let result = X86Decoder.decode(Array(code[offset..<min(code.count, offset + X86Decoder.maximumLength)]))
            switch result {
            case .success(let insn):
                if bad && !nearEnd {
                    mismatches.append("\(hex(line.address)): objdump (bad), decoded length \(insn.length)")
                } else if !bad && insn.length != expected {
                    mismatches.append("\(hex(line.address)): \(last.text) objdump \(expected), decoded \(insn.length)")
                }
            case .failure(let error):
                if !bad && !(nearEnd && error.reason == .truncated) {
                    mismatches.append("\(hex(line.address)): \(last.text): \(error)")
                }
            }
            compared += 1
            i = group + 1
        }
        #expect(compared > 0)
        #expect(mismatches.isEmpty, Comment(rawValue: "\(name): \(mismatches.count) of \(compared) disagree:\n" + mismatches.prefix(30).joined(separator: "\n")))
    }

    func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
