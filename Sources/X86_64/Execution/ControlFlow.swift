/// The loop family (jmp/jcc/call/ret are one-liners in the dispatch).
extension X86Executor {
    /// loop/loope/loopne: decrement the count register (ECX under `67`) without touching flags, then branch.
    mutating func loop(_ op: X86Op) {
        let cx = UInt8(X86PtRegs.cx)
        let size: UInt8 = op.addressSize32 ? 4 : 8
        let count = (readRegister(cx, high: false, size: size) &- 1) & X86Executor.mask(size)
        writeRegister(cx, high: false, size: size, count)
        var taken = count != 0
        if op.kind == .loope { taken = taken && condition(4) }
        if op.kind == .loopne { taken = taken && condition(5) }
        if taken { ip = op.imm }
    }
}
