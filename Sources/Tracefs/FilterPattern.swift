/// The string side of a filter predicate (`struct regex`): `==`/`!=` compare whole strings, `~` takes a
/// pattern whose `*` at the front, back or both picks a suffix, prefix or substring test, and anything else
/// (`*` inside, `?`, `[`, `\`) a full glob. A leading `!` in a `~` pattern negates it.
/// kernel: kernel/trace/trace_events_filter.c filter_parse_regex, filter_build_regex, regex_match_full/front/
/// middle/end/glob; lib/glob.c glob_match (v6.1).
struct FilterPattern: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case full, front, middle, end, glob }

    let kind: Kind
    let pattern: [UInt8]
    /// `pred->not`: from `!=`, or a `!` in front of a `~` pattern.
    let not: Bool

    /// `filter_build_regex`: `isGlob` for `~`; `not` is the `!=` flag, replaced by the pattern's own `!` for `~`.
    init(_ text: [UInt8], isGlob: Bool, not: Bool) {
        guard isGlob else {
            (kind, pattern, self.not) = (.full, text, not)
            return
        }
        var buffer = text[...]
        let negated = buffer.first == UInt8(ascii: "!")
        if negated { buffer.removeFirst() }
        self.not = negated
        var kind = Kind.full
        if let first = buffer.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            // MATCH_INDEX: matched as a full string.
            (self.kind, pattern) = (.full, Array(buffer))
            return
        }
        var end = buffer.endIndex
        for (i, c) in zip(buffer.indices, buffer) {
            if c == UInt8(ascii: "*") {
                if i == buffer.startIndex {
                    kind = .end
                } else if i == buffer.index(before: buffer.endIndex) {
                    kind = kind == .end ? .middle : .front
                    end = i
                    break
                } else {
                    kind = .glob
                    break
                }
            } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "?") || c == UInt8(ascii: "\\") {
                kind = .glob
                break
            }
        }
        self.kind = kind
        let start = kind != .glob && buffer.first == UInt8(ascii: "*") ? buffer.index(after: buffer.startIndex)
            : buffer.startIndex
        pattern = kind == .glob ? Array(buffer) : Array(buffer[start..<max(start, end)])
    }

    /// The predicate's result for a string at `offset` in `bytes`, `length` bytes long including its NUL
    /// (0 when unknown: the string runs to its NUL), with `not` applied.
    func matches(_ bytes: [UInt8], offset: Int, length: Int) -> Bool {
        let string = Self.cString(bytes, from: offset)
        let match: Bool
        switch kind {
        case .full:
            // strncmp(str, pattern, len) over at most `length` bytes, or strcmp.
            let limit = length == 0 ? Int.max : length
            match = Self.strncmp(string, pattern, limit)
        case .front:
            match = (length == 0 || length >= pattern.count) && Self.strncmp(string, pattern, pattern.count)
        case .middle:
            let window = length == 0 ? string : Array(bytes[min(offset, bytes.count)...].prefix(length))
            match = Self.contains(Self.cString(window, from: 0), pattern)
        case .end:
            // memcmp at `length - 1 - pattern.count`: the end of the field, not of the string (for `comm`, the
            // 16-byte buffer).
            let stringLength = length - 1
            if stringLength >= pattern.count {
                let start = offset + stringLength - pattern.count
                match = start >= 0 && start + pattern.count <= bytes.count
                    && Array(bytes[start..<(start + pattern.count)]) == pattern
            } else {
                match = false
            }
        case .glob:
            match = Self.globMatch(pattern, string)
        }
        return match != not
    }

    /// The bytes from `offset` up to the first NUL or the end.
    static func cString(_ bytes: [UInt8], from offset: Int) -> [UInt8] {
        guard offset < bytes.count else { return [] }
        return Array(bytes[offset...].prefix { $0 != 0 })
    }

    /// strncmp(a, b, n) == 0 over NUL-terminated strings.
    private static func strncmp(_ a: [UInt8], _ b: [UInt8], _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return false }
            if x == 0 { return true }
            i += 1
        }
        return true
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// lib/glob.c glob_match: `*`, `?`, `[...]` classes with ranges and `!`, `\` escapes; one backtrack point.
    static func globMatch(_ pattern: [UInt8], _ string: [UInt8]) -> Bool {
        func at(_ a: [UInt8], _ i: Int) -> UInt8 { i < a.count ? a[i] : 0 }
        var p = 0, s = 0
        var backPattern: Int?, backString = 0
        while true {
            let c = at(string, s); s += 1
            var d = at(pattern, p); p += 1
            var literal = true
            switch d {
            case UInt8(ascii: "?"):
                if c == 0 { return false }
                continue
            case UInt8(ascii: "*"):
                if at(pattern, p) == 0 { return true }
                backPattern = p
                s -= 1
                backString = s
                continue
            case UInt8(ascii: "["):
                let inverted = at(pattern, p) == UInt8(ascii: "!")
                var cls = p + (inverted ? 1 : 0)
                var a = at(pattern, cls); cls += 1
                var matched = false
                var isClass = true
                repeat {
                    var b = a
                    if a == 0 { isClass = false; break }
                    if at(pattern, cls) == UInt8(ascii: "-") && at(pattern, cls + 1) != UInt8(ascii: "]") {
                        b = at(pattern, cls + 1)
                        if b == 0 { isClass = false; break }
                        cls += 2
                    }
                    matched = matched || (a <= c && c <= b)
                    a = at(pattern, cls); cls += 1
                } while a != UInt8(ascii: "]")
                if isClass {
                    if matched != inverted {
                        p = cls
                        continue
                    }
                    literal = false
                }
            case UInt8(ascii: "\\"):
                d = at(pattern, p); p += 1
            default:
                break
            }
            if literal && c == d {
                if d == 0 { return true }
                continue
            }
            // backtrack
            guard c != 0, let back = backPattern else { return false }
            p = back
            backString += 1
            s = backString
        }
    }
}
