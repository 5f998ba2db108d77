/// How a load or store forms its address (kept in `ARM64Instruction.mode`).
public enum ARM64AddressingMode: UInt8, Sendable, Hashable {
    /// `[Xn, #imm]`: unsigned scaled or unscaled signed offset, base unchanged.
    case offset
    /// `[Xn, #imm]!`: the base is updated before the access.
    case preIndex
    /// `[Xn], #imm`: the base is updated after the access.
    case postIndex
    /// `[Xn, Xm{, extend #amount}]`: `rm` is the index, `extend` and `amount` scale it.
    case register
}
