import Foundation

/// The compiled-C corpus under `Tests/Fixtures/corpus` (made by the lead's `scripts/make-fixtures.sh`).
enum CorpusFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/corpus").standardized

    struct Case {
        var file: String
        var function: String
        var arguments: [UInt64]
        var expected: UInt64
    }

    static func variants() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("x86_64").path).sorted()
    }

    static func objects(_ variant: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("x86_64/\(variant)").path)
            .filter { $0.hasSuffix(".o") }.map { String($0.dropLast(2)) }.sorted()
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    /// `expected-x86_64.txt`: `<file> <function> <args...> = 0x<hex>`.
    static func cases() throws -> [Case] {
        let text = try String(contentsOf: directory.appendingPathComponent("expected-x86_64.txt"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let halves = line.split(separator: "=")
            guard halves.count == 2 else { return nil }
            let words = halves[0].split(separator: " ")
            guard words.count >= 2, let expected = UInt64(halves[1].trimmingCharacters(in: .whitespaces).dropFirst(2), radix: 16)
            else { return nil }
            let arguments = words.dropFirst(2).compactMap { UInt64($0.dropFirst(2), radix: 16) }
            return Case(file: String(words[0]), function: String(words[1]), arguments: arguments, expected: expected)
        }
    }
}
