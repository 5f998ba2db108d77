import Testing
import Machine
import TestSupport
@testable import ARM64

/// The compiled-C corpus (Tests/Fixtures/corpus: gcc -mgeneral-regs-only kernel-style C at -O2, -O0, -Os,
/// -O2 with PAC and with ftrace entries; expected values from qemu-aarch64 running the same objects).
@Suite("ARM64 on the compiled-C corpus")
struct ARM64CorpusTests {
    /// Every arm64 object of every variant, loaded by the ELF loader: every case returns what qemu-user gave.
    @Test(arguments: Corpus.variants(.arm64))
    func everyCaseMatchesQemuUser(variant: String) throws {
        let cases = try CorpusCase.all(.arm64)
        #expect(cases.count > 100)
        var failures: [String] = []
        for file in Corpus.files {
            let machine = Machine(core: ARM64Core(), cpuCount: 1)
            try Corpus.load(file, variant: variant, into: machine)
            for c in cases where c.file == file {
                do {
                    let got = try machine.call(c.function, arguments: c.arguments)
                    if got != c.expected { failures.append("\(variant) \(c): got 0x\(String(got, radix: 16))") }
                } catch {
                    failures.append("\(variant) \(c): \(error)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(30).joined(separator: "\n"))")
    }

    /// Our disassembly of every instruction in every corpus listing (`objdump -d` of the object, targets
    /// symbolized against the object's own function labels) equals objdump's. Words with a relocation are left
    /// out: their target field is unrelocated and objdump names the target from the relocation record.
    @Test(arguments: Corpus.variants(.arm64))
    func disassemblyMatchesObjdump(variant: String) throws {
        var compared = 0
        var mismatches: [String] = []
        for file in Corpus.files {
            let text = try Fixtures.text("corpus/arm64/\(variant)/\(file).objdump")
            let symbols = Self.labels(text)
            let relocated = Self.relocatedOffsets(try Fixtures.text("corpus/arm64/\(variant)/\(file).reloc"))
            let symbolizer: ARM64Disassembler.Symbolizer = { address in
                guard let (start, name) = symbols.last(where: { $0.0 <= address }) else { return nil }
                return address == start ? name : name + "+0x" + String(address - start, radix: 16)
            }
            for line in ObjdumpListing(text).lines where !relocated.contains(line.address) {
                let ours = ARM64Disassembler.disassemble(line.word, at: line.address, symbolizer: symbolizer)
                compared += 1
                if ours != line.text { mismatches.append("\(file): objdump '\(line.text)' ours '\(ours)'") }
            }
        }
        print("arm64 corpus \(variant): \(compared) instructions compared with objdump, \(mismatches.count) differ")
        #expect(compared > 500)
        #expect(mismatches.isEmpty, "\(mismatches.count):\n\(mismatches.prefix(30).joined(separator: "\n"))")
    }

    /// Offsets in `.text` that `objdump -r` lists relocations for.
    static func relocatedOffsets(_ listing: String) -> Set<UInt64> {
        var inText = false
        var offsets: Set<UInt64> = []
        for line in listing.split(separator: "\n") {
            if line.hasPrefix("RELOCATION RECORDS FOR [") { inText = line.hasPrefix("RELOCATION RECORDS FOR [.text]") }
            let fields = line.split(separator: " ")
            if inText, fields.count == 3, fields[1].hasPrefix("R_"), let offset = UInt64(fields[0], radix: 16) {
                offsets.insert(offset)
            }
        }
        return offsets
    }

    /// Function labels (`0000000000000034 <sum_squares_while>:`) of a listing, in address order.
    static func labels(_ listing: String) -> [(UInt64, String)] {
        listing.split(separator: "\n").compactMap { line -> (UInt64, String)? in
            guard line.hasSuffix(">:"), let open = line.firstIndex(of: "<"),
                  let address = UInt64(line[..<open].trimmingSpaces, radix: 16) else { return nil }
            return (address, String(line[line.index(after: open)..<line.index(line.endIndex, offsetBy: -2)]))
        }
    }
}
