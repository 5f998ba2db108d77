/// mov-like instructions: sign extension, exchange, conditional moves, byte swap, atomics' cmpxchg/xadd.
extension X86Executor {
    @inline(__always)
    static func signExtend(_ value: UInt64, from size: UInt8) -> UInt64 {
        let shift = 64 - UInt64(size) * 8
        return UInt64(bitPattern: Int64(bitPattern: value << shift) >> shift)
    }

    mutating func movsx(_ op: X86Op) throws(X86Fault) {
        writeReg(op, size: op.size, X86Executor.signExtend(try readRM(op, size: op.sub), from: op.sub))
    }

    mutating func xchg(_ op: X86Op) throws(X86Fault) {
        let a = try readRM(op, size: op.size)
        try writeRM(op, size: op.size, readReg(op, size: op.size))
        writeReg(op, size: op.size, a)
    }

    /// The source is read (and may fault) whatever the condition; a false 32-bit cmov still zero-extends.
    mutating func cmov(_ op: X86Op) throws(X86Fault) {
        let value = try readRM(op, size: op.size)
        writeReg(op, size: op.size, condition(op.sub) ? value : readReg(op, size: op.size))
    }

    /// cbw/cwde/cdqe: sign-extend the lower half of the accumulator into all of it.
    mutating func cbw(_ op: X86Op) {
        let ax = UInt8(X86PtRegs.ax)
        let half = op.size / 2
        writeRegister(ax, high: false, size: op.size, X86Executor.signExtend(readRegister(ax, high: false, size: half), from: half))
    }

    /// cwd/cdq/cqo: fill the data register with the accumulator's sign.
    mutating func cwd(_ op: X86Op) {
        let a = readRegister(UInt8(X86PtRegs.ax), high: false, size: op.size)
        let negative = a >> (UInt64(op.size) * 8 - 1) & 1 != 0
        writeRegister(UInt8(X86PtRegs.dx), high: false, size: op.size, negative ? ~0 : 0)
    }

    /// 16-bit bswap is undefined; Intel and AMD hardware clear the low word, which is what we do.
    mutating func bswap(_ op: X86Op) {
        let v = readRegister(op.rm, high: false, size: op.size)
        switch op.size {
        case 8: writeRegister(op.rm, high: false, size: 8, v.byteSwapped)
        case 4: writeRegister(op.rm, high: false, size: 4, UInt64(UInt32(truncatingIfNeeded: v).byteSwapped))
        default: writeRegister(op.rm, high: false, size: 2, 0)
        }
    }

    /// Compares the accumulator with the destination (flags as `cmp`); equal: store the source, else load the
    /// destination into the accumulator.
    mutating func cmpxchg(_ op: X86Op) throws(X86Fault) {
        let ax = UInt8(X86PtRegs.ax)
        let m = X86Executor.mask(op.size)
        let dest = try readRM(op, size: op.size)
        let acc = readRegister(ax, high: false, size: op.size)
        flags = X86LazyFlags(.sub, size: op.size, a: acc, b: dest, result: (acc &- dest) & m)
        if acc == dest {
            try writeRM(op, size: op.size, readReg(op, size: op.size))
        } else {
            try writeRM(op, size: op.size, dest)
            writeRegister(ax, high: false, size: op.size, dest)
        }
    }

    mutating func xadd(_ op: X86Op) throws(X86Fault) {
        let dest = try readRM(op, size: op.size)
        let src = readReg(op, size: op.size)
        let sum = (dest &+ src) & X86Executor.mask(op.size)
        writeReg(op, size: op.size, dest)
        try writeRM(op, size: op.size, sum)
        flags = X86LazyFlags(.add, size: op.size, a: dest, b: src, result: sum)
    }
}
