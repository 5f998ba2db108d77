import Testing
import TestSupport
@testable import ARM64

@Suite("ARM64 assembler")
struct ARM64AssemblerTests {
    /// `asm/assembler.s` assembled by us gives exactly the bytes GNU as gave (`asm/assembler.bin`, made by
    /// scripts/make-arm64-decoder-corpus.sh with aarch64-linux-gnu-as).
    @Test func matchesGNUAs() throws {
        let source = try ARM64Fixtures.text("asm/assembler.s")
        let expected = [UInt8](try ARM64Fixtures.data("asm/assembler.bin"))
        let ours = try ARM64Assembler.assemble(source)
        #expect(expected.count > 400)
        #expect(ours.count == expected.count)
        var differences: [String] = []
        for offset in stride(from: 0, to: min(ours.count, expected.count), by: 4) where ours[offset..<offset + 4] != expected[offset..<offset + 4] {
            let word = { (bytes: [UInt8]) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) } }
            differences.append("+0x\(String(offset, radix: 16)): GNU as \(ARM64Disassembler.hex8(word(expected))) (\(ARM64Disassembler.disassemble(word(expected)))) ours \(ARM64Disassembler.hex8(word(ours)))")
        }
        #expect(differences.isEmpty, "\(differences.count):\n\(differences.prefix(30).joined(separator: "\n"))")
    }

    /// Round trip over objdump listings: objdump's text of a word, assembled at the word's address, gives the
    /// word back, for every line our disassembler also prints identically. Random words include non-canonical
    /// encodings (ignored should-be-one fields, redundant `immr` bits), so for them the check is that the word
    /// we assemble disassembles to the same text.
    @Test(arguments: ["corpus/libc.objdump", "corpus/busybox.objdump", "corpus/random.objdump", "exec/routines.objdump"])
    func objdumpTextRoundTrips(listing: String) throws {
        let lines = ObjdumpListing(try ARM64Fixtures.text(listing)).lines
        var assembled = 0, unsupported: [String: Int] = [:]
        var wrong: [String] = []
        for line in lines {
            let ours = ARM64Disassembler.disassemble(line.word, at: line.address)
            guard ours == line.text || listing.hasPrefix("exec"), !line.text.hasPrefix(".word"), !ours.hasPrefix(".inst"), !ours.hasPrefix("udf") else { continue }
            // The routines listing is symbolized (`20 <sym+0x8>`): our unsymbolized text has the same address.
            do {
                let word = try ARM64Assembler.assemble(line: ours, at: line.address)
                assembled += 1
                let same = listing.contains("random") ? ARM64Disassembler.disassemble(word, at: line.address) == ours : word == line.word
                if !same { wrong.append("\(ARM64Disassembler.hex8(line.word)) '\(ours)' -> \(ARM64Disassembler.hex8(word))") }
            } catch {
                let mnemonic = String(ours.prefix { $0 != "\t" })
                unsupported[mnemonic, default: 0] += 1
            }
        }
        print("arm64 assembler round trip \(listing): \(assembled) assembled, \(wrong.count) wrong, not assembled: \(unsupported.sorted { $0.value > $1.value }.prefix(20))")
        #expect(assembled > 400)
        #expect(wrong.isEmpty, "\(wrong.count):\n\(wrong.prefix(40).joined(separator: "\n"))")
    }

    /// Labels (forward and backward), `.word` and `.quad`, and an error naming the line for bad input.
    @Test func labelsAndData() throws {
        let bytes = try ARM64Assembler.assemble("""
            start:  cbz x0, done      // forward
                    sub x0, x0, #1
                    b start
            done:   ret
                    .word 0x12345678
                    .quad 0x1122334455667788
            """, origin: 0x1000)
        // cbz x0, +12: 0xb4000060; sub x0, x0, #1: 0xd1000400; b -8: 0x17fffffe; ret: 0xd65f03c0 (GNU as).
        let words = stride(from: 0, to: 24, by: 4).map { o in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[o + $1]) << (8 * UInt32($1)) } }
        #expect(bytes.count == 28)
        #expect(Array(words.prefix(5)) == [0xb400_0060, 0xd100_0400, 0x17ff_fffe, 0xd65f_03c0, 0x1234_5678])
        #expect(bytes.suffix(8) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect {
            _ = try ARM64Assembler.assemble("nop\nfrobnicate x0\n")
        } throws: { error in
            (error as? ARM64AssemblerError)?.line == 2 && (error as? ARM64AssemblerError)?.problem.contains("frobnicate") == true
        }
        // 4097 is neither a 12-bit value nor one shifted by 12; 0x1234 is not a bitmask pattern.
        #expect(throws: ARM64AssemblerError.self) { try ARM64Assembler.assemble(line: "add x0, x1, #4097") }
        #expect(throws: ARM64AssemblerError.self) { try ARM64Assembler.assemble(line: "and x0, x1, #0x1234") }
        #expect(throws: ARM64AssemblerError.self) { try ARM64Assembler.assemble(line: "b undefined_label") }
    }
}
