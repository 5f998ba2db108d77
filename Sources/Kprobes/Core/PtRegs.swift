import Machine

/// A handler's view of `struct pt_regs`: the CPU's register file, which is laid out in the kernel's `pt_regs`
/// order, so reading and writing here is reading and writing the trapped CPU's registers. Like `KprobeContext`,
/// valid while the handler that received it runs (`unowned(unsafe)`: no reference counting to build one).
/// The register file's memory and the ip/sp slots are captured once, so `ip` and `sp` are plain loads and stores.
public struct PtRegs {
    public unowned(unsafe) let cpu: CPU
    public unowned(unsafe) let machine: Machine
    private let words: UnsafeMutablePointer<UInt64>
    private let pcSlot: Int
    private let spSlot: Int

    public init(cpu: CPU, machine: Machine) {
        self.cpu = cpu
        self.machine = machine
        words = cpu.registers.words
        pcSlot = machine.pcIndex
        spSlot = machine.spIndex
    }

    /// `instruction_pointer(regs)`: x86 `ip`, arm64 `pc`.
    public var ip: UInt64 {
        get { words[pcSlot] }
        nonmutating set { words[pcSlot] = newValue }
    }

    /// `kernel_stack_pointer(regs)`: x86 `sp`, arm64 `sp`.
    public var sp: UInt64 {
        get { words[spSlot] }
        nonmutating set { words[spSlot] = newValue }
    }

    /// `regs_get_kernel_argument(regs, n)` (0-based), as seen at function entry.
    public func argument(_ n: Int) -> UInt64 {
        guaranteed { machine, cpu in machine.argument(n, on: cpu) }
    }

    /// `regs_return_value(regs)`: x86 `ax`, arm64 `x0`.
    public var returnValue: UInt64 { guaranteed { machine, cpu in machine.returnValue(on: cpu) } }

    /// Calls `body` with the machine and CPU as guaranteed references: passing the `unowned(unsafe)` fields to
    /// a call would retain and release both around it, the most expensive part of reading an argument.
    @inline(__always)
    private func guaranteed<R>(_ body: (Machine, CPU) -> R) -> R {
        Unmanaged.passUnretained(machine)._withUnsafeGuaranteedRef { m in
            Unmanaged.passUnretained(cpu)._withUnsafeGuaranteedRef { c in body(m, c) }
        }
    }

    /// Raw `pt_regs` word `index` (the architecture targets name the slots). Through the register file's
    /// subscript, so `regs->flags` has current status bits and a write of it is not undone by deferred ones.
    public subscript(index: Int) -> UInt64 {
        get { cpu.registers[index] }
        nonmutating set { cpu.registers[index] = newValue }
    }
}
