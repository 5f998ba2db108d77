/// Who and when, for one event in the trace buffer: the start of every `trace` line.
/// kernel: kernel/trace/trace_output.c trace_print_context (default options: irq-info on, record-tgid off).
public struct TraceEntryContext: Sendable, Hashable {
    /// The task name as `trace` shows it (the kernel looks it up by pid in saved_cmdlines).
    public var comm: String
    public var pid: Int32
    public var cpu: Int
    /// The trace clock, in nanoseconds.
    public var timestamp: UInt64
    public var flags: TraceEntryFlags

    public init(comm: String, pid: Int32, cpu: Int, timestamp: UInt64, flags: TraceEntryFlags = TraceEntryFlags()) {
        self.comm = comm
        self.pid = pid
        self.cpu = cpu
        self.timestamp = timestamp
        self.flags = flags
    }

    /// `"%16s-%-7d "`, `"[%03d] "`, the irq-info column, then `" %5lu.%06lu: "` of the timestamp in
    /// microseconds, rounded to the nearest (kernel: trace.c ns2usecs adds 500 before dividing by 1000).
    public var prefix: String {
        let microseconds = (timestamp + 500) / 1000
        return comm.rightJustified(16) + "-" + String(pid).leftJustified(7) + " "
            + "[" + String(cpu).rightJustified(3, pad: "0") + "] "
            + flags.column + " "
            + String(microseconds / 1_000_000).rightJustified(5) + "."
            + String(microseconds % 1_000_000).rightJustified(6, pad: "0") + ": "
    }
}
