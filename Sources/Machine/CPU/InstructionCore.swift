/// An instruction set's execution engine, plugged into the machine. `X86_64` and `ARM64` each provide one.
///
/// The contract: `run` fetches, decodes (through a cache the core keeps, invalidated by `TextPokeObserver`) and
/// executes instructions on `cpu`, whose register file is laid out as the arch's `pt_regs`. On every
/// exception it writes the architectural state to the register file and calls `machine.raise(_:on:)`: if that
/// returns `.handled`, it resumes at the program counter now in the register file; otherwise it returns
/// `.failed`. A fetch fault goes first to `machine.hostCall(at:on:)`, which runs a host function living there, if any.
/// Each executed instruction calls `cpu.noteExecuted` and counts towards `limit` (instructions run by nested
/// calls from trap handlers do not count towards the outer run's limit). Executed instructions are reported
/// with `cpu.retire(_:)` before every `raise`/`hostCall` and before returning.
public protocol InstructionCore: AnyObject {
    var architecture: Architecture { get }
    /// Words in the arch's `struct pt_regs` (x86_64: 21; arm64: see `ARM64PtRegs`).
    var ptRegsWords: Int { get }
    /// Register-file slots of the program counter and the stack pointer.
    var pcIndex: Int { get }
    var spIndex: Int { get }

    /// Called once by the machine's initialiser: register decode caches as text-poke observers, set up state.
    func attach(to machine: Machine)
    /// The register state a fresh CPU or task starts with (segment selectors, flags with interrupts enabled...).
    func resetRegisters(_ registers: RegisterFile)
    /// Runs at most `limit` instructions.
    func run(_ cpu: CPU, limit: UInt64) -> RunStop
    /// Sets up a call of `function` per the C ABI: arguments in registers and then on the stack (whose top is
    /// the current stack pointer), return address `returnAddress`.
    func setUpCall(_ cpu: CPU, function: UInt64, arguments: [UInt64], returnAddress: UInt64) throws(MemoryFault)
    /// Turns off single-stepping for code a trap handler runs (`Machine.callNested`): taking an exception clears
    /// x86 RFLAGS.TF and arm64 PSTATE.SS, so a handler's own code is never stepped by the step that trapped.
    func clearSingleStep(_ registers: RegisterFile)
    /// The ABI return-value register.
    func returnValue(_ cpu: CPU) -> UInt64
    /// Finishes a host-implemented call as the function's `ret` would: return value set, back to the caller.
    func completeHostCall(_ cpu: CPU, value: UInt64) throws(MemoryFault)
    /// The ABI argument `n` (0-based) as seen at function entry (`regs_get_kernel_argument`).
    func argument(_ cpu: CPU, _ n: Int) -> UInt64
    /// Whether the CPU would take an interrupt now (x86 IF, arm64 DAIF.I clear). The scheduler only preempts
    /// when this is true.
    func interruptsEnabled(_ cpu: CPU) -> Bool
}
