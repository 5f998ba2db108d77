/// Why a line could not be assembled: the line number (1-based), its text and the problem.
public struct ARM64AssemblerError: Error, Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let text: String
    public let problem: String

    public var description: String { "line \(line): '\(text)': \(problem)" }
}
