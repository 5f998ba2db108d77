/// Why `InstructionCore.run` returned.
public enum RunStop: Sendable {
    /// The instruction limit of this slice was used up; the CPU is between instructions.
    case limitReached
    /// The CPU reached the host-return address: the current call (top-level or nested) has returned.
    case returnedToHost
    /// A host function blocked the running task; its call has already returned (the task resumes after it).
    case blocked
    /// A host function ended the running task (`do_exit`): its state is already `.exited`.
    case exited
    /// The run cannot go on.
    case failed(SimulationError)
}
