/// One decoded A64 instruction: the raw word plus pre-extracted fields, compact enough to sit in the executor's
/// decode cache and read with no further bit twiddling.
///
/// Register fields are register-file slots, not architectural numbers: 0...30 are x0..x30, 31 is `sp`
/// (`pt_regs.sp`), and register number 31 in a zero-register position becomes `ARM64PtRegs.zeroReadSlot` (reads)
/// or `ARM64PtRegs.zeroWriteSlot` (writes), exactly as the encoding says for that operand.
public struct ARM64Instruction: Sendable, Hashable {
    /// The instruction word as fetched (the kernel's decoder masks this directly; so can the kprobe layer).
    public let rawValue: UInt32
    public var operation: ARM64Operation
    /// Destination (`Rd`, or `Rt` of loads and stores).
    public var rd: UInt8 = ARM64PtRegs.zeroWriteSlotByte
    public var rn: UInt8 = ARM64PtRegs.zeroReadSlotByte
    /// Second source (`Rm`), the index register, or the status register `Rs` of STXR.
    public var rm: UInt8 = ARM64PtRegs.zeroReadSlotByte
    /// Third source (`Ra`), or `Rt2` of pairs.
    public var ra: UInt8 = ARM64PtRegs.zeroReadSlotByte
    /// The boolean attributes below, packed so the whole value is four words (passed in registers).
    var attributes: UInt8 = Attribute.is64

    enum Attribute {
        static let is64: UInt8 = 1 << 0
        static let setsFlags: UInt8 = 1 << 1
        static let subtract: UInt8 = 1 << 2
        static let signExtend: UInt8 = 1 << 3
        static let acquireRelease: UInt8 = 1 << 4
        static let invert: UInt8 = 1 << 5
        static let usesImmediate: UInt8 = 1 << 6
    }

    @inline(__always) private func has(_ attribute: UInt8) -> Bool { attributes & attribute != 0 }

    @inline(__always) private mutating func set(_ attribute: UInt8, _ value: Bool) {
        attributes = value ? attributes | attribute : attributes & ~attribute
    }

    /// 64-bit operation (`sf`), or a load's 64-bit destination.
    public var is64: Bool {
        get { has(Attribute.is64) }
        set { set(Attribute.is64, newValue) }
    }
    public var setsFlags: Bool {
        get { has(Attribute.setsFlags) }
        set { set(Attribute.setsFlags, newValue) }
    }
    public var subtract: Bool {
        get { has(Attribute.subtract) }
        set { set(Attribute.subtract, newValue) }
    }
    public var signExtend: Bool {
        get { has(Attribute.signExtend) }
        set { set(Attribute.signExtend, newValue) }
    }
    public var acquireRelease: Bool {
        get { has(Attribute.acquireRelease) }
        set { set(Attribute.acquireRelease, newValue) }
    }
    /// `N` of logical (shifted register): the second operand is inverted (BIC/ORN/EON/BICS).
    public var invert: Bool {
        get { has(Attribute.invert) }
        set { set(Attribute.invert, newValue) }
    }
    /// CCMP/CCMN with an immediate second operand.
    public var usesImmediate: Bool {
        get { has(Attribute.usesImmediate) }
        set { set(Attribute.usesImmediate, newValue) }
    }
    /// Operation-specific small field (see the operation's documentation).
    public var variant: UInt8 = 0
    /// Condition code (B.cond, CSEL, CCMP).
    public var condition: UInt8 = 0
    /// Shift type (LSL 0, LSR 1, ASR 2, ROR 3) or extend option (UXTB 0 ... SXTX 7).
    public var shift: UInt8 = 0
    /// Shift amount, extend shift, bit number (TBZ), `immr` (bitfield), `lsb` (EXTR).
    public var amount: UInt8 = 0
    /// log2 of a memory access's size in bytes.
    public var size: UInt8 = 0
    public var mode: ARM64AddressingMode = .offset
    /// The immediate, offset (bytes, sign-extended, as a bit pattern) or mask.
    public var immediate: UInt64 = 0
    /// A second mask (bitfield `tmask`, CCMP's `nzcv`).
    public var immediate2: UInt64 = 0

    init(rawValue: UInt32, operation: ARM64Operation) {
        self.rawValue = rawValue
        self.operation = operation
    }

    /// The encoding group (top-level `op0`) the word belongs to.
    public var group: ARM64EncodingGroup { ARM64EncodingGroup(word: rawValue) }

    /// The signed immediate (branch and literal offsets, load/store offsets).
    public var offset: Int64 { Int64(bitPattern: immediate) }

    /// BRK/SVC/HVC/SMC/HLT/DCPS immediate (`imm16`).
    public var exceptionImmediate: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 5) }

    /// The system register of MSR (register)/MRS, as `op0:op1:CRn:CRm:op2`.
    public var systemRegister: ARM64SystemRegister { ARM64SystemRegister(encoding: UInt16(truncatingIfNeeded: immediate)) }

    /// Whether this is a branch whose target is PC-relative (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ).
    public var isPCRelativeBranch: Bool {
        switch operation {
        case .b, .bl, .bCond, .cbz, .cbnz, .tbz, .tbnz: return true
        default: return false
        }
    }

    /// Whether the instruction reads the PC (ADR, ADRP, literal loads, PC-relative branches): the kernel's
    /// kprobes simulates these rather than stepping a copy.
    public var readsPC: Bool {
        switch operation {
        case .adr, .adrp, .ldrLiteral, .prfmLiteral, .ldrLiteralSIMD: return true
        default: return isPCRelativeBranch
        }
    }
}

extension ARM64PtRegs {
    static let zeroWriteSlotByte = UInt8(zeroWriteSlot)
    static let zeroReadSlotByte = UInt8(zeroReadSlot)
}
