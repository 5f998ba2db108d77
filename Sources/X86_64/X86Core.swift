import Machine

/// The x86_64 `InstructionCore`: fetch through the decode cache, execute, and deliver exceptions to the
/// machine's trap dispatch with the register file holding the state the kernel's handlers would see.
///
/// Design (why it is fast enough, ~280 M simulated instructions/s on one core for a counted ALU/load loop in
/// release on an idle machine of this project's type):
/// - `X86DecodeCache`: direct-mapped by the low 14 address bits with the full address as tag; each entry is a
///   40-byte `X86Op` with pt_regs slots resolved at decode time. Text pokes drop every entry overlapping the change.
/// - Lazy flags (`X86LazyFlags`): ALU ops record kind/size/operands/result; RFLAGS is materialised only where read
///   (jcc/setcc/cmov/adc/pushf), and je/jne and compares against the recorded operands skip it entirely. At sync
///   points the record goes to the register file's scratch words, still unmaterialised: a handler, tracefs or a
///   context switch that reads `regs->flags` computes it there (`RegisterFile.deferFlags`), a trap that does not
///   costs a few stores.
/// - Fast kinds (`X86OpBuilder.specialize`): 32/64-bit register ALU, moves, loads/stores, lea, immediate shifts,
///   jcc/jmp/call/ret, push/pop and movzx run straight from the cache entry; everything else goes through
///   `executeGeneral` on a copy of the op.
/// - IP, the executed count and the recent-address ring index live in locals; the register file, the flags
///   record and the CPU's counters are brought up to date only at sync points (traps, host calls, the end of a run).
/// - Trap flag: whether TF was set when the instruction started is a local re-read only after trap dispatch, host
///   calls and `popf`, so the only per-instruction cost is one well-predicted branch. #DB is raised with IP at the
///   next instruction and `Trap.address` naming the instruction that was stepped.
public final class X86Core: InstructionCore {
    public let architecture = Architecture.x86_64
    public let ptRegsWords = X86PtRegs.count
    public let pcIndex = X86PtRegs.ip
    public let spIndex = X86PtRegs.sp
    /// The machine owns its core. `unowned`, not `weak`: a weak reference gives the machine a side table, which
    /// makes every retain and release of it (several per trap) take the slow atomic path.
    private unowned var machine: Machine?
    private let cache = X86DecodeCache()

    public init() {}

    public func attach(to machine: Machine) {
        self.machine = machine
        machine.memory.addTextPokeObserver(cache)
    }

    public func resetRegisters(_ registers: RegisterFile) {
        for i in 0..<X86PtRegs.count { registers[i] = 0 }
        registers[X86PtRegs.cs] = X86PtRegs.kernelCS
        registers[X86PtRegs.ss] = X86PtRegs.kernelSS
        registers[X86PtRegs.flags] = X86PtRegs.resetFlags
    }


