import Machine

/// Executes pre-decoded instructions against a CPU's register file and the machine's memory. A value type the
/// core keeps in a local for the length of a run, so its state (IP, lazy flags) lives in host registers.
struct X86Executor {
    let regs: UnsafeMutablePointer<UInt64>
    let memory: Memory
    /// `%gs` base: the CPU's per-CPU area (the kernel's `gs_base`).
    let gsBase: UInt64
    var flags: X86LazyFlags

    init(registers: UnsafeMutablePointer<UInt64>, memory: Memory, gsBase: UInt64) {
        self.regs = registers
        self.memory = memory
        self.gsBase = gsBase
        self.flags = X86LazyFlags(from: registers)
    }

    /// Writes IP and the lazy flags record back to the register file (before traps, host calls and returns),
    /// where RFLAGS' status bits stay deferred until someone reads them. The run loop keeps IP in a local
    /// between these points.
    @inline(__always)
    func sync(ip: UInt64) {
        regs[X86PtRegs.ip] = ip
        flags.store(to: regs)
    }

    /// Takes up the record after a trap or host call: a handler may have read RFLAGS (materialising it) or
    /// written it (dropping the record).
    @inline(__always)
    mutating func reloadFlags() {
        flags = X86LazyFlags(from: regs)
    }

    /// Current RFLAGS with the status flags materialised.
    @inline(__always)
    mutating func rflags() -> UInt64 {
        let value = flags.materialize(regs[X86PtRegs.flags])
        regs[X86PtRegs.flags] = value
        flags = X86LazyFlags()
        return value
    }

    // MARK: Operands

    @inline(__always)
    static func mask(_ size: UInt8) -> UInt64 { size == 8 ? ~0 : (1 << (UInt64(size) * 8)) &- 1 }

    @inline(__always)
    func readRegister(_ slot: UInt8, high: Bool, size: UInt8) -> UInt64 {
        let v = regs[Int(slot)]
        switch size {
        case 1: return high ? (v >> 8) & 0xff : v & 0xff
        case 2: return v & 0xffff
        case 4: return v & 0xffff_ffff
        default: return v
        }
    }

    /// Register writes follow the architecture: 32-bit writes zero-extend, 8/16-bit writes merge.
    @inline(__always)
    func writeRegister(_ slot: UInt8, high: Bool, size: UInt8, _ value: UInt64) {
        let p = regs + Int(slot)
        switch size {
        case 1:
            if high { p.pointee = (p.pointee & ~0xff00) | ((value & 0xff) << 8) } else { p.pointee = (p.pointee & ~0xff) | (value & 0xff) }
        case 2: p.pointee = (p.pointee & ~0xffff) | (value & 0xffff)
        case 4: p.pointee = value & 0xffff_ffff
        default: p.pointee = value
        }
    }

    /// The memory operand's address, read straight from the cache entry (the fast kinds' path).
    @inline(__always)
    func effectiveAddress(_ op: UnsafePointer<X86Op>) -> UInt64 {
        var address = op.pointee.disp
        if op.pointee.base != X86Op.noRegister { address &+= regs[Int(op.pointee.base)] }
        if op.pointee.index != X86Op.noRegister { address &+= regs[Int(op.pointee.index)] << UInt64(op.pointee.scale) }
        if op.pointee.addressSize32 { address &= 0xffff_ffff }
        if op.pointee.gsSegment { address &+= gsBase }
        return address
    }

    @inline(__always)
    func effectiveAddress(_ op: X86Op) -> UInt64 {
        var address = op.disp
        if op.base != X86Op.noRegister { address &+= regs[Int(op.base)] }
        if op.index != X86Op.noRegister { address &+= regs[Int(op.index)] << UInt64(op.scale) }
        if op.addressSize32 { address &= 0xffff_ffff }
        if op.gsSegment { address &+= gsBase }
        return address
    }

    @inline(__always)
    func load(_ address: UInt64, _ size: UInt8) throws(X86Fault) -> UInt64 {
        do { return try memory.read(address, size: Int(size)) } catch { throw .memory(error) }
    }

    @inline(__always)
    func store(_ address: UInt64, _ size: UInt8, _ value: UInt64) throws(X86Fault) {
        do { try memory.write(address, size: Int(size), value: value) } catch { throw .memory(error) }
    }

