/// Condition codes and the flag arithmetic every flag-setting instruction shares.
extension ARM64Executor {
    /// `ConditionHolds`: EQ NE CS CC MI PL VS VC HI LS GE LT GT LE AL NV over PSTATE.NZCV (bits 31..28).
    @inline(__always)
    static func conditionHolds(_ condition: UInt8, _ nzcv: UInt64) -> Bool {
        let n = nzcv & (1 << 31) != 0
        let z = nzcv & (1 << 30) != 0
        let c = nzcv & (1 << 29) != 0
        let v = nzcv & (1 << 28) != 0
        let result: Bool
        switch condition >> 1 {
        case 0: result = z
        case 1: result = c
        case 2: result = n
        case 3: result = v
        case 4: result = c && !z
        case 5: result = n == v
        case 6: result = n == v && !z
        default: return true
        }
        return condition & 1 == 0 ? result : !result
    }

    /// `AddWithCarry`: the sum and the NZCV it would set, for 64- or 32-bit operands.
    @inline(__always)
    static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: UInt64, _ is64: Bool) -> (result: UInt64, nzcv: UInt64) {
        if is64 {
            let (partial, c1) = a.addingReportingOverflow(b)
            let (sum, c2) = partial.addingReportingOverflow(carry)
            let n = sum & (1 << 63) != 0 ? ARM64PtRegs.psrN : 0
            let z = sum == 0 ? ARM64PtRegs.psrZ : 0
            let c = c1 || c2 ? ARM64PtRegs.psrC : 0
            let v = (a ^ sum) & (b ^ sum) & (1 << 63) != 0 ? ARM64PtRegs.psrV : 0
            return (sum, n | z | c | v)
        }
        let a32 = a & 0xFFFF_FFFF, b32 = b & 0xFFFF_FFFF
        let wide = a32 &+ b32 &+ carry
        let sum = wide & 0xFFFF_FFFF
        let n = sum & (1 << 31) != 0 ? ARM64PtRegs.psrN : 0
        let z = sum == 0 ? ARM64PtRegs.psrZ : 0
        let c = wide >> 32 != 0 ? ARM64PtRegs.psrC : 0
        let v = (a32 ^ sum) & (b32 ^ sum) & (1 << 31) != 0 ? ARM64PtRegs.psrV : 0
        return (sum, n | z | c | v)
    }

    /// NZCV after a logical flag-setting operation (ANDS, BICS, TST): N and Z from the result, C and V clear.
    @inline(__always)
    static func logicalFlags(_ result: UInt64, _ is64: Bool) -> UInt64 {
        let value = is64 ? result : result & 0xFFFF_FFFF
        let top: UInt64 = is64 ? 1 << 63 : 1 << 31
        return (value & top != 0 ? ARM64PtRegs.psrN : 0) | (value == 0 ? ARM64PtRegs.psrZ : 0)
    }
}
