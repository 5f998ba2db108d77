/// Turns a decoded instruction at a known address into the executor's compact `X86Op` (done once per cache fill).
enum X86OpBuilder {
    static func build(_ insn: X86Instruction, at address: UInt64) -> X86Op {
        var op = X86Op()
        op.length = UInt8(insn.length)
        op.size = UInt8(insn.operandSize)
        let next = address &+ UInt64(insn.length)
        let target = next &+ UInt64(bitPattern: insn.signedImmediate)
        op.imm = UInt64(bitPattern: insn.signedImmediate)
        guard insn.encoding == .legacy else { return op }
        if insn.modrm != nil { resolveModRM(insn, next: next, byteOperands: false, into: &op) }
        let code = insn.opcode
        // Byte forms: the low opcode bit clear in the ALU/mov/test/xchg/group rows.
        func byteForm() { op.size = 1; resolveModRM(insn, next: next, byteOperands: true, into: &op) }
        func register(_ number: Int, byteOperand: Bool = false) -> (UInt8, Bool) {
            if byteOperand && insn.prefixes.rex == 0 && (4...7).contains(number) {
                return (UInt8(X86PtRegs.slotOfRegisterNumber[number - 4]), true)
            }
            return (UInt8(X86PtRegs.slotOfRegisterNumber[number]), false)
        }
        func opcodeRegister(byteOperand: Bool = false) {
            (op.rm, op.rmHigh) = register(Int(code & 7) | (insn.prefixes.rexB ? 8 : 0), byteOperand: byteOperand)
            op.rmIsMemory = false
        }
        func accumulator() { op.rm = UInt8(X86PtRegs.ax); op.rmIsMemory = false; op.rmHigh = false }
        func stackSize() { op.size = insn.prefixes.operandSize ? 2 : 8 }

        switch (insn.map, code) {
        case (.primary, 0x00...0x3f) where code & 7 < 6:
            op.sub = code >> 3
            switch code & 7 {
            case 0: byteForm(); op.kind = .aluRmReg
            case 1: op.kind = .aluRmReg
            case 2: byteForm(); op.kind = .aluRegRm
            case 3: op.kind = .aluRegRm
            case 4: op.size = 1; accumulator(); op.kind = .aluRmImm
            default: accumulator(); op.kind = .aluRmImm
            }
        case (.primary, 0x50...0x57): opcodeRegister(); stackSize(); op.kind = .push
        case (.primary, 0x58...0x5f): opcodeRegister(); stackSize(); op.kind = .pop
        case (.primary, 0x63):
            op.kind = insn.prefixes.rexW ? .movsx : .movRegRm
            op.sub = 4
        case (.primary, 0x68), (.primary, 0x6a): stackSize(); op.kind = .pushImm
        case (.primary, 0x69), (.primary, 0x6b): op.kind = .imul3
        case (.primary, 0x70...0x7f): op.kind = .jcc; op.sub = code & 15; op.imm = target
        case (.primary, 0x80), (.primary, 0x82): byteForm(); op.kind = .aluRmImm; op.sub = insn.reg
        case (.primary, 0x81), (.primary, 0x83): op.kind = .aluRmImm; op.sub = insn.reg
        case (.primary, 0x84): byteForm(); op.kind = .aluRmReg; op.sub = X86AluOp.test.rawValue
        case (.primary, 0x85): op.kind = .aluRmReg; op.sub = X86AluOp.test.rawValue
        case (.primary, 0x86): byteForm(); op.kind = .xchg
        case (.primary, 0x87): op.kind = .xchg
        case (.primary, 0x88): byteForm(); op.kind = .movRmReg
        case (.primary, 0x89): op.kind = .movRmReg
        case (.primary, 0x8a): byteForm(); op.kind = .movRegRm
        case (.primary, 0x8b): op.kind = .movRegRm
        case (.primary, 0x8d) where insn.hasMemoryOperand: op.kind = .lea
        case (.primary, 0x8f): stackSize(); op.kind = .popRm
        case (.primary, 0x90) where !insn.prefixes.rexB: op.kind = .nop
        case (.primary, 0x90...0x97):
            opcodeRegister()
            op.reg = UInt8(X86PtRegs.ax)
            op.kind = .xchg
        case (.primary, 0x98): op.kind = .cbw
        case (.primary, 0x99): op.kind = .cwd
        case (.primary, 0x9c): stackSize(); op.kind = .pushf
        case (.primary, 0x9d): stackSize(); op.kind = .popf
        case (.primary, 0xa4...0xa7), (.primary, 0xaa...0xaf):
            op.kind = .string
            if code & 1 == 0 { op.size = 1 }
            let kinds: [X86StringOp] = [.movs, .cmps, .stos, .lods, .scas]
            op.sub = kinds[Int((code - (code >= 0xaa ? 0xa6 : 0xa4)) >> 1)].rawValue
            op.imm2 = insn.prefixes.rep ? 1 : (insn.prefixes.repne ? 2 : 0)
        case (.primary, 0xa8): op.size = 1; accumulator(); op.kind = .aluRmImm; op.sub = X86AluOp.test.rawValue
        case (.primary, 0xa9): accumulator(); op.kind = .aluRmImm; op.sub = X86AluOp.test.rawValue
        case (.primary, 0xb0...0xb7): op.size = 1; opcodeRegister(byteOperand: true); op.kind = .movRmImm
        case (.primary, 0xb8...0xbf): opcodeRegister(); op.kind = .movRmImm; op.imm = insn.immediate
        case (.primary, 0xc0): byteForm(); op.kind = .shiftImm; op.sub = insn.reg
        case (.primary, 0xc1): op.kind = .shiftImm; op.sub = insn.reg
        case (.primary, 0xd0): byteForm(); op.kind = .shiftOne; op.sub = insn.reg
        case (.primary, 0xd1): op.kind = .shiftOne; op.sub = insn.reg
        case (.primary, 0xd2): byteForm(); op.kind = .shiftCL; op.sub = insn.reg
        case (.primary, 0xd3): op.kind = .shiftCL; op.sub = insn.reg
        case (.primary, 0xc2): op.kind = .ret; op.imm = insn.immediate
        case (.primary, 0xc3): op.kind = .ret; op.imm = 0
        case (.primary, 0xc6) where insn.reg == 0: byteForm(); op.kind = .movRmImm
        case (.primary, 0xc7) where insn.reg == 0: op.kind = .movRmImm
        case (.primary, 0xc8): op.kind = .enter; op.imm = insn.immediate; op.imm2 = UInt64(insn.immediate2)
        case (.primary, 0xc9): op.kind = .leave
        case (.primary, 0xcc): op.kind = .int3
        // No ModRM, so resolveModRM never sees their 0x67: the address size picks the count register here
        // (Intel SDM, LOOP/LOOPcc and JrCXZ: ECX under a 32-bit address size, RCX otherwise; GNU as writes
        // `jecxz` and `addr32 loop` as 67 e3 / 67 e2).
        case (.primary, 0xe0): op.kind = .loopne; op.imm = target; op.addressSize32 = insn.prefixes.addressSize
        case (.primary, 0xe1): op.kind = .loope; op.imm = target; op.addressSize32 = insn.prefixes.addressSize
        case (.primary, 0xe2): op.kind = .loop; op.imm = target; op.addressSize32 = insn.prefixes.addressSize
        case (.primary, 0xe3): op.kind = .jrcxz; op.imm = target; op.addressSize32 = insn.prefixes.addressSize
        case (.primary, 0xe8): op.kind = .call; op.imm = target
        case (.primary, 0xe9), (.primary, 0xeb): op.kind = .jmp; op.imm = target
        case (.primary, 0xf4): op.kind = .hlt
        case (.primary, 0xf5): op.kind = .cmc
        case (.primary, 0xf6), (.primary, 0xf7):
            if code == 0xf6 { byteForm() }
            let group: [X86OpKind] = [.aluRmImm, .aluRmImm, .not, .neg, .mul, .imul1, .div, .idiv]
            op.kind = group[Int(insn.reg)]
            op.sub = X86AluOp.test.rawValue
        case (.primary, 0xf8): op.kind = .clc
        case (.primary, 0xf9): op.kind = .stc
        case (.primary, 0xfa): op.kind = .cli
        case (.primary, 0xfb): op.kind = .sti
        case (.primary, 0xfc): op.kind = .cld
        case (.primary, 0xfd): op.kind = .std
        case (.primary, 0xfe) where insn.reg < 2: byteForm(); op.kind = insn.reg == 0 ? .inc : .dec
        case (.primary, 0xff):
            switch insn.reg {
            case 0: op.kind = .inc
            case 1: op.kind = .dec
            case 2: op.size = 8; op.kind = .callRm
            case 4: op.size = 8; op.kind = .jmpRm
            case 6: stackSize(); op.kind = .pushRm
            default: break
            }
        case (.map0F, 0x0b): op.kind = .ud2
        case (.map0F, 0x0d), (.map0F, 0x18...0x1f): op.kind = .nop
        case (.map0F, 0x40...0x4f): op.kind = .cmov; op.sub = code & 15
        case (.map0F, 0x80...0x8f): op.kind = .jcc; op.sub = code & 15; op.imm = target
        case (.map0F, 0x90...0x9f): byteForm(); op.kind = .setcc; op.sub = code & 15
        case (.map0F, 0xa3): op.kind = .btReg; op.sub = 0
        case (.map0F, 0xab): op.kind = .btReg; op.sub = 1
        case (.map0F, 0xb3): op.kind = .btReg; op.sub = 2
        case (.map0F, 0xbb): op.kind = .btReg; op.sub = 3
        case (.map0F, 0xba) where insn.reg >= 4: op.kind = .btImm; op.sub = insn.reg - 4
        case (.map0F, 0xa4): op.kind = .shldImm
        case (.map0F, 0xa5): op.kind = .shldCL
        case (.map0F, 0xac): op.kind = .shrdImm
        case (.map0F, 0xad): op.kind = .shrdCL
        case (.map0F, 0xaf): op.kind = .imul2
        case (.map0F, 0xb0): byteForm(); op.kind = .cmpxchg
        case (.map0F, 0xb1): op.kind = .cmpxchg
        case (.map0F, 0xc0): byteForm(); op.kind = .xadd
        case (.map0F, 0xc1): op.kind = .xadd
        case (.map0F, 0xb6), (.map0F, 0xbe):
            resolveModRM(insn, next: next, byteOperands: true, into: &op)
            (op.reg, op.regHigh) = register(insn.regNumber)
            op.kind = code == 0xb6 ? .movzx : .movsx
            op.sub = 1
        case (.map0F, 0xb7), (.map0F, 0xbf): op.kind = code == 0xb7 ? .movzx : .movsx; op.sub = 2
        case (.map0F, 0xb8) where insn.prefixes.rep: op.kind = .popcnt
        case (.map0F, 0xbc): op.kind = insn.prefixes.rep ? .tzcnt : .bsf
        case (.map0F, 0xbd): op.kind = insn.prefixes.rep ? .lzcnt : .bsr
        case (.map0F, 0xc8...0xcf): opcodeRegister(); op.kind = .bswap
        default: break
        }
        specialize(&op)
        return op
    }