    /// The r/m operand at `size`.
    @inline(__always)
    func readRM(_ op: X86Op, size: UInt8) throws(X86Fault) -> UInt64 {
        if op.rmIsMemory { return try load(effectiveAddress(op), size) }
        return readRegister(op.rm, high: op.rmHigh, size: size)
    }

    @inline(__always)
    func writeRM(_ op: X86Op, size: UInt8, _ value: UInt64) throws(X86Fault) {
        if op.rmIsMemory { try store(effectiveAddress(op), size, value) } else { writeRegister(op.rm, high: op.rmHigh, size: size, value) }
    }

    @inline(__always)
    func readReg(_ op: X86Op, size: UInt8) -> UInt64 { readRegister(op.reg, high: op.regHigh, size: size) }

    @inline(__always)
    func writeReg(_ op: X86Op, size: UInt8, _ value: UInt64) { writeRegister(op.reg, high: op.regHigh, size: size, value) }

    // MARK: Dispatch

    /// Runs the instruction at `ip` and returns the address of the next one. A thrown fault leaves the
    /// instruction's own address as the one to report (the caller still has it), except that `popf` completes.
    @inline(__always)
    mutating func execute(_ decoded: UnsafePointer<X86Op>, at ip: UInt64) throws(X86Fault) -> UInt64 {
        // Fields are read straight from the cache entry: the commonest kinds never copy the op (a copy's
        // store-then-reload stalls the dispatch).
        let next = ip &+ UInt64(decoded.pointee.length)
        switch decoded.pointee.kind {
        case .aluRR: aluFast(decoded, regs[Int(decoded.pointee.reg)])
        case .aluRI: aluFast(decoded, decoded.pointee.imm)
        case .movRR:
            regs[Int(decoded.pointee.rm)] = regs[Int(decoded.pointee.reg)] & (decoded.pointee.size == 8 ? ~0 : 0xffff_ffff)
        case .movRI: regs[Int(decoded.pointee.rm)] = decoded.pointee.imm & (decoded.pointee.size == 8 ? ~0 : 0xffff_ffff)
        case .leaFast:
            regs[Int(decoded.pointee.reg)] = effectiveAddress(decoded) & (decoded.pointee.size == 8 ? ~0 : 0xffff_ffff)
        case .load: regs[Int(decoded.pointee.reg)] = try load(effectiveAddress(decoded), decoded.pointee.size)
        case .store: try store(effectiveAddress(decoded), decoded.pointee.size, regs[Int(decoded.pointee.reg)])
        case .shiftRI: shiftFast(decoded)
        case .jcc:
            let cc = decoded.pointee.sub
            // je/jne after any recorded operation: ZF is "the (masked) result is zero".
            if cc & 0xe == 4 && flags.kind != .none {
                return (flags.result == 0) != (cc & 1 != 0) ? decoded.pointee.imm : next
            }
            return condition(cc) ? decoded.pointee.imm : next
        case .jmp: return decoded.pointee.imm
        case .call:
            try push(next, size: 8)
            return decoded.pointee.imm
        case .ret:
            let target = try pop(size: 8)
            regs[X86PtRegs.sp] &+= decoded.pointee.imm
            return target
        case .push where decoded.pointee.size == 8: try push(regs[Int(decoded.pointee.rm)], size: 8)
        case .pop where decoded.pointee.size == 8: regs[Int(decoded.pointee.rm)] = try pop(size: 8)
        case .movzx where decoded.pointee.size >= 4:
            let from = decoded.pointee.sub
            regs[Int(decoded.pointee.reg)] = decoded.pointee.rmIsMemory
                ? try load(effectiveAddress(decoded), from)
                : readRegister(decoded.pointee.rm, high: decoded.pointee.rmHigh, size: from)
        default: return try executeGeneral(decoded, next: next)
        }
        return next
    }

