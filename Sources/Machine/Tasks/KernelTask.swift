/// A simulated kernel task (`task_struct`): pid, `comm`, its own kernel stack, and its saved context while it is
/// not on a CPU.
public final class KernelTask {
    public enum State: Equatable, Sendable {
        case runnable
        case running(cpu: Int)
        case blocked
        case sleeping(untilCycle: UInt64)
        case exited(returnValue: UInt64)
    }

    public let pid: Int32
    /// The kernel's `comm`: at most 15 characters (TASK_COMM_LEN 16 with the NUL).
    public var comm: String
    /// Lowest mapped stack address; the page below it is an unmapped guard page.
    public let stackBottom: UInt64
    /// One past the highest stack address (the initial stack pointer).
    public let stackTop: UInt64
    /// The CPU this task may run on, or nil for any.
    public var affinity: Int?
    public internal(set) var state: State = .runnable
    /// Saved register file while not running.
    var context: [UInt64]
    /// Per-task word of the probe layer (the kernel's `current->kretprobe_instances`), opaque to the machine and
    /// not owned by it: the layer that stores a pointer here keeps what it points to alive. A raw word, not an
    /// object reference, so reading and writing it on every kretprobe hit costs no reference counting.
    public var probeState: UnsafeMutableRawPointer? {
        @inlinable @inline(__always) get { layerState }
        @inlinable @inline(__always) set { layerState = newValue }
    }
    @exclusivity(unchecked) @usableFromInline var layerState: UnsafeMutableRawPointer?

    init(pid: Int32, comm: String, stackBottom: UInt64, stackTop: UInt64, context: [UInt64]) {
        self.pid = pid
        self.comm = String(comm.prefix(15))
        self.stackBottom = stackBottom
        self.stackTop = stackTop
        self.context = context
    }

    public var returnValue: UInt64? {
        if case .exited(let value) = state { return value }
        return nil
    }

    public var hasExited: Bool { returnValue != nil }

    /// The registers as the task left them: its final state once exited, its saved context while off a CPU.
    public var savedRegisters: [UInt64] { context }
}
