/// Arithmetic, logical, move, bitfield, conditional and multiply instructions, with the aliases objdump prints.
extension ARM64Encoder {
    /// `N:immr:imms` of every encodable bitmask immediate, by value, for 64- and 32-bit operations.
    static let bitmaskEncodings: [[UInt64: UInt32]] = [false, true].map { is64 in
        var table: [UInt64: UInt32] = [:]
        for n in UInt32(0)...(is64 ? 1 : 0) {
            for immr in UInt32(0)..<64 {
                for imms in UInt32(0)..<64 {
                    if let masks = ARM64Decoder.decodeBitMasks(n: n, imms: imms, immr: immr, logicalImmediate: true, is64: is64),
                       table[masks.wmask] == nil {
                        table[masks.wmask] = n << 12 | immr << 6 | imms
                    }
                }
            }
        }
        return table
    }

    static func bitmask(_ value: UInt64, _ is64: Bool) -> UInt32? {
        bitmaskEncodings[is64 ? 1 : 0][is64 ? value : value & 0xFFFF_FFFF]
    }

    static let shiftKinds = ["lsl": UInt32(0), "lsr": 1, "asr": 2, "ror": 3]
    static let extendKinds = ["uxtb": UInt32(0), "uxth": 1, "uxtw": 2, "uxtx": 3, "sxtb": 4, "sxth": 5, "sxtw": 6, "sxtx": 7]

    /// The same instruction under another mnemonic with `zero` (the zero register of `rd`'s width) inserted at
    /// `position`: how the aliases (`cmp`, `neg`, `tst`, `mvn`, `mul`...) map onto their instruction.
    func alias(_ name: String, zeroAt position: Int, width n: Int = 0) throws(Problem) -> UInt32 {
        let width = try register(n).is64
        var rewritten = operands
        rewritten.insert(.register(31, is64: width, isSP: false), at: min(position, rewritten.count))
        return try ARM64Encoder(mnemonic: name, operands: rewritten, address: address, labels: labels).encode()
    }

