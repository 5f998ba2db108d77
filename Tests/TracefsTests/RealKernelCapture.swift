import TestSupport

/// The Debian 6.1 tracefs captures (`Tests/Fixtures/realkernel/reference/`), split into their `################`
/// sections.
struct RealKernelCapture {
    let text: String

    init(_ architecture: String) throws {
        text = try Fixtures.text("realkernel/reference/linux-6.1-\(architecture)-kprobes.txt")
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
