import Machine

/// A handler's view of `struct pt_regs`: the CPU's register file, which is laid out in the kernel's `pt_regs`
/// order, so reading and writing here is reading and writing the trapped CPU's registers. Like `KprobeContext`,
/// valid while the handler that received it runs (`unowned(unsafe)`: no reference counting per access).
public struct PtRegs {
    public unowned(unsafe) let cpu: CPU
    public unowned(unsafe) let machine: Machine

    /// `instruction_pointer(regs)`: x86 `ip`, arm64 `pc`.
    public var ip: UInt64 {
        get { cpu.registers[machine.core.pcIndex] }
        nonmutating set { cpu.registers[machine.core.pcIndex] = newValue }
    }

    /// `kernel_stack_pointer(regs)`: x86 `sp`, arm64 `sp`.
    public var sp: UInt64 {
        get { cpu.registers[machine.core.spIndex] }
        nonmutating set { cpu.registers[machine.core.spIndex] = newValue }
    }

    /// `regs_get_kernel_argument(regs, n)` (0-based), as seen at function entry.
    public func argument(_ n: Int) -> UInt64 { machine.core.argument(cpu, n) }

    /// `regs_return_value(regs)`: x86 `ax`, arm64 `x0`.
    public var returnValue: UInt64 { machine.core.returnValue(cpu) }

    /// Raw `pt_regs` word `index` (the architecture targets name the slots).
    public subscript(index: Int) -> UInt64 {
        get { cpu.registers[index] }
        nonmutating set { cpu.registers[index] = newValue }
    }
}
