/// Group 2 shifts and rotates, shld/shrd.
///
/// Undefined flags follow what Intel hardware does for counts above 1: OF is computed with the count-of-1
/// formula, AF is cleared by shifts; rotates touch only CF and OF. A masked count of 0 changes no flags.
extension X86Executor {
    @inline(__always)
    mutating func shift(_ op: X86Op, count rawCount: UInt64) throws(X86Fault) {
        let size = op.size
        let count = rawCount & (size == 8 ? 63 : 31)
        let bits = UInt64(size) * 8
        let m = X86Executor.mask(size)
        let sign = (m >> 1) &+ 1
        let address = op.rmIsMemory ? effectiveAddress(op) : 0
        let a = op.rmIsMemory ? try load(address, size) : readRegister(op.rm, high: op.rmHigh, size: size)
        var r = a
        if count != 0 {
            let f = rflags()
            var cf: UInt64 = 0, of = false
            var status: UInt64? = nil
            switch op.sub {
            case X86ShiftOp.rol.rawValue, X86ShiftOp.ror.rawValue:
                let n = count % bits
                if op.sub == X86ShiftOp.rol.rawValue {
                    r = n == 0 ? a : ((a << n) | (a >> (bits - n))) & m
                    cf = r & 1
                    of = (r & sign != 0) != (cf != 0)
                } else {
                    r = n == 0 ? a : ((a >> n) | (a << (bits - n))) & m
                    cf = r & sign != 0 ? 1 : 0
                    of = (r & sign != 0) != (r & (sign >> 1) != 0)
                }
            case X86ShiftOp.rcl.rawValue, X86ShiftOp.rcr.rawValue:
                cf = f & X86Flags.cf
                for _ in 0..<(count % (bits + 1)) {
                    if op.sub == X86ShiftOp.rcl.rawValue {
                        let out = r & sign != 0 ? UInt64(1) : 0
                        r = ((r << 1) | cf) & m
                        cf = out
                    } else {
                        let out = r & 1
                        r = (r >> 1) | (cf != 0 ? sign : 0)
                        cf = out
                    }
                }
                of = op.sub == X86ShiftOp.rcl.rawValue
                    ? (r & sign != 0) != (cf != 0)
                    : (r & sign != 0) != (r & (sign >> 1) != 0)
            case X86ShiftOp.shr.rawValue:
                r = count >= 64 ? 0 : a >> count
                cf = (a >> (count - 1)) & 1
                of = a & sign != 0
                status = X86LazyFlags.zeroSignParity(r, sign: sign)
            case X86ShiftOp.sar.rawValue:
                let s = Int64(bitPattern: X86Executor.signExtend(a, from: size))
                r = UInt64(bitPattern: s >> Int64(count)) & m
                cf = UInt64(bitPattern: s >> Int64(count - 1)) & 1
                status = X86LazyFlags.zeroSignParity(r, sign: sign)
            default: // shl, sal and the /6 alias
                r = (a << count) & m
                cf = count > bits ? 0 : (a >> (bits - count)) & 1
                of = (r & sign != 0) != (cf != 0)
                status = X86LazyFlags.zeroSignParity(r, sign: sign)
            }
            var newFlags = status ?? (f & (X86Flags.pf | X86Flags.af | X86Flags.zf | X86Flags.sf))
            newFlags |= cf
            if of { newFlags |= X86Flags.of }
            setStatusFlags(newFlags)
        }
        if op.rmIsMemory { try store(address, size, r) } else { writeRegister(op.rm, high: op.rmHigh, size: size, r) }
    }

    /// shl/shr/sar by an immediate on a 32/64-bit register (`shiftRI`): the same results and flags as `shift`
    /// without reading the old flags (these define every status bit but AF for a non-zero count).
    @inline(__always)
    mutating func shiftFast(_ decoded: UnsafePointer<X86Op>) {
        let size = decoded.pointee.size, dest = Int(decoded.pointee.rm)
        let count = decoded.pointee.imm & (size == 8 ? 63 : 31)
        let bits = UInt64(size) * 8
        let m: UInt64 = size == 8 ? ~0 : 0xffff_ffff
        let sign: UInt64 = 1 << (bits - 1)
        let a = regs[dest] & m
        guard count != 0 else { regs[dest] = a; return }
        let r: UInt64, cf: UInt64, of: Bool
        switch decoded.pointee.sub {
        case X86ShiftOp.shr.rawValue:
            r = a >> count
            cf = (a >> (count - 1)) & 1
            of = a & sign != 0
        case X86ShiftOp.sar.rawValue:
            let s = Int64(bitPattern: X86Executor.signExtend(a, from: size))
            r = UInt64(bitPattern: s >> Int64(count)) & m
            cf = UInt64(bitPattern: s >> Int64(count - 1)) & 1
            of = false
        default:
            r = (a << count) & m
            cf = (a >> (bits - count)) & 1
            of = (r & sign != 0) != (cf != 0)
        }
        regs[dest] = r
        setStatusFlags(X86LazyFlags.zeroSignParity(r, sign: sign) | cf | (of ? X86Flags.of : 0))
    }

    /// shld/shrd: shift the destination, filling from the register operand. Counts above the operand size (16-bit
    /// only) are undefined; we shift through the 32-bit concatenation as Intel hardware does.
    mutating func doubleShift(_ op: X86Op, left: Bool, count rawCount: UInt64) throws(X86Fault) {
        let size = op.size
        let count = rawCount & (size == 8 ? 63 : 31)
        let bits = UInt64(size) * 8
        let m = X86Executor.mask(size)
        let sign = (m >> 1) &+ 1
        let address = op.rmIsMemory ? effectiveAddress(op) : 0
        let a = op.rmIsMemory ? try load(address, size) : readRegister(op.rm, high: false, size: size)
        let b = readReg(op, size: size)
        guard count != 0 else {
            if !op.rmIsMemory { writeRegister(op.rm, high: false, size: size, a) }
            return
        }
        let r: UInt64, cf: UInt64
        if left {
            r = count >= bits ? (b << (count - bits)) & m : ((a << count) | (b >> (bits - count))) & m
            cf = count > bits ? (b >> (2 * bits - count)) & 1 : (a >> (bits - count)) & 1
        } else {
            r = count >= bits ? (b >> (count - bits)) & m : ((a >> count) | (b << (bits - count))) & m
            cf = count > bits ? (b >> (count - bits - 1)) & 1 : (a >> (count - 1)) & 1
        }
        var f = X86LazyFlags.zeroSignParity(r, sign: sign) | cf
        if (r ^ a) & sign != 0 { f |= X86Flags.of }
        setStatusFlags(f)
        if op.rmIsMemory { try store(address, size, r) } else { writeRegister(op.rm, high: false, size: size, r) }
    }
}
