extension ARM64Decoder {
    /// `op0 = x1x0`: loads and stores.
    static func decodeLoadStore(_ w: UInt32) -> ARM64Instruction? {
        if w & 0x3F00_0000 == 0x0800_0000 { return decodeExclusiveOrdered(w) }
        if w & 0x3B00_0000 == 0x1800_0000 { return decodeLiteral(w) }
        if w & 0x3A00_0000 == 0x2800_0000 { return decodePair(w) }
        if w & 0x3A00_0000 == 0x3800_0000 { return decodeRegister(w) }
        return nil
    }

    private static func decodeExclusiveOrdered(_ w: UInt32) -> ARM64Instruction? {
        let size = bits(w, 31, 30)
        let o2 = bit(w, 23), load = bit(w, 22), o1 = bit(w, 21), o0 = bit(w, 15)
        let rs = bits(w, 20, 16), rt2 = bits(w, 14, 10), rn = bits(w, 9, 5), rt = bits(w, 4, 0)
        var i = ARM64Instruction(rawValue: w, operation: .loadExclusive)
        i.size = UInt8(size)
        i.is64 = size == 3
        i.acquireRelease = o0
        i.rn = spSlot(rn)
        switch (o2, o1) {
        case (false, false):
            i.operation = load ? .loadExclusive : .storeExclusive
            if load { i.rd = writeZR(rt) } else { i.rd = readZR(rt); i.rm = writeZR(rs) }
            return i
        case (false, true):
            if size < 2 {
                guard rt & 1 == 0, rs & 1 == 0, rt2 == 31 else { return nil }
                i.operation = .compareAndSwap
                return i
            }
            i.operation = load ? .loadExclusivePair : .storeExclusivePair
            i.is64 = size == 3
            i.size = UInt8(size)
            if load {
                i.rd = writeZR(rt)
                i.ra = writeZR(rt2)
            } else {
                i.rd = readZR(rt)
                i.ra = readZR(rt2)
                i.rm = writeZR(rs)
            }
            return i
        case (true, false):
            // objdump requires the should-be-one Rs and Rt2 fields of LDAR only (not STLR, LDLAR, STLLR).
            guard !load || !o0 || (rs == 31 && rt2 == 31) else { return nil }
            i.operation = load ? .loadAcquire : .storeRelease
            i.rd = load ? writeZR(rt) : readZR(rt)
            return i
        case (true, true):
            guard rt2 == 31 else { return nil }
            i.operation = .compareAndSwap
            return i
        }
    }

    private static func decodeLiteral(_ w: UInt32) -> ARM64Instruction? {
        let opc = bits(w, 31, 30)
        var i = ARM64Instruction(rawValue: w, operation: .ldrLiteral)
        i.immediate = signExtend(bits(w, 23, 5), width: 19) << 2
        let rt = bits(w, 4, 0)
        if bit(w, 26) {
            guard opc != 3 else { return nil }
            i.operation = .ldrLiteralSIMD
            i.size = UInt8(opc + 2)
            i.rd = UInt8(rt)
            return i
        }
        switch opc {
        case 0: i.size = 2; i.is64 = false
        case 1: i.size = 3
        case 2: i.size = 2; i.signExtend = true
        default: i.operation = .prfmLiteral; i.variant = UInt8(rt); return i
        }
        i.rd = writeZR(rt)
        return i
    }

    private static func decodePair(_ w: UInt32) -> ARM64Instruction? {
        let opc = bits(w, 31, 30)
        let load = bit(w, 22)
        let modeBits = bits(w, 24, 23)
        var i = ARM64Instruction(rawValue: w, operation: load ? .loadPair : .storePair)
        let rt = bits(w, 4, 0), rt2 = bits(w, 14, 10)
        i.rn = spSlot(bits(w, 9, 5))
        switch modeBits {
        case 1: i.mode = .postIndex
        case 3: i.mode = .preIndex
        default: i.mode = .offset
        }
        if bit(w, 26) {
            guard opc != 3 else { return nil }
            i.operation = .simdLoadStore
            return i
        }
        switch opc {
        case 0: i.size = 2; i.is64 = false
        case 1:
            guard load, modeBits != 0 else { return nil }
            // objdump (unlike for LDP) rejects the CONSTRAINED UNPREDICTABLE LDPSW forms.
            let rn = bits(w, 9, 5)
            guard rt != rt2, modeBits == 2 || rn == 31 || (rn != rt && rn != rt2) else { return nil }
            i.operation = .loadPairSigned
            i.size = 2
        case 2: i.size = 3
        default: return nil
        }
        i.immediate = signExtend(bits(w, 21, 15), width: 7) << UInt64(i.size)
        if load {
            i.rd = writeZR(rt)
            i.ra = writeZR(rt2)
        } else {
            i.rd = readZR(rt)
            i.ra = readZR(rt2)
        }
        return i
    }

