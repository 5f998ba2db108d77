import Machine

/// Why an instruction did not complete, thrown out of the executor's per-instruction functions (typed throws
/// cost a register test, not an allocation) and turned into a `Trap` by the loop.
enum ARM64Exception: Error {
    /// `BRK #imm16`.
    case breakpoint(UInt16)
    /// An instruction this core does not execute, or an unallocated encoding.
    case undefined
    /// A data access refused by memory.
    case pageFault(MemoryFault)
}
