import Machine

/// An exception an instruction raised, carried out of the executor to the core's trap path.
enum X86Fault: Error {
    case memory(MemoryFault)
    /// #DE: division by zero or quotient overflow.
    case divide
    /// #UD: `ud2` or an instruction this executor does not implement (with its text).
    case undefined(String)
    /// `popf` wrote RFLAGS: the core must re-check TF before the next instruction.
    case flagsWritten
}
