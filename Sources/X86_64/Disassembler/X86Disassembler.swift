/// GNU objdump-style AT&T disassembly (binutils 2.40 defaults): mnemonic padded to 6 columns and a space, source
/// operands first, `%reg`, `$imm`, `disp(base,index,scale)`, size suffixes only where no register gives the size,
/// branch targets as absolute addresses (`0x1234`, or `1234 <sym+0xoff>` when a symbolizer names them, as objdump
/// prints them with and without symbols), `# target` after RIP-relative operands.
public enum X86Disassembler {
    /// Names an address as objdump's `<sym+0xoff>` contents (without the angle brackets), or nil.
    public typealias Symbolizer = (UInt64) -> String?

    /// The instruction's text, or nil when it is outside the supported subset (general-purpose integer
    /// instructions, the system instructions kprobes cares about, nops).
    public static func disassemble(_ insn: X86Instruction, address: UInt64, symbolizer: Symbolizer? = nil) -> String? {
        guard insn.encoding == .legacy else { return nil }
        let f = X86OperandFormatter(insn: insn, address: address, symbolizer: symbolizer)
        guard let (mnemonic, operands) = X86Disassembler.syntax(insn, f) else { return nil }
        let p = insn.prefixes
        let isString = insn.map == .primary && ((0xa4...0xa7).contains(insn.opcode) || (0xaa...0xaf).contains(insn.opcode))
        var prefixes = [String](repeating: "data16", count: max(0, p.operandSizeCount - (f.usedOperandSizePrefix ? 1 : 0)))
        if p.lock { prefixes.append("lock") }
        if p.rep && (isString || insn.opcode == 0xc3) {
            prefixes.append(isString && !(insn.opcode == 0xa6 || insn.opcode == 0xa7 || insn.opcode >= 0xae) ? "rep" : "repz")
        }
        if p.repne && isString { prefixes.append("repnz") }
        // Segment overrides other than a used %fs/%gs mean nothing in 64-bit mode; objdump names them as prefixes.
        switch p.segment {
        case 0x2e: prefixes.append("cs")
        case 0x3e: prefixes.append(insn.map == .primary && insn.opcode == 0xff ? "notrack" : "ds")
        case 0x26: prefixes.append("es")
        case 0x36: prefixes.append("ss")
        case 0x64 where !f.usedSegment: prefixes.append("fs")
        case 0x65 where !f.usedSegment: prefixes.append("gs")
        default: break
        }
        if p.rex != 0 && p.rex & 15 & ~f.usedRex != 0 || p.rex == 0x40 && f.usedRex & 8 == 0 && !usesRexForByteRegisters(insn) {
            let bits = zip(["W", "R", "X", "B"], [8, 4, 2, 1] as [UInt8]).filter { p.rex & $0.1 != 0 }.map(\.0).joined()
            prefixes.append(bits.isEmpty ? "rex" : "rex." + bits)
        }
        var text = (prefixes + [mnemonic]).joined(separator: " ")
        guard !operands.isEmpty else { return text }
        if text.count < 6 { text += String(repeating: " ", count: 6 - text.count) }
        text += " " + operands.joined(separator: ",")
        if insn.isRIPRelative {
            let target = address &+ UInt64(insn.length) &+ UInt64(bitPattern: insn.displacement)
            text += "        # " + X86OperandFormatter.address(target, symbolizer)
        }
        return text
    }

    /// The instruction's text, or objdump's `.byte` rendering of its bytes' first byte when unsupported.
    public static func text(_ insn: X86Instruction, address: UInt64, symbolizer: Symbolizer? = nil) -> String {
        disassemble(insn, address: address, symbolizer: symbolizer)
            ?? "(unsupported \(insn.encoding) opcode \(insn.map) 0x\(hex2(insn.opcode)))"
    }

    /// A bare `40` REX matters only when it turns AH..BH into SPL..DIL.
    static func usesRexForByteRegisters(_ insn: X86Instruction) -> Bool {
        (insn.modrm != nil && (insn.reg >= 4 || insn.rm >= 4)) || (insn.map == .primary && (0xb4...0xb7).contains(insn.opcode))
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
    static func hex2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }

