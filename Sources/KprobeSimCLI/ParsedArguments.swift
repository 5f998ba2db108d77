/// A hand-written parser for `--option value`, `--flag` and positional arguments, validated against what a
/// command declares, so every command reports unknown or incomplete options the same way.
struct ParsedArguments {
    private(set) var options: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// `valued`: options that take a value; `switches`: options that do not. `--help`/`-h` is always a switch.
    init(_ arguments: [String], command: String, valued: Set<String>, switches: Set<String> = []) throws(UsageError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" {
                positionals += rest
                break
            }
            if argument == "-h" || argument == "--help" {
                flags.insert("--help")
            } else if argument.hasPrefix("--") {
                let (name, inline) = argument.firstIndex(of: "=").map {
                    (String(argument[..<$0]), Optional(String(argument[argument.index(after: $0)...])))
                } ?? (argument, nil)
                if valued.contains(name) {
                    guard let value = inline ?? rest.popFirst() else {
                        throw UsageError(message: "\(command): option '\(name)' needs a value")
                    }
                    options[name] = value
                } else if switches.contains(name) && inline == nil {
                    flags.insert(name)
                } else {
                    throw UsageError(message: "\(command): unknown option '\(name)'")
                }
            } else {
                positionals.append(argument)
            }
        }
    }

    var wantsHelp: Bool { flags.contains("--help") }

    subscript(option: String) -> String? { options[option] }

    /// Parses an integer the way the kernel's `kstrtoul(..., 0)` does: `0x` hex, leading `0` octal, else
    /// decimal; a leading `-` gives the two's complement.
    /// Takes every `--load FILE` out of `arguments` (the option may repeat): the files, and the rest in order.
    static func loads(_ arguments: [String], command: String) throws(UsageError) -> (files: [String], rest: [String]) {
        var files: [String] = []
        var rest: [String] = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument == "--load" else {
                rest.append(argument)
                continue
            }
            guard let path = iterator.next() else { throw UsageError(message: "\(command): option '--load' needs a value") }
            files.append(path)
        }
        return (files, rest)
    }

    static func integer(_ text: String) -> UInt64? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let value: UInt64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            value = UInt64(body.dropFirst(2), radix: 16)
        } else if body.count > 1 && body.hasPrefix("0") {
            value = UInt64(body.dropFirst(), radix: 8)
        } else {
            value = UInt64(body)
        }
        guard let value else { return nil }
        return negative ? (~value &+ 1) : value
    }
}
