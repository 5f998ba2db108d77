import Machine

/// The fetch/decode/execute loop over one CPU's register file. A value type built per `run`, so the loop's
/// state (pc, NZCV, the recent-PC ring position) lives in registers; the architectural state is written back to
/// the register file (`sync`) before every trap, host call and return. Instruction families are extensions in
/// their own files.
struct ARM64Executor {
    /// The register file, in `pt_regs` order (plus the zero-register and monitor slots).
    let x: UnsafeMutablePointer<UInt64>
    let memory: Memory
    let tags: UnsafeMutablePointer<UInt64>
    let entries: UnsafeMutablePointer<ARM64Instruction>
    let recent: UnsafeMutablePointer<UInt64>
    var recentIndex: Int
    var pc: UInt64
    /// PSTATE.NZCV in its architectural position (bits 31..28); the rest of PSTATE stays in the register file.
    var nzcv: UInt64

    /// Why the loop stopped before its instruction limit.
    enum Stop {
        case exception(ARM64Exception, address: UInt64, word: UInt32)
        case fetchFault(address: UInt64, fault: MemoryFault)
    }

    init(cpu: CPU, memory: Memory, cache: ARM64DecodeCache) {
        x = cpu.registers.words
        self.memory = memory
        tags = cache.tags
        entries = cache.entries
        recent = cpu.recentPCs
        recentIndex = cpu.recentIndex
        pc = x[ARM64PtRegs.pc]
        nzcv = x[ARM64PtRegs.pstate] & ARM64PtRegs.nzcvMask
    }

    /// Writes pc and PSTATE back to the register file and the recent-PC position back to the CPU.
    mutating func sync(_ cpu: CPU) {
        x[ARM64PtRegs.pc] = pc
        x[ARM64PtRegs.pstate] = (x[ARM64PtRegs.pstate] & ~ARM64PtRegs.nzcvMask) | nzcv
        x[ARM64PtRegs.zeroReadSlot] = 0
        cpu.recentIndex = recentIndex
    }

    /// Re-reads pc and NZCV after a trap handler or host function may have changed the register file.
    mutating func reload() {
        pc = x[ARM64PtRegs.pc]
        nzcv = x[ARM64PtRegs.pstate] & ARM64PtRegs.nzcvMask
    }

    /// Runs until `executed` reaches `stopAt` (nil) or an instruction cannot complete. Works on a local copy
    /// of the executor so its fields (pc, NZCV, ring position) can live in host registers; moved out and back
    /// (`consume`), not copied, so a trap does not retain and release the memory object.
    mutating func run(until stopAt: UInt64, executed: inout UInt64) -> Stop? {
        var local = consume self
        let stop = local.loop(until: stopAt, executed: &executed)
        self = local
        return stop
    }

    @inline(__always)
    private mutating func loop(until stopAt: UInt64, executed: inout UInt64) -> Stop? {
        var count = executed
        defer { executed = count }
        while count < stopAt {
            let address = pc
            let slot = Int(truncatingIfNeeded: address >> 2) & ARM64DecodeCache.mask
            if tags[slot] != address {
                if tags[slot] != ARM64DecodeCache.breakpointTag(address) {
                    guard address & 3 == 0 else {
                        return .exception(.undefined, address: address, word: 0)
                    }
                    let word: UInt32
                    do { word = try memory.fetch32(address) } catch {
                        return .fetchFault(address: address, fault: error)
                    }
                    do { entries[slot] = try ARM64Decoder.decode(word) } catch {
                        return .exception(.undefined, address: address, word: word)
                    }
                    tags[slot] = entries[slot].operation == .brk ? ARM64DecodeCache.breakpointTag(address) : address
                }
                // BRK (a kprobe's breakpoint) never reaches `execute`: the exception, with pc still at the BRK.
                if tags[slot] != address {
                    noteExecuted(address)
                    return .exception(.breakpoint(UInt16(truncatingIfNeeded: entries[slot].immediate)), address: address,
                                      word: entries[slot].rawValue)
                }
            }
            noteExecuted(address)
            pc = address &+ 4
            do { try execute(entries + slot, at: address) } catch {
                pc = address
                return .exception(error, address: address, word: entries[slot].rawValue)
            }
            count &+= 1
        }
        return nil
    }

    /// The recent-PC ring (`cpu.noteExecuted`), its position kept in the executor until `sync`.
    @inline(__always)
    private mutating func noteExecuted(_ address: UInt64) {
        recent[recentIndex & (CPU.recentCapacity - 1)] = address
        recentIndex &+= 1
    }