    /// Every other kind, on a copy of the op.
    @inline(never)
    mutating func executeGeneral(_ decoded: UnsafePointer<X86Op>, next: UInt64) throws(X86Fault) -> UInt64 {
        let op = decoded.pointee
        switch decoded.pointee.kind {
        // Always taken by `execute`; `int3` is raised by the core from its cache entry (`X86DecodeCache.store`).
        case .aluRR, .aluRI, .movRR, .movRI, .leaFast, .load, .store, .shiftRI, .jcc, .jmp, .call, .ret, .int3: break
        case .movRmReg: try writeRM(op, size: op.size, readReg(op, size: op.size))
        case .movRegRm: writeReg(op, size: op.size, try readRM(op, size: op.size))
        case .movRmImm: try writeRM(op, size: op.size, op.imm)
        case .movzx: writeReg(op, size: op.size, try readRM(op, size: op.sub))
        case .movsx: try movsx(op)
        case .lea: writeReg(op, size: op.size, effectiveAddress(op))
        case .xchg: try xchg(op)
        case .cmov: try cmov(op)
        case .setcc: try writeRM(op, size: 1, condition(op.sub) ? 1 : 0)
        case .cbw: cbw(op)
        case .cwd: cwd(op)
        case .bswap: bswap(op)
        case .cmpxchg: try cmpxchg(op)
        case .xadd: try xadd(op)
        case .aluRmReg: try alu(op, destinationIsRM: true, source: readReg(op, size: op.size))
        case .aluRegRm: try alu(op, destinationIsRM: false, source: try readRM(op, size: op.size))
        case .aluRmImm: try alu(op, destinationIsRM: true, source: op.imm)
        case .inc: try incDec(op, increment: true)
        case .dec: try incDec(op, increment: false)
        case .neg: try neg(op)
        case .not: try writeRM(op, size: op.size, ~(try readRM(op, size: op.size)))
        case .mul: try mul(op)
        case .imul1: try imul1(op)
        case .imul2: try imul(op, readReg(op, size: op.size), try readRM(op, size: op.size))
        case .imul3: try imul(op, try readRM(op, size: op.size), op.imm)
        case .div: try div(op)
        case .idiv: try idiv(op)
        case .shiftOne: try shift(op, count: 1)
        case .shiftCL: try shift(op, count: regs[X86PtRegs.cx])
        case .shiftImm: try shift(op, count: op.imm)
        case .shldImm: try doubleShift(op, left: true, count: op.imm)
        case .shldCL: try doubleShift(op, left: true, count: regs[X86PtRegs.cx])
        case .shrdImm: try doubleShift(op, left: false, count: op.imm)
        case .shrdCL: try doubleShift(op, left: false, count: regs[X86PtRegs.cx])
        case .btReg: try bitTest(op, offset: readRegister(op.reg, high: false, size: op.size), registerOffset: true)
        case .btImm: try bitTest(op, offset: op.imm, registerOffset: false)
        case .bsf, .bsr, .tzcnt, .lzcnt, .popcnt: try bitScan(op)
        case .push: try push(readRegister(op.rm, high: false, size: op.size), size: op.size)
        case .pushImm: try push(op.imm, size: op.size)
        case .pushRm: try push(try readRM(op, size: op.size), size: op.size)
        case .pop: writeRegister(op.rm, high: false, size: op.size, try pop(size: op.size))
        case .popRm: try popRM(op)
        case .leave: try leave()
        case .enter: try enter(op)
        case .jmpRm: return try readRM(op, size: 8)
        case .callRm: let target = try readRM(op, size: 8); try push(next, size: 8); return target
        case .loop, .loope, .loopne: return loop(op) ? op.imm : next
        case .jrcxz: return readRegister(UInt8(X86PtRegs.cx), high: false, size: op.addressSize32 ? 4 : 8) == 0 ? op.imm : next
        case .string: try string(op)
        case .nop: break
        case .cli: regs[X86PtRegs.flags] &= ~X86Flags.if
        case .sti: regs[X86PtRegs.flags] |= X86Flags.if
        case .pushf: try pushf(op)
        case .popf: try popf(op)
        case .cld: regs[X86PtRegs.flags] &= ~X86Flags.df
        case .std: regs[X86PtRegs.flags] |= X86Flags.df
        case .clc, .stc, .cmc: carryFlagOp(op.kind)
        case .hlt: throw .undefined("hlt (no interrupt will ever wake this CPU)")
        case .ud2: throw .undefined("ud2")
        case .undefined: throw .undefined("unimplemented instruction")
        }
        return next
    }
}