    public func run(_ cpu: CPU, limit: UInt64) -> RunStop {
        guard let machine else { return .failed(.invalidRequest("x86_64 core used before being attached to a machine")) }
        // Whatever register file this core runs on can compute the status flags the run leaves deferred in it.
        cpu.registers.deferFlags(slot: X86PtRegs.flags, pending: X86PtRegs.lazyFlags, materialize: X86LazyFlags.materializeRegisterFile)
        var ex = X86Executor(registers: cpu.registers.words, memory: machine.memory, gsBase: cpu.perCPUBase)
        let tags = cache.tags, ops = cache.ops
        let recentPCs = cpu.recentPCs
        var state = RunState(ip: ex.regs[X86PtRegs.ip], recent: cpu.recentIndex)
        // TF at the start of an instruction means #DB after it; re-read only where RFLAGS can change wholesale.
        var stepping = ex.regs[X86PtRegs.flags] & X86Flags.tf != 0
        var executed: UInt64 = 0

        while executed < limit {
            let ip = state.ip
            let slot = Int(truncatingIfNeeded: ip) & X86DecodeCache.mask
            if tags[slot] != ip {
                if !cache.holdsBreakpoint(at: ip, slot: slot) {
                    switch fill(ip, slot: slot, memory: machine.memory) {
                    case .success: break
                    case .failure(.fetch(let fault)):
                        state.flush(ex, cpu, executed: executed)
                        switch machine.hostCall(at: ip, on: cpu) {
                        case .resume:
                            state.reload(&ex, cpu)
                            stepping = ex.regs[X86PtRegs.flags] & X86Flags.tf != 0
                            continue
                        case .stop(let stop): return stop
                        case .notHost:
                            let trap = Trap(kind: .pageFault, address: ip, fault: fault)
                            if case .stop(let stop) = deliver(trap, &ex, &state, &stepping, cpu, machine, executed) { return stop }
                            continue
                        }
                    case .failure(.decode(let error)):
                        let trap = Trap(kind: .undefinedInstruction, address: ip, instruction: error.description)
                        if case .stop(let stop) = deliver(trap, &ex, &state, &stepping, cpu, machine, executed) { return stop }
                        continue
                    }
                }
                // int3 (a kprobe's breakpoint) never reaches the executor: #BP with IP after it, as hardware does.
                if ops[slot].kind == .int3 {
                    state.note(ip, in: recentPCs)
                    executed &+= 1
                    state.ip = ip &+ UInt64(ops[slot].length)
                    if case .stop(let stop) = deliver(Trap(kind: .breakpoint, address: ip), &ex, &state, &stepping, cpu, machine, executed) { return stop }
                    continue
                }
            }
            state.note(ip, in: recentPCs)
            executed &+= 1
            do {
                state.ip = try ex.execute(ops + slot, at: ip)
            } catch {
                let trap: Trap
                switch error {
                case .flagsWritten:
                    state.ip = ip &+ UInt64(ops[slot].length)
                    if stepping, case .stop(let stop) = deliver(Trap(kind: .debug, address: ip), &ex, &state, &stepping, cpu, machine, executed) { return stop }
                    stepping = ex.regs[X86PtRegs.flags] & X86Flags.tf != 0
                    continue
                case .memory(let fault): trap = Trap(kind: .pageFault, address: ip, fault: fault)
                case .divide: trap = Trap(kind: .divideError, address: ip)
                case .undefined(let reason):
                    trap = Trap(kind: .undefinedInstruction, address: ip, instruction: describe(ip, memory: machine.memory, reason))
                }
                if case .stop(let stop) = deliver(trap, &ex, &state, &stepping, cpu, machine, executed) { return stop }
                continue
            }
            if stepping, case .stop(let stop) = deliver(Trap(kind: .debug, address: ip), &ex, &state, &stepping, cpu, machine, executed) { return stop }
        }
        state.flush(ex, cpu, executed: executed)
        return .limitReached
    }

    /// The loop's locals that the register file and CPU only see at sync points.
    private struct RunState {
        var ip: UInt64
        /// `cpu.recentIndex`, advanced locally.
        var recent: Int
        /// Instructions already reported with `cpu.retire`.
        var retired: UInt64 = 0

        /// cpu.noteExecuted, with the ring index kept in a local until the next sync point.
        @inline(__always)
        mutating func note(_ ip: UInt64, in recentPCs: UnsafeMutablePointer<UInt64>) {
            recentPCs[recent & (CPU.recentCapacity - 1)] = ip
            recent &+= 1
        }

        /// Makes the CPU and register file current: IP, the lazy flags record, recent-address ring, retired count.
        mutating func flush(_ ex: X86Executor, _ cpu: CPU, executed: UInt64) {
            ex.sync(ip: ip)
            cpu.recentIndex = recent
            cpu.retire(executed &- retired)
            retired = executed
        }

        /// Picks up what a handler or host function left in the register file.
        mutating func reload(_ ex: inout X86Executor, _ cpu: CPU) {
            ip = ex.regs[X86PtRegs.ip]
            ex.reloadFlags()
            recent = cpu.recentIndex
        }
    }

    /// What the loop does after an exception was offered to the machine.
    private enum Resolution {
        case resume
        case stop(RunStop)
    }

    /// Offers `trap` to the machine with the architectural state written back; on return, reloads it (a handler
    /// may have changed IP or RFLAGS, TF included). Kept out of `run` so the loop's state stays in registers.
    private func deliver(_ trap: Trap, _ ex: inout X86Executor, _ state: inout RunState, _ stepping: inout Bool,
                         _ cpu: CPU, _ machine: Machine, _ executed: UInt64) -> Resolution {
        state.flush(ex, cpu, executed: executed)
        switch machine.raise(trap, on: cpu) {
        case .handled, .notHandled:
            state.reload(&ex, cpu)
            stepping = ex.regs[X86PtRegs.flags] & X86Flags.tf != 0
            return .resume
        case .fatal(let error): return .stop(.failed(error))
        }
    }

