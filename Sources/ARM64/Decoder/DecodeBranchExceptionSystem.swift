extension ARM64Decoder {
    /// `op0 = 101x`: branches, exception generation, system instructions.
    static func decodeBranchExceptionSystem(_ w: UInt32) -> ARM64Instruction? {
        if w & 0x7C00_0000 == 0x1400_0000 {
            var i = ARM64Instruction(rawValue: w, operation: bit(w, 31) ? .bl : .b)
            i.immediate = signExtend(bits(w, 25, 0), width: 26) << 2
            return i
        }
        if w & 0x7E00_0000 == 0x3400_0000 || w & 0x7E00_0000 == 0x3600_0000 {
            let testBit = bit(w, 25)
            let nonzero = bit(w, 24)
            var i = ARM64Instruction(rawValue: w, operation: testBit ? (nonzero ? .tbnz : .tbz) : (nonzero ? .cbnz : .cbz))
            i.rn = readZR(bits(w, 4, 0))
            if testBit {
                i.amount = UInt8(bits(w, 31, 31) << 5 | bits(w, 23, 19))
                i.is64 = bit(w, 31)
                i.immediate = signExtend(bits(w, 18, 5), width: 14) << 2
            } else {
                i.is64 = bit(w, 31)
                i.immediate = signExtend(bits(w, 23, 5), width: 19) << 2
            }
            return i
        }
        if w & 0xFF00_0000 == 0x5400_0000 {
            var i = ARM64Instruction(rawValue: w, operation: .bCond)
            i.variant = UInt8(bits(w, 4, 4))
            i.condition = UInt8(bits(w, 3, 0))
            i.immediate = signExtend(bits(w, 23, 5), width: 19) << 2
            return i
        }
        if w & 0xFF00_0000 == 0xD400_0000 { return decodeExceptionGeneration(w) }
        if w & 0xFFC0_0000 == 0xD500_0000 { return decodeSystem(w) }
        if w & 0xFE00_0000 == 0xD600_0000 { return decodeBranchRegister(w) }
        return nil
    }

    private static func decodeExceptionGeneration(_ w: UInt32) -> ARM64Instruction? {
        guard bits(w, 4, 2) == 0 else { return nil }
        let ll = bits(w, 1, 0)
        let operation: ARM64Operation
        switch (bits(w, 23, 21), ll) {
        case (0, 1): operation = .svc
        case (0, 2): operation = .hvc
        case (0, 3): operation = .smc
        case (1, 0): operation = .brk
        case (2, 0): operation = .hlt
        case (3, 0): operation = .tcancel
        case (5, 1), (5, 2), (5, 3): operation = .dcps
        default: return nil
        }
        var i = ARM64Instruction(rawValue: w, operation: operation)
        i.immediate = UInt64(bits(w, 20, 5))
        i.variant = UInt8(ll)
        return i
    }

    private static func decodeSystem(_ w: UInt32) -> ARM64Instruction? {
        let l = bit(w, 21)
        let op0 = bits(w, 20, 19)
        let op1 = bits(w, 18, 16)
        let crn = bits(w, 15, 12)
        let crm = bits(w, 11, 8)
        let op2 = bits(w, 7, 5)
        let rt = bits(w, 4, 0)
        switch (l, op0) {
        case (false, 0):
            if let i = decodeHintBarrierPState(w, op1: op1, crn: crn, crm: crm, op2: op2, rt: rt) { return i }
            // objdump prints the rest of this space as MSR to a generic system register; so do we.
            var i = ARM64Instruction(rawValue: w, operation: .msrRegister)
            i.immediate = UInt64(op1 << 11 | crn << 7 | crm << 3 | op2)
            i.rn = readZR(rt)
            return i
        case (true, 0):
            var i = ARM64Instruction(rawValue: w, operation: .mrs)
            i.immediate = UInt64(op1 << 11 | crn << 7 | crm << 3 | op2)
            i.rd = writeZR(rt)
            return i
        case (_, 1):
            var i = ARM64Instruction(rawValue: w, operation: l ? .sysl : .sys)
            i.immediate = UInt64(op1 << 11 | crn << 7 | crm << 3 | op2)
            if l { i.rd = writeZR(rt) } else { i.rn = readZR(rt) }
            return i
        default:
            var i = ARM64Instruction(rawValue: w, operation: l ? .mrs : .msrRegister)
            i.immediate = UInt64(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2)
            if l { i.rd = writeZR(rt) } else { i.rn = readZR(rt) }
            return i
        }
    }

    /// `op0 = 00`, L = 0: HINT, barriers and CLREX, MSR (immediate) and the flag-manipulation instructions.
    private static func decodeHintBarrierPState(_ w: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32, rt: UInt32) -> ARM64Instruction? {
            switch crn {
            case 0b0010:
                guard op1 == 3, rt == 31 else { return nil }
                var i = ARM64Instruction(rawValue: w, operation: .hint)
                i.immediate = UInt64(crm << 3 | op2)
                return i
            case 0b0011:
                guard op1 == 3, rt == 31 else { return nil }
                switch op2 {
                case 2: return ARM64Instruction(rawValue: w, operation: .clrex)
                case 4, 5, 6:
                    var i = ARM64Instruction(rawValue: w, operation: .barrier)
                    i.variant = UInt8(op2)
                    i.immediate = UInt64(crm)
                    return i
                case 7:
                    guard crm == 0 else { return nil }
                    var i = ARM64Instruction(rawValue: w, operation: .barrier)
                    i.variant = UInt8(op2)
                    return i
                default: return nil
                }
            case 0b0100:
                guard rt == 31 else { return nil }
                if op1 == 0 && op2 <= 2 {
                    guard crm == 0 else { return nil }
                    var i = ARM64Instruction(rawValue: w, operation: .flagManipulation)
                    i.variant = UInt8(op2)
                    return i
                }
                let field = ARM64PState(op1: op1, op2: op2)
                guard field != .unknown else { return nil }
                var i = ARM64Instruction(rawValue: w, operation: .msrImmediate)
                i.variant = field.rawValue
                i.immediate = UInt64(crm)
                return i
            default:
                return nil
            }
    }

    private static func decodeBranchRegister(_ w: UInt32) -> ARM64Instruction? {
        let opc = bits(w, 24, 21)
        let op2 = bits(w, 20, 16)
        let op3 = bits(w, 15, 10)
        let rn = bits(w, 9, 5)
        let op4 = bits(w, 4, 0)
        guard op2 == 31 else { return nil }
        var i = ARM64Instruction(rawValue: w, operation: .br)
        i.rn = readZR(rn)
        switch opc {
        case 0, 1, 2:
            i.operation = opc == 0 ? .br : opc == 1 ? .blr : .ret
            switch (op3, op4) {
            case (0, 0): i.variant = ARM64PointerAuth.none.rawValue
            case (2, 31) where opc == 2: guard rn == 31 else { return nil }; i.variant = ARM64PointerAuth.keyA.rawValue; i.rn = 30
            case (3, 31) where opc == 2: guard rn == 31 else { return nil }; i.variant = ARM64PointerAuth.keyB.rawValue; i.rn = 30
            case (2, 31): i.variant = ARM64PointerAuth.keyAZeroModifier.rawValue
            case (3, 31): i.variant = ARM64PointerAuth.keyBZeroModifier.rawValue
            default: return nil
            }
            return i
        case 8, 9:
            guard op3 == 2 || op3 == 3 else { return nil }
            i.operation = opc == 8 ? .br : .blr
            i.variant = (op3 == 2 ? ARM64PointerAuth.keyA : ARM64PointerAuth.keyB).rawValue
            i.rm = spSlot(op4)
            return i
        case 4:
            guard rn == 31 else { return nil }
            i.operation = .eret
            switch (op3, op4) {
            case (0, 0): i.variant = ARM64PointerAuth.none.rawValue
            case (2, 31): i.variant = ARM64PointerAuth.keyA.rawValue
            case (3, 31): i.variant = ARM64PointerAuth.keyB.rawValue
            default: return nil
            }
            return i
        case 5:
            guard rn == 31, op3 == 0, op4 == 0 else { return nil }
            i.operation = .drps
            return i
        default:
            return nil
        }
    }
}
