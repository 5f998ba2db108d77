/// One instruction line of an `aarch64-linux-gnu-objdump` listing: address, word, and the text with objdump's
/// trailing comment (`// #5`, `// b.any`) removed.
struct ObjdumpListing {
    struct Line {
        let address: UInt64
        let word: UInt32
        let text: String
    }

    let lines: [Line]

    init(_ listing: String) {
        var lines: [Line] = []
        for raw in listing.split(separator: "\n") {
            let fields = raw.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].hasSuffix(":"),
                  let address = UInt64(fields[0].dropLast().trimmingSpaces, radix: 16),
                  let word = UInt32(fields[1].trimmingSpaces, radix: 16), fields[1].trimmingSpaces.count == 8
            else { continue }
            var text = String(fields[2])
            if let comment = text.range(of: "//") { text = String(text[..<comment.lowerBound]) }
            while let last = text.last, last == " " || last == "\t" { text.removeLast() }
            lines.append(Line(address: address, word: word, text: text))
        }
        self.lines = lines
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
