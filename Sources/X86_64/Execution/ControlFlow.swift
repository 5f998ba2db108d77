/// The loop family (jmp/jcc/call/ret are one-liners in the dispatch, which returns the next IP).
extension X86Executor {
    /// loop/loope/loopne: decrement the count register (ECX under `67`) without touching flags; true if taken.
    mutating func loop(_ op: X86Op) -> Bool {
        let cx = UInt8(X86PtRegs.cx)
        let size: UInt8 = op.addressSize32 ? 4 : 8
        let count = (readRegister(cx, high: false, size: size) &- 1) & X86Executor.mask(size)
        writeRegister(cx, high: false, size: size, count)
        var taken = count != 0
        if op.kind == .loope { taken = taken && condition(4) }
        if op.kind == .loopne { taken = taken && condition(5) }
        return taken
    }
}
