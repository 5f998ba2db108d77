import Machine

/// The fetch/decode/execute loop over one CPU's register file, and (in extensions, one file per instruction
/// family) what each instruction does. Its two fields are all an instruction's semantics read: the register
/// file in `pt_regs` order (plus the zero-register and monitor slots) and memory, so a family function that is
/// not inlined gets them in two host registers. The loop's own state (pc, NZCV, the recent-PC position, the
/// count) lives in locals of `run`, in host registers, and is written back before `run` returns: outside `run`
/// the register file and the CPU hold the whole architectural state.
struct ARM64Executor {
    let x: UnsafeMutablePointer<UInt64>
    let memory: Memory

    /// Why the loop stopped before its instruction limit.
    enum Stop {
        case exception(ARM64Exception, address: UInt64, word: UInt32)
        case fetchFault(address: UInt64, fault: MemoryFault)
    }

    init(cpu: CPU, memory: Memory) {
        x = cpu.registers.words
        self.memory = memory
    }

    /// Runs until `executed` reaches `stopAt` (nil) or an instruction cannot complete; on an exception pc is left
    /// at the instruction that raised it. Reads pc and NZCV from the register file on entry and writes them, and
    /// the recent-PC position, back on the way out.
    func run(_ cpu: CPU, cache: ARM64DecodeCache, until stopAt: UInt64, executed: inout UInt64) -> Stop? {
        let tags = cache.tags, entries = cache.entries, recent = cpu.recentPCs
        var recentIndex = cpu.recentIndex
        var pc = x[ARM64PtRegs.pc]
        var nzcv = x[ARM64PtRegs.pstate] & ARM64PtRegs.nzcvMask
        var count = executed
        var stop: Stop?
        loop: while count < stopAt {
            let address = pc
            let slot = Int(truncatingIfNeeded: address >> 2) & ARM64DecodeCache.mask
            if tags[slot] != address {
                if tags[slot] != ARM64DecodeCache.breakpointTag(address) {
                    guard address & 3 == 0 else {
                        stop = .exception(.undefined, address: address, word: 0)
                        break loop
                    }
                    let word: UInt32
                    do { word = try memory.fetch32(address) } catch {
                        stop = .fetchFault(address: address, fault: error)
                        break loop
                    }
                    do { entries[slot] = try ARM64Decoder.decode(word) } catch {
                        stop = .exception(.undefined, address: address, word: word)
                        break loop
                    }
                    tags[slot] = entries[slot].operation == .brk ? ARM64DecodeCache.breakpointTag(address) : address
                }
                // BRK (a kprobe's breakpoint) never reaches `execute`: the exception, with pc still at the BRK.
                if tags[slot] != address {
                    recent[recentIndex & (CPU.recentCapacity - 1)] = address
                    recentIndex &+= 1
                    stop = .exception(.breakpoint(UInt16(truncatingIfNeeded: entries[slot].immediate)), address: address,
                                      word: entries[slot].rawValue)
                    break loop
                }
            }
            // The recent-PC ring (`cpu.noteExecuted`), its position kept in a register until the loop ends.
            recent[recentIndex & (CPU.recentCapacity - 1)] = address
            recentIndex &+= 1
            pc = address &+ 4
            do { try execute(entries + slot, at: address, pc: &pc, nzcv: &nzcv) } catch {
                pc = address
                stop = .exception(error, address: address, word: entries[slot].rawValue)
                break loop
            }
            count &+= 1
        }
        x[ARM64PtRegs.pc] = pc
        x[ARM64PtRegs.pstate] = (x[ARM64PtRegs.pstate] & ~ARM64PtRegs.nzcvMask) | nzcv
        x[ARM64PtRegs.zeroReadSlot] = 0
        cpu.recentIndex = recentIndex
        executed = count
        return stop
    }

    /// Executes the cached instruction at `p`; each case loads only the fields its family reads. `pc` already
    /// holds the next instruction's address; branches replace it.
    @inline(__always)
    func execute(_ p: UnsafeMutablePointer<ARM64Instruction>, at address: UInt64, pc: inout UInt64,
                 nzcv: inout UInt64) throws(ARM64Exception) {
        switch p.pointee.operation {
        case .addImmediate, .subImmediate: addSubImmediate(p.pointee, &nzcv)
        case .logicalImmediate: logicalImmediate(p.pointee, &nzcv)
        case .movz, .movn, .movk: moveWide(p.pointee)
        case .sbfm, .ubfm, .bfm: bitfield(p.pointee)
        case .extr: extract(p.pointee)
        case .adr: x[Int(p.pointee.rd)] = address &+ p.pointee.immediate
        case .adrp: x[Int(p.pointee.rd)] = (address & ~0xFFF) &+ p.pointee.immediate
        case .logicalShifted: logicalShifted(p.pointee, &nzcv)
        case .addSubShifted: addSubShifted(p.pointee, &nzcv)
        case .addSubExtended: addSubExtended(p.pointee, &nzcv)
        case .addSubCarry: addSubCarry(p.pointee, &nzcv)
        case .conditionalCompare: conditionalCompare(p.pointee, &nzcv)
        case .conditionalSelect: conditionalSelect(p.pointee, nzcv)
        case .udiv, .sdiv, .lslv, .lsrv, .asrv, .rorv: twoSource(p.pointee)
        case .rbit, .rev16, .rev32, .rev, .clz, .cls: oneSource(p.pointee)
        case .madd, .msub, .smaddl, .smsubl, .umaddl, .umsubl, .smulh, .umulh: threeSource(p.pointee)
        case .load, .loadSigned, .store: try loadStore(p.pointee)
        case .loadPair, .loadPairSigned, .storePair: try loadStorePair(p.pointee)
        case .ldrLiteral: try loadLiteral(p.pointee, at: address)
        case .prfm, .prfmLiteral: break
        case .loadExclusive, .storeExclusive, .loadExclusivePair, .storeExclusivePair: try exclusive(p.pointee)
        case .loadAcquire, .storeRelease: try acquireRelease(p.pointee)
        case .b, .bl, .bCond, .cbz, .cbnz, .tbz, .tbnz: branchImmediate(p.pointee, at: address, nzcv: nzcv, pc: &pc)
        case .br, .blr, .ret: branchRegister(p.pointee, at: address, pc: &pc)
        // Raised by the loop from its cache entry (`ARM64DecodeCache.breakpointTag`).
        case .brk: break
        case .hint, .barrier: break
        case .clrex: x[ARM64PtRegs.exclusiveArmed] = 0
        case .msrImmediate: try moveToPStateField(p.pointee)
        case .mrs: try moveFromSystemRegister(p.pointee, nzcv: nzcv)
        case .msrRegister: try moveToSystemRegister(p.pointee, &nzcv)
        case .sys: try systemInstruction(p.pointee)
        case .flagManipulation: try flagManipulation(p.pointee, &nzcv)
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
