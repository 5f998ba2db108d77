/// What a host-implemented function does when simulated code calls it.
public enum HostCallOutcome: Sendable {
    /// Return this value to the caller.
    case returnValue(UInt64)
    /// Return this value, and block the calling task until something wakes it (`Machine.wake`).
    case block(returning: UInt64)
    /// Return this value, and put the calling task to sleep for this many simulated cycles.
    case sleep(cycles: UInt64, returning: UInt64)
    /// Never return: the calling task exits here with this code (`do_exit`), leaving its frames unreturned.
    case exit(code: UInt64)
    /// Stop the run with this error: a kernel service the simulator does not provide was called.
    case fail(SimulationError)
}

/// A function implemented in Swift and reachable from simulated code at a fixed address, so objects can call
/// kernel services the simulator provides (`printk`, a blocking wait) and scenarios can block tasks.
/// The address is in a page that is mapped but not executable: fetching there faults, and the machine runs
/// the Swift body instead, then returns to the caller as the function's `ret` would.
public struct HostFunction {
    public let name: String
    public let address: UInt64
    public let body: (Machine, CPU) -> HostCallOutcome
}
