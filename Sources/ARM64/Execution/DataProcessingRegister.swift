/// Logical and arithmetic on registers, conditional compare/select, and the 1-, 2- and 3-source operations.
extension ARM64Executor {
    @inline(__always)
    func logicalShifted(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        var b = shifted(x[Int(i.rm)], i.shift, UInt64(i.amount), i.is64)
        if i.invert { b = ~b }
        let a = x[Int(i.rn)]
        let result: UInt64
        switch i.variant {
        case 0, 3: result = a & b
        case 1: result = a | b
        default: result = a ^ b
        }
        if i.setsFlags { nzcv = ARM64Executor.logicalFlags(result, i.is64) }
        write(i.rd, result, i.is64)
    }

    @inline(__always)
    func addSubShifted(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        addSub(i, x[Int(i.rn)], shifted(x[Int(i.rm)], i.shift, UInt64(i.amount), i.is64), &nzcv)
    }

    @inline(__always)
    func addSubExtended(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        addSub(i, x[Int(i.rn)], extended(x[Int(i.rm)], i.shift, i.amount), &nzcv)
    }

    @inline(__always)
    func addSub(_ i: ARM64Instruction, _ a: UInt64, _ operand: UInt64, _ nzcv: inout UInt64) {
        let (b, carry) = i.subtract ? (~operand, UInt64(1)) : (operand, UInt64(0))
        if i.setsFlags {
            let (result, flags) = ARM64Executor.addWithCarry(a, b, carry, i.is64)
            nzcv = flags
            write(i.rd, result, i.is64)
        } else {
            write(i.rd, a &+ b &+ carry, i.is64)
        }
    }

    @inline(__always)
    func addSubCarry(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        let b = i.subtract ? ~x[Int(i.rm)] : x[Int(i.rm)]
        let carry: UInt64 = nzcv & ARM64PtRegs.psrC != 0 ? 1 : 0
        let (result, flags) = ARM64Executor.addWithCarry(x[Int(i.rn)], b, carry, i.is64)
        if i.setsFlags { nzcv = flags }
        write(i.rd, result, i.is64)
    }

    @inline(__always)
    func conditionalCompare(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        guard ARM64Executor.conditionHolds(i.condition, nzcv) else {
            nzcv = i.immediate2
            return
        }
        let operand = i.usesImmediate ? i.immediate : x[Int(i.rm)]
        let (b, carry) = i.subtract ? (~operand, UInt64(1)) : (operand, UInt64(0))
        nzcv = ARM64Executor.addWithCarry(x[Int(i.rn)], b, carry, i.is64).nzcv
    }

    @inline(__always)
    func conditionalSelect(_ i: ARM64Instruction, _ nzcv: UInt64) {
        if ARM64Executor.conditionHolds(i.condition, nzcv) {
            write(i.rd, x[Int(i.rn)], i.is64)
            return
        }
        let b = x[Int(i.rm)]
        switch i.variant {
        case 0: write(i.rd, b, i.is64)
        case 1: write(i.rd, b &+ 1, i.is64)
        case 2: write(i.rd, ~b, i.is64)
        default: write(i.rd, 0 &- b, i.is64)
        }
    }

    @inline(__always)
    func twoSource(_ i: ARM64Instruction) {
        let width: UInt64 = i.is64 ? 64 : 32
        let a = i.is64 ? x[Int(i.rn)] : x[Int(i.rn)] & 0xFFFF_FFFF
        let b = i.is64 ? x[Int(i.rm)] : x[Int(i.rm)] & 0xFFFF_FFFF
        let result: UInt64
        switch i.operation {
        case .udiv:
            result = b == 0 ? 0 : a / b
        case .sdiv:
            // Division by zero gives 0 and INT_MIN / -1 gives INT_MIN, as the architecture defines (no trap).
            if i.is64 {
                result = b == 0 ? 0 : UInt64(bitPattern: Int64(bitPattern: a).dividedReportingOverflow(by: Int64(bitPattern: b)).partialValue)
            } else {
                let q = Int32(truncatingIfNeeded: a).dividedReportingOverflow(by: Int32(truncatingIfNeeded: b)).partialValue
                result = b == 0 ? 0 : UInt64(UInt32(bitPattern: q))
            }
        case .lslv: result = shifted(a, 0, b % width, i.is64)
        case .lsrv: result = shifted(a, 1, b % width, i.is64)
        case .asrv: result = shifted(a, 2, b % width, i.is64)
        default: result = shifted(a, 3, b % width, i.is64)
        }
        write(i.rd, result, i.is64)
    }

    @inline(__always)
    func oneSource(_ i: ARM64Instruction) {
        let a = x[Int(i.rn)]
        let result: UInt64
        if i.is64 {
            switch i.operation {
            case .rbit: result = ARM64Executor.reverseBits(a)
            case .rev16: result = ((a & 0x00FF_00FF_00FF_00FF) << 8) | ((a >> 8) & 0x00FF_00FF_00FF_00FF)
            case .rev32: let s = a.byteSwapped; result = (s << 32) | (s >> 32)
            case .rev: result = a.byteSwapped
            case .clz: result = UInt64(a.leadingZeroBitCount)
            default: result = UInt64(((a ^ (a << 1)) >> 1).leadingZeroBitCount - 1)
            }
        } else {
            let w = UInt32(truncatingIfNeeded: a)
            switch i.operation {
            case .rbit: result = ARM64Executor.reverseBits(UInt64(w)) >> 32
            case .rev16: result = UInt64(((w & 0x00FF_00FF) << 8) | ((w >> 8) & 0x00FF_00FF))
            case .rev: result = UInt64(w.byteSwapped)
            case .clz: result = UInt64(w.leadingZeroBitCount)
            default: result = UInt64(((w ^ (w << 1)) >> 1).leadingZeroBitCount - 1)
            }
        }
        write(i.rd, result, i.is64)
    }

    static func reverseBits(_ value: UInt64) -> UInt64 {
        var v = value
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return v.byteSwapped
    }

    @inline(__always)
    func threeSource(_ i: ARM64Instruction) {
        let a = x[Int(i.rn)], b = x[Int(i.rm)], accumulator = x[Int(i.ra)]
        let result: UInt64
        switch i.operation {
        case .madd: result = accumulator &+ a &* b
        case .msub: result = accumulator &- a &* b
        case .smaddl, .smsubl:
            let product = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: a)) &* Int64(Int32(truncatingIfNeeded: b)))
            result = i.operation == .smaddl ? accumulator &+ product : accumulator &- product
        case .umaddl, .umsubl:
            let product = (a & 0xFFFF_FFFF) &* (b & 0xFFFF_FFFF)
            result = i.operation == .umaddl ? accumulator &+ product : accumulator &- product
        case .smulh: result = UInt64(bitPattern: Int64(bitPattern: a).multipliedFullWidth(by: Int64(bitPattern: b)).high)
        default: result = a.multipliedFullWidth(by: b).high
        }
        write(i.rd, result, i.is64)
    }
}
