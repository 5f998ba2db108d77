extension ARM64Decoder {
    /// `op0 = x101`: logical and arithmetic on registers, conditional operations, 1/2/3-source operations.
    static func decodeDataProcessingRegister(_ w: UInt32) -> ARM64Instruction? {
        let sf = bit(w, 31)
        let rd = bits(w, 4, 0), rn = bits(w, 9, 5), rm = bits(w, 20, 16)
        var i = ARM64Instruction(rawValue: w, operation: .logicalShifted)
        i.is64 = sf
        i.rd = writeZR(rd)
        i.rn = readZR(rn)
        i.rm = readZR(rm)
        if w & 0x1F00_0000 == 0x0A00_0000 {
            let imm6 = bits(w, 15, 10)
            guard sf || imm6 < 32 else { return nil }
            i.variant = UInt8(bits(w, 30, 29))
            i.setsFlags = i.variant == 3
            i.invert = bit(w, 21)
            i.shift = UInt8(bits(w, 23, 22))
            i.amount = UInt8(imm6)
            return i
        }
        if w & 0x1F20_0000 == 0x0B00_0000 {
            let imm6 = bits(w, 15, 10)
            guard bits(w, 23, 22) != 3, sf || imm6 < 32 else { return nil }
            i.operation = .addSubShifted
            i.subtract = bit(w, 30)
            i.setsFlags = bit(w, 29)
            i.shift = UInt8(bits(w, 23, 22))
            i.amount = UInt8(imm6)
            return i
        }
        if w & 0x1F20_0000 == 0x0B20_0000 {
            let imm3 = bits(w, 12, 10)
            guard bits(w, 23, 22) == 0, imm3 <= 4 else { return nil }
            i.operation = .addSubExtended
            i.subtract = bit(w, 30)
            i.setsFlags = bit(w, 29)
            i.rd = i.setsFlags ? writeZR(rd) : spSlot(rd)
            i.rn = spSlot(rn)
            i.shift = UInt8(bits(w, 15, 13))
            i.amount = UInt8(imm3)
            return i
        }
        if w & 0x1FE0_FC00 == 0x1A00_0000 {
            i.operation = .addSubCarry
            i.subtract = bit(w, 30)
            i.setsFlags = bit(w, 29)
            return i
        }
        if w & 0x1FE0_0000 == 0x1A40_0000 {
            guard bit(w, 29), !bit(w, 10), !bit(w, 4) else { return nil }
            i.operation = .conditionalCompare
            i.subtract = bit(w, 30)
            i.usesImmediate = bit(w, 11)
            i.condition = UInt8(bits(w, 15, 12))
            i.immediate = UInt64(rm)
            i.immediate2 = UInt64(bits(w, 3, 0)) << 28
            return i
        }
        if w & 0x1FE0_0000 == 0x1A80_0000 {
            guard !bit(w, 29), !bit(w, 11) else { return nil }
            i.operation = .conditionalSelect
            i.variant = UInt8(bits(w, 30, 30) << 1 | bits(w, 10, 10))
            i.condition = UInt8(bits(w, 15, 12))
            return i
        }
        if w & 0x5FE0_0000 == 0x1AC0_0000 {
            guard !bit(w, 29) else { return nil }
            switch bits(w, 15, 10) {
            case 2: i.operation = .udiv
            case 3: i.operation = .sdiv
            case 8: i.operation = .lslv
            case 9: i.operation = .lsrv
            case 10: i.operation = .asrv
            case 11: i.operation = .rorv
            case 16, 17, 18, 20, 21, 22:
                guard sf == (bits(w, 11, 10) == 3) else { return nil }
                i.operation = .crc32
            case 19, 23:
                guard sf else { return nil }
                i.operation = .crc32
            default: return nil
            }
            return i
        }
        if w & 0x5FE0_0000 == 0x5AC0_0000 {
            guard !bit(w, 29) else { return nil }
            let opcode = bits(w, 15, 10)
            switch rm {
            case 0:
                switch opcode {
                case 0: i.operation = .rbit
                case 1: i.operation = .rev16
                case 2: i.operation = sf ? .rev32 : .rev
                case 3:
                    guard sf else { return nil }
                    i.operation = .rev
                case 4: i.operation = .clz
                case 5: i.operation = .cls
                default: return nil
                }
                return i
            case 1:
                guard sf, opcode <= 17, opcode < 8 || rn == 31 else { return nil }
                i.operation = .pointerAuthData
                return i
            default:
                return nil
            }
        }
        if w & 0x1F00_0000 == 0x1B00_0000 {
            guard bits(w, 30, 29) == 0 else { return nil }
            let o0 = bit(w, 15)
            i.ra = readZR(bits(w, 14, 10))
            switch (bits(w, 23, 21), o0) {
            case (0, false): i.operation = .madd
            case (0, true): i.operation = .msub
            case (1, false) where sf: i.operation = .smaddl
            case (1, true) where sf: i.operation = .smsubl
            case (2, false) where sf: i.operation = .smulh
            case (5, false) where sf: i.operation = .umaddl
            case (5, true) where sf: i.operation = .umsubl
            case (6, false) where sf: i.operation = .umulh
            default: return nil
            }
            return i
        }
        return nil
    }
}
