import Foundation

/// A capture made on a real kernel (`scripts/realkernel/capture.sh`): `#` provenance lines up to the first
/// blank line, then sections opened by `################ TITLE` lines (`payloads/lib.sh` `section`), which is
/// what the readers use.
public struct RealKernelCapture: Sendable {
    public let text: String
    private let lines: [String]

    public init(text: String) {
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    public func hasSection(_ title: String) -> Bool { lines.contains("################ " + title) }

    /// The lines of the section titled `title` (the text after `################ `), without the blank line
    /// that separates it from the next section; empty when there is no such section.
    public func section(_ title: String) -> [String] {
        guard let start = lines.firstIndex(of: "################ " + title) else { return [] }
        var body = lines[(start + 1)...].prefix { !$0.hasPrefix("################ ") }
        while body.last == "" { body = body.dropLast() }
        return Array(body)
    }

    /// The section titles, in order.
    public var titles: [String] {
        lines.filter { $0.hasPrefix("################ ") }.map { String($0.dropFirst(17)) }
    }

    /// Exactly what was printed under `title` (payloads print a blank line before each header, which is not
    /// part of the section), or nil if there is no such section.
    public func rawSection(_ title: String) -> String? {
        guard let header = text.range(of: "################ " + title + "\n") else { return nil }
        let rest = text[header.upperBound...]
        guard let next = rest.range(of: "\n################ ") else { return String(rest) }
        return String(rest[..<next.lowerBound])
    }
}
