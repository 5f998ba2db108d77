/// The legacy prefixes an instruction carries (the last of each group wins, as on hardware).
public struct X86Prefixes: Sendable, Hashable {
    /// `66`: operand-size override (or mandatory SSE prefix).
    public var operandSize = false
    /// How many `66` bytes there were (objdump prints each redundant one as `data16`).
    public var operandSizeCount = 0
    /// `67`: address-size override.
    public var addressSize = false
    /// `F0`.
    public var lock = false
    /// `F3` (`rep`/`repz`, or mandatory prefix).
    public var rep = false
    /// `F2` (`repnz`, or mandatory prefix).
    public var repne = false
    /// The segment-override byte (`26 2E 36 3E 64 65`), 0 when none.
    public var segment: UInt8 = 0
    /// Legacy prefix bytes seen, in order (so the disassembler can print redundant ones as objdump does).
    public var count = 0
    /// The REX byte (`40`-`4F`) directly before the opcode, 0 when none.
    public var rex: UInt8 = 0

    public init() {}

    public var rexW: Bool { rex & 8 != 0 }
    public var rexR: Bool { rex & 4 != 0 }
    public var rexX: Bool { rex & 2 != 0 }
    public var rexB: Bool { rex & 1 != 0 }
}
