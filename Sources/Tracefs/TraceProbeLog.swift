import Kprobes

/// The parser's error context: the command's words and which word is being parsed.
/// kernel: kernel/trace/trace_probe.c `trace_probe_log_init`, `trace_probe_log_set_index`,
/// `__trace_probe_log_err`.
struct TraceProbeLog {
    let subsystem: String
    let argv: [String]
    var index = 0

    /// `trace_probe_log_err(offset, err)`: the caret sits `offset` bytes into word `index`; past the last
    /// word it sits just after the command. The write fails with -EINVAL.
    func error(_ offset: Int, _ error: TraceProbeError) -> KprobeEventError {
        let command = argv.joined(separator: " ")
        let position: Int
        if index >= argv.count {
            position = command.utf8.count + 1
        } else {
            position = argv[..<index].reduce(0) { $0 + $1.utf8.count + 1 } + offset
        }
        return KprobeEventError(.EINVAL, log: TracingLogErr(location: subsystem, error: error, command: command,
                                                            position: position))
    }
}
