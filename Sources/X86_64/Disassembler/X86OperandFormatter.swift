/// Formats one instruction's operands in AT&T syntax as GNU objdump does, noting which REX bits and prefixes
/// the operands used (objdump prints unused ones as `rex.WRXB`, `data16`, `gs` prefixes).
final class X86OperandFormatter {
    let insn: X86Instruction
    let address: UInt64
    let symbolizer: X86Disassembler.Symbolizer?
    /// REX bits consumed so far (W=8 R=4 X=2 B=1), and whether `66` / the segment override were.
    private(set) var usedRex: UInt8 = 0
    private(set) var usedOperandSizePrefix = false
    private(set) var usedSegment = false

    init(insn: X86Instruction, address: UInt64, symbolizer: X86Disassembler.Symbolizer?) {
        self.insn = insn
        self.address = address
        self.symbolizer = symbolizer
    }

    /// The instruction's operand size (REX.W / `66` now count as used).
    var size: Int {
        if insn.prefixes.rexW { usedRex |= 8 } else if insn.prefixes.operandSize { usedOperandSizePrefix = true }
        return insn.operandSize
    }

    /// Push/pop size: 64 bits unless `66` (REX.W changes nothing).
    var stackSize: Int {
        if insn.prefixes.operandSize { usedOperandSizePrefix = true }
        return insn.prefixes.operandSize ? 2 : 8
    }

    static let names64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    static let names32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"]
    static let names16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"]
    static let names8Rex = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"]
    static let names8Legacy = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]

    /// Register `number` (REX applied) at `size` bytes.
    func register(_ number: Int, _ size: Int) -> String {
        switch size {
        case 1: return "%" + (insn.prefixes.rex == 0 && number < 8 ? X86OperandFormatter.names8Legacy[number] : X86OperandFormatter.names8Rex[number])
        case 2: return "%" + X86OperandFormatter.names16[number]
        case 4: return "%" + X86OperandFormatter.names32[number]
        default: return "%" + X86OperandFormatter.names64[number]
        }
    }

    func reg(_ size: Int) -> String {
        usedRex |= 4
        return register(insn.regNumber, size)
    }

    func opcodeRegister(_ size: Int) -> String {
        usedRex |= 1
        return register(Int(insn.opcode & 7) | (insn.prefixes.rexB ? 8 : 0), size)
    }

    /// `$0x...`: the immediate sign-extended then cut to the operand size, as objdump shows it.
    func imm(_ size: Int) -> String {
        let value = UInt64(bitPattern: insn.signedImmediate)
        let masked = size == 8 ? value : value & ((1 << UInt64(size * 8)) - 1)
        return "$" + X86Disassembler.hex(masked)
    }

    func branchTarget() -> String {
        X86OperandFormatter.address(address &+ UInt64(insn.length) &+ UInt64(bitPattern: insn.signedImmediate), symbolizer)
    }

    /// objdump prints a bare address as `0x1234`, but one it can name as `1234 <sym+0x4>`.
    static func address(_ target: UInt64, _ symbolizer: X86Disassembler.Symbolizer?) -> String {
        if let name = symbolizer?(target) { return String(target, radix: 16) + " <\(name)>" }
        return X86Disassembler.hex(target)
    }

    /// The r/m operand: a register, or `seg:disp(base,index,scale)`.
    func rm(_ size: Int) -> String {
        guard insn.hasMemoryOperand else {
            usedRex |= 1
            return register(insn.rmNumber, size)
        }
        var text = ""
        switch insn.prefixes.segment {
        case 0x64: text = "%fs:"; usedSegment = true
        case 0x65: text = "%gs:"; usedSegment = true
        default: break
        }
        let names = insn.prefixes.addressSize ? X86OperandFormatter.names32 : X86OperandFormatter.names64
        let disp = insn.displacement
        func signedHex(_ v: Int64) -> String { v < 0 ? "-" + X86Disassembler.hex(UInt64(0 &- v)) : X86Disassembler.hex(UInt64(v)) }
        if insn.isRIPRelative {
            usedRex |= 1
            return text + signedHex(disp) + (insn.prefixes.addressSize ? "(%eip)" : "(%rip)")
        }
        if insn.sib != nil {
            let noBase = insn.mod == 0 && insn.sibBase & 7 == 5
            let noIndex = insn.sibIndex == 4
            usedRex |= 2 | (noBase ? 0 : 1)
            if noBase && noIndex {
                let absolute = insn.prefixes.addressSize ? UInt64(UInt32(truncatingIfNeeded: disp)) : UInt64(bitPattern: disp)
                return text + X86Disassembler.hex(absolute)
            }
            if insn.displacementSize > 0 { text += signedHex(disp) }
            text += "("
            if !noBase { text += "%" + names[insn.sibBase] }
            if !noIndex {
                text += ",%" + names[insn.sibIndex] + "," + String(insn.sibScale)
            } else if !noBase && (insn.sibBase & 7 != 4 || insn.sibScale != 1) {
                text += ",%" + (insn.prefixes.addressSize ? "eiz" : "riz") + "," + String(insn.sibScale)
            }
            return text + ")"
        }
        usedRex |= 1
        if insn.displacementSize > 0 { text += signedHex(disp) }
        return text + "(%" + names[insn.rmNumber] + ")"
    }
}
