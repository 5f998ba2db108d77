/// One ledger line: when (sequence number and the CPU's simulated cycle), where (CPU, task) and what.
public struct LedgerEntry: Sendable, CustomStringConvertible {
    public let sequence: Int
    public let cycle: UInt64
    public let cpu: Int
    /// The pid of the task running on that CPU, or -1 when idle or outside any task.
    public let pid: Int32
    public let event: any LedgerEvent

    public var description: String { "#\(sequence) cpu\(cpu) pid\(pid) @\(cycle): \(event)" }
}
