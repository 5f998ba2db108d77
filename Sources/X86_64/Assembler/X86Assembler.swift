/// Assembles AT&T-syntax x86_64 text (the subset the executor runs) into bytes as GNU as would: labels (`name:`,
/// and GNU local labels `1:` referred to as `1b`/`1f`),
/// `.byte`, `.word`, `.long`, `.quad`, `#` comments, `;`-separated statements, jmp/jcc relaxed from rel8 to
/// rel32 only when the target is out of reach. Teaching scenarios are written in it.
public enum X86Assembler {
    /// The assembled bytes and where each label landed.
    public struct Output: Sendable {
        public var bytes: [UInt8]
        public var labels: [String: UInt64]
    }

    private enum Statement {
        case label(String)
        case data(size: Int, values: [X86AsmOperand.Expression])
        case instruction(mnemonic: String, operands: [X86AsmOperand])
    }

    public static func assemble(_ source: String, origin: UInt64 = 0) -> Result<Output, X86AssemblerError> {
        var statements: [(line: Int, text: String, statement: Statement)] = []
        // GNU local labels: `1:` may be defined many times; `1b`/`1f` name the previous/next definition.
        var localDefinitions: [String: Int] = [:]
        for (index, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let uncommented = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for piece in uncommented.split(separator: ";") {
                var text = piece.trimmedSpaces
                while let colon = text.firstIndex(of: ":"), !text[..<colon].contains(" "), !text[..<colon].contains("%") {
                    var name = String(text[..<colon])
                    if !name.isEmpty && name.allSatisfy(\.isNumber) {
                        let count = localDefinitions[name, default: 0]
                        localDefinitions[name] = count + 1
                        name = localLabel(name, count)
                    }
                    guard X86AsmOperand.expression(name)?.label == name else {
                        return .failure(X86AssemblerError(line: index + 1, text: text, message: "bad label name"))
                    }
                    statements.append((index + 1, text, .label(name)))
                    text = text[text.index(after: colon)...].trimmedSpaces
                }
                guard !text.isEmpty else { continue }
                switch parse(resolvingLocalReferences(text, localDefinitions)) {
                case .success(let statement): statements.append((index + 1, text, statement))
                case .failure(let failure): return .failure(X86AssemblerError(line: index + 1, text: text, message: failure.message))
                }
            }
        }
        // Relaxation: branches start short and grow to rel32 until every displacement fits (GNU as's order).
        var long = [Bool](repeating: false, count: statements.count)
        var labels: [String: UInt64] = [:]
        for _ in 0..<64 {
            var address = origin
            var newLabels: [String: UInt64] = [:]
            var grew = false
            var bytes: [UInt8] = []
            var firstError: X86AssemblerError?
            for (i, entry) in statements.enumerated() {
                switch entry.statement {
                case .label(let name):
                    guard newLabels[name] == nil else {
                        return .failure(X86AssemblerError(line: entry.line, text: entry.text, message: "label '\(name)' defined twice"))
                    }
                    newLabels[name] = address
                case .data(let size, let values):
                    for value in values {
                        let v = resolve(value, labels) ?? 0
                        bytes += (0..<size).map { UInt8(truncatingIfNeeded: v >> (8 * Int64($0))) }
                    }
                case .instruction(let mnemonic, let operands):
                    let encoder = X86InstructionEncoder(resolve: { resolve($0, labels) ?? Int64(bitPattern: address) },
                                                        address: address, longBranch: long[i])
                    switch encoder.encode(mnemonic, operands) {
                    case .success(let encoded): bytes += encoded
                    case .failure(let failure):
                        let message = failure.message
                        if message.contains("rel8") && X86InstructionEncoder.isRelaxable(mnemonic, operands) {
                            long[i] = true
                            grew = true
                            bytes += [0, 0]
                        } else if firstError == nil {
                            firstError = X86AssemblerError(line: entry.line, text: entry.text, message: message)
                        }
                    }
                }
                address = origin &+ UInt64(bytes.count)
            }
            let settled = !grew && newLabels == labels
            labels = newLabels
            if settled {
                if let firstError { return .failure(firstError) }
                for entry in statements {
                    if let undefined = undefinedLabel(entry.statement, labels) {
                        return .failure(X86AssemblerError(line: entry.line, text: entry.text, message: "undefined label '\(undefined)'"))
                    }
                }
                return .success(Output(bytes: bytes, labels: labels))
            }
        }
        return .failure(X86AssemblerError(line: 0, text: "", message: "branch relaxation did not converge"))
    }