    private static func decodeRegister(_ w: UInt32) -> ARM64Instruction? {
        let size = bits(w, 31, 30)
        let opc = bits(w, 23, 22)
        let rt = bits(w, 4, 0)
        var i = ARM64Instruction(rawValue: w, operation: .load)
        i.rn = spSlot(bits(w, 9, 5))
        i.size = UInt8(size)
        let unsignedOffset = bit(w, 24)
        if unsignedOffset {
            i.mode = .offset
        } else if bit(w, 21) {
            switch bits(w, 11, 10) {
            case 0:
                guard !bit(w, 26) else { return nil }
                // LDADD..LDUMIN (o3 = 0), SWP (o3:opc = 1000), LDAPR (1100, acquire only, Rs = 31).
                let o3opc = bits(w, 15, 12)
                if size == 3 && (o3opc == 9 || o3opc == 10 || o3opc == 11 || o3opc == 13) && bits(w, 23, 22) == 0 {
                    // FEAT_LS64: ST64BV0, ST64BV, ST64B, LD64B.
                    i.operation = .loadStore64Bytes
                    return i
                }
                guard o3opc < 8 || o3opc == 8 || (o3opc == 12 && bits(w, 23, 22) == 2 && bits(w, 20, 16) == 31) else { return nil }
                i.operation = .atomicMemory
                return i
            case 2:
                let option = bits(w, 15, 13)
                guard option & 2 != 0 else { return nil }
                i.mode = .register
                i.rm = readZR(bits(w, 20, 16))
                i.shift = UInt8(option)
                i.amount = bit(w, 12) ? 1 : 0
            default:
                guard size == 3, !bit(w, 26) else { return nil }
                i.operation = .loadAuthenticated
                return i
            }
        } else {
            switch bits(w, 11, 10) {
            case 0: i.mode = .offset
            case 1: i.mode = .postIndex
            case 2: i.mode = .offset
            default: i.mode = .preIndex
            }
            i.immediate = signExtend(bits(w, 20, 12), width: 9)
        }
        if bit(w, 26) {
            let unprivileged = !unsignedOffset && !bit(w, 21) && bits(w, 11, 10) == 2
            guard size == 0 || opc < 2, !unprivileged else { return nil }
            i.operation = .simdLoadStore
            return i
        }
        if unsignedOffset { i.immediate = UInt64(bits(w, 21, 10)) << UInt64(size) }
        let unprivileged = !unsignedOffset && !bit(w, 21) && bits(w, 11, 10) == 2
        switch opc {
        case 0:
            i.operation = unprivileged ? .storeUnprivileged : .store
            i.rd = readZR(rt)
        case 1:
            i.operation = unprivileged ? .loadUnprivileged : .load
            i.is64 = size == 3
            i.rd = writeZR(rt)
        default:
            if size == 3 {
                // PRFM (immediate/register) and PRFUM; the post/pre-index and unprivileged forms are unallocated.
                guard opc == 2, i.mode != .preIndex, i.mode != .postIndex, !unprivileged else { return nil }
                i.operation = .prfm
                i.variant = UInt8(rt)
                return i
            }
            if size == 2 && opc == 3 { return nil }
            i.operation = unprivileged ? .loadUnprivileged : .loadSigned
            i.signExtend = true
            i.is64 = opc == 2
            i.rd = writeZR(rt)
        }
        if i.mode == .register {
            i.amount = i.amount == 1 ? UInt8(size) : 0
        }
        return i
    }
}
