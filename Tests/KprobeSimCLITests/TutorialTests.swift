import Testing
import Foundation
import TestSupport
@testable import KprobeSimCLI

/// The tutorial quotes `kprobesim explain`; these tests run every quoted command and check that each quoted line
/// is still in its output, so the tutorial cannot drift from what the simulator prints.
@Suite("docs/tutorial-one-hit.md")
struct TutorialTests {
    /// A quoted command and the lines quoted from its output (a block may be an excerpt).
    struct Quote: CustomStringConvertible {
        let arguments: [String]
        let lines: [String]
        var description: String { "kprobesim " + arguments.joined(separator: " ") }
    }

    /// Each fenced block that shows output: either its first line is `$ swift run kprobesim ...`, or it follows a
    /// command indented as code (`    swift run kprobesim ...`) with only blank lines between.
    static func quotes() throws -> [Quote] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/tutorial-one-hit.md")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        let prefix = "swift run kprobesim "
        var quotes: [Quote] = []
        var pending: [String]?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("    " + prefix) {
                pending = line.dropFirst(4 + prefix.count).split(separator: " ").map(String.init)
            } else if line == "```" {
                var block: [String] = []
                index += 1
                while index < lines.count && lines[index] != "```" { block.append(lines[index]); index += 1 }
                var command = pending
                if let first = block.first, first.hasPrefix("$ " + prefix) {
                    command = first.dropFirst(2 + prefix.count).split(separator: " ").map(String.init)
                    block.removeFirst()
                }
                if let command { quotes.append(Quote(arguments: command, lines: block.filter { !$0.isEmpty })) }
                pending = nil
            } else if !line.isEmpty {
                pending = nil
            }
            index += 1
        }
        return quotes
    }

    @Test("the tutorial quotes explain on both arches and both profiles")
    func quotesCoverTheTeachingViews() throws {
        let commands = try TutorialTests.quotes().map { $0.arguments.joined(separator: " ") }
        #expect(commands.contains("explain --arch x86_64"))
        #expect(commands.contains("explain --arch arm64"))
        #expect(commands.contains("explain --arch x86_64 --profile legacy-5.4"))
        #expect(commands.contains("explain --arch arm64 --profile legacy-5.4"))
    }

    @Test("every line the tutorial quotes is in the output of its command")
    func quotedLinesMatchTheOutput() throws {
        let quotes = try TutorialTests.quotes()
        #expect(quotes.count >= 6)
        for quote in quotes {
            let run = kprobesimFromRoot(quote.arguments)
            #expect(run.status == 0, "\(quote): \(run.error)")
            let output = Set(run.output.components(separatedBy: "\n"))
            for line in quote.lines where !output.contains(line) {
                Issue.record("\(quote) no longer prints: \(line)")
            }
        }
    }
}
