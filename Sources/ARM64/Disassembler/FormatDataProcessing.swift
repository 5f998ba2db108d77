/// Arithmetic, logical, move, bitfield, conditional and multiply instructions, with objdump's aliases.
extension ARM64InstructionFormatter {
    func addSubImmediate() -> (String, String) {
        let i = instruction
        let shift = i.amount == 12 ? ", lsl #12" : ""
        let value = ARM64InstructionFormatter.hex(i.immediate >> UInt64(i.amount)) + shift
        if !i.subtract && !i.setsFlags && i.immediate == 0 && (Int(i.rd) == ARM64PtRegs.sp || Int(i.rn) == ARM64PtRegs.sp) {
            return ("mov", "\(r(i.rd)), \(r(i.rn))")
        }
        if i.setsFlags && ARM64InstructionFormatter.isZero(i.rd) {
            return (i.subtract ? "cmp" : "cmn", "\(r(i.rn)), \(value)")
        }
        return ((i.subtract ? "sub" : "add") + (i.setsFlags ? "s" : ""), "\(r(i.rd)), \(r(i.rn)), \(value)")
    }

    /// Whether MOVZ or MOVN could build `value` (then objdump prefers them over ORR's `mov` alias).
    static func isMoveWideImmediate(_ value: UInt64, _ is64: Bool) -> Bool {
        let width: UInt64 = is64 ? 64 : 32
        let mask: UInt64 = is64 ? ~0 : 0xFFFF_FFFF
        for candidate in [value & mask, ~value & mask] {
            var shift: UInt64 = 0
            while shift < width {
                if candidate & ~(0xFFFF << shift) & mask == 0 { return true }
                shift += 16
            }
        }
        return false
    }

    func logicalImmediate() -> (String, String) {
        let i = instruction
        let value = ARM64InstructionFormatter.hex(i.immediate)
        if i.variant == 1 && ARM64InstructionFormatter.isZero(i.rn) && !ARM64InstructionFormatter.isMoveWideImmediate(i.immediate, i.is64) {
            return ("mov", "\(r(i.rd)), \(value)")
        }
        if i.variant == 3 && ARM64InstructionFormatter.isZero(i.rd) { return ("tst", "\(r(i.rn)), \(value)") }
        return (["and", "orr", "eor", "ands"][Int(i.variant)], "\(r(i.rd)), \(r(i.rn)), \(value)")
    }

    func moveWide() -> (String, String) {
        let i = instruction
        let mask: UInt64 = i.is64 ? ~0 : 0xFFFF_FFFF
        let shifted = i.immediate << UInt64(i.amount)
        switch i.operation {
        case .movz where !(i.immediate == 0 && i.amount != 0):
            return ("mov", "\(r(i.rd)), " + ARM64InstructionFormatter.hex(shifted & mask))
        case .movn where !(i.immediate == 0 && i.amount != 0) && !(!i.is64 && i.immediate == 0xFFFF):
            return ("mov", "\(r(i.rd)), " + ARM64InstructionFormatter.hex(~shifted & mask))
        default:
            let name = i.operation == .movk ? "movk" : i.operation == .movz ? "movz" : "movn"
            let shift = i.amount == 0 ? "" : ", lsl #\(i.amount)"
            return (name, "\(r(i.rd)), " + ARM64InstructionFormatter.hex(i.immediate) + shift)
        }
    }

    /// The Arm ARM's `BFXPreferred`: whether UBFX/SBFX is the preferred disassembly of a UBFM/SBFM.
    static func bfxPreferred(is64: Bool, unsigned: Bool, imms: UInt8, immr: UInt8) -> Bool {
        if imms < immr { return false }
        if imms == (is64 ? 63 : 31) { return false }
        if immr == 0 {
            if !is64 && (imms == 7 || imms == 15) { return false }
            if is64 && !unsigned && (imms == 7 || imms == 15 || imms == 31) { return false }
        }
        return true
    }

    func bitfield() -> (String, String) {
        let i = instruction
        let immr = i.amount, imms = i.variant
        let size: UInt8 = i.is64 ? 64 : 32
        let top: UInt8 = size - 1
        let d = r(i.rd), n = r(i.rn)
        switch i.operation {
        case .ubfm:
            if imms != top && imms + 1 == immr { return ("lsl", "\(d), \(n), #\(top - imms)") }
            if imms == top { return ("lsr", "\(d), \(n), #\(immr)") }
            if imms < immr { return ("ubfiz", "\(d), \(n), #\(size - immr), #\(imms + 1)") }
            if ARM64InstructionFormatter.bfxPreferred(is64: i.is64, unsigned: true, imms: imms, immr: immr) {
                return ("ubfx", "\(d), \(n), #\(immr), #\(imms - immr + 1)")
            }
            if immr == 0 && imms == 7 { return ("uxtb", "\(d), \(r(i.rn, false))") }
            if immr == 0 && imms == 15 { return ("uxth", "\(d), \(r(i.rn, false))") }
            return ("ubfm", "\(d), \(n), #\(immr), #\(imms)")
        case .sbfm:
            if imms == top { return ("asr", "\(d), \(n), #\(immr)") }
            if imms < immr { return ("sbfiz", "\(d), \(n), #\(size - immr), #\(imms + 1)") }
            if ARM64InstructionFormatter.bfxPreferred(is64: i.is64, unsigned: false, imms: imms, immr: immr) {
                return ("sbfx", "\(d), \(n), #\(immr), #\(imms - immr + 1)")
            }
            if immr == 0 && imms == 7 { return ("sxtb", "\(d), \(r(i.rn, false))") }
            if immr == 0 && imms == 15 { return ("sxth", "\(d), \(r(i.rn, false))") }
            if immr == 0 && imms == 31 { return ("sxtw", "\(d), \(r(i.rn, false))") }
            return ("sbfm", "\(d), \(n), #\(immr), #\(imms)")
        default:
            if imms < immr {
                if ARM64InstructionFormatter.isZero(i.rn) { return ("bfc", "\(d), #\(size - immr), #\(imms + 1)") }
                return ("bfi", "\(d), \(n), #\(size - immr), #\(imms + 1)")
            }
            return ("bfxil", "\(d), \(n), #\(immr), #\(imms - immr + 1)")
        }
    }

