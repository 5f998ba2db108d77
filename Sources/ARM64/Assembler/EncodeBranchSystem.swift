/// Branches, exception generation, hints, barriers, PSTATE and system-register moves.
extension ARM64Encoder {
    static let hintNumbers: [String: UInt32] = [
        "nop": 0, "yield": 1, "wfe": 2, "wfi": 3, "sev": 4, "sevl": 5, "dgh": 6, "xpaclri": 7, "pacia1716": 8,
        "pacib1716": 10, "autia1716": 12, "autib1716": 14, "esb": 16, "csdb": 20, "paciaz": 24, "paciasp": 25,
        "pacibz": 26, "pacibsp": 27, "autiaz": 28, "autiasp": 29, "autibz": 30, "autibsp": 31,
    ]
    static let barrierOptions = ["oshld": 1, "oshst": 2, "osh": 3, "nshld": 5, "nshst": 6, "nsh": 7, "ishld": 9,
                                 "ishst": 10, "ish": 11, "ld": 13, "st": 14, "sy": 15]
    static let pstateFields: [String: (op1: UInt32, op2: UInt32)] = [
        "uao": (0, 3), "pan": (0, 4), "spsel": (0, 5), "ssbs": (3, 1), "dit": (3, 2), "tco": (3, 4),
        "daifset": (3, 6), "daifclr": (3, 7),
    ]

