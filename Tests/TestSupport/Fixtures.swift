import Foundation
import Machine

/// The committed fixtures under `Tests/Fixtures` (see its README for how each was made).
public enum Fixtures {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures").standardized

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relative)))
    }

    public static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }
}

/// One call of the compiled-C corpus with its natively obtained result
/// (`Tests/Fixtures/corpus/expected-<arch>.txt`, made by `scripts/make-fixtures.sh`).
public struct CorpusCase: Sendable, CustomStringConvertible {
    public let file: String
    public let function: String
    public let arguments: [UInt64]
    public let expected: UInt64

    public var description: String {
        "\(file).\(function)(\(arguments.map { "0x" + String($0, radix: 16) }.joined(separator: ", "))) = 0x\(String(expected, radix: 16))"
    }

    /// Every case for `architecture`, in file order. `throughput` cases (the `bench_*` calls sized for release
    /// benchmarks) are left out unless asked for.
    public static func all(_ architecture: Architecture, includeThroughput: Bool = false) throws -> [CorpusCase] {
        let text = try Fixtures.text("corpus/expected-\(architecture.rawValue).txt")
        return text.split(separator: "\n").compactMap { line -> CorpusCase? in
            let parts = line.split(separator: " ")
            guard parts.count >= 4, parts[parts.count - 2] == "=" else { return nil }
            func hex(_ s: Substring) -> UInt64 { UInt64(s.dropFirst(2), radix: 16) ?? 0 }
            let c = CorpusCase(file: String(parts[0]), function: String(parts[1]),
                               arguments: parts[2..<(parts.count - 2)].map(hex), expected: hex(parts[parts.count - 1]))
            return includeThroughput || !c.function.hasPrefix("bench_") ? c : nil
        }
    }
}

public enum Corpus {
    /// Object variants built for each architecture.
    public static func variants(_ architecture: Architecture) -> [String] {
        architecture == .x86_64 ? ["O2", "O0", "Os", "O2-ftrace"] : ["O2", "O0", "Os", "O2-pac", "O2-ftrace"]
    }

    public static let files = ["args", "bits", "checksum", "compare", "divmod", "fnptr", "lists", "loops",
                               "recursion", "structs", "switch"]

    /// Loads `corpus/<arch>/<variant>/<file>.o` into `machine` as module `file`.
    @discardableResult
    public static func load(_ file: String, variant: String = "O2", into machine: Machine) throws -> LoadedObject {
        let path = "corpus/\(machine.architecture.rawValue)/\(variant)/\(file).o"
        return try ELFLoader.load(bytes: try Fixtures.bytes(path), name: "\(file).o", into: machine, module: file)
    }
}
