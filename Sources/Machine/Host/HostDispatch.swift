/// The machine's answer when a core's instruction fetch faulted at `address` (see `Machine.hostCall(at:on:)`).
public enum HostDispatch: Sendable {
    /// No host function lives there: the core raises the page fault as usual.
    case notHost
    /// The host function ran and returned to its caller: keep executing.
    case resume
    /// Stop this run with the given reason (the call returned to the host, the task blocked, or failure).
    case stop(RunStop)
}