    func encodeBranchSystem() throws(Problem) -> UInt32? {
        if mnemonic.hasPrefix("b.") || mnemonic.hasPrefix("bc.") {
            try expectCount(1...1)
            let name = String(mnemonic.drop { $0 != "." }.dropFirst())
            let code = ARM64Encoder.conditions.firstIndex(of: name) ?? ARM64Encoder.conditionAliases[name]
            guard let code else { throw fail("unknown condition '\(name)'") }
            return 0x5400_0000 | (try pcOffset(0, bits: 19)) << 5 | (mnemonic.hasPrefix("bc.") ? 0x10 : 0) | UInt32(code)
        }
        switch mnemonic {
        case "b", "bl":
            try expectCount(1...1)
            return (mnemonic == "b" ? 0x1400_0000 : 0x9400_0000) | (try pcOffset(0, bits: 26))
        case "cbz", "cbnz":
            try expectCount(2...2)
            let rt = try register(0)
            guard !rt.isSP else { throw fail("cbz/cbnz take a general register") }
            return (rt.is64 ? 0x8000_0000 : 0) | 0x3400_0000 | (mnemonic == "cbnz" ? 1 << 24 : 0)
                | (try pcOffset(1, bits: 19)) << 5 | rt.number
        case "tbz", "tbnz":
            try expectCount(3...3)
            let rt = try register(0)
            let bit = try checked(try immediate(1), rt.is64 ? 0...63 : 0...31, "bit number")
            return (bit >> 5) << 31 | 0x3600_0000 | (mnemonic == "tbnz" ? 1 << 24 : 0) | (bit & 31) << 19
                | (try pcOffset(2, bits: 14)) << 5 | rt.number
        case "br", "blr":
            try expectCount(1...1)
            return (mnemonic == "br" ? 0xD61F_0000 : 0xD63F_0000) | (try gpr(0, true)) << 5
        case "ret":
            try expectCount(0...1)
            return 0xD65F_0000 | (operands.isEmpty ? 30 : try gpr(0, true)) << 5
        case "retaa": return 0xD65F_0BFF
        case "retab": return 0xD65F_0FFF
        case "eret": return 0xD69F_03E0
        case "eretaa": return 0xD69F_0BFF
        case "eretab": return 0xD69F_0FFF
        case "drps": return 0xD6BF_03E0
        case "braaz", "brabz", "blraaz", "blrabz":
            let base: UInt32 = mnemonic.hasPrefix("blr") ? 0xD63F_081F : 0xD61F_081F
            return base | (mnemonic.hasSuffix("bz") ? 0x400 : 0) | (try gpr(0, true)) << 5
        case "braa", "brab", "blraa", "blrab":
            try expectCount(2...2)
            let base: UInt32 = mnemonic.hasPrefix("blr") ? 0xD73F_0800 : 0xD71F_0800
            return base | (mnemonic.hasSuffix("b") ? 0x400 : 0) | (try gpr(0, true)) << 5 | (try spOrGPR(1, true))
        case "svc", "hvc", "smc", "brk", "hlt":
            try expectCount(1...1)
            let imm = try checked(try immediate(0), 0...0xFFFF, "immediate")
            let (opc, ll): (UInt32, UInt32) = ["svc": (0, 1), "hvc": (0, 2), "smc": (0, 3), "brk": (1, 0), "hlt": (2, 0)][mnemonic] ?? (0, 0)
            return 0xD400_0000 | opc << 21 | imm << 5 | ll
        case "dcps1", "dcps2", "dcps3":
            let imm = operands.isEmpty ? 0 : try checked(try immediate(0), 0...0xFFFF, "immediate")
            return 0xD4A0_0000 | imm << 5 | UInt32(mnemonic.last?.wholeNumberValue ?? 1)
        case "hint":
            return 0xD503_201F | (try checked(try immediate(0), 0...127, "hint number")) << 5
        case "bti":
            let targets = ["": UInt32(32), "c": 34, "j": 36, "jc": 38]
            guard let n = targets[operands.isEmpty ? "" : try name(0)] else { throw fail("unknown BTI target") }
            return 0xD503_201F | n << 5
        case "psb", "tsb":
            return 0xD503_201F | (mnemonic == "psb" ? 17 : 18) << 5
        case "clrex":
            return 0xD503_305F | (operands.isEmpty ? 15 : try checked(try immediate(0), 0...15, "CRm")) << 8
        case "dsb", "dmb":
            let crm: UInt32
            switch try operand(0) {
            case .name(let option):
                guard let value = ARM64Encoder.barrierOptions[option] else { throw fail("unknown barrier option '\(option)'") }
                crm = UInt32(value)
            case .immediate(let value): crm = try checked(value, 0...15, "barrier option")
            default: throw fail("expected a barrier option")
            }
            return (mnemonic == "dsb" ? 0xD503_309F : 0xD503_30BF) | crm << 8
        case "isb":
            return 0xD503_30DF | (operands.isEmpty ? 15 : try checked(try immediate(0), 0...15, "CRm")) << 8
        case "sb": return 0xD503_30FF
        case "ssbb": return 0xD503_309F
        case "pssbb": return 0xD503_349F
        case "cfinv": return 0xD500_401F
        case "xaflag": return 0xD500_403F
        case "axflag": return 0xD500_405F
        case "msr":
            try expectCount(2...2)
            let field = try name(0)
            if case .immediate(let value) = try operand(1) {
                guard let (op1, op2) = ARM64Encoder.pstateFields[field] else { throw fail("unknown PSTATE field '\(field)'") }
                return 0xD500_401F | op1 << 16 | (try checked(value, 0...15, "immediate")) << 8 | op2 << 5
            }
            return 0xD500_0000 | (try systemRegister(field)) << 5 | (try gpr(1, true))
        case "mrs":
            try expectCount(2...2)
            return 0xD520_0000 | (try systemRegister(try name(1))) << 5 | (try gpr(0, true))
        case "dc", "ic", "tlbi", "at":
            let operation = try name(0)
            guard let entry = ARM64InstructionFormatter.systemOperations.first(where: { $0.value.0 == mnemonic && $0.value.1 == operation }) else {
                throw fail("unknown \(mnemonic) operation '\(operation)'")
            }
            let rt = entry.value.2 ? try gpr(1, true) : 31
            return 0xD508_0000 | UInt32(entry.key) << 5 | rt
        default:
            if let n = ARM64Encoder.hintNumbers[mnemonic] { return 0xD503_201F | n << 5 }
            return nil
        }
    }

    /// `op0:op1:CRn:CRm:op2` of a named or generic (`s3_0_c15_c2_0`) system register.
    func systemRegister(_ text: String) throws(Problem) -> UInt32 {
        if let register = ARM64SystemRegister(name: text) { return UInt32(register.encoding) }
        let parts = text.split(separator: "_")
        guard parts.count == 5, parts[0].hasPrefix("s"), parts[2].hasPrefix("c"), parts[3].hasPrefix("c"),
              let op0 = UInt32(parts[0].dropFirst()), let op1 = UInt32(parts[1]), let crn = UInt32(parts[2].dropFirst()),
              let crm = UInt32(parts[3].dropFirst()), let op2 = UInt32(parts[4]), op0 <= 3, op1 <= 7, crn <= 15, crm <= 15, op2 <= 7
        else { throw fail("unknown system register '\(text)'") }
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
    }
}
