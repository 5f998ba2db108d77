import Machine

/// What a handler receives: the probe, the CPU it fired on and that CPU's registers as `pt_regs`, and a way to
/// call simulated functions (as a real handler can call any kernel function).
///
/// Valid while the handler runs, like the kernel's `struct kprobe *` and `struct pt_regs *`: the references are
/// `unowned(unsafe)` so building a context for every handler call costs no reference counting.
public struct KprobeContext {
    public unowned(unsafe) let kprobe: Kprobe
    public unowned(unsafe) let cpu: CPU
    public unowned(unsafe) let machine: Machine

    /// The trapped CPU's `pt_regs`. Writes change where and how the CPU resumes.
    public var regs: PtRegs { PtRegs(cpu: cpu, machine: machine) }

    /// Calls a simulated function on this CPU (below the current stack pointer), as a handler calling a kernel
    /// function would. A kprobe hit inside it is handled like any nested hit: counted in `nmissed`.
    public func call(_ function: UInt64, arguments: [UInt64] = []) throws(SimulationError) -> UInt64 {
        try machine.callNested(function, arguments: arguments, on: cpu)
    }

    /// Calls a simulated function by name.
    public func call(_ name: String, arguments: [UInt64] = []) throws(SimulationError) -> UInt64 {
        guard let symbol = machine.symbols.lookup(name: name) else {
            throw .invalidRequest("unknown symbol '\(name)'")
        }
        return try call(symbol.address, arguments: arguments)
    }

    /// Simulated time on this CPU, in nanoseconds (what `ktime_get()` would return).
    public var nanoseconds: UInt64 { machine.costModel.nanoseconds(cpu.cycles) }
}