    func encodeDataProcessing() throws(Problem) -> UInt32? {
        switch mnemonic {
        case "add", "adds", "sub", "subs": return try addSub()
        case "cmp": return try alias("subs", zeroAt: 0)
        case "cmn": return try alias("adds", zeroAt: 0)
        case "neg": return try alias("sub", zeroAt: 1)
        case "negs": return try alias("subs", zeroAt: 1)
        case "and", "orr", "eor", "ands", "bic", "orn", "eon", "bics": return try logical()
        case "tst": return try alias("ands", zeroAt: 0)
        case "mvn": return try alias("orn", zeroAt: 1)
        case "mov": return try move()
        case "movz", "movn", "movk": return try moveWide()
        case "adr", "adrp":
            try expectCount(2...2)
            let rd = try gpr(0, true)
            let delta: Int64
            if mnemonic == "adrp" {
                delta = Int64(bitPattern: (try target(1) & ~0xFFF) &- (address & ~0xFFF)) >> 12
            } else {
                delta = Int64(bitPattern: try target(1) &- address)
            }
            let imm = try checked(delta, -(1 << 20)...((1 << 20) - 1), "offset") & 0x1F_FFFF
            return (mnemonic == "adrp" ? 0x9000_0000 : 0x1000_0000) | (imm & 3) << 29 | (imm >> 2) << 5 | rd
        case "lsl", "lsr", "asr", "ror": return try shift()
        case "ubfm", "sbfm", "bfm", "ubfx", "sbfx", "ubfiz", "sbfiz", "bfi", "bfxil", "bfc", "sxtb", "sxth", "sxtw", "uxtb", "uxth":
            return try bitfield()
        case "extr":
            try expectCount(4...4)
            let is64 = try register(0).is64
            let lsb = try checked(try immediate(3), 0...(is64 ? 63 : 31), "lsb")
            return (is64 ? 0x93C0_0000 : 0x1380_0000) | (try gpr(2, is64)) << 16 | lsb << 10 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
        case "adc", "adcs", "sbc", "sbcs":
            try expectCount(3...3)
            let is64 = try register(0).is64
            let op: UInt32 = mnemonic.hasPrefix("sbc") ? 1 : 0
            let s: UInt32 = mnemonic.hasSuffix("s") ? 1 : 0
            return (is64 ? 1 << 31 : 0) | op << 30 | s << 29 | 0x1A00_0000 | (try gpr(2, is64)) << 16 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
        case "ngc": return try alias("sbc", zeroAt: 1)
        case "ngcs": return try alias("sbcs", zeroAt: 1)
        case "ccmp", "ccmn":
            try expectCount(4...4)
            let is64 = try register(0).is64
            let op: UInt32 = mnemonic == "ccmp" ? 1 : 0
            let nzcv = try checked(try immediate(2), 0...15, "nzcv")
            let base = (is64 ? 1 << 31 : 0) | op << 30 | 0x3A40_0000 | (try condition(3)) << 12 | (try gpr(0, is64)) << 5 | nzcv
            if case .immediate(let value) = try operand(1) { return base | (try checked(value, 0...31, "immediate")) << 16 | 1 << 11 }
            return base | (try gpr(1, is64)) << 16
        case "csel", "csinc", "csinv", "csneg":
            try expectCount(4...4)
            let is64 = try register(0).is64
            let (op, op2): (UInt32, UInt32) = ["csel": (0, 0), "csinc": (0, 1), "csinv": (1, 0), "csneg": (1, 1)][mnemonic] ?? (0, 0)
            return (is64 ? 1 << 31 : 0) | op << 30 | 0x1A80_0000 | (try gpr(2, is64)) << 16 | (try condition(3)) << 12
                | op2 << 10 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
        case "cset", "csetm":
            try expectCount(2...2)
            let is64 = try register(0).is64
            let inverted = try invertedCondition(1)
            // CSET is CSINC (op 0, op2 1), CSETM is CSINV (op 1, op2 0), both of zr, zr.
            let (op, op2): (UInt32, UInt32) = mnemonic == "csetm" ? (1, 0) : (0, 1)
            return (is64 ? 1 << 31 : 0) | op << 30 | 0x1A80_0000 | 31 << 16 | inverted << 12 | op2 << 10 | 31 << 5 | (try gpr(0, is64))
        case "cinc", "cinv", "cneg":
            try expectCount(3...3)
            let is64 = try register(0).is64
            let rn = try gpr(1, is64)
            let (op, op2): (UInt32, UInt32) = ["cinc": (0, 1), "cinv": (1, 0), "cneg": (1, 1)][mnemonic] ?? (0, 0)
            return (is64 ? 1 << 31 : 0) | op << 30 | 0x1A80_0000 | rn << 16 | (try invertedCondition(2)) << 12 | op2 << 10 | rn << 5 | (try gpr(0, is64))
        case "udiv", "sdiv":
            return try twoSource(mnemonic == "udiv" ? 2 : 3)
        case "lslv", "lsrv", "asrv", "rorv":
            return try twoSource(["lslv": 8, "lsrv": 9, "asrv": 10, "rorv": 11][mnemonic] ?? 8)
        case "rbit", "rev16", "rev32", "rev", "clz", "cls":
            try expectCount(2...2)
            let is64 = try register(0).is64
            var opcode: UInt32 = ["rbit": 0, "rev16": 1, "rev32": 2, "rev": 3, "clz": 4, "cls": 5][mnemonic] ?? 0
            if mnemonic == "rev" && !is64 { opcode = 2 }
            guard mnemonic != "rev32" || is64 else { throw fail("rev32 is 64-bit only") }
            return (is64 ? 1 << 31 : 0) | 0x5AC0_0000 | opcode << 10 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
        case "madd", "msub":
            try expectCount(4...4)
            let is64 = try register(0).is64
            return (is64 ? 1 << 31 : 0) | 0x1B00_0000 | (try gpr(2, is64)) << 16 | (mnemonic == "msub" ? 1 << 15 : 0)
                | (try gpr(3, is64)) << 10 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
        case "mul": return try alias("madd", zeroAt: 3)
        case "mneg": return try alias("msub", zeroAt: 3)
        case "smaddl", "smsubl", "umaddl", "umsubl":
            try expectCount(4...4)
            let op31: UInt32 = mnemonic.hasPrefix("s") ? 1 : 5
            return 0x9B00_0000 | op31 << 21 | (try gpr(2, false)) << 16 | (mnemonic.contains("sub") ? 1 << 15 : 0)
                | (try gpr(3, true)) << 10 | (try gpr(1, false)) << 5 | (try gpr(0, true))
        case "smull": return try alias("smaddl", zeroAt: 3)
        case "umull": return try alias("umaddl", zeroAt: 3)
        case "smnegl": return try alias("smsubl", zeroAt: 3)
        case "umnegl": return try alias("umsubl", zeroAt: 3)
        case "smulh", "umulh":
            try expectCount(3...3)
            return 0x9B00_0000 | (mnemonic == "smulh" ? 2 : 6) << 21 | (try gpr(2, true)) << 16 | 31 << 10 | (try gpr(1, true)) << 5 | (try gpr(0, true))
        default:
            return nil
        }
    }