    static let conditionNames = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]
    static let aluNames = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
    static let shiftNames = ["rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"]

    static func suffix(_ size: Int) -> String {
        switch size {
        case 1: return "b"
        case 2: return "w"
        case 4: return "l"
        default: return "q"
        }
    }

    /// Mnemonic and AT&T-ordered operands for the supported subset.
    static func syntax(_ insn: X86Instruction, _ f: X86OperandFormatter) -> (String, [String])? {
        let code = insn.opcode
        var size: Int { f.size }
        let memory = insn.hasMemoryOperand
        /// Suffix when the r/m operand is memory and nothing else names the size.
        func sized(_ name: String, _ s: Int) -> String { memory ? name + suffix(s) : name }
        switch (insn.map, code) {
        case (.primary, 0x00...0x3f) where code & 7 < 6:
            let name = aluNames[Int(code >> 3)]
            switch code & 7 {
            case 0: return (name, [f.reg(1), f.rm(1)])
            case 1: return (name, [f.reg(size), f.rm(size)])
            case 2: return (name, [f.rm(1), f.reg(1)])
            case 3: return (name, [f.rm(size), f.reg(size)])
            case 4: return (name, [f.imm(1), f.register(0, 1)])
            default: return (name, [f.imm(size), f.register(0, size)])
            }
        case (.primary, 0x50...0x57): return ("push", [f.opcodeRegister(f.stackSize)])
        case (.primary, 0x58...0x5f): return ("pop", [f.opcodeRegister(f.stackSize)])
        case (.primary, 0x63) where insn.prefixes.rexW: return ("movslq", [f.rm(4), f.reg(size)])
        case (.primary, 0x68), (.primary, 0x6a): return ("push", [f.imm(f.stackSize)])
        case (.primary, 0x69), (.primary, 0x6b): return ("imul", [f.imm(size), f.rm(size), f.reg(size)])
        case (.primary, 0x70...0x7f), (.map0F, 0x80...0x8f): return ("j" + conditionNames[Int(code & 15)], [f.branchTarget()])
        case (.primary, 0x80...0x83) where code != 0x82:
            let s = code == 0x80 ? 1 : size
            return (sized(aluNames[Int(insn.reg)], s), [f.imm(s), f.rm(s)])
        case (.primary, 0x84), (.primary, 0x85):
            let s = code == 0x84 ? 1 : size
            return ("test", [f.reg(s), f.rm(s)])
        case (.primary, 0x86), (.primary, 0x87):
            let s = code == 0x86 ? 1 : size
            return ("xchg", [f.reg(s), f.rm(s)])
        case (.primary, 0x88): return ("mov", [f.reg(1), f.rm(1)])
        case (.primary, 0x89): return ("mov", [f.reg(size), f.rm(size)])
        case (.primary, 0x8a): return ("mov", [f.rm(1), f.reg(1)])
        case (.primary, 0x8b): return ("mov", [f.rm(size), f.reg(size)])
        case (.primary, 0x8d) where memory: return ("lea", [f.rm(size), f.reg(size)])
        case (.primary, 0x8f) where insn.reg == 0: return ("pop", [f.rm(f.stackSize)])
        case (.primary, 0x90) where !insn.prefixes.rexB:
            if insn.prefixes.rep { return ("pause", []) }
            return insn.prefixes.operandSize ? ("xchg", [f.register(0, size), f.register(0, size)]) : ("nop", [])
        case (.primary, 0x91...0x97), (.primary, 0x90):
            return ("xchg", [f.register(0, size), f.opcodeRegister(size)])
        case (.primary, 0x98): return ([2: "cbtw", 4: "cwtl", 8: "cltq"][size] ?? "cltq", [])
        case (.primary, 0x99): return ([2: "cwtd", 4: "cltd", 8: "cqto"][size] ?? "cqto", [])
        case (.primary, 0x9c): return ("pushf", [])
        case (.primary, 0x9d): return ("popf", [])
        case (.primary, 0xa4), (.primary, 0xa5):
            let s = code == 0xa4 ? 1 : size
            return ("movs" + suffix(s), ["%ds:(%rsi)", "%es:(%rdi)"])
        case (.primary, 0xa6), (.primary, 0xa7):
            let s = code == 0xa6 ? 1 : size
            return ("cmps" + suffix(s), ["%es:(%rdi)", "%ds:(%rsi)"])
        case (.primary, 0xa8): return ("test", [f.imm(1), "%al"])
        case (.primary, 0xa9): return ("test", [f.imm(size), f.register(0, size)])
        case (.primary, 0xaa), (.primary, 0xab):
            let s = code == 0xaa ? 1 : size
            return ("stos", [f.register(0, s), "%es:(%rdi)"])
        case (.primary, 0xac), (.primary, 0xad):
            let s = code == 0xac ? 1 : size
            return ("lods", ["%ds:(%rsi)", f.register(0, s)])
        case (.primary, 0xae), (.primary, 0xaf):
            let s = code == 0xae ? 1 : size
            return ("scas", ["%es:(%rdi)", f.register(0, s)])
        case (.primary, 0xb0...0xb7): return ("mov", [f.imm(1), f.opcodeRegister(1)])
        case (.primary, 0xb8...0xbf):
            return (size == 8 ? "movabs" : "mov", [f.imm(size), f.opcodeRegister(size)])
        case (.primary, 0xc0), (.primary, 0xc1):
            let s = code == 0xc0 ? 1 : size
            return (sized(shiftNames[Int(insn.reg)], s), [f.imm(1), f.rm(s)])
        case (.primary, 0xd0), (.primary, 0xd1):
            let s = code == 0xd0 ? 1 : size
            return (sized(shiftNames[Int(insn.reg)], s), [f.rm(s)])
        case (.primary, 0xd2), (.primary, 0xd3):
            let s = code == 0xd2 ? 1 : size
            return (sized(shiftNames[Int(insn.reg)], s), ["%cl", f.rm(s)])
        case (.primary, 0xc2): return ("ret", [f.imm(2)])
        case (.primary, 0xc3): return ("ret", [])
        case (.primary, 0xc6) where insn.reg == 0: return (sized("mov", 1), [f.imm(1), f.rm(1)])
        case (.primary, 0xc7) where insn.reg == 0: return (sized("mov", size), [f.imm(size), f.rm(size)])
        case (.primary, 0xc8): return ("enter", ["$" + hex(insn.immediate), "$" + hex(UInt64(insn.immediate2))])
        case (.primary, 0xc9): return ("leave", [])
        case (.primary, 0xcc): return ("int3", [])
        case (.primary, 0xcd): return ("int", [f.imm(1)])
        case (.primary, 0xe0): return ("loopne", [f.branchTarget()])
        case (.primary, 0xe1): return ("loope", [f.branchTarget()])
        case (.primary, 0xe2): return ("loop", [f.branchTarget()])
        case (.primary, 0xe3): return (insn.prefixes.addressSize ? "jecxz" : "jrcxz", [f.branchTarget()])
        case (.primary, 0xe8): return ("call", [f.branchTarget()])
        case (.primary, 0xe9), (.primary, 0xeb): return ("jmp", [f.branchTarget()])
        case (.primary, 0xf1): return ("int1", [])
        case (.primary, 0xf4): return ("hlt", [])
        case (.primary, 0xf5): return ("cmc", [])
        case (.primary, 0xf6), (.primary, 0xf7):
            let s = code == 0xf6 ? 1 : size
            let names = ["test", "test", "not", "neg", "mul", "imul", "div", "idiv"]
            let name = sized(names[Int(insn.reg)], s)
            return insn.reg < 2 ? (name, [f.imm(s), f.rm(s)]) : (name, [f.rm(s)])
        case (.primary, 0xf8): return ("clc", [])
        case (.primary, 0xf9): return ("stc", [])
        case (.primary, 0xfa): return ("cli", [])
        case (.primary, 0xfb): return ("sti", [])
        case (.primary, 0xfc): return ("cld", [])
        case (.primary, 0xfd): return ("std", [])
        case (.primary, 0xfe) where insn.reg < 2: return (sized(insn.reg == 0 ? "inc" : "dec", 1), [f.rm(1)])
        case (.primary, 0xff):
            switch insn.reg {
            case 0: return (sized("inc", size), [f.rm(size)])
            case 1: return (sized("dec", size), [f.rm(size)])
            case 2: return ("call", ["*" + f.rm(8)])
            case 4: return ("jmp", ["*" + f.rm(8)])
            case 6: return ("push", [f.rm(f.stackSize)])
            default: return nil
            }
        case (.primary, 0xca): return ("lret", [f.imm(2)])
        case (.primary, 0xcb): return ("lret", [])
        case (.primary, 0xcf): return ([2: "iretw", 8: "iretq"][size] ?? "iret", [])
        case (.map0F, 0x30): return ("wrmsr", [])
        case (.map0F, 0x31): return ("rdtsc", [])
        case (.map0F, 0x32): return ("rdmsr", [])
        case (.map0F, 0x01) where insn.modrm == 0xf8: return ("swapgs", [])
        case (.map0F, 0xae) where insn.modrm == 0xe8: return ("lfence", [])
        case (.map0F, 0xae) where insn.modrm == 0xf0: return ("mfence", [])
        case (.map0F, 0xae) where insn.modrm == 0xf8: return ("sfence", [])
        case (.map0F, 0x05): return ("syscall", [])
        case (.map0F, 0x0b): return ("ud2", [])
        case (.map0F, 0x1e) where insn.prefixes.rep && insn.modrm == 0xfa: return ("endbr64", [])
        case (.map0F, 0x1f) where insn.reg == 0: return (sized("nop", size), [f.rm(size)])
        case (.map0F, 0x40...0x4f): return ("cmov" + conditionNames[Int(code & 15)], [f.rm(size), f.reg(size)])
        case (.map0F, 0x90...0x9f): return ("set" + conditionNames[Int(code & 15)], [f.rm(1)])
        case (.map0F, 0xa2): return ("cpuid", [])
        case (.map0F, 0xa3), (.map0F, 0xab), (.map0F, 0xb3), (.map0F, 0xbb):
            return (["bt", "bts", "btr", "btc"][Int((code >> 3) & 3)], [f.reg(size), f.rm(size)])
        case (.map0F, 0xba) where insn.reg >= 4:
            return (sized(["bt", "bts", "btr", "btc"][Int(insn.reg - 4)], size), [f.imm(1), f.rm(size)])
        case (.map0F, 0xa4), (.map0F, 0xac): return (code == 0xa4 ? "shld" : "shrd", [f.imm(1), f.reg(size), f.rm(size)])
        case (.map0F, 0xa5), (.map0F, 0xad): return (code == 0xa5 ? "shld" : "shrd", ["%cl", f.reg(size), f.rm(size)])
        case (.map0F, 0xaf): return ("imul", [f.rm(size), f.reg(size)])
        case (.map0F, 0xb0): return ("cmpxchg", [f.reg(1), f.rm(1)])
        case (.map0F, 0xb1): return ("cmpxchg", [f.reg(size), f.rm(size)])
        case (.map0F, 0xc0): return ("xadd", [f.reg(1), f.rm(1)])
        case (.map0F, 0xc1): return ("xadd", [f.reg(size), f.rm(size)])
        case (.map0F, 0xb6), (.map0F, 0xb7), (.map0F, 0xbe), (.map0F, 0xbf):
            let source = code & 1 == 0 ? 1 : 2
            return ((code < 0xb8 ? "movz" : "movs") + suffix(source) + suffix(size), [f.rm(source), f.reg(size)])
        case (.map0F, 0xb8) where insn.prefixes.rep: return ("popcnt", [f.rm(size), f.reg(size)])
        case (.map0F, 0xbc): return (insn.prefixes.rep ? "tzcnt" : "bsf", [f.rm(size), f.reg(size)])
        case (.map0F, 0xbd): return (insn.prefixes.rep ? "lzcnt" : "bsr", [f.rm(size), f.reg(size)])
        case (.map0F, 0xc8...0xcf): return ("bswap", [f.opcodeRegister(size)])
        default: return nil
        }
    }
}
