/// One `error_log` entry: the failing command (argv re-joined with single spaces), the message and the caret
/// position. kernel: kernel/trace/trace.c `tracing_log_err`, `tracing_err_log_seq_show`,
/// `tracing_err_log_show_pos`.
public struct TracingLogErr: Sendable, Hashable {
    /// `trace_kprobe` for kprobe events (the `subsystem` of `trace_probe_log_init`).
    public var location: String
    public var error: TraceProbeError
    public var command: String
    /// Column of the caret within `command`.
    public var position: Int

    /// The entry as `cat error_log` prints it: `[%5llu.%06u] LOC: error: MSG`, `  Command: CMD`, then
    /// `strlen("  Command: ") + pos` spaces and `^`.
    public func render(seconds: UInt64, microseconds: UInt32) -> String {
        let usec = String(microseconds)
        let sec = String(seconds)
        let stamp = String(repeating: " ", count: max(0, 5 - sec.count)) + sec + "."
            + String(repeating: "0", count: max(0, 6 - usec.count)) + usec
        let prefix = "  Command: "
        return "[\(stamp)] \(location): error: \(error.message)\n\(prefix)\(command)\n"
            + String(repeating: " ", count: prefix.count + position) + "^\n"
    }
}
