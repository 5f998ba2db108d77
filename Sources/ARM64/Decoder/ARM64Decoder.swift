/// Decodes A64 instruction words: every word gets its encoding group, and the general-purpose subset (what
/// kernel C compiles to, and everything the kprobe layer must classify) is decoded in full. Anything else is an
/// `ARM64DecodeError` value, never a crash.
public enum ARM64Decoder {
    public static func decode(_ word: UInt32) throws(ARM64DecodeError) -> ARM64Instruction {
        let group = ARM64EncodingGroup(word: word)
        if isUnsupportedExtension(word) { throw ARM64DecodeError(word: word, group: group, reason: .unsupported) }
        let decoded: ARM64Instruction?
        switch group {
        case .dataProcessingImmediate: decoded = decodeDataProcessingImmediate(word)
        case .branchExceptionSystem: decoded = decodeBranchExceptionSystem(word)
        case .loadStore: decoded = decodeLoadStore(word)
        case .dataProcessingRegister: decoded = decodeDataProcessingRegister(word)
        case .sme, .sve, .simdFP: throw ARM64DecodeError(word: word, group: group, reason: .unsupported)
        case .reserved, .unallocated: decoded = nil
        }
        guard let decoded else { throw ARM64DecodeError(word: word, group: group, reason: .unallocated) }
        return decoded
    }

    /// Encodings of extensions the decoder leaves undecoded though they sit in the general-purpose groups:
    /// Advanced SIMD structure loads/stores, FEAT_MTE (STG/STZG/ST2G/LDG..., STGP, ADDG/SUBG, IRG, GMI),
    /// FEAT_MOPS (CPY*/SET*), FEAT_LRCPC2 (LDAPUR/STLUR), FEAT_CSSC register min/max and PACGA.
    static func isUnsupportedExtension(_ w: UInt32) -> Bool {
        if w & 0xBE00_0000 == 0x0C00_0000 { return true }                     // LD1..LD4, ST1..ST4
        if w & 0x3B00_0000 == 0x1900_0000 { return true }                     // MTE tags, MOPS, RCpc2
        if w & 0xFE40_0000 == 0x6800_0000 && bits(w, 24, 23) != 0 { return true } // STGP
        if w & 0xFFC0_C000 == 0x9180_0000 || w & 0xFFC0_C000 == 0xD180_0000 { return true } // ADDG, SUBG
        if w & 0x7FE0_0000 == 0x1AC0_0000 {
            let opcode = bits(w, 15, 10)
            if opcode == 4 || opcode == 5 || opcode == 12 || (24...27).contains(opcode) { return true }  // IRG, GMI, PACGA, CSSC
        }
        return false
    }

    // MARK: Field helpers

    @inline(__always) static func bits(_ word: UInt32, _ high: UInt32, _ low: UInt32) -> UInt32 {
        (word >> low) & ((1 << (high - low + 1)) - 1)
    }

    @inline(__always) static func bit(_ word: UInt32, _ n: UInt32) -> Bool { (word >> n) & 1 != 0 }

    /// Sign-extends the low `width` bits of `value`, returned as a 64-bit pattern.
    @inline(__always) static func signExtend(_ value: UInt32, width: UInt32) -> UInt64 {
        let shift = 64 - UInt64(width)
        return UInt64(bitPattern: Int64(bitPattern: UInt64(value) << shift) >> Int64(shift))
    }

    /// Register number `n` where 31 means the zero register, as a read slot.
    @inline(__always) static func readZR(_ n: UInt32) -> UInt8 {
        n == 31 ? ARM64PtRegs.zeroReadSlotByte : UInt8(n)
    }

    /// Register number `n` where 31 means the zero register, as a write slot.
    @inline(__always) static func writeZR(_ n: UInt32) -> UInt8 {
        n == 31 ? ARM64PtRegs.zeroWriteSlotByte : UInt8(n)
    }

    /// Register number `n` where 31 means SP (slot 31 is `pt_regs.sp`).
    @inline(__always) static func spSlot(_ n: UInt32) -> UInt8 { UInt8(n) }

    /// The Arm ARM's `DecodeBitMasks`: the `wmask`/`tmask` pair of a logical immediate or bitfield, truncated to
    /// the operation size; nil for the reserved encodings.
    static func decodeBitMasks(n: UInt32, imms: UInt32, immr: UInt32, logicalImmediate: Bool, is64: Bool) -> (wmask: UInt64, tmask: UInt64)? {
        let combined = (n << 6) | (~imms & 0x3F)
        guard combined != 0 else { return nil }
        let length = UInt32(31 - combined.leadingZeroBitCount)
        guard length >= 1, is64 || length < 6 else { return nil }
        let levels: UInt32 = (1 << length) - 1
        if logicalImmediate && imms & levels == levels { return nil }
        let s = imms & levels
        let r = immr & levels
        let d = (s &- r) & levels
        let esize = UInt64(1) << UInt64(length)
        let elementMask: UInt64 = esize == 64 ? ~0 : (1 << esize) - 1
        let welem: UInt64 = s + 1 == 64 ? ~0 : (1 << UInt64(s + 1)) - 1
        let telem: UInt64 = d + 1 == 64 ? ~0 : (1 << UInt64(d + 1)) - 1
        let rotated = r == 0 ? welem : ((welem >> UInt64(r)) | (welem << (esize - UInt64(r)))) & elementMask
        var wmask: UInt64 = 0
        var tmask: UInt64 = 0
        var position: UInt64 = 0
        while position < 64 {
            wmask |= rotated << position
            tmask |= telem << position
            position += esize
        }
        if !is64 {
            wmask &= 0xFFFF_FFFF
            tmask &= 0xFFFF_FFFF
        }
        return (wmask, tmask)
    }
}
