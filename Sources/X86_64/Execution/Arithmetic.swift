/// The ALU group, inc/dec/neg, multiplication and division, with RFLAGS as the SDM defines them.
extension X86Executor {
    @inline(__always)
    mutating func alu(_ op: X86Op, destinationIsRM: Bool, source: UInt64) throws(X86Fault) {
        let size = op.size
        let m = X86Executor.mask(size)
        let address = destinationIsRM && op.rmIsMemory ? effectiveAddress(op) : 0
        let a: UInt64
        if destinationIsRM {
            a = op.rmIsMemory ? try load(address, size) : readRegister(op.rm, high: op.rmHigh, size: size)
        } else {
            a = readReg(op, size: size)
        }
        let b = source & m
        let r: UInt64
        switch op.sub {
        case X86AluOp.add.rawValue:
            r = (a &+ b) & m
            flags = X86LazyFlags(.add, size: size, a: a, b: b, result: r)
        case X86AluOp.or.rawValue:
            r = a | b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        case X86AluOp.adc.rawValue:
            let c = carryFlag()
            r = (a &+ b &+ c) & m
            let sign = (m >> 1) &+ 1
            var f = X86LazyFlags.zeroSignParity(r, sign: sign) | ((a ^ b ^ r) & X86Flags.af)
            if r < a || (c == 1 && r == a) { f |= X86Flags.cf }
            if (a ^ r) & (b ^ r) & sign != 0 { f |= X86Flags.of }
            setStatusFlags(f)
        case X86AluOp.sbb.rawValue:
            let c = carryFlag()
            r = (a &- b &- c) & m
            let sign = (m >> 1) &+ 1
            var f = X86LazyFlags.zeroSignParity(r, sign: sign) | ((a ^ b ^ r) & X86Flags.af)
            if a < b || (c == 1 && a == b) { f |= X86Flags.cf }
            if (a ^ b) & (a ^ r) & sign != 0 { f |= X86Flags.of }
            setStatusFlags(f)
        case X86AluOp.and.rawValue, X86AluOp.test.rawValue:
            r = a & b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        case X86AluOp.xor.rawValue:
            r = a ^ b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        default: // sub, cmp
            r = (a &- b) & m
            flags = X86LazyFlags(.sub, size: size, a: a, b: b, result: r)
        }
        guard op.sub != X86AluOp.cmp.rawValue && op.sub != X86AluOp.test.rawValue else { return }
        if destinationIsRM {
            if op.rmIsMemory { try store(address, size, r) } else { writeRegister(op.rm, high: op.rmHigh, size: size, r) }
        } else {
            writeReg(op, size: size, r)
        }
    }

    /// The ALU on a 32/64-bit register destination (`aluRR`/`aluRI`): a masked result stored whole is exactly
    /// the architectural write (32-bit results zero-extend).
    @inline(__always)
    mutating func aluFast(_ decoded: UnsafePointer<X86Op>, _ y: UInt64) {
        let size = decoded.pointee.size, sub = decoded.pointee.sub, dest = Int(decoded.pointee.rm)
        let m: UInt64 = size == 8 ? ~0 : 0xffff_ffff
        let a = regs[dest] & m, b = y & m
        let r: UInt64
        switch sub {
        case X86AluOp.add.rawValue:
            r = (a &+ b) & m
            flags = X86LazyFlags(.add, size: size, a: a, b: b, result: r)
        case X86AluOp.sub.rawValue, X86AluOp.cmp.rawValue:
            r = (a &- b) & m
            flags = X86LazyFlags(.sub, size: size, a: a, b: b, result: r)
        case X86AluOp.xor.rawValue:
            r = a ^ b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        case X86AluOp.and.rawValue, X86AluOp.test.rawValue:
            r = a & b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        default: // or (adc/sbb never take this path: see X86OpBuilder.specialize)
            r = a | b
            flags = X86LazyFlags(.logic, size: size, a: a, b: b, result: r)
        }
        if sub != X86AluOp.cmp.rawValue && sub != X86AluOp.test.rawValue { regs[dest] = r }
    }

    mutating func incDec(_ op: X86Op, increment: Bool) throws(X86Fault) {
        let c = carryFlag()
        let a = try readRM(op, size: op.size)
        let r = (increment ? a &+ 1 : a &- 1) & X86Executor.mask(op.size)
        try writeRM(op, size: op.size, r)
        flags = X86LazyFlags(increment ? .inc : .dec, size: op.size, a: a, b: 1, result: r, carry: c)
    }

    /// neg is `0 - a`: CF set unless the operand was zero.
    mutating func neg(_ op: X86Op) throws(X86Fault) {
        let a = try readRM(op, size: op.size)
        let r = (0 &- a) & X86Executor.mask(op.size)
        try writeRM(op, size: op.size, r)
        flags = X86LazyFlags(.sub, size: op.size, a: 0, b: a, result: r)
    }

    /// Flags after a multiply: CF = OF = `overflow`. SF, ZF, PF and AF are architecturally undefined; we compute
    /// SF/ZF/PF from the low half and clear AF (what current Intel cores are observed to do is not documented).
    mutating func setMultiplyFlags(low: UInt64, size: UInt8, overflow: Bool) {
        let m = X86Executor.mask(size)
        var f = X86LazyFlags.zeroSignParity(low & m, sign: (m >> 1) &+ 1)
        if overflow { f |= X86Flags.cf | X86Flags.of }
        setStatusFlags(f)
    }