    /// `, lsl #3` (nothing for LSL #0).
    func shiftSuffix() -> String {
        let i = instruction
        if i.shift == 0 && i.amount == 0 { return "" }
        return ", \(ARM64InstructionFormatter.shiftNames[Int(i.shift)]) #\(i.amount)"
    }

    func logicalShifted() -> (String, String) {
        let i = instruction
        let m = r(i.rm) + shiftSuffix()
        let zeroN = ARM64InstructionFormatter.isZero(i.rn)
        switch (i.variant, i.invert) {
        case (1, false) where zeroN && i.shift == 0 && i.amount == 0: return ("mov", "\(r(i.rd)), \(r(i.rm))")
        case (1, true) where zeroN: return ("mvn", "\(r(i.rd)), \(m)")
        case (3, false) where ARM64InstructionFormatter.isZero(i.rd): return ("tst", "\(r(i.rn)), \(m)")
        default:
            let names = i.invert ? ["bic", "orn", "eon", "bics"] : ["and", "orr", "eor", "ands"]
            return (names[Int(i.variant)], "\(r(i.rd)), \(r(i.rn)), \(m)")
        }
    }

    func addSubShifted() -> (String, String) {
        let i = instruction
        let m = r(i.rm) + shiftSuffix()
        if i.setsFlags && ARM64InstructionFormatter.isZero(i.rd) { return (i.subtract ? "cmp" : "cmn", "\(r(i.rn)), \(m)") }
        if i.subtract && ARM64InstructionFormatter.isZero(i.rn) { return (i.setsFlags ? "negs" : "neg", "\(r(i.rd)), \(m)") }
        return ((i.subtract ? "sub" : "add") + (i.setsFlags ? "s" : ""), "\(r(i.rd)), \(r(i.rn)), \(m)")
    }

    func addSubExtended() -> (String, String) {
        let i = instruction
        let option = Int(i.shift)
        let mIs64 = i.is64 && option & 3 == 3
        var m = r(i.rm, mIs64)
        let usesSP = Int(i.rd) == ARM64PtRegs.sp || Int(i.rn) == ARM64PtRegs.sp
        if usesSP && option == (i.is64 ? 3 : 2) {
            if i.amount != 0 { m += ", lsl #\(i.amount)" }
        } else {
            m += ", " + ARM64InstructionFormatter.extendNames[option] + (i.amount != 0 ? " #\(i.amount)" : "")
        }
        if i.setsFlags && ARM64InstructionFormatter.isZero(i.rd) { return (i.subtract ? "cmp" : "cmn", "\(r(i.rn)), \(m)") }
        return ((i.subtract ? "sub" : "add") + (i.setsFlags ? "s" : ""), "\(r(i.rd)), \(r(i.rn)), \(m)")
    }

    func conditionalSelect() -> (String, String) {
        let i = instruction
        let inverted = condition(i.condition ^ 1)
        let usable = i.condition < 14
        let zeroN = ARM64InstructionFormatter.isZero(i.rn), zeroM = ARM64InstructionFormatter.isZero(i.rm)
        switch i.variant {
        case 1 where usable && zeroN && zeroM: return ("cset", "\(r(i.rd)), \(inverted)")
        case 1 where usable && !zeroM && i.rn == i.rm: return ("cinc", "\(r(i.rd)), \(r(i.rn)), \(inverted)")
        case 2 where usable && zeroN && zeroM: return ("csetm", "\(r(i.rd)), \(inverted)")
        case 2 where usable && !zeroM && i.rn == i.rm: return ("cinv", "\(r(i.rd)), \(r(i.rn)), \(inverted)")
        case 3 where usable && i.rn == i.rm: return ("cneg", "\(r(i.rd)), \(r(i.rn)), \(inverted)")
        default:
            return (["csel", "csinc", "csinv", "csneg"][Int(i.variant)], "\(r(i.rd)), \(r(i.rn)), \(r(i.rm)), \(condition(i.condition))")
        }
    }

    func multiply() -> (String, String) {
        let i = instruction
        let zeroA = ARM64InstructionFormatter.isZero(i.ra)
        let d = r(i.rd)
        switch i.operation {
        case .madd, .msub:
            if zeroA { return (i.operation == .madd ? "mul" : "mneg", "\(d), \(r(i.rn)), \(r(i.rm))") }
            return (i.operation == .madd ? "madd" : "msub", "\(d), \(r(i.rn)), \(r(i.rm)), \(r(i.ra))")
        case .smulh, .umulh:
            return (i.operation == .smulh ? "smulh" : "umulh", "\(d), \(r(i.rn)), \(r(i.rm))")
        default:
            let signed = i.operation == .smaddl || i.operation == .smsubl
            let add = i.operation == .smaddl || i.operation == .umaddl
            let prefix = signed ? "s" : "u"
            let sources = "\(r(i.rn, false)), \(r(i.rm, false))"
            if zeroA { return (prefix + (add ? "mull" : "mnegl"), "\(d), \(sources)") }
            return (prefix + (add ? "maddl" : "msubl"), "\(d), \(sources), \(r(i.ra))")
        }
    }
}
