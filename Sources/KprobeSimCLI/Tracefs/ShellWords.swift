/// Splits a shell line into words the way `sh` does for the lines tracefs users type: blanks separate words,
/// `'...'` and `"..."` quote (a backslash escapes `"`, `\` and `$` inside double quotes and any character
/// outside quotes), an unquoted `#` at the start of a word begins a comment, and unquoted `>` / `>>` are words
/// of their own.
enum ShellWords {
    struct SyntaxError: Error {
        let message: String
    }

    static func split(_ line: String) throws(SyntaxError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var chars = Array(line)[...]
        func finish() {
            if inWord { words.append(current) }
            current = ""
            inWord = false
        }
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                finish()
            case "#" where !inWord:
                return words
            case ">":
                finish()
                if chars.first == ">" {
                    chars.removeFirst()
                    words.append(">>")
                } else {
                    words.append(">")
                }
            case "'":
                inWord = true
                guard let end = chars.firstIndex(of: "'") else { throw SyntaxError(message: "unterminated quoted string") }
                current += chars[..<end]
                chars = chars[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\"" { closed = true; break }
                    if d == "\\", let next = chars.first, "\"\\$`".contains(next) {
                        current.append(chars.removeFirst())
                    } else {
                        current.append(d)
                    }
                }
                if !closed { throw SyntaxError(message: "unterminated quoted string") }
            case "\\":
                inWord = true
                if let next = chars.popFirst() { current.append(next) }
            default:
                inWord = true
                current.append(c)
            }
        }
        finish()
        return words
    }
}