    /// Writes a double-width product, or quotient and remainder: AL/AH share AX for bytes, else (r|e)AX and
    /// (r|e)DX. Division leaves the (undefined) flags as they were.
    mutating func writeAccumulatorPair(size: UInt8, low: UInt64, high: UInt64) {
        let ax = UInt8(X86PtRegs.ax), dx = UInt8(X86PtRegs.dx)
        if size == 1 {
            writeRegister(ax, high: false, size: 2, (low & 0xff) | ((high & 0xff) << 8))
        } else {
            writeRegister(ax, high: false, size: size, low)
            writeRegister(dx, high: false, size: size, high)
        }
    }

    mutating func mul(_ op: X86Op) throws(X86Fault) {
        let b = try readRM(op, size: op.size)
        let a = readRegister(UInt8(X86PtRegs.ax), high: false, size: op.size)
        let bits = UInt64(op.size) * 8
        let (high, low): (UInt64, UInt64)
        if op.size == 8 {
            (high, low) = a.multipliedFullWidth(by: b)
        } else {
            let p = a &* b
            (high, low) = ((p >> bits) & X86Executor.mask(op.size), p & X86Executor.mask(op.size))
        }
        writeAccumulatorPair(size: op.size, low: low, high: high)
        setMultiplyFlags(low: low, size: op.size, overflow: high != 0)
    }

    mutating func imul1(_ op: X86Op) throws(X86Fault) {
        let b = Int64(bitPattern: X86Executor.signExtend(try readRM(op, size: op.size), from: op.size))
        let a = Int64(bitPattern: X86Executor.signExtend(readRegister(UInt8(X86PtRegs.ax), high: false, size: op.size), from: op.size))
        let bits = UInt64(op.size) * 8
        let (high, low): (UInt64, UInt64)
        if op.size == 8 {
            let p = a.multipliedFullWidth(by: b)
            (high, low) = (UInt64(bitPattern: p.high), p.low)
        } else {
            let p = UInt64(bitPattern: a &* b)
            (high, low) = ((p >> bits) & X86Executor.mask(op.size), p & X86Executor.mask(op.size))
        }
        writeAccumulatorPair(size: op.size, low: low, high: high)
        let fits = X86Executor.signExtend(low, from: op.size) >> 63 == 0 ? high == 0 : high == X86Executor.mask(op.size)
        setMultiplyFlags(low: low, size: op.size, overflow: !fits)
    }

    /// Two- and three-operand imul: truncated signed product into the register operand.
    mutating func imul(_ op: X86Op, _ x: UInt64, _ y: UInt64) throws(X86Fault) {
        let a = Int64(bitPattern: X86Executor.signExtend(x & X86Executor.mask(op.size), from: op.size))
        let b = Int64(bitPattern: X86Executor.signExtend(y & X86Executor.mask(op.size), from: op.size))
        let (p, overflow64) = a.multipliedReportingOverflow(by: b)
        let low = UInt64(bitPattern: p) & X86Executor.mask(op.size)
        let overflow = op.size == 8 ? overflow64 : X86Executor.signExtend(low, from: op.size) != UInt64(bitPattern: p)
        writeReg(op, size: op.size, low)
        setMultiplyFlags(low: low, size: op.size, overflow: overflow)
    }

    /// The dividend: AX for bytes, else (r|e)DX:(r|e)AX.
    func dividend(_ size: UInt8) -> (high: UInt64, low: UInt64) {
        if size == 1 {
            let ax = readRegister(UInt8(X86PtRegs.ax), high: false, size: 2)
            return (ax >> 8, ax & 0xff)
        }
        return (readRegister(UInt8(X86PtRegs.dx), high: false, size: size), readRegister(UInt8(X86PtRegs.ax), high: false, size: size))
    }

    mutating func div(_ op: X86Op) throws(X86Fault) {
        let divisor = try readRM(op, size: op.size)
        guard divisor != 0 else { throw .divide }
        let (high, low) = dividend(op.size)
        let n = (UInt128(high) << (UInt128(op.size) * 8)) | UInt128(low)
        let q = n / UInt128(divisor)
        guard q <= UInt128(X86Executor.mask(op.size)) else { throw .divide }
        writeAccumulatorPair(size: op.size, low: UInt64(q), high: UInt64(n % UInt128(divisor)))
    }

    mutating func idiv(_ op: X86Op) throws(X86Fault) {
        let divisor = Int128(Int64(bitPattern: X86Executor.signExtend(try readRM(op, size: op.size), from: op.size)))
        guard divisor != 0 else { throw .divide }
        let (high, low) = dividend(op.size)
        let bits = Int(op.size) * 8
        let unsigned = (UInt128(high) << UInt128(bits)) | UInt128(low)
        // Sign-extend the 2*bits-wide dividend to 128 bits.
        let n = Int128(bitPattern: unsigned << UInt128(128 - 2 * bits)) >> Int128(128 - 2 * bits)
        guard !(n == Int128.min && divisor == -1) else { throw .divide }
        let q = n / divisor, r = n % divisor
        let limit = Int128(1) << Int128(bits - 1)
        guard q >= -limit && q < limit else { throw .divide }
        let m = X86Executor.mask(op.size)
        writeAccumulatorPair(size: op.size, low: UInt64(truncatingIfNeeded: q) & m, high: UInt64(truncatingIfNeeded: r) & m)
    }
}
