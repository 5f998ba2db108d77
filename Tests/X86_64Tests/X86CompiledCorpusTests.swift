import Foundation
import Testing
import Machine
@testable import X86_64

/// gcc-compiled kernel-style C (every x86_64 variant: O2, O0, Os, O2-ftrace) loaded by the ELF loader and called
/// in the simulator; expected results are the native ones in `expected-x86_64.txt`.
@Suite struct X86CompiledCorpusTests {
    @Test(arguments: try CorpusFixtures.variants())
    func everyCaseMatchesNativeExecution(_ variant: String) throws {
        let cases = try CorpusFixtures.cases()
        #expect(cases.count > 500)
        var failures: [String] = []
        var ran = 0
        for file in try CorpusFixtures.objects(variant) {
            let machine = Machine(core: X86Core(), cpuCount: 1)
            let object = try ELFLoader.load(bytes: try CorpusFixtures.bytes("x86_64/\(variant)/\(file).o"), name: "\(file).o", into: machine)
            // The throughput-sized bench_* cases (n = 1000000) run tens of millions of instructions: the release
            // benchmark's job; their small-n cases run here.
            for c in cases where c.file == file && !(c.function.hasPrefix("bench_") && (c.arguments.first ?? 0) >= 1_000_000) {
                guard let symbol = object.symbol(named: c.function) else {
                    failures.append("\(variant)/\(file): no symbol \(c.function)")
                    continue
                }
                ran += 1
                do {
                    let value = try machine.call(symbol.address, arguments: c.arguments)
                    if value != c.expected {
                        failures.append("\(variant) \(file) \(c.function) \(c.arguments.map { "0x" + String($0, radix: 16) }): got 0x\(String(value, radix: 16)), native 0x\(String(c.expected, radix: 16))")
                    }
                } catch {
                    failures.append("\(variant) \(file) \(c.function): \(error)")
                }
            }
        }
        #expect(ran > 500)
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) of \(ran) cases differ:\n" + failures.prefix(30).joined(separator: "\n")))
    }

    /// Our disassembly of every corpus instruction against `objdump -d` of the object (symbols from its labels).
    @Test(arguments: try CorpusFixtures.variants())
    func disassemblyMatchesObjdump(_ variant: String) throws {
        var compared = 0, claimed = 0
        var failures: [String] = []
        for file in try CorpusFixtures.objects(variant) {
            let listingText = String(decoding: try CorpusFixtures.bytes("x86_64/\(variant)/\(file).objdump"), as: UTF8.self)
            // Each section starts at 0 in a relocatable object: name addresses with that section's labels only.
            for section in listingText.components(separatedBy: "Disassembly of section ").dropFirst() {
                // Function labels `0000000000000030 <name>:` name addresses as objdump does (`name+0xoff`).
                var labels: [(address: UInt64, name: String)] = []
                for line in section.split(separator: "\n") where line.hasSuffix(">:") {
                    let parts = line.split(separator: " ")
                    if let address = UInt64(parts[0], radix: 16) { labels.append((address, String(parts[1].dropFirst().dropLast(2)))) }
                }
                let symbolizer: X86Disassembler.Symbolizer = { target in
                    guard let label = labels.last(where: { $0.address <= target }) else { return nil }
                    return target == label.address ? label.name : label.name + "+0x" + String(target - label.address, radix: 16)
                }
                for line in parse(section) {
                    compared += 1
                    guard case .success(let insn) = X86Decoder.decode(line.bytes), insn.length == line.bytes.count else {
                        failures.append("\(variant)/\(file) \(String(line.address, radix: 16)): length disagrees for \(line.text)")
                        continue
                    }
                    guard let text = X86Disassembler.disassemble(insn, address: line.address, symbolizer: symbolizer) else { continue }
                    claimed += 1
                    if text != line.text { failures.append("\(variant)/\(file): ours '\(text)' objdump '\(line.text)'") }
                }
            }
        }
        print("corpus disassembly \(variant): \(claimed - failures.count)/\(claimed) claimed agree (\(compared) instructions)")
        #expect(compared > 1000)
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) differ:\n" + failures.prefix(30).joined(separator: "\n")))
    }

    /// Instruction lines (`  1d:\t75 f1 \tjne ...`), continuation lines merged.
    func parse(_ text: String) -> [ObjdumpLine] {
        var lines: [ObjdumpLine] = []
        for raw in text.split(separator: "\n") {
            let fields = raw.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0].hasSuffix(":"), fields[0].hasPrefix(" "),
                  let address = UInt64(fields[0].dropLast().trimmingCharacters(in: .whitespaces), radix: 16) else { continue }
            let bytes = fields[1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
            if fields.count == 2 { if !lines.isEmpty { lines[lines.count - 1].bytes += bytes }; continue }
            lines.append(ObjdumpLine(address: address, bytes: bytes, text: String(fields[2])))
        }
        return lines
    }
}
