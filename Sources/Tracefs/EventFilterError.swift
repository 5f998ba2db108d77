import Kprobes

/// A filter expression the kernel refused: the errno `write(2)` returns, the `FILT_ERR_*` code and position the
/// parser recorded (`struct filter_parse_error`), and how the `filter` file and `error_log` then show it.
/// kernel: kernel/trace/trace_events_filter.c `ERRORS`, `parse_error`, `append_filter_err` (v6.1, as the
/// captures in Tests/Fixtures/realkernel/*/filters.txt show it).
public struct EventFilterError: Error, Sendable, Hashable {
    /// The `FILT_ERR_*` codes 6.1 can report for a kprobe event's filter.
    public enum Code: String, Sendable, CaseIterable {
        case INVALID_OP, TOO_MANY_OPEN, TOO_MANY_CLOSE, MISSING_QUOTE, OPERAND_TOO_LONG, EXPECT_STRING
        case EXPECT_DIGIT, ILLEGAL_FIELD_OP, FIELD_NOT_FOUND, ILLEGAL_INTVAL, TOO_MANY_PREDS, INVALID_FILTER
        case INVALID_VALUE, NO_FILTER, BAD_SUBSYS_FILTER

        public var message: String {
            switch self {
            case .INVALID_OP: "Invalid operator"
            case .TOO_MANY_OPEN: "Too many '('"
            case .TOO_MANY_CLOSE: "Too few '('"
            case .MISSING_QUOTE: "Missing matching quote"
            case .OPERAND_TOO_LONG: "Operand too long"
            case .EXPECT_STRING: "Expecting string field"
            case .EXPECT_DIGIT: "Expecting numeric field"
            case .ILLEGAL_FIELD_OP: "Illegal operation for field type"
            case .FIELD_NOT_FOUND: "Field not found"
            case .ILLEGAL_INTVAL: "Illegal integer value"
            case .TOO_MANY_PREDS: "Too many terms in predicate expression"
            case .INVALID_FILTER: "Meaningless filter expression"
            case .INVALID_VALUE: "Invalid value (did you forget quotes)?"
            case .NO_FILTER: "No filter found"
            case .BAD_SUBSYS_FILTER: "Couldn't find or set field in one of a subsystem's events"
            }
        }
    }

    /// What the write returns. Not always -EINVAL: the parser passes its internal -1/-2/-3 up unchanged, so an
    /// unbalanced `)` fails with EPERM, an unclosed `(` with ENOENT and an unclosed quote with ESRCH (captured).
    public var errno: Errno
    /// nil when the parser failed without recording an error (`lasterr` 0: a predicate without a field name, an
    /// expression without predicates); the file then shows `Error: (0)`.
    public var code: Code?
    /// `lasterr_pos`, an index into the expression.
    public var position: Int

    public init(_ errno: Errno, _ code: Code? = nil, at position: Int = 0) {
        self.errno = errno
        self.code = code
        self.position = position
    }

    /// The `filter` file after the failed write (`append_filter_err`): the expression, a caret line (the
    /// position clamped to the expression, `%*s` of width position + 1) and `parse_error: MSG`, or `Error: (0)`.
    /// Reading adds one more newline.
    func fileText(expression: String) -> String {
        guard let code else { return expression + "\nError: (0)\n" }
        var width = min(position, expression.utf8.count)
        if width > 0 { width += 1 }
        return expression + "\n" + String(repeating: " ", count: max(0, width - 1)) + "^"
            + "\nparse_error: \(code.message)\n"
    }

    /// The `error_log` entry (`tracing_log_err(tr, "event filter parse error", ...)`); `FILT_ERR_ERRNO`
    /// ("Error", caret at 0) when no code was recorded.
    func logEntry(expression: String) -> TracingLogErr {
        TracingLogErr(location: "event filter parse error", message: code?.message ?? "Error", command: expression,
                      position: code == nil ? 0 : position)
    }
}
