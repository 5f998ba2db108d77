/// Which key a pointer-authenticating branch uses (`ARM64Instruction.variant` of BR/BLR/RET/ERET).
public enum ARM64PointerAuth: UInt8, Sendable, Hashable {
    case none
    /// BRAA/BLRAA/RETAA/ERETAA, and the zero-modifier BRAAZ/BLRAAZ.
    case keyA
    case keyB
    case keyAZeroModifier
    case keyBZeroModifier
}
