/// push/pop, frames (leave/enter) and the flags image (pushf/popf).
extension X86Executor {
    @inline(__always)
    mutating func push(_ value: UInt64, size: UInt8) throws(X86Fault) {
        let sp = regs[X86PtRegs.sp] &- UInt64(size)
        try store(sp, size, value)
        regs[X86PtRegs.sp] = sp
    }

    /// The stack pointer moves after the load, so `pop %rsp` ends with the loaded value.
    @inline(__always)
    mutating func pop(size: UInt8) throws(X86Fault) -> UInt64 {
        let sp = regs[X86PtRegs.sp]
        let value = try load(sp, size)
        regs[X86PtRegs.sp] = sp &+ UInt64(size)
        return value
    }

    /// `pop m`: an %rsp-based destination address is computed after the increment, as the SDM specifies.
    mutating func popRM(_ op: X86Op) throws(X86Fault) {
        let saved = regs[X86PtRegs.sp]
        let value = try pop(size: op.size)
        do { try writeRM(op, size: op.size, value) } catch { regs[X86PtRegs.sp] = saved; throw error }
    }

    mutating func leave() throws(X86Fault) {
        let saved = regs[X86PtRegs.sp]
        regs[X86PtRegs.sp] = regs[X86PtRegs.bp]
        do { regs[X86PtRegs.bp] = try pop(size: 8) } catch { regs[X86PtRegs.sp] = saved; throw error }
    }

    /// `enter imm16, level` (SDM pseudo-code: nested frames copy `level - 1` outer frame pointers).
    mutating func enter(_ op: X86Op) throws(X86Fault) {
        let savedSP = regs[X86PtRegs.sp], savedBP = regs[X86PtRegs.bp]
        do {
            let level = op.imm2 & 31
            try push(regs[X86PtRegs.bp], size: 8)
            let frame = regs[X86PtRegs.sp]
            if level > 0 {
                var bp = regs[X86PtRegs.bp]
                for _ in 1..<level {
                    bp &-= 8
                    try push(try load(bp, 8), size: 8)
                }
                try push(frame, size: 8)
            }
            regs[X86PtRegs.bp] = frame
            regs[X86PtRegs.sp] &-= op.imm & 0xffff
        } catch {
            regs[X86PtRegs.sp] = savedSP
            regs[X86PtRegs.bp] = savedBP
            throw error
        }
    }

    /// pushf stores RFLAGS with RF and VM cleared.
    mutating func pushf(_ op: X86Op) throws(X86Fault) {
        try push(rflags() & ~0x3_0000, size: op.size)
    }

    /// popf at CPL 0 may change IF and TF; the core re-checks TF afterwards (hence `flagsWritten`).
    mutating func popf(_ op: X86Op) throws(X86Fault) {
        let old = rflags()
        let value = try pop(size: op.size)
        let changeable = op.size == 2 ? X86Flags.popfMask & 0xffff : X86Flags.popfMask
        regs[X86PtRegs.flags] = (old & ~changeable & ~0x1_0000) | (value & changeable) | X86Flags.reserved1
        throw .flagsWritten
    }
}
