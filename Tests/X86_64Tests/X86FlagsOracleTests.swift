import Testing
import Machine
@testable import X86_64

/// Results and RFLAGS of single instructions against native execution on the machine that made the fixture
/// (`flags.txt`, see `scripts/make-x86-decoder-corpus.sh`): every register result exactly, and every RFLAGS status
/// bit the SDM defines for that instruction and count.
@Suite struct X86FlagsOracleTests {
    struct Case {
        var input: [UInt64]
        var output: [UInt64]
        var mask: UInt64
    }

    static func snippets() throws -> [(name: String, bytes: [UInt8], cases: [Case])] {
        let text = String(decoding: try Fixtures.data("flags.txt"), as: UTF8.self)
        var result: [(name: String, bytes: [UInt8], cases: [Case])] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("snippet ") {
                let parts = line.dropFirst(8).split(separator: "|")
                let bytes = parts[1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
                result.append((String(parts[0]).trimmingCharacters(in: .whitespaces), bytes, []))
            } else {
                let fields = line.split(separator: " ").filter { $0 != "->" }.compactMap { UInt64($0, radix: 16) }
                guard fields.count == 9, !result.isEmpty else { continue }
                result[result.count - 1].cases.append(Case(input: Array(fields[0..<4]), output: Array(fields[4..<8]), mask: fields[8]))
            }
        }
        return result
    }

    @Test func singleInstructionsMatchNativeExecution() throws {
        let snippets = try Self.snippets()
        #expect(snippets.count > 50)
        var failures: [String] = []
        var checked = 0
        for snippet in snippets {
            let m = try X86TestMachine(snippet.bytes)
            let cpu = m.machine.cpus[0]
            for c in snippet.cases {
                let r = cpu.registers
                r[X86PtRegs.ax] = c.input[0]; r[X86PtRegs.cx] = c.input[1]; r[X86PtRegs.dx] = c.input[2]
                r[X86PtRegs.flags] = c.input[3]
                r[X86PtRegs.ip] = m.text
                _ = m.machine.core.run(cpu, limit: 1)
                let got = [r[X86PtRegs.ax], r[X86PtRegs.cx], r[X86PtRegs.dx], r[X86PtRegs.flags] & X86Flags.status]
                checked += 1
                if got[0..<3] != c.output[0..<3] || got[3] & c.mask != c.output[3] & c.mask
                    || r[X86PtRegs.ip] != m.text + UInt64(snippet.bytes.count) {
                    failures.append("\(snippet.name) in \(c.input.map { String($0, radix: 16) }): got \(got.map { String($0, radix: 16) }) native \(c.output.map { String($0, radix: 16) }) mask \(String(c.mask, radix: 16))")
                }
            }
        }
        #expect(checked > 10_000)
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) of \(checked) differ:\n" + failures.prefix(40).joined(separator: "\n")))
    }
}