    func invertedCondition(_ n: Int) throws(Problem) -> UInt32 {
        let c = try condition(n)
        guard c < 14 else { throw fail("al/nv cannot be inverted") }
        return c ^ 1
    }

    func twoSource(_ opcode: UInt32) throws(Problem) -> UInt32 {
        try expectCount(3...3)
        let is64 = try register(0).is64
        return (is64 ? 1 << 31 : 0) | 0x1AC0_0000 | (try gpr(2, is64)) << 16 | opcode << 10 | (try gpr(1, is64)) << 5 | (try gpr(0, is64))
    }

    func addSub() throws(Problem) -> UInt32 {
        try expectCount(3...4)
        let rd = try register(0), rn = try register(1)
        let is64 = rd.is64
        guard rn.is64 == is64 else { throw fail("register widths differ") }
        let op: UInt32 = mnemonic.hasPrefix("sub") ? 1 : 0
        let s: UInt32 = mnemonic.hasSuffix("s") ? 1 : 0
        let sf: UInt32 = is64 ? 1 << 31 : 0
        guard rd.number != 31 || !rd.isSP || s == 0 else { throw fail("flag-setting forms cannot write sp") }
        if case .immediate(let value) = try operand(2) {
            var shift: UInt32 = 0
            var imm = value
            if operands.count == 4 {
                guard case .modifier("lsl", let amount?) = try operand(3), amount == 0 || amount == 12 else { throw fail("expected lsl #0 or #12") }
                shift = amount == 12 ? 1 : 0
            } else if imm > 4095 && imm & 0xFFF == 0 {
                shift = 1
                imm >>= 12
            }
            let imm12 = try checked(imm, 0...4095, "immediate")
            guard rn.number != 31 || rn.isSP, rd.number != 31 || rd.isSP || s == 1 else { throw fail("sp/zero register misuse") }
            return sf | op << 30 | s << 29 | 0x1100_0000 | shift << 22 | imm12 << 10 | rn.number << 5 | rd.number
        }
        let rm = try register(2)
        var modifier: (String, Int64?)? = nil
        if operands.count == 4 {
            guard case .modifier(let kind, let amount) = try operand(3) else { throw fail("expected a shift or extend") }
            modifier = (kind, amount)
        }
        let usesSP = rd.isSP || rn.isSP
        if usesSP || (modifier.map { ARM64Encoder.extendKinds[$0.0] != nil } ?? false) {
            var option: UInt32 = is64 ? 3 : 2
            var amount: Int64 = 0
            if let (kind, value) = modifier {
                if kind == "lsl" {
                    guard usesSP else { throw fail("lsl with an extended register needs sp") }
                } else if let extend = ARM64Encoder.extendKinds[kind] {
                    option = extend
                } else {
                    throw fail("bad extend '\(kind)'")
                }
                amount = value ?? 0
            }
            guard rm.is64 == (is64 && option & 3 == 3), !rm.isSP else { throw fail("extended register has the wrong width") }
            let imm3 = try checked(amount, 0...4, "extend shift")
            return sf | op << 30 | s << 29 | 0x0B20_0000 | rm.number << 16 | option << 13 | imm3 << 10 | rn.number << 5 | rd.number
        }
        guard rm.is64 == is64, !rm.isSP else { throw fail("register widths differ") }
        var shiftType: UInt32 = 0, amount: Int64 = 0
        if let (kind, value) = modifier {
            guard let type = ARM64Encoder.shiftKinds[kind], type != 3 else { throw fail("bad shift '\(kind)'") }
            shiftType = type
            amount = value ?? 0
        }
        let imm6 = try checked(amount, 0...(is64 ? 63 : 31), "shift amount")
        return sf | op << 30 | s << 29 | 0x0B00_0000 | shiftType << 22 | rm.number << 16 | imm6 << 10 | rn.number << 5 | rd.number
    }

