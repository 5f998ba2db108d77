/// Bit tests and scans.
extension X86Executor {
    /// bt/bts/btr/btc (`sub` 0...3). A register bit offset on a memory operand addresses any bit relative to it.
    mutating func bitTest(_ op: X86Op, offset: UInt64, registerOffset: Bool) throws(X86Fault) {
        let size = op.size
        let bits = UInt64(size) * 8
        var address: UInt64 = 0
        let bit: UInt64
        if op.rmIsMemory {
            address = effectiveAddress(op)
            if registerOffset {
                let signed = Int64(bitPattern: X86Executor.signExtend(offset, from: size))
                address &+= UInt64(bitPattern: (signed >> Int64(bits.trailingZeroBitCount)) &* Int64(size))
            }
            bit = offset & (bits - 1)
        } else {
            bit = offset & (bits - 1)
        }
        let value = op.rmIsMemory ? try load(address, size) : readRegister(op.rm, high: false, size: size)
        let cf = (value >> bit) & 1
        let f = rflags()
        regs[X86PtRegs.flags] = (f & ~X86Flags.cf) | cf
        let result: UInt64
        switch op.sub {
        case 1: result = value | (1 << bit)
        case 2: result = value & ~(1 << bit)
        case 3: result = value ^ (1 << bit)
        default: return
        }
        if op.rmIsMemory { try store(address, size, result) } else { writeRegister(op.rm, high: false, size: size, result) }
    }

    /// bsf/bsr (zero source: ZF set, destination unchanged, as hardware does), tzcnt/lzcnt (CF = zero source,
    /// ZF = zero result), popcnt (ZF = zero source, other flags clear).
    mutating func bitScan(_ op: X86Op) throws(X86Fault) {
        let size = op.size
        let bits = UInt64(size) * 8
        let v = try readRM(op, size: size)
        var f = rflags()
        switch op.kind {
        case .bsf, .bsr:
            if v == 0 {
                f |= X86Flags.zf
            } else {
                f &= ~X86Flags.zf
                writeReg(op, size: size, op.kind == .bsf ? UInt64(v.trailingZeroBitCount) : UInt64(63 - v.leadingZeroBitCount))
            }
        case .tzcnt, .lzcnt:
            let n = v == 0 ? bits : (op.kind == .tzcnt ? UInt64(v.trailingZeroBitCount) : UInt64(v.leadingZeroBitCount) - (64 - bits))
            f &= ~(X86Flags.cf | X86Flags.zf)
            if v == 0 { f |= X86Flags.cf }
            if n == 0 { f |= X86Flags.zf }
            writeReg(op, size: size, n)
        default:
            f &= ~X86Flags.status
            if v == 0 { f |= X86Flags.zf }
            writeReg(op, size: size, UInt64(v.nonzeroBitCount))
        }
        regs[X86PtRegs.flags] = f
    }
}
