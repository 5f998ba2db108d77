import TestSupport

/// A Debian 6.1 capture, split into its `################` sections: by default the tracefs reference session
/// (`Tests/Fixtures/realkernel/reference/`), or a named capture of `scripts/realkernel/capture.sh`
/// (`Tests/Fixtures/realkernel/ARCH/NAME.txt`).
struct RealKernelCapture {
    let text: String

    init(_ architecture: String, name: String? = nil) throws {
        text = try Fixtures.text(name.map { "realkernel/\(architecture)/\($0).txt" }
                                 ?? "realkernel/reference/linux-6.1-\(architecture)-kprobes.txt")
    }

    /// The section titles, in order.
    var titles: [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("################ ") }.map { String($0.dropFirst(17)) }
    }

    /// Exactly what was printed under `title` (payloads print a blank line before each header, which is not
    /// part of the section), or nil if there is no such section.
    func rawSection(_ title: String) -> String? {
        guard let header = text.range(of: "################ " + title + "\n") else { return nil }
        let rest = text[header.upperBound...]
        guard let next = rest.range(of: "\n################ ") else { return String(rest) }
        return String(rest[..<next.lowerBound])
    }

    /// The lines of the section titled `title` (the text after `################ `), without the blank line
    /// that separates it from the next section.
    func section(_ title: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "################ " + title) else { return [] }
        var body = lines[(start + 1)...].prefix { !$0.hasPrefix("################ ") }
        while body.last == "" { body = body.dropLast() }
        return Array(body)
    }
}
