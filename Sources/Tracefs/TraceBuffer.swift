import Machine

/// The top-level trace buffer (`/sys/kernel/tracing/trace`): one ring buffer per CPU, its counters and the
/// `trace` file. kernel: kernel/trace/ring_buffer.c (per-CPU pages, overwrite), kernel/trace/trace.c
/// (get_total_entries, s_show, print_event_info, print_func_help_header_irq, tracing_reset_online_cpus), v6.1.
///
/// Approximation of the ring buffer, kept at the kernel's granularity: each CPU has
/// DIV_ROUND_UP(buffer_size_kb × 1024, BUF_PAGE_SIZE) data pages (at least 2) of BUF_PAGE_SIZE = 4080 bytes;
/// an event takes rb_calculate_event_length(record size) bytes and never straddles pages. In overwrite mode a
/// write that needs a page when all are in use drops the oldest page, whose events become overruns. Not
/// modelled: the separate reader page, time-extend events, and per-CPU size differences.
public struct TraceBuffer: Sendable {
    /// buffer_size_kb at boot: TRACE_BUF_SIZE_DEFAULT 1441792 bytes (kernel/trace/trace.c).
    public static let defaultBufferSizeKB = 1408
    /// BUF_PAGE_SIZE: PAGE_SIZE minus the page header (u64 time stamp, local_t commit).
    static let pageDataSize = 4096 - 16

    /// The per-CPU ring buffer: filled pages, oldest first.
    struct CPUBuffer: Sendable {
        var pages: [(used: Int, records: [ProbeEventRecord])] = []
        /// Events lost to overwriting (ring_buffer_overrun_cpu).
        var overrun = 0
        var entries: Int { pages.reduce(0) { $0 + $1.records.count } }
    }

    /// buffer_size_kb: the size of each CPU's buffer.
    public private(set) var bufferSizeKB: Int
    /// The `overwrite` trace option (on by default): when the buffer is full, drop the oldest events rather
    /// than the new one.
    public var overwrite: Bool
    /// `tracing_on`: while off, writes are dropped without a trace (neither entries nor overruns count them).
    /// kernel: ring_buffer.c ring_buffer_record_off, ring_buffer_lock_reserve.
    public var isRecording = true
    var cpus: [CPUBuffer]

    public init(cpuCount: Int, bufferSizeKB: Int = TraceBuffer.defaultBufferSizeKB, overwrite: Bool = true) {
        self.bufferSizeKB = bufferSizeKB
        self.overwrite = overwrite
        cpus = Array(repeating: CPUBuffer(), count: cpuCount)
    }

    /// `echo N > buffer_size_kb` (ring_buffer_resize): the events kept are those that fit, newest kept when
    /// overwriting. Resizing does not count as writing: the overruns of the old buffer are kept.
    public mutating func resize(kilobytes: Int) {
        let kept = records
        let overruns = cpus.map(\.overrun)
        bufferSizeKB = kilobytes
        cpus = overruns.map { CPUBuffer(pages: [], overrun: $0) }
        for record in kept { store(record) }
    }

    /// Data pages per CPU (ring_buffer.c __ring_buffer_alloc / ring_buffer_resize).
    var pagesPerCPU: Int { max(2, (bufferSizeKB * 1024 + Self.pageDataSize - 1) / Self.pageDataSize) }

    /// Bytes an event of `size` data bytes takes on a page (ring_buffer.c rb_calculate_event_length: a 4-byte
    /// header, a length word above RB_MAX_SMALL_DATA = 112 bytes, 4-byte alignment).
    static func eventLength(_ size: Int) -> Int {
        var length = max(1, size)
        if length > 112 { length += 4 }
        length += 4
        return (length + 3) & ~3
    }

    /// Writes `record` into the buffer of its CPU while `tracing_on` is 1.
    public mutating func write(_ record: ProbeEventRecord) {
        if isRecording { store(record) }
    }

    /// Puts a record on its CPU's pages. Events larger than a page are discarded, as are new events on a full
    /// buffer without `overwrite`; neither is counted.
    private mutating func store(_ record: ProbeEventRecord) {
        let length = Self.eventLength(record.size)
        guard length <= Self.pageDataSize else { return }
        var buffer = cpus[record.context.cpu]
        if let last = buffer.pages.last, last.used + length <= Self.pageDataSize {
            buffer.pages[buffer.pages.count - 1].used += length
            buffer.pages[buffer.pages.count - 1].records.append(record)
        } else {
            if buffer.pages.count == pagesPerCPU {
                guard overwrite else { return }
                buffer.overrun += buffer.pages.removeFirst().records.count
            }
            buffer.pages.append((length, [record]))
        }
        cpus[record.context.cpu] = buffer
    }

    /// Events in the buffer (`entries-in-buffer`).
    public var entries: Int { cpus.reduce(0) { $0 + $1.entries } }
    /// Events written since the last reset, including those overwritten (`entries-written` = entries + overrun;
    /// trace.c get_total_entries).
    public var entriesWritten: Int { cpus.reduce(0) { $0 + $1.entries + $1.overrun } }

    /// Empties every CPU's buffer and zeroes the counters: opening `trace` for write with O_TRUNC
    /// (`echo > trace`) and removing a probe event do this (trace.c tracing_reset_online_cpus,
    /// tracing_reset_all_online_cpus).
    public mutating func reset() {
        cpus = Array(repeating: CPUBuffer(), count: cpus.count)
    }

    /// `trace_pipe`: the events in `trace` order, removed as they are read (overruns stay counted). The kernel's
    /// read blocks while the buffer is empty; the simulator returns what is there.
    public mutating func consume() -> [ProbeEventRecord] {
        let all = records
        for i in cpus.indices { cpus[i].pages.removeAll() }
        return all
    }

    /// The events in `trace` order: merged across CPUs by timestamp, the lower CPU first on a tie
    /// (trace.c __find_next_entry).
    public var records: [ProbeEventRecord] {
        cpus.flatMap { $0.pages.flatMap(\.records) }.enumerated()
            .sorted { ($0.element.context.timestamp, $0.element.context.cpu, $0.offset)
                      < ($1.element.context.timestamp, $1.element.context.cpu, $1.offset) }
            .map(\.element)
    }

    /// The header of `trace` with the nop tracer and default options (irq-info on, record-tgid off):
    /// trace.c s_show (`# tracer:`), print_event_info, print_func_help_header_irq. `#P:` is num_online_cpus.
    public var header: String {
        """
        # tracer: nop
        #
        # entries-in-buffer/entries-written: \(entries)/\(entriesWritten)   #P:\(cpus.count)
        #
        #                                _-----=> irqs-off/BH-disabled
        #                               / _----=> need-resched
        #                              | / _---=> hardirq/softirq
        #                              || / _--=> preempt-depth
        #                              ||| / _-=> migrate-disable
        #                              |||| /     delay
        #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
        #              | |         |   |||||     |         |

        """
    }

    /// The whole `trace` file: the header, then one line per event.
    public func trace(symbols: SymbolTable, kretprobeTrampoline: UInt64?) -> String {
        header + records.map { $0.traceLine(symbols: symbols, kretprobeTrampoline: kretprobeTrampoline) + "\n" }.joined()
    }
}
