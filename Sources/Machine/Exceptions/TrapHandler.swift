/// What a trap handler did with a trap.
public enum TrapResult: Sendable {
    /// Consumed: the CPU resumes at whatever the registers now say.
    case handled
    /// Not this handler's trap: the next handler is asked; if none takes it, the run stops with it.
    case notHandled
    /// The kernel cannot go on (`BUG()`): the run ends with this error. `indirect` keeps the result one word
    /// (the error is boxed only when there is one), where the error inline made every layer of the trap path
    /// copy a large result through memory.
    indirect case fatal(SimulationError)
}

/// Something that takes traps, registered in the machine's dispatch table the way kprobes registers its int3 and
/// BRK hooks and its die notifier (`kprobe_exceptions_nb`, priority `0x7fffffff`).
///
/// A class with one overridable method, not a protocol: the table calls a handler with a single virtual call,
/// as the kernel calls a `notifier_block`'s function pointer, where a protocol's handler of a type known only
/// at registration took a generic caller and two witness thunks per trap.
open class TrapHandler {
    public init() {}

    /// What this handler does with `trap`; the default takes none.
    open func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult { .notHandled }
}
