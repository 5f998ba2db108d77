/// One `error_log` entry: the failing command (argv re-joined with single spaces), the message and the caret
/// position. kernel: kernel/trace/trace.c `tracing_log_err`, `tracing_err_log_seq_show`,
/// `tracing_err_log_show_pos`.
public struct TracingLogErr: Sendable, Hashable {
    /// `trace_kprobe` for kprobe events (the `subsystem` of `trace_probe_log_init`), `event filter parse error`
    /// for event filters.
    public var location: String
    /// The `err_text` entry: a `TraceProbeError` or `EventFilterError` message.
    public var message: String
    public var command: String
    /// Column of the caret within `command`.
    public var position: Int

    public init(location: String, message: String, command: String, position: Int) {
        self.location = location
        self.message = message
        self.command = command
        self.position = position
    }

    /// An entry of the probe-event parsers.
    public init(location: String, error: TraceProbeError, command: String, position: Int) {
        self.init(location: location, message: error.message, command: command, position: position)
    }

    /// The entry as `cat error_log` prints it: `[%5llu.%06u] LOC: error: MSG`, `  Command: CMD`, then
    /// `strlen("  Command: ") + pos` spaces and `^`.
    public func render(seconds: UInt64, microseconds: UInt32) -> String {
        let usec = String(microseconds)
        let sec = String(seconds)
        let stamp = String(repeating: " ", count: max(0, 5 - sec.count)) + sec + "."
            + String(repeating: "0", count: max(0, 6 - usec.count)) + usec
        let prefix = "  Command: "
        return "[\(stamp)] \(location): error: \(message)\n\(prefix)\(command)\n"
            + String(repeating: " ", count: prefix.count + position) + "^\n"
    }
}
