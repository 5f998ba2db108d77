/// Formats one decoded instruction in objdump's syntax; `ARM64Disassembler` is the public entry point.
struct ARM64InstructionFormatter {
    let instruction: ARM64Instruction
    let address: UInt64
    let symbolizer: ARM64Disassembler.Symbolizer?

    static let conditionNames = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]
    static let shiftNames = ["lsl", "lsr", "asr", "ror"]
    static let extendNames = ["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"]

    // MARK: Operand text

    /// A register slot as a name: 31 is `sp`/`wsp`, the zero-register slots are `xzr`/`wzr`.
    static func register(_ slot: UInt8, _ is64: Bool) -> String {
        switch Int(slot) {
        case ARM64PtRegs.sp: return is64 ? "sp" : "wsp"
        case ARM64PtRegs.zeroReadSlot, ARM64PtRegs.zeroWriteSlot: return is64 ? "xzr" : "wzr"
        default: return (is64 ? "x" : "w") + String(slot)
        }
    }

    static func isZero(_ slot: UInt8) -> Bool {
        Int(slot) == ARM64PtRegs.zeroReadSlot || Int(slot) == ARM64PtRegs.zeroWriteSlot
    }

    static func hex(_ value: UInt64) -> String { "#0x" + String(value, radix: 16) }

    static func decimal(_ value: Int64) -> String { "#" + String(value) }

    func r(_ slot: UInt8, _ is64: Bool? = nil) -> String {
        ARM64InstructionFormatter.register(slot, is64 ?? instruction.is64)
    }

    /// A branch or literal target: `0x1234`, or `1234 <sym+0x10>` with a symbolizer.
    func target(_ value: UInt64) -> String {
        guard let symbolizer else { return "0x" + String(value, radix: 16) }
        let text = String(value, radix: 16)
        guard let name = symbolizer(value) else { return text }
        return text + " <" + name + ">"
    }

    func condition(_ c: UInt8) -> String { ARM64InstructionFormatter.conditionNames[Int(c & 15)] }

    // MARK: Dispatch

    func format() -> (String, String) {
        let i = instruction
        switch i.operation {
        case .adr: return ("adr", r(i.rd, true) + ", " + target(address &+ i.immediate))
        case .adrp: return ("adrp", r(i.rd, true) + ", " + target((address & ~0xFFF) &+ i.immediate))
        case .addImmediate, .subImmediate: return addSubImmediate()
        case .logicalImmediate: return logicalImmediate()
        case .movn, .movz, .movk: return moveWide()
        case .sbfm, .bfm, .ubfm: return bitfield()
        case .extr:
            if i.rn == i.rm { return ("ror", "\(r(i.rd)), \(r(i.rn)), #\(i.amount)") }
            return ("extr", "\(r(i.rd)), \(r(i.rn)), \(r(i.rm)), #\(i.amount)")
        case .b, .bl: return (i.operation == .b ? "b" : "bl", target(address &+ i.immediate))
        case .bCond: return ((i.variant == 1 ? "bc." : "b.") + condition(i.condition), target(address &+ i.immediate))
        case .cbz, .cbnz: return (i.operation == .cbz ? "cbz" : "cbnz", r(i.rn) + ", " + target(address &+ i.immediate))
        case .tbz, .tbnz:
            return (i.operation == .tbz ? "tbz" : "tbnz", "\(r(i.rn, i.amount >= 32)), #\(i.amount), " + target(address &+ i.immediate))
        case .br, .blr, .ret, .eret, .drps: return branchRegister()
        case .svc, .hvc, .smc, .brk, .hlt, .dcps: return exception()
        case .hint: return hint()
        case .clrex: return i.rawValue >> 8 & 15 == 15 ? ("clrex", "") : ("clrex", ARM64InstructionFormatter.hex(UInt64(i.rawValue >> 8 & 15)))
        case .barrier: return barrier()
        case .msrImmediate:
            return ("msr", (ARM64PState(rawValue: i.variant)?.name ?? "unknown") + ", " + ARM64InstructionFormatter.hex(i.immediate))
        case .mrs, .msrRegister:
            // objdump knows hundreds of register names; a register outside our table counts as unformatted,
            // unless it is in the generic spaces objdump never names (op0 0 and 1, implementation defined).
            let register = i.systemRegister
            guard register.name != nil || register.op0 < 2 || register.crn == 11 || register.crn == 15 else {
                return (".inst", "0x" + ARM64Disassembler.hex8(i.rawValue))
            }
            if i.operation == .mrs { return ("mrs", r(i.rd, true) + ", " + register.description) }
            return ("msr", register.description + ", " + r(i.rn, true))
        case .sys, .sysl: return system()
        case .flagManipulation: return (["cfinv", "xaflag", "axflag"][Int(i.variant)], "")
        case .ldrLiteral:
            let mnemonic = i.signExtend ? "ldrsw" : "ldr"
            return (mnemonic, r(i.rd, i.size == 3 || i.signExtend) + ", " + target(address &+ i.immediate))
        case .prfmLiteral: return ("prfm", prefetchOperation(i.variant) + ", " + target(address &+ i.immediate))
        case .ldrLiteralSIMD:
            return ("ldr", ["s", "d", "q"][Int(i.size) - 2] + String(i.rd) + ", " + target(address &+ i.immediate))
        case .load, .loadSigned, .store, .prfm, .loadUnprivileged, .storeUnprivileged: return loadStore()
        case .loadPair, .storePair, .loadPairSigned: return loadStorePair()
        case .loadExclusive, .storeExclusive, .loadExclusivePair, .storeExclusivePair, .loadAcquire, .storeRelease:
            return exclusive()
        case .logicalShifted: return logicalShifted()
        case .addSubShifted: return addSubShifted()
        case .addSubExtended: return addSubExtended()
        case .addSubCarry:
            let base = i.subtract ? "sbc" : "adc"
            let s = i.setsFlags ? "s" : ""
            if i.subtract && ARM64InstructionFormatter.isZero(i.rn) { return ("ngc" + s, "\(r(i.rd)), \(r(i.rm))") }
            return (base + s, "\(r(i.rd)), \(r(i.rn)), \(r(i.rm))")
        case .conditionalCompare:
            let second = i.usesImmediate ? ARM64InstructionFormatter.hex(i.immediate) : r(i.rm)
            return (i.subtract ? "ccmp" : "ccmn", "\(r(i.rn)), \(second), \(ARM64InstructionFormatter.hex(i.immediate2 >> 28)), \(condition(i.condition))")
        case .conditionalSelect: return conditionalSelect()
        case .udiv, .sdiv, .lslv, .lsrv, .asrv, .rorv:
            let names: [ARM64Operation: String] = [.udiv: "udiv", .sdiv: "sdiv", .lslv: "lsl", .lsrv: "lsr", .asrv: "asr", .rorv: "ror"]
            return (names[i.operation] ?? "", "\(r(i.rd)), \(r(i.rn)), \(r(i.rm))")
        case .rbit, .rev16, .rev32, .rev, .clz, .cls:
            let names: [ARM64Operation: String] = [.rbit: "rbit", .rev16: "rev16", .rev32: "rev32", .rev: "rev", .clz: "clz", .cls: "cls"]
            return (names[i.operation] ?? "", "\(r(i.rd)), \(r(i.rn))")
        case .madd, .msub, .smaddl, .smsubl, .umaddl, .umsubl, .smulh, .umulh: return multiply()
        case .compareAndSwap, .atomicMemory, .loadAuthenticated, .simdLoadStore, .crc32, .pointerAuthData,
             .loadStore64Bytes, .minMaxImmediate, .tcancel:
            return (".inst", "0x" + ARM64Disassembler.hex8(i.rawValue))
        }
    }
}