    func logical() throws(Problem) -> UInt32 {
        try expectCount(3...4)
        let rd = try register(0)
        let is64 = rd.is64
        let sf: UInt32 = is64 ? 1 << 31 : 0
        let names = ["and", "orr", "eor", "ands", "bic", "orn", "eon", "bics"]
        let index = UInt32(names.firstIndex(of: mnemonic) ?? 0)
        let opc = index & 3, n = index >> 2
        let rn = try gpr(1, is64)
        if case .immediate(let value) = try operand(2) {
            guard n == 0, let encoding = ARM64Encoder.bitmask(UInt64(bitPattern: value), is64) else {
                throw fail("0x\(String(UInt64(bitPattern: value), radix: 16)) is not a bitmask immediate")
            }
            guard !rd.isSP || opc != 3 else { throw fail("ands cannot write sp") }
            return sf | opc << 29 | 0x1200_0000 | encoding << 10 | rn << 5 | rd.number
        }
        guard !rd.isSP else { throw fail("the register form cannot write sp") }
        var shiftType: UInt32 = 0, amount: Int64 = 0
        if operands.count == 4 {
            guard case .modifier(let kind, let value) = try operand(3), let type = ARM64Encoder.shiftKinds[kind] else { throw fail("bad shift") }
            shiftType = type
            amount = value ?? 0
        }
        let imm6 = try checked(amount, 0...(is64 ? 63 : 31), "shift amount")
        return sf | opc << 29 | 0x0A00_0000 | shiftType << 22 | n << 21 | (try gpr(2, is64)) << 16 | imm6 << 10 | rn << 5 | rd.number
    }

    func move() throws(Problem) -> UInt32 {
        try expectCount(2...2)
        let rd = try register(0)
        if case .register(_, _, let sourceIsSP) = try operand(1) {
            if rd.isSP || sourceIsSP {
                return try ARM64Encoder(mnemonic: "add", operands: operands + [.immediate(0)], address: address, labels: labels).encode()
            }
            return try alias("orr", zeroAt: 1)
        }
        let value = UInt64(bitPattern: try immediate(1))
        let mask: UInt64 = rd.is64 ? ~0 : 0xFFFF_FFFF
        let width: UInt64 = rd.is64 ? 64 : 32
        let sf: UInt32 = rd.is64 ? 1 << 31 : 0
        guard rd.is64 || value & ~mask == 0 || value | mask == ~0 else { throw fail("immediate too wide for a w register") }
        for (candidate, opc) in [(value & mask, UInt32(2)), (~value & mask, UInt32(0))] {
            var shift: UInt64 = 0
            while shift < width {
                if candidate & ~(0xFFFF << shift) & mask == 0 && (candidate != 0 || shift == 0) {
                    if opc == 0 && !rd.is64 && (candidate >> shift) & 0xFFFF == 0xFFFF { break }
                    guard !rd.isSP else { throw fail("mov to sp needs a register") }
                    return sf | opc << 29 | 0x1280_0000 | UInt32(shift / 16) << 21 | UInt32((candidate >> shift) & 0xFFFF) << 5 | rd.number
                }
                shift += 16
            }
        }
        guard let encoding = ARM64Encoder.bitmask(value, rd.is64) else { throw fail("0x\(String(value, radix: 16)) cannot be moved in one instruction") }
        return sf | 1 << 29 | 0x1200_0000 | encoding << 10 | 31 << 5 | rd.number
    }