    private enum FillError: Error {
        case fetch(MemoryFault)
        case decode(X86DecodeError)
    }

    /// Fetches up to 15 bytes (fewer where executable memory ends), decodes and caches the instruction at `ip`.
    /// A fetch fault reports the first byte that could not be fetched (`ip` itself, or a later page).
    private func fill(_ ip: UInt64, slot: Int, memory: Memory) -> Result<Void, FillError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: X86Decoder.maximumLength) { buffer in
            let count: Int
            do throws(MemoryFault) {
                count = try memory.fetch(ip, into: buffer.baseAddress!, count: X86Decoder.maximumLength)
            } catch {
                return .failure(.fetch(error))
            }
            switch X86Decoder.decode(UnsafeBufferPointer(start: buffer.baseAddress, count: count)) {
            case .success(let insn):
                cache.store(X86OpBuilder.build(insn, at: ip), at: ip, slot: slot)
                return .success(())
            case .failure(let error) where error.reason == .truncated && count < X86Decoder.maximumLength:
                // The instruction runs into a page that cannot be fetched: a #PF on that page, as on hardware.
                let next = ip &+ UInt64(count)
                return .failure(.fetch(MemoryFault(address: next, access: .execute, pagePresent: memory.isMapped(next))))
            case .failure(let error):
                return .failure(.decode(error))
            }
        }
    }

    /// The text an undefined-instruction trap carries: objdump-style disassembly and the bytes.
    private func describe(_ ip: UInt64, memory: Memory, _ reason: String) -> String {
        var bytes = [UInt8]()
        for i in 0..<UInt64(X86Decoder.maximumLength) {
            guard let b = try? memory.kernelRead(ip &+ i, count: 1) else { break }
            bytes += b
        }
        guard case .success(let insn) = X86Decoder.decode(bytes) else { return reason }
        let hex = bytes.prefix(insn.length).map { X86Disassembler.hex2($0) }.joined(separator: " ")
        return "\(X86Disassembler.text(insn, address: ip)) [\(hex)]: \(reason)"
    }

    // MARK: ABI

    /// The CPU clears TF when it delivers #DB or #BP (Intel SDM 6.12.1.2); RF is not modelled.
    public func clearSingleStep(_ registers: RegisterFile) {
        registers[X86PtRegs.flags] &= ~X86Flags.tf
    }

    /// SysV: six register arguments, the rest pushed right to left, then the return address; at entry
    /// `%rsp + 8` is 16-byte aligned.
    public func setUpCall(_ cpu: CPU, function: UInt64, arguments: [UInt64], returnAddress: UInt64) throws(MemoryFault) {
        guard let machine else { return }
        let regs = cpu.registers
        for (i, value) in arguments.prefix(X86PtRegs.argumentSlots.count).enumerated() {
            regs[X86PtRegs.argumentSlots[i]] = value
        }
        let stacked = Array(arguments.dropFirst(X86PtRegs.argumentSlots.count))
        var sp = regs[X86PtRegs.sp] & ~15
        if stacked.count % 2 == 1 { sp &-= 8 }
        for value in stacked.reversed() {
            sp &-= 8
            try machine.memory.kernelWrite(sp, size: 8, value: value)
        }
        sp &-= 8
        try machine.memory.kernelWrite(sp, size: 8, value: returnAddress)
        regs[X86PtRegs.sp] = sp
        regs[X86PtRegs.ip] = function
    }

    public func returnValue(_ cpu: CPU) -> UInt64 { X86PtRegs.returnValue(cpu.registers) }

    /// As the function's `ret`: `%rax` = value, pop the return address.
    public func completeHostCall(_ cpu: CPU, value: UInt64) throws(MemoryFault) {
        guard let machine else { return }
        let regs = cpu.registers
        regs[X86PtRegs.ax] = value
        regs[X86PtRegs.ip] = try machine.memory.kernelRead(regs[X86PtRegs.sp], size: 8)
        regs[X86PtRegs.sp] &+= 8
    }

    public func argument(_ cpu: CPU, _ n: Int) -> UInt64 {
        guard let machine else { return 0 }
        return X86PtRegs.kernelArgument(cpu.registers, n, memory: machine.memory) ?? 0
    }

    /// IF is never deferred (only the status flags are), so the raw word answers without materialising RFLAGS.
    public func interruptsEnabled(_ cpu: CPU) -> Bool { cpu.registers.words[X86PtRegs.flags] & X86Flags.if != 0 }
}
