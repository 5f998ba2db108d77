import Kprobes
import Machine
import TestSupport

/// The Debian 6.1 captures (Tests/Fixtures/realkernel/reference): commands written to `kprobe_events` with
/// their outcome, `error_log` entries and `kprobe_events` listings.
struct CapturedKprobeEvents {
    struct Write {
        var command: String
        /// nil for `OK`, else the shell's `write error:` text.
        var failure: String?
        /// The three `error_log` lines printed after a failure, if any.
        var errorLog: [String]
    }

    let architecture: Architecture
    let lines: [String]

    init(_ architecture: Architecture) throws {
        self.architecture = architecture
        lines = try Fixtures.text("realkernel/reference/linux-6.1-\(architecture.rawValue)-kprobes.txt")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The `OK [...]` / `FAIL [...]` records of the section whose header contains `title`.
    func writes(inSection title: String) -> [Write] {
        var result: [Write] = []
        var i = section(title)
        while i < lines.count, !lines[i].hasPrefix("####") {
            var line = lines[i]
            i += 1
            guard line.hasPrefix("OK   [") || line.hasPrefix("FAIL [") else { continue }
            let ok = line.hasPrefix("OK")
            while ok, !line.hasSuffix("]"), i < lines.count {
                line += "\n" + lines[i]
                i += 1
            }
            var write: Write
            if ok {
                write = Write(command: String(line.dropFirst(6).dropLast()), failure: nil, errorLog: [])
            } else {
                let body = line.dropFirst(6)
                let end = body.range(of: "] -> write error: ")!
                write = Write(command: String(body[..<end.lowerBound]),
                              failure: String(body[end.upperBound...]), errorLog: [])
            }
            while i < lines.count, lines[i].hasPrefix("    error_log| ") {
                write.errorLog.append(String(lines[i].dropFirst(15)))
                i += 1
            }
            result.append(write)
        }
        return result
    }

    /// The `p:`/`r:` lines following the header containing `title`, up to the first other line.
    func listing(after title: String) -> [String] {
        var i = section(title)
        while i < lines.count, !isListingLine(lines[i]) { i += 1 }
        var result: [String] = []
        while i < lines.count, isListingLine(lines[i]) {
            result.append(lines[i])
            i += 1
        }
        return result
    }

    private func isListingLine(_ line: String) -> Bool {
        guard let colon = line.firstIndex(of: ":"), let kind = line.first, kind == "p" || kind == "r" else { return false }
        return line[line.index(after: line.startIndex)..<colon].allSatisfy(\.isNumber)
    }

    private func section(_ title: String) -> Int {
        (lines.firstIndex { $0.contains(title) } ?? lines.count) + 1
    }
}