    /// Rewrites common 32/64-bit shapes to the executor's fast kinds.
    static func specialize(_ op: inout X86Op) {
        guard op.size >= 4, !op.regHigh, !op.rmHigh else { return }
        // adc/sbb read CF: they stay on the general path.
        let isALU = op.kind == .aluRmReg || op.kind == .aluRegRm || op.kind == .aluRmImm
        if isALU && (op.sub == X86AluOp.adc.rawValue || op.sub == X86AluOp.sbb.rawValue) { return }
        switch op.kind {
        case .aluRmReg where !op.rmIsMemory: op.kind = .aluRR
        case .aluRegRm where !op.rmIsMemory:
            op.kind = .aluRR
            (op.rm, op.reg) = (op.reg, op.rm)
        case .aluRmImm where !op.rmIsMemory: op.kind = .aluRI
        case .shiftImm where !op.rmIsMemory && [X86ShiftOp.shl, .sal, .shr, .sar].contains(X86ShiftOp(rawValue: op.sub)):
            op.kind = .shiftRI
        case .shiftOne where !op.rmIsMemory && [X86ShiftOp.shl, .sal, .shr, .sar].contains(X86ShiftOp(rawValue: op.sub)):
            op.kind = .shiftRI
            op.imm = 1
        case .movRmImm where !op.rmIsMemory: op.kind = .movRI
        case .lea: op.kind = .leaFast
        case .movRmReg: op.kind = op.rmIsMemory ? .store : .movRR
        case .movRegRm where op.rmIsMemory: op.kind = .load
        case .movRegRm:
            op.kind = .movRR
            (op.rm, op.reg) = (op.reg, op.rm)
        default: break
        }
    }

