extension ARM64Decoder {
    /// `op0 = 100x`: PC-relative addressing, add/subtract, logical, move wide, bitfield, extract.
    static func decodeDataProcessingImmediate(_ w: UInt32) -> ARM64Instruction? {
        let sf = bit(w, 31)
        let rd = bits(w, 4, 0)
        let rn = bits(w, 9, 5)
        switch bits(w, 25, 23) {
        case 0b000, 0b001:
            var i = ARM64Instruction(rawValue: w, operation: bit(w, 31) ? .adrp : .adr)
            i.rd = writeZR(rd)
            let imm = bits(w, 23, 5) << 2 | bits(w, 30, 29)
            let offset = signExtend(imm, width: 21)
            i.immediate = i.operation == .adrp ? offset << 12 : offset
            return i
        case 0b010:
            var i = ARM64Instruction(rawValue: w, operation: bit(w, 30) ? .subImmediate : .addImmediate)
            i.is64 = sf
            i.setsFlags = bit(w, 29)
            i.subtract = bit(w, 30)
            i.rd = i.setsFlags ? writeZR(rd) : spSlot(rd)
            i.rn = spSlot(rn)
            i.amount = bit(w, 22) ? 12 : 0
            i.immediate = UInt64(bits(w, 21, 10)) << UInt64(i.amount)
            return i
        case 0b011:
            // FEAT_CSSC SMAX/UMAX/SMIN/UMIN (immediate), opc in bits 21..18 (ADDG/SUBG are screened out earlier).
            guard bit(w, 22), bits(w, 30, 29) == 0, bits(w, 21, 18) <= 3 else { return nil }
            return ARM64Instruction(rawValue: w, operation: .minMaxImmediate)
        case 0b100:
            let n = bits(w, 22, 22)
            guard sf || n == 0,
                  let masks = decodeBitMasks(n: n, imms: bits(w, 15, 10), immr: bits(w, 21, 16), logicalImmediate: true, is64: sf)
            else { return nil }
            var i = ARM64Instruction(rawValue: w, operation: .logicalImmediate)
            i.is64 = sf
            i.variant = UInt8(bits(w, 30, 29))
            i.setsFlags = i.variant == 3
            i.rd = i.setsFlags ? writeZR(rd) : spSlot(rd)
            i.rn = readZR(rn)
            i.immediate = masks.wmask
            return i
        case 0b101:
            let hw = bits(w, 22, 21)
            guard sf || hw < 2 else { return nil }
            let operation: ARM64Operation
            switch bits(w, 30, 29) {
            case 0: operation = .movn
            case 2: operation = .movz
            case 3: operation = .movk
            default: return nil
            }
            var i = ARM64Instruction(rawValue: w, operation: operation)
            i.is64 = sf
            i.rd = writeZR(rd)
            i.amount = UInt8(hw * 16)
            i.immediate = UInt64(bits(w, 20, 5))
            return i
        case 0b110:
            let n = bits(w, 22, 22)
            guard (sf ? 1 : 0) == n, sf || (bits(w, 21, 21) == 0 && bits(w, 15, 15) == 0) else { return nil }
            let operation: ARM64Operation
            switch bits(w, 30, 29) {
            case 0: operation = .sbfm
            case 1: operation = .bfm
            case 2: operation = .ubfm
            default: return nil
            }
            let immr = bits(w, 21, 16)
            let imms = bits(w, 15, 10)
            guard let masks = decodeBitMasks(n: n, imms: imms, immr: immr, logicalImmediate: false, is64: sf) else { return nil }
            var i = ARM64Instruction(rawValue: w, operation: operation)
            i.is64 = sf
            i.rd = writeZR(rd)
            i.rn = readZR(rn)
            i.amount = UInt8(immr)
            i.variant = UInt8(imms)
            i.immediate = masks.wmask
            i.immediate2 = masks.tmask
            return i
        case 0b111:
            let n = bits(w, 22, 22)
            let imms = bits(w, 15, 10)
            guard bits(w, 30, 29) == 0, bit(w, 21) == false, (sf ? 1 : 0) == n, sf || imms < 32 else { return nil }
            var i = ARM64Instruction(rawValue: w, operation: .extr)
            i.is64 = sf
            i.rd = writeZR(rd)
            i.rn = readZR(rn)
            i.rm = readZR(bits(w, 20, 16))
            i.amount = UInt8(imms)
            return i
        default:
            return nil
        }
    }
}