    /// The internal name of the `index`th definition of local label `number`.
    private static func localLabel(_ number: String, _ index: Int) -> String { ".L\(number)_\(index)" }

    /// Rewrites `1b`/`1f` tokens to the internal name of the previous/next definition of `1`.
    private static func resolvingLocalReferences(_ text: String, _ definitions: [String: Int]) -> String {
        var out = "", token = ""
        func flush() {
            if token.count >= 2, let direction = token.last, direction == "b" || direction == "f",
               token.dropLast().allSatisfy(\.isNumber) {
                let number = String(token.dropLast())
                let seen = definitions[number, default: 0]
                out += localLabel(number, direction == "b" ? seen - 1 : seen)
            } else {
                out += token
            }
            token = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "_" || ch == "." { token.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }

    private static func resolve(_ e: X86AsmOperand.Expression, _ labels: [String: UInt64]) -> Int64? {
        guard let label = e.label else { return e.offset }
        return labels[label].map { Int64(bitPattern: $0) &+ e.offset }
    }

    private static func undefinedLabel(_ statement: Statement, _ labels: [String: UInt64]) -> String? {
        var expressions: [X86AsmOperand.Expression] = []
        func collect(_ o: X86AsmOperand) {
            switch o {
            case .immediate(let e), .target(let e): expressions.append(e)
            case .memory(let m): expressions.append(m.displacement)
            case .indirect(let inner): collect(inner)
            case .register: break
            }
        }
        switch statement {
        case .label: return nil
        case .data(_, let values): expressions = values
        case .instruction(_, let operands): operands.forEach(collect)
        }
        return expressions.compactMap(\.label).first { labels[$0] == nil }
    }

    private struct ParseFailure: Error {
        let message: String
    }

    private static func parse(_ text: String) -> Result<Statement, ParseFailure> {
        if text.hasPrefix(".") {
            let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
            let sizes = [".byte": 1, ".word": 2, ".short": 2, ".long": 4, ".quad": 8]
            if [".text", ".globl", ".global", ".type", ".size", ".section"].contains(parts[0]) {
                return .success(.data(size: 1, values: []))
            }
            guard let size = sizes[parts[0]], parts.count == 2 else { return .failure(ParseFailure(message: "unsupported directive")) }
            var values: [X86AsmOperand.Expression] = []
            for item in parts[1].split(separator: ",") {
                guard let value = X86AsmOperand.expression(String(item)) else { return .failure(ParseFailure(message: "bad value '\(item)'")) }
                values.append(value)
            }
            return .success(.data(size: size, values: values))
        }
        // Mnemonic (with prefix words) up to the first operand.
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var mnemonicWords: [String] = []
        while let first = words.first, ["lock", "rep", "repz", "repe", "repnz", "repne", "notrack"].contains(first) {
            mnemonicWords.append(words.removeFirst())
        }
        guard !words.isEmpty else { return .failure(ParseFailure(message: "missing mnemonic")) }
        mnemonicWords.append(words.removeFirst().lowercased())
        let operandText = words.joined(separator: " ")
        var operands: [X86AsmOperand] = []
        if !operandText.isEmpty {
            var depth = 0, current = ""
            var pieces: [String] = []
            for ch in operandText {
                if ch == "(" { depth += 1 }
                if ch == ")" { depth -= 1 }
                if ch == "," && depth == 0 { pieces.append(current); current = "" } else { current.append(ch) }
            }
            pieces.append(current)
            for piece in pieces {
                guard let operand = X86AsmOperand.parse(piece) else { return .failure(ParseFailure(message: "bad operand '\(piece.trimmedSpaces)'")) }
                operands.append(operand)
            }
        }
        return .success(.instruction(mnemonic: mnemonicWords.joined(separator: " "), operands: operands))
    }
}
