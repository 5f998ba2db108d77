import Kprobes

extension EventFilter {
    /// The parser over the expression's bytes; `at(i)` is 0 past the end, like the C string's NUL.
    /// kernel: kernel/trace/trace_events_filter.c calc_stack, predicate_parse, parse_pred (v6.1).
    struct Parser {
        let text: [UInt8]
        let fields: [Field]

        func at(_ i: Int) -> UInt8 { i >= 0 && i < text.count ? text[i] : 0 }
        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0d).contains(c) }
        static func isAlnum(_ c: UInt8) -> Bool {
            (0x30...0x39).contains(c) || (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c)
        }
        static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }

        /// calc_stack: counts predicates and checks the parentheses; unbalanced parentheses and quotes fail here with
        /// the parser's internal codes as errnos (-1 EPERM, -2 ENOENT, -3 ESRCH); no predicate at all is -EINVAL.
        func calcStack() throws(EventFilterError) -> Int {
            var isPredicate = false, predicates = 0, open = 1, lastQuote = 0
            var quote: UInt8 = 0
            var i = 0
            while i < text.count {
                defer { i += 1 }
                let c = text[i]
                if Self.isSpace(c) { continue }
                if quote != 0 {
                    if c == quote { quote = 0 }
                    continue
                }
                switch c {
                case UInt8(ascii: "'"), UInt8(ascii: "\""):
                    quote = c
                    lastQuote = i
                case UInt8(ascii: "|"), UInt8(ascii: "&"):
                    if at(i + 1) == c {
                        isPredicate = false
                        continue
                    }
                case UInt8(ascii: "("):
                    isPredicate = false
                    open += 1
                    continue
                case UInt8(ascii: ")"):
                    isPredicate = false
                    if open == 1 { throw EventFilterError(.EPERM, .TOO_MANY_CLOSE, at: i) }
                    open -= 1
                    continue
                default:
                    break
                }
                if !isPredicate {
                    predicates += 1
                    isPredicate = true
                }
            }
            if quote != 0 { throw EventFilterError(.ESRCH, .MISSING_QUOTE, at: lastQuote) }
            if open != 1 {
                // Find the unmatched '(' from the end; index 0 is never looked at, so it is the fallback.
                var level = open
                var j = text.count - 1
                while j > 0 {
                    defer { j -= 1 }
                    if quote != 0 {
                        if text[j] == quote { quote = 0 }
                        continue
                    }
                    switch text[j] {
                    case UInt8(ascii: "("):
                        if level == open { throw EventFilterError(.ENOENT, .TOO_MANY_OPEN, at: j) }
                        level -= 1
                    case UInt8(ascii: ")"): level += 1
                    case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = text[j]
                    default: break
                    }
                }
                throw EventFilterError(.ENOENT, .TOO_MANY_OPEN, at: 0)
            }
            if predicates == 0 { throw EventFilterError(.EINVAL) }
            return predicates
        }

        /// predicate_parse: the first pass builds the program with a stack of `(`-levels carrying the inversion
        /// and the pending `&&`/`||`; the second pass shortcuts jumps to entries branching the same way; the
        /// third folds the inversions into the branch conditions.
        func predicateParse(predicates: Int) throws(EventFilterError) -> [Entry] {
            let invertFlag = 1, processAnd = 2, processOr = 4
            let capacity = predicates + 2
            var program = [Entry](repeating: Entry(test: nil, target: 0, whenToBranch: false), count: capacity)
            var inverts = [Bool](repeating: false, count: capacity)
            var stack = [0]
            var invert = false
            var n = 0
            var ptr = 0
            var complete = false

            func updatePreds(_ index: Int, _ invert: Bool) {
                let t = program[index].target
                guard t >= 0 else { return }
                let s = program[t].target
                program[t].whenToBranch = invert
                program[t].target = index
                program[index].target = s
            }

            parsing: while at(ptr) != 0 {
                let next = ptr
                ptr += 1
                let c = at(next)
                if Self.isSpace(c) { continue }
                if c == UInt8(ascii: "(") {
                    stack.append(invert ? invertFlag : 0)
                    continue
                }
                // `!` inverts, except in `!=` and `!~`.
                if c == UInt8(ascii: "!"), at(next + 1) != UInt8(ascii: "="), at(next + 1) != UInt8(ascii: "~") {
                    invert.toggle()
                    continue
                }
                if n >= capacity { throw EventFilterError(.EPERM, .TOO_MANY_PREDS, at: next) }
                inverts[n] = invert
                program[n].target = n - 1
                let (length, test) = try parsePred(from: next, position: ptr)
                program[n].test = test
                ptr = next + length
                n += 1
                while true {
                    let next = ptr
                    ptr += 1
                    let c = at(next)
                    if Self.isSpace(c) { continue }
                    // Only `)`, the end, `&&` and `||` may follow a predicate.
                    if c == UInt8(ascii: "&") || c == UInt8(ascii: "|"), at(next + 1) == c {
                        ptr += 1
                    } else if c != UInt8(ascii: ")") && c != 0 {
                        throw EventFilterError(.EPERM, .TOO_MANY_PREDS, at: next)
                    }
                    invert = stack[stack.count - 1] & invertFlag != 0
                    if stack[stack.count - 1] & processAnd != 0 {
                        updatePreds(n - 1, invert)
                        stack[stack.count - 1] &= ~processAnd
                    }
                    if c == UInt8(ascii: "&") {
                        stack[stack.count - 1] |= processAnd
                        continue parsing
                    }
                    if stack[stack.count - 1] & processOr != 0 {
                        updatePreds(n - 1, !invert)
                        stack[stack.count - 1] &= ~processOr
                    }
                    if c == UInt8(ascii: "|") {
                        stack[stack.count - 1] |= processOr
                        continue parsing
                    }
                    if c == 0 {
                        complete = true
                        break parsing
                    }
                    if stack.count == 1 { throw EventFilterError(.EPERM, .TOO_MANY_CLOSE, at: ptr) }
                    stack.removeLast()
                }
            }
            // The expression ended where a predicate was expected: nothing at all (`!`), or after `&&`/`||`.
            // Debian's 6.1.192 reports these two ways, at the end of the expression (filters.txt: `!`,
            // `dfd == 1 &&`, `dfd == 1 ||`).
            if !complete {
                throw EventFilterError(.EINVAL, n == 0 ? .NO_FILTER : .INVALID_FILTER, at: text.count)
            }
            if stack.count != 1 { throw EventFilterError(.EPERM, .TOO_MANY_OPEN, at: ptr) }

            program[n] = Entry(test: nil, target: 1, whenToBranch: false)        // TRUE
            program[n + 1] = Entry(test: nil, target: 0, whenToBranch: false)    // FALSE
            program[n - 1].target = n
            program[n - 1].whenToBranch = false
            var i = n - 2
            while i >= 0 {
                let target = program[i].target
                if program[i].whenToBranch == program[target].whenToBranch { program[i].target = program[target].target }
                i -= 1
            }
            for i in 0..<n {
                program[i].whenToBranch = inverts[i] != program[i].whenToBranch
                if program[i].target <= i { throw EventFilterError(.EINVAL) }
            }
            return Array(program[0..<(n + 2)])
        }
            /// parse_pred: `FIELD OP VALUE` starting at `start`; `position` is the kernel's `pos` (one past `start`),
        /// to which error offsets are added. Returns the bytes consumed and the test.
        func parsePred(from start: Int, position pos: Int) throws(EventFilterError) -> (Int, Test) {
            func at(_ i: Int) -> UInt8 { self.at(start + i) }
            var i = 0
            while Self.isSpace(at(i)) { i += 1 }
            var s = i
            while Self.isAlnum(at(i)) || at(i) == UInt8(ascii: "_") { i += 1 }
            // No field name: -1 without a recorded error (the file shows "Error: (0)").
            guard i > s else { throw EventFilterError(.EPERM) }
            let name = String(decoding: text[(start + s)..<(start + i)], as: UTF8.self)
            guard let field = fields.first(where: { $0.name == name }) else {
                throw EventFilterError(.EINVAL, .FIELD_NOT_FOUND, at: pos + i)
            }
            while Self.isSpace(at(i)) { i += 1 }
            guard let op = Op.allCases.first(where: { op in
                op.rawValue.utf8.enumerated().allSatisfy { at(i + $0.offset) == $0.element }
            }) else { throw EventFilterError(.EINVAL, .INVALID_OP, at: pos + i) }
            i += op.rawValue.utf8.count
            while Self.isSpace(at(i)) { i += 1 }
            s = i
            let c = at(i)
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                guard op == .ne || op == .glob || op == .eq else {
                    throw EventFilterError(.EINVAL, .ILLEGAL_FIELD_OP, at: pos + i)
                }
                guard field.isString else { throw EventFilterError(.EINVAL, .EXPECT_DIGIT, at: pos + i) }
                i += 1
                while at(i) != 0, at(i) != c { i += 1 }
                guard at(i) != 0 else { throw EventFilterError(.EINVAL, .MISSING_QUOTE, at: pos + i) }
                s += 1
                guard i - s < EventFilter.maxStringLength else {
                    throw EventFilterError(.EINVAL, .OPERAND_TOO_LONG, at: pos + i)
                }
                let pattern = FilterPattern(Array(text[(start + s)..<(start + i)]), isGlob: op == .glob, not: op == .ne)
                i += 1
                switch field.kind {
                case .comm: return (i, .comm(pattern))
                case .dynamicString(let offset): return (i, .dynamicString(offset: offset, pattern))
                case .integer, .cpu: preconditionFailure("a string field")
                }
            }
            guard Self.isDigit(c) || c == UInt8(ascii: "-") else {
                throw EventFilterError(.EINVAL, .INVALID_VALUE, at: pos + i)
            }
            guard !field.isString else { throw EventFilterError(.EINVAL, .EXPECT_STRING, at: pos + i) }
            guard op != .glob else { throw EventFilterError(.EINVAL, .ILLEGAL_FIELD_OP, at: pos + i) }
            if c == UInt8(ascii: "-") { i += 1 }
            while Self.isAlnum(at(i)) { i += 1 }
            // "0xfeedfacedeadbeef is 18 chars max": the number buffer holds 23.
            guard i - s < 24 else { throw EventFilterError(.EINVAL, .OPERAND_TOO_LONG, at: pos + i) }
            let digits = Array(text[(start + s)..<(start + i)])
            guard let value = field.isSigned ? Self.kstrtoll(digits) : Self.kstrtoull(digits) else {
                throw EventFilterError(.EINVAL, .ILLEGAL_INTVAL, at: pos + s)
            }
            switch field.kind {
            case .cpu:
                return (i, .cpu(op: op, value: Int32(truncatingIfNeeded: value)))
            case let .integer(offset, size, signed) where [1, 2, 4, 8].contains(size):
                return (i, .integer(offset: offset, size: size, signed: signed, op: op, value: value, not: op == .ne))
            case .integer:
                return (i, .never)
            case .dynamicString, .comm:
                preconditionFailure("a numeric field")
            }
        }

        /// kstrtoull(s, 0): an optional `+`, then `0x` hex, `0` octal or decimal digits to the end; nil on a
        /// bad digit, no digits or overflow. kernel: lib/kstrtox.c.
        static func kstrtoull(_ text: [UInt8]) -> UInt64? {
            var digits = text[...]
            if digits.first == UInt8(ascii: "+") { digits.removeFirst() }
            return parseInteger(digits)
        }

        /// kstrtoll(s, 0): a `-` then kstrtoull's digits (at most 2^63), or kstrtoull's value below 2^63; the
        /// result as the two's-complement bit pattern.
        static func kstrtoll(_ text: [UInt8]) -> UInt64? {
            if text.first == UInt8(ascii: "-") {
                guard let magnitude = parseInteger(text.dropFirst()), magnitude <= 1 << 63 else { return nil }
                return 0 &- magnitude
            }
            guard let value = kstrtoull(text), value < 1 << 63 else { return nil }
            return value
        }

        /// _parse_integer_fixup_radix + _parse_integer over the whole text.
        private static func parseInteger(_ text: ArraySlice<UInt8>) -> UInt64? {
            var digits = text
            var base: UInt64 = 10
            if digits.first == UInt8(ascii: "0") {
                let second = digits.dropFirst().first.map { $0 | 0x20 }
                if second == UInt8(ascii: "x"), let third = digits.dropFirst(2).first, hexValue(third) != nil {
                    base = 16
                    digits = digits.dropFirst(2)
                } else {
                    base = 8
                }
            }
            guard !digits.isEmpty else { return nil }
            var value: UInt64 = 0
            for c in digits {
                guard let digit = hexValue(c), digit < base else { return nil }
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: base)
                let (sum, overflow2) = shifted.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                value = sum
            }
            return value
        }

        private static func hexValue(_ c: UInt8) -> UInt64? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(c - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
}
}
