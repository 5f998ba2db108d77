/// Which opcode table an instruction's opcode byte indexes (Intel SDM Vol. 2, Appendix A).
public enum X86OpcodeMap: UInt8, Sendable, Hashable {
    /// One-byte opcodes.
    case primary
    /// `0F xx`, or VEX/EVEX `mmmmm = 1`.
    case map0F
    /// `0F 38 xx`, or VEX/EVEX `mmmmm = 2`.
    case map0F38
    /// `0F 3A xx`, or VEX/EVEX `mmmmm = 3`.
    case map0F3A
    /// EVEX maps 5 and 6 (AVX512-FP16).
    case evexMap5
    case evexMap6
    /// AMD XOP maps 8, 9 and 10 (`8F` escape).
    case xop8
    case xop9
    case xopA
}

/// How the opcode was introduced.
public enum X86Encoding: UInt8, Sendable, Hashable {
    case legacy
    case vex
    case evex
    case xop
}