    func moveWide() throws(Problem) -> UInt32 {
        try expectCount(2...3)
        let is64 = try register(0).is64
        let imm16 = try checked(try immediate(1), 0...0xFFFF, "immediate")
        var hw: UInt32 = 0
        if operands.count == 3 {
            guard case .modifier("lsl", let amount?) = try operand(2), amount % 16 == 0, amount < (is64 ? 64 : 32) else { throw fail("bad shift") }
            hw = UInt32(amount / 16)
        }
        let opc: UInt32 = ["movn": 0, "movz": 2, "movk": 3][mnemonic] ?? 2
        return (is64 ? 1 << 31 : 0) | opc << 29 | 0x1280_0000 | hw << 21 | imm16 << 5 | (try gpr(0, is64))
    }

    func shift() throws(Problem) -> UInt32 {
        try expectCount(3...3)
        let is64 = try register(0).is64
        if case .register = try operand(2) {
            return try twoSource(["lsl": 8, "lsr": 9, "asr": 10, "ror": 11][mnemonic] ?? 8)
        }
        let size: Int64 = is64 ? 64 : 32
        let amount = try immediate(2)
        guard (0..<size).contains(amount) else { throw fail("shift amount out of range") }
        switch mnemonic {
        case "lsl": return try bitfieldWord(opc: 2, is64, immr: (size - amount) % size, imms: size - 1 - amount)
        case "lsr": return try bitfieldWord(opc: 2, is64, immr: amount, imms: size - 1)
        case "asr": return try bitfieldWord(opc: 0, is64, immr: amount, imms: size - 1)
        default:
            let r = try gpr(1, is64)
            return (is64 ? 0x93C0_0000 : 0x1380_0000) | r << 16 | UInt32(amount) << 10 | r << 5 | (try gpr(0, is64))
        }
    }

    func bitfieldWord(opc: UInt32, _ is64: Bool, immr: Int64, imms: Int64, source: Int = 1) throws(Problem) -> UInt32 {
        let limit: Int64 = is64 ? 63 : 31
        let r = try checked(immr, 0...limit, "immr"), s = try checked(imms, 0...limit, "imms")
        let rn: UInt32
        if source < 0 { rn = 31 } else {
            let register = try register(source)
            guard !register.isSP else { throw fail("source cannot be sp") }
            rn = register.number
        }
        return (is64 ? 1 << 31 | 1 << 22 : 0) | opc << 29 | 0x1300_0000 | r << 16 | s << 10 | rn << 5 | (try gpr(0, is64))
    }

    func bitfield() throws(Problem) -> UInt32 {
        let is64 = try register(0).is64
        let size: Int64 = is64 ? 64 : 32
        switch mnemonic {
        case "sxtb", "sxth", "sxtw", "uxtb", "uxth":
            try expectCount(2...2)
            guard case .register(_, false, false) = try operand(1) else { throw fail("the source is a w register") }
            let imms: Int64 = mnemonic.hasSuffix("b") ? 7 : mnemonic.hasSuffix("h") ? 15 : 31
            return try bitfieldWord(opc: mnemonic.hasPrefix("s") ? 0 : 2, is64, immr: 0, imms: imms)
        case "bfc":
            try expectCount(3...3)
            let lsb = try immediate(1), width = try immediate(2)
            guard width >= 1, lsb >= 0, lsb + width <= size else { throw fail("bad lsb/width") }
            return try bitfieldWord(opc: 1, is64, immr: (size - lsb) % size, imms: width - 1, source: -1)
        default:
            try expectCount(4...4)
            let a = try immediate(2), b = try immediate(3)
            let opc: UInt32 = mnemonic.hasPrefix("s") ? 0 : mnemonic.hasPrefix("u") ? 2 : 1
            switch mnemonic {
            case "ubfm", "sbfm", "bfm": return try bitfieldWord(opc: opc, is64, immr: a, imms: b)
            case "ubfx", "sbfx", "bfxil":
                guard b >= 1, a >= 0, a + b <= size else { throw fail("bad lsb/width") }
                return try bitfieldWord(opc: opc, is64, immr: a, imms: a + b - 1)
            default:
                guard b >= 1, a >= 0, a + b <= size else { throw fail("bad lsb/width") }
                return try bitfieldWord(opc: opc, is64, immr: (size - a) % size, imms: b - 1)
            }
        }
    }
}
