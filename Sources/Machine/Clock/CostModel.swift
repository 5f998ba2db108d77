/// How simulated time advances: a documented cost per event, in cycles, and the clock rate that turns cycles
/// into the nanoseconds trace timestamps show. No wall clock is ever read inside the simulation.
///
/// The defaults are round figures, not measurements: one cycle per instruction, and exception entry/exit in
/// the low hundreds of cycles, the order of magnitude the kernel's kprobes documentation reports for a hit.
public struct CostModel: Sendable, Hashable {
    /// Cycles per executed instruction.
    public var instruction: UInt64 = 1
    /// Cycles to take an exception and return from it (int3, BRK, #DB, page fault).
    public var trap: UInt64 = 200
    /// Cycles for a host-implemented function call.
    public var hostCall: UInt64 = 50
    /// Cycles for a context switch.
    public var contextSwitch: UInt64 = 1000
    /// Clock rate: cycles per microsecond (1000 = 1 GHz).
    public var cyclesPerMicrosecond: UInt64 = 1000

    public init() {}

    /// Simulated nanoseconds for a cycle count.
    public func nanoseconds(_ cycles: UInt64) -> UInt64 { cycles * 1000 / cyclesPerMicrosecond }
}
