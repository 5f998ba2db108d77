/// Why assembly text was refused: the line, its text and the problem, never a crash.
public struct X86AssemblerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public let line: Int
    public let text: String
    public let message: String

    public init(line: Int, text: String, message: String) {
        self.line = line
        self.text = text
        self.message = message
    }

    public var description: String { "line \(line): \(message): '\(text)'" }
}
