import Kprobes
import Machine
import Testing
@testable import Tracefs

/// Seeded mutations of captured lines: the parser must never trap, and any error_log caret must stay within
/// the command plus the one column the kernel allows past its end.
@Suite struct KprobeEventFuzzTests {
    @Test(arguments: Architecture.allCases)
    func mutatedLinesNeverCrash(_ architecture: Architecture) throws {
        let capture = try CapturedKprobeEvents(architecture)
        let seeds = (capture.writes(inSection: "define probes") + capture.writes(inSection: "bad lines"))
            .map(\.command)
        #expect(seeds.count > 40)
        let alphabet = Array("pr-:/.%@$+-u()[]\\\"=:0123456789xabsting_ \t#é\u{301}")
        var random = SeededGenerator(seed: 0x6b70_726f_6265)
        var failures = 0
        for _ in 0..<20_000 {
            var bytes = Array(seeds[Int(random.next() % UInt64(seeds.count))])
            for _ in 0..<(1 + random.next() % 4) {
                let at = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
                switch random.next() % 3 {
                case 0: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
                }
            }
            let line = String(bytes)
            do {
                _ = try KprobeEventCommand.parse(line, architecture: architecture, profile: .debian61)
            } catch {
                failures += 1
                if let log = error.log {
                    #expect(log.position >= 0 && log.position <= log.command.utf8.count + 1, "\(line)")
                }
            }
        }
        #expect(failures > 1000)
    }
}