    /// Resolves the ModRM operands into slots (and the memory operand's base/index/scale/displacement).
    static func resolveModRM(_ insn: X86Instruction, next: UInt64, byteOperands: Bool, into op: inout X86Op) {
        func register(_ number: Int) -> (UInt8, Bool) {
            if byteOperands && insn.prefixes.rex == 0 && (4...7).contains(number) {
                return (UInt8(X86PtRegs.slotOfRegisterNumber[number - 4]), true)
            }
            return (UInt8(X86PtRegs.slotOfRegisterNumber[number]), false)
        }
        (op.reg, op.regHigh) = register(insn.regNumber)
        op.gsSegment = insn.prefixes.segment == 0x65
        op.addressSize32 = insn.prefixes.addressSize
        guard insn.hasMemoryOperand else {
            (op.rm, op.rmHigh) = register(insn.rmNumber)
            op.rmIsMemory = false
            return
        }
        op.rmIsMemory = true
        op.disp = UInt64(bitPattern: insn.displacement)
        op.base = X86Op.noRegister
        op.index = X86Op.noRegister
        if insn.isRIPRelative {
            op.disp = next &+ op.disp
        } else if insn.sib != nil {
            if !(insn.mod == 0 && insn.sibBase & 7 == 5) {
                op.base = UInt8(X86PtRegs.slotOfRegisterNumber[insn.sibBase])
            }
            if insn.sibIndex != 4 {
                op.index = UInt8(X86PtRegs.slotOfRegisterNumber[insn.sibIndex])
                op.scale = (insn.sib ?? 0) >> 6
            }
        } else {
            op.base = UInt8(X86PtRegs.slotOfRegisterNumber[insn.rmNumber])
        }
    }
}
