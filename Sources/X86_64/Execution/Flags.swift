/// Condition codes and direct flag manipulation.
extension X86Executor {
    /// Sets the six status flags to `bits` (for instructions whose flags are cheaper computed on the spot).
    @inline(__always)
    mutating func setStatusFlags(_ bits: UInt64) {
        regs[X86PtRegs.flags] = (regs[X86PtRegs.flags] & ~X86Flags.status) | bits
        flags.kind = .none
    }

    /// The current CF (0 or 1).
    @inline(__always)
    func carryFlag() -> UInt64 { flags.carryFlag(regs[X86PtRegs.flags]) }

    /// Evaluates condition code `cc` (the low nibble of `jcc`/`setcc`/`cmov`, SDM Table B-1). After a compare,
    /// the unsigned/signed/equal tests read straight from the operands.
    @inline(__always)
    func condition(_ cc: UInt8) -> Bool {
        var r: Bool
        if flags.kind == .sub && (cc >> 1) != 0 && (cc >> 1) != 4 && (cc >> 1) != 5 {
            let m = X86Executor.mask(flags.size), a = flags.a & m, b = flags.b & m
            let shift = 64 - UInt64(flags.size) * 8
            let sa = Int64(bitPattern: a << shift), sb = Int64(bitPattern: b << shift)
            switch cc >> 1 {
            case 1: r = a < b
            case 2: r = a == b
            case 3: r = a <= b
            case 6: r = sa < sb
            default: r = sa <= sb
            }
        } else {
            let f = flags.materialize(regs[X86PtRegs.flags])
            switch cc >> 1 {
            case 0: r = f & X86Flags.of != 0
            case 1: r = f & X86Flags.cf != 0
            case 2: r = f & X86Flags.zf != 0
            case 3: r = f & (X86Flags.cf | X86Flags.zf) != 0
            case 4: r = f & X86Flags.sf != 0
            case 5: r = f & X86Flags.pf != 0
            case 6: r = (f & X86Flags.sf != 0) != (f & X86Flags.of != 0)
            default: r = f & X86Flags.zf != 0 || (f & X86Flags.sf != 0) != (f & X86Flags.of != 0)
            }
        }
        return cc & 1 == 0 ? r : !r
    }

    mutating func carryFlagOp(_ kind: X86OpKind) {
        let f = rflags()
        switch kind {
        case .clc: regs[X86PtRegs.flags] = f & ~X86Flags.cf
        case .stc: regs[X86PtRegs.flags] = f | X86Flags.cf
        default: regs[X86PtRegs.flags] = f ^ X86Flags.cf
        }
    }
}
