import Testing
@testable import ARM64

@Suite("ARM64 disassembler")
struct ARM64DisassemblerTests {
    /// Over raw `.text` samples of Debian arm64 binaries and the Linux 6.1 do_sys_openat2 bytes (listings by
    /// `aarch64-linux-gnu-objdump -D -b binary -m aarch64`, made by scripts/make-arm64-decoder-corpus.sh):
    /// objdump's undefined words are exactly our decode errors, every word objdump decodes outside the
    /// SIMD&FP/SVE/SME groups decodes here, and our text equals objdump's for every instruction we format.
    @Test(arguments: ["busybox", "libc", "do_sys_openat2", "random"])
    func corpusMatchesObjdump(sample: String) throws {
        let listing = ObjdumpListing(try ARM64Fixtures.text("corpus/\(sample).objdump"))
        #expect(listing.lines.count > 20)
        var classMismatches: [String] = []
        var textMismatches: [String] = []
        var compared = 0, unsupported = 0
        for line in listing.lines {
            let objdumpUndefined = line.text.hasPrefix(".inst") || line.text.hasPrefix("udf")
            do {
                let instruction = try ARM64Decoder.decode(line.word)
                if objdumpUndefined {
                    classMismatches.append("\(ARM64Disassembler.hex8(line.word)): objdump '\(line.text)', decoded \(instruction.operation)")
                    continue
                }
                let ours = ARM64Disassembler.disassemble(instruction, at: line.address)
                if ours.hasPrefix(".inst") { unsupported += 1; continue }
                compared += 1
                if ours != line.text { textMismatches.append("\(ARM64Disassembler.hex8(line.word)): objdump '\(line.text)' ours '\(ours)'") }
            } catch {
                if objdumpUndefined { continue }
                if error.reason == .unsupported { unsupported += 1; continue }
                classMismatches.append("\(ARM64Disassembler.hex8(line.word)): objdump '\(line.text)', ours \(error)")
            }
        }
        print("arm64 corpus \(sample): \(listing.lines.count) words, \(compared) disassembled and compared, \(textMismatches.count) differ, \(unsupported) SIMD/FP/SVE/SME or unformatted, \(classMismatches.count) class mismatches")
        #expect(classMismatches.isEmpty, "\(classMismatches.count):\n\(classMismatches.prefix(40).joined(separator: "\n"))")
        #expect(textMismatches.isEmpty, "\(textMismatches.count):\n\(textMismatches.prefix(40).joined(separator: "\n"))")
    }

    /// `objdump -d` of the executor routines object, with symbols: branch and literal targets print as
    /// `addr <sym+0xoff>` when the disassembler is given a symbolizer over the same symbols.
    @Test func symbolizedTargetsMatchObjdump() throws {
        var symbols: [(UInt64, String)] = []
        for line in try ARM64Fixtures.text("exec/routines.syms").split(separator: "\n") {
            let parts = line.split(separator: " ")
            symbols.append((UInt64(parts[0], radix: 16) ?? 0, String(parts[1])))
        }
        symbols.sort { $0.0 < $1.0 }
        let symbolizer: ARM64Disassembler.Symbolizer = { address in
            guard let (start, name) = symbols.last(where: { $0.0 <= address }) else { return nil }
            return address == start ? name : name + "+0x" + String(address - start, radix: 16)
        }
        let listing = ObjdumpListing(try ARM64Fixtures.text("exec/routines.objdump"))
        #expect(listing.lines.count > 400)
        var mismatches: [String] = []
        for line in listing.lines where !line.text.hasPrefix(".word") {
            let ours = ARM64Disassembler.disassemble(line.word, at: line.address, symbolizer: symbolizer)
            if ours != line.text { mismatches.append("objdump '\(line.text)' ours '\(ours)'") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count):\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }
}
