import Testing
import X86_64

/// AT&T text against GNU objdump 2.40's listing of the decoder corpus, for every instruction the disassembler
/// claims (returns text for). Expected strings are objdump's, byte for byte.
@Suite struct X86DisassemblerCorpusTests {
    @Test(arguments: Fixtures.corpusNames)
    func textAgreesWithObjdump(_ name: String) throws {
        let code = try Fixtures.data(name + ".bin")
        let listing = try Fixtures.listing(name + ".objdump")
        let base = try #require(listing.first).address
        var claimed = 0, mismatches: [String] = []
        for line in listing {
            let offset = Int(line.address - base)
            guard offset + line.bytes.count <= code.count,
                  case .success(let insn) = X86Decoder.decode(Array(code[offset..<min(code.count, offset + 15)])),
                  insn.length == line.bytes.count,
                  let text = X86Disassembler.disassemble(insn, address: line.address) else { continue }
            claimed += 1
            if text != line.text { mismatches.append("\(line.bytes.map { String($0, radix: 16) }): ours '\(text)' objdump '\(line.text)'") }
        }
        print("disassembly \(name): \(claimed - mismatches.count)/\(claimed) claimed instructions agree with objdump (of \(listing.count))")
        #expect(mismatches.isEmpty, Comment(rawValue: "\(name): \(mismatches.count) of \(claimed) differ:\n" + Array(Set(mismatches)).sorted().prefix(40).joined(separator: "\n")))
    }
}
