/// One decoded x86_64 instruction: its exact length and where each field sits, so the kprobe layer can check
/// instruction boundaries, copy the instruction to a slot and re-target a RIP-relative displacement.
public struct X86Instruction: Sendable, Hashable {
    /// Total length in bytes (1...15).
    public var length = 0
    public var prefixes = X86Prefixes()
    public var encoding = X86Encoding.legacy
    public var map = X86OpcodeMap.primary
    /// The opcode byte within `map`.
    public var opcode: UInt8 = 0
    /// The ModRM byte, if the instruction has one.
    public var modrm: UInt8?
    /// The SIB byte, if present.
    public var sib: UInt8?
    /// Sign-extended displacement (0 when none), its byte offset in the instruction and size (0, 1 or 4).
    public var displacement: Int64 = 0
    public var displacementOffset = 0
    public var displacementSize = 0
    /// The immediate as raw little-endian bits (zero-extended), its offset and size (0 when none). For `enter`
    /// this is the imm16 and `immediate2` the imm8.
    public var immediate: UInt64 = 0
    public var immediateOffset = 0
    public var immediateSize = 0
    public var immediate2: UInt8 = 0
    /// VEX/EVEX/XOP: `W`, the inverted-back `vvvv` register, `L` (vector length code) and `pp`.
    public var vexW = false
    public var vexV: UInt8 = 0
    public var vexL: UInt8 = 0
    public var vexPP: UInt8 = 0

    public init() {}

    /// ModRM fields (nil/0 when there is no ModRM).
    public var mod: UInt8 { (modrm ?? 0) >> 6 }
    public var reg: UInt8 { ((modrm ?? 0) >> 3) & 7 }
    public var rm: UInt8 { (modrm ?? 0) & 7 }

    /// True when the ModRM operand is memory (`mod != 3`) rather than a register.
    public var hasMemoryOperand: Bool { modrm != nil && mod != 3 && !modrmIsAlwaysRegister }

    /// `mov` to/from control and debug registers ignore `mod` (always register operands).
    var modrmIsAlwaysRegister: Bool { encoding == .legacy && map == .map0F && (0x20...0x23).contains(opcode) }

    /// RIP-relative memory operand (`mod = 00, r/m = 101`, no SIB): the disp32 at `displacementOffset` is relative
    /// to the end of the instruction.
    public var isRIPRelative: Bool { hasMemoryOperand && mod == 0 && rm == 5 }

    /// Byte offset of the RIP-relative disp32 inside the instruction, nil when not RIP-relative.
    public var ripDisplacementOffset: Int? { isRIPRelative ? displacementOffset : nil }

    /// Immediate sign-extended from its encoded size.
    public var signedImmediate: Int64 {
        switch immediateSize {
        case 1: return Int64(Int8(truncatingIfNeeded: immediate))
        case 2: return Int64(Int16(truncatingIfNeeded: immediate))
        case 4: return Int64(Int32(truncatingIfNeeded: immediate))
        default: return Int64(bitPattern: immediate)
        }
    }

    /// Operand size of general-purpose instructions: 8 with REX.W, 2 with `66`, else 4 (byte forms are the
    /// opcode's business).
    public var operandSize: Int { prefixes.rexW ? 8 : (prefixes.operandSize ? 2 : 4) }

    /// The ModRM `reg` and `r/m` numbers with REX.R / REX.B applied (0...15).
    public var regNumber: Int { Int(reg) | (prefixes.rexR ? 8 : 0) }
    public var rmNumber: Int { Int(rm) | (prefixes.rexB ? 8 : 0) }
    /// SIB fields with REX.X / REX.B applied; index 4 means none.
    public var sibBase: Int { Int((sib ?? 0) & 7) | (prefixes.rexB ? 8 : 0) }
    public var sibIndex: Int { Int(((sib ?? 0) >> 3) & 7) | (prefixes.rexX ? 8 : 0) }
    public var sibScale: Int { 1 << Int((sib ?? 0) >> 6) }
}