    /// Executes the cached instruction at `p`; each case loads only the fields its family reads.
    @inline(__always)
    mutating func execute(_ p: UnsafeMutablePointer<ARM64Instruction>, at address: UInt64) throws(ARM64Exception) {
        switch p.pointee.operation {
        case .addImmediate, .subImmediate: addSubImmediate(p.pointee)
        case .logicalImmediate: logicalImmediate(p.pointee)
        case .movz, .movn, .movk: moveWide(p.pointee)
        case .sbfm, .ubfm, .bfm: bitfield(p.pointee)
        case .extr: extract(p.pointee)
        case .adr: x[Int(p.pointee.rd)] = address &+ p.pointee.immediate
        case .adrp: x[Int(p.pointee.rd)] = (address & ~0xFFF) &+ p.pointee.immediate
        case .logicalShifted: logicalShifted(p.pointee)
        case .addSubShifted: addSubShifted(p.pointee)
        case .addSubExtended: addSubExtended(p.pointee)
        case .addSubCarry: addSubCarry(p.pointee)
        case .conditionalCompare: conditionalCompare(p.pointee)
        case .conditionalSelect: conditionalSelect(p.pointee)
        case .udiv, .sdiv, .lslv, .lsrv, .asrv, .rorv: twoSource(p.pointee)
        case .rbit, .rev16, .rev32, .rev, .clz, .cls: oneSource(p.pointee)
        case .madd, .msub, .smaddl, .smsubl, .umaddl, .umsubl, .smulh, .umulh: threeSource(p.pointee)
        case .load, .loadSigned, .store: try loadStore(p.pointee)
        case .loadPair, .loadPairSigned, .storePair: try loadStorePair(p.pointee)
        case .ldrLiteral: try loadLiteral(p.pointee, at: address)
        case .prfm, .prfmLiteral: break
        case .loadExclusive, .storeExclusive, .loadExclusivePair, .storeExclusivePair: try exclusive(p.pointee)
        case .loadAcquire, .storeRelease: try acquireRelease(p.pointee)
        case .b, .bl, .bCond, .cbz, .cbnz, .tbz, .tbnz: branchImmediate(p.pointee, at: address)
        case .br, .blr, .ret: branchRegister(p.pointee, at: address)
        // Raised by the loop from its cache entry (`ARM64DecodeCache.breakpointTag`).
        case .brk: break
        case .hint, .barrier: break
        case .clrex: x[ARM64PtRegs.exclusiveArmed] = 0
        case .msrImmediate: try moveToPStateField(p.pointee)
        case .mrs: try moveFromSystemRegister(p.pointee)
        case .msrRegister: try moveToSystemRegister(p.pointee)
        case .sys: try systemInstruction(p.pointee)
        case .flagManipulation: try flagManipulation(p.pointee)
        case .sysl, .eret, .drps, .svc, .hvc, .smc, .hlt, .dcps, .ldrLiteralSIMD, .loadUnprivileged,
             .storeUnprivileged, .compareAndSwap, .atomicMemory, .loadAuthenticated, .simdLoadStore, .crc32,
             .loadStore64Bytes, .minMaxImmediate, .tcancel,
             .pointerAuthData:
            throw .undefined
        }
    }

    // MARK: Operand helpers

    /// Writes a result, keeping only the low 32 bits for W destinations (the architecture zeroes the rest).
    @inline(__always)
    func write(_ slot: UInt8, _ value: UInt64, _ is64: Bool) {
        x[Int(slot)] = is64 ? value : value & 0xFFFF_FFFF
    }

    /// `ShiftReg`: LSL/LSR/ASR/ROR of a register operand by a constant.
    @inline(__always)
    func shifted(_ value: UInt64, _ type: UInt8, _ amount: UInt64, _ is64: Bool) -> UInt64 {
        if is64 {
            switch type {
            case 0: return value &<< amount
            case 1: return value &>> amount
            case 2: return UInt64(bitPattern: Int64(bitPattern: value) &>> Int64(amount))
            default: return amount == 0 ? value : (value &>> amount) | (value &<< (64 - amount))
            }
        }
        let v = value & 0xFFFF_FFFF
        switch type {
        case 0: return v &<< amount
        case 1: return v &>> amount
        case 2: return UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: v) &>> Int32(amount)))
        default: return amount == 0 ? v : ((v &>> amount) | (v &<< (32 - amount))) & 0xFFFF_FFFF
        }
    }

    /// `ExtendReg`: UXTB..SXTX of a register operand, then shifted left.
    @inline(__always)
    func extended(_ value: UInt64, _ option: UInt8, _ amount: UInt8) -> UInt64 {
        let v: UInt64
        switch option {
        case 0: v = value & 0xFF
        case 1: v = value & 0xFFFF
        case 2: v = value & 0xFFFF_FFFF
        case 4: v = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: value)))
        case 5: v = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: value)))
        case 6: v = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        default: v = value
        }
        return v &<< UInt64(amount)
    }
}
