/// The typed event stream of everything the machine (and the layers above it) do.
///
/// Recording is off by default; `record` takes its event as an autoclosure, so when nobody listens an event is
/// never even built and the cost is one predictable branch (measured in `kprobesim-bench`).
public final class Ledger {
    /// Read on every trap and kprobe hit, from other modules too. The flag lives in memory of its own because a
    /// stored property read from another module gets a dynamic exclusivity check whatever its attribute says.
    public var isRecording: Bool {
        @inlinable @inline(__always) get { recordingFlag.pointee }
        @inlinable @inline(__always) set { recordingFlag.pointee = newValue }
    }
    @usableFromInline let recordingFlag: UnsafeMutablePointer<Bool>
    public private(set) var entries: [LedgerEntry] = []
    /// Upper bound on kept entries; older ones are dropped (and counted) beyond it.
    public var capacity = 1_000_000
    public private(set) var dropped = 0

    public init() {
        recordingFlag = .allocate(capacity: 1)
        recordingFlag.initialize(to: false)
    }

    deinit { recordingFlag.deallocate() }

    @inlinable @inline(__always)
    public func record(cpu: CPU?, _ event: @autoclosure () -> any LedgerEvent) {
        guard isRecording else { return }
        append(cpu: cpu, event: event())
    }

    /// Appends unconditionally; callers check `isRecording` first (the kprobe trap path does, so it never
    /// builds an event nobody will read).
    public func append(cpu: CPU?, event: any LedgerEvent) {
        if entries.count >= capacity {
            entries.removeFirst(entries.count / 2)
            dropped += entries.count
        }
        entries.append(LedgerEntry(sequence: entries.count + dropped, cycle: cpu?.cycles ?? 0, cpu: cpu?.id ?? -1,
                                   pid: cpu?.currentTask?.pid ?? -1, event: event))
    }

    /// The events of one type, in order.
    public func events<T: LedgerEvent>(of type: T.Type) -> [T] {
        entries.compactMap { $0.event as? T }
    }

    public func clear() {
        entries.removeAll(keepingCapacity: true)
        dropped = 0
    }

    /// One line per entry, for golden comparisons and the teaching timeline.
    public var transcript: String { entries.map(\.description).joined(separator: "\n") }
}
