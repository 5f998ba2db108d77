import Machine

/// The arm64 `InstructionCore`: runs A64 code over a register file laid out as the 6.1 `struct pt_regs`.
///
/// Hardware single-step (the legacy kprobes profile) is requested the way the kernel does it: `MDSCR_EL1.SS`
/// (`ARM64PtRegs.mdscr`) and `PSTATE.SS` both set. It is checked only when `run` starts and after a trap or
/// host call returns, so the normal loop pays nothing: a stepping run executes one instruction, clears
/// `PSTATE.SS` and raises `Trap.debug` with the register file at the next instruction (as `ELR_EL1` holds).
public final class ARM64Core: InstructionCore {
    public let architecture = Architecture.arm64
    public let ptRegsWords = ARM64PtRegs.count
    public let pcIndex = ARM64PtRegs.pc
    public let spIndex = ARM64PtRegs.sp
    let cache = ARM64DecodeCache()
    /// The machine owns its core. `unowned`, not `weak`: a weak reference gives the machine a side table, which
    /// makes every retain and release of it (several per trap) take the slow atomic path.
    private unowned var machine: Machine?

    public init() {}

    public func attach(to machine: Machine) {
        self.machine = machine
        machine.memory.addTextPokeObserver(cache)
    }

    /// EL1h with DAIF clear; every register zero.
    public func resetRegisters(_ registers: RegisterFile) {
        registers.words.update(repeating: 0, count: RegisterFile.capacity)
        registers[ARM64PtRegs.pstate] = ARM64PtRegs.modeEL1h
    }

    static func stepRequested(_ x: UnsafeMutablePointer<UInt64>) -> Bool {
        x[ARM64PtRegs.mdscr] & ARM64PtRegs.mdscrSS != 0 && x[ARM64PtRegs.pstate] & ARM64PtRegs.psrSS != 0
    }

    public func run(_ cpu: CPU, limit: UInt64) -> RunStop {
        guard let machine else { return .failed(.invalidRequest("arm64 core used before being attached to a machine")) }
        let executor = ARM64Executor(cpu: cpu, memory: machine.memory)
        let x = executor.x
        var executed: UInt64 = 0
        var retired: UInt64 = 0
        while executed < limit {
            let stepping = ARM64Core.stepRequested(x)
            let steppedAt = x[ARM64PtRegs.pc]
            let stopAt = stepping ? executed + 1 : limit
            let stop = executor.run(cpu, cache: cache, until: stopAt, executed: &executed)
            cpu.retire(executed - retired)
            retired = executed
            let trap: Trap
            switch stop {
            case nil:
                guard stepping else { return .limitReached }
                x[ARM64PtRegs.pstate] &= ~ARM64PtRegs.psrSS
                // Trap.address is the instruction that trapped: the one just stepped (ELR_EL1 holds the next).
                trap = Trap(kind: .debug, address: steppedAt)
            case .fetchFault(let address, let fault)?:
                switch machine.hostCall(at: address, on: cpu) {
                case .resume:
                    continue
                case .stop(let reason):
                    return reason
                case .notHost:
                    trap = Trap(kind: .pageFault, address: address, fault: fault)
                }
            case .exception(let exception, let address, let word)?:
                trap = ARM64Core.trap(for: exception, at: address, word: word)
            }
            switch machine.raise(trap, on: cpu) {
            case .handled: continue
            case .fatal(let error): return .failed(error)
            case .notHandled: return .failed(.unhandledTrap(trap, cpu: cpu.id))
            }
        }
        return .limitReached
    }

    static func trap(for exception: ARM64Exception, at address: UInt64, word: UInt32) -> Trap {
        switch exception {
        case .breakpoint(let immediate):
            return Trap(kind: .breakpoint, address: address, detail: UInt32(immediate))
        case .pageFault(let fault):
            return Trap(kind: .pageFault, address: address, fault: fault)
        case .undefined:
            guard address & 3 == 0 else {
                return Trap(kind: .undefinedInstruction, address: address, instruction: "misaligned pc")
            }
            return Trap(kind: .undefinedInstruction, address: address, instruction: ARM64Disassembler.describe(word))
        }
    }

    /// Taking an exception clears PSTATE.SS (Arm ARM D2.12, the software step state machine); MDSCR_EL1 stays.
    public func clearSingleStep(_ registers: RegisterFile) {
        registers[ARM64PtRegs.pstate] &= ~ARM64PtRegs.psrSS
    }

    /// AAPCS64: x0..x7, then 8-byte stack slots from the (16-byte aligned) stack pointer; `x30` = return address.
    public func setUpCall(_ cpu: CPU, function: UInt64, arguments: [UInt64], returnAddress: UInt64) throws(MemoryFault) {
        let x = cpu.registers.words
        let stacked = arguments.count > 8 ? Array(arguments[8...]) : []
        let sp = (x[ARM64PtRegs.sp] &- UInt64(stacked.count * 8)) & ~15
        for (n, value) in stacked.enumerated() {
            try machine?.memory.kernelWrite(sp &+ UInt64(n * 8), size: 8, value: value)
        }
        for (n, value) in arguments.prefix(8).enumerated() { x[n] = value }
        x[ARM64PtRegs.sp] = sp
        x[ARM64PtRegs.lr] = returnAddress
        x[ARM64PtRegs.pc] = function
        // kernel: arch/arm64/include/asm/current.h get_current (SP_EL0); with STACKPROTECTOR_PER_TASK, code
        // built like the kernel loads its canary through it.
        // (A call is set up on a staging CPU before it is placed: the area is found from the CPU's id.)
        if x[ARM64PtRegs.spEL0] == 0 {
            x[ARM64PtRegs.spEL0] = Machine.perCPUBase + UInt64(cpu.id) * Machine.perCPUSize + Machine.currentTaskOffset
        }
    }

    public func returnValue(_ cpu: CPU) -> UInt64 { ARM64PtRegs.returnValue(cpu.registers.words) }

    public func completeHostCall(_ cpu: CPU, value: UInt64) throws(MemoryFault) {
        cpu.registers[ARM64PtRegs.x0] = value
        cpu.registers[ARM64PtRegs.pc] = cpu.registers[ARM64PtRegs.lr]
    }

    public func argument(_ cpu: CPU, _ n: Int) -> UInt64 { ARM64PtRegs.kernelArgument(cpu.registers.words, n) }

    public func interruptsEnabled(_ cpu: CPU) -> Bool {
        cpu.registers[ARM64PtRegs.pstate] & ARM64PtRegs.psrI == 0
    }
}
