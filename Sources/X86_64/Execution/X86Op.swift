/// A pre-decoded instruction as the executor runs it: a small operation enum, operand sizes and register-file
/// slots resolved once at decode time, so the per-instruction loop does no table lookups.
struct X86Op {
    var kind = X86OpKind.undefined
    /// Instruction length in bytes.
    var length: UInt8 = 0
    /// Operand size in bytes (1, 2, 4, 8).
    var size: UInt8 = 8
    /// Sub-operation: ALU op, condition code, shift kind, source size for movzx/movsx, rep kind...
    var sub: UInt8 = 0
    /// The ModRM `reg` operand (or the register encoded in the opcode), as a pt_regs slot.
    var reg: UInt8 = 0
    /// Byte operand is AH/CH/DH/BH (legacy high-byte registers, only without REX).
    var regHigh = false
    var rmHigh = false
    /// The ModRM `r/m` operand: memory, or the register in slot `rm`.
    var rmIsMemory = false
    var rm: UInt8 = 0
    /// Memory operand: base and index slots (`noRegister` when absent), scale as a shift, displacement. For
    /// RIP-relative operands `disp` already holds the absolute address.
    var base: UInt8 = X86Op.noRegister
    var index: UInt8 = X86Op.noRegister
    var scale: UInt8 = 0
    /// `%gs:` (per-CPU base added) or 32-bit address size.
    var gsSegment = false
    var addressSize32 = false
    var disp: UInt64 = 0
    /// Immediate, sign-extended to 64 bits; branch targets are absolute.
    var imm: UInt64 = 0
    /// Second immediate (`enter`'s nesting level; the shift count of `shld`/`shrd` imm forms lives in `imm`).
    var imm2: UInt64 = 0

    static let noRegister: UInt8 = 0xff
}

/// Operations the executor implements; one executor file per family handles each group.
enum X86OpKind: UInt8 {
    // Data movement
    case movRmReg, movRegRm, movRmImm, movzx, movsx, lea, xchg, cmov, setcc, cbw, cwd, bswap
    case cmpxchg, xadd
    // Arithmetic and logic (sub = X86AluOp)
    case aluRmReg, aluRegRm, aluRmImm, inc, dec, neg, not
    case mul, imul1, imul2, imul3, div, idiv
    // Shifts (sub = X86ShiftOp): count 1, %cl or imm
    case shiftOne, shiftCL, shiftImm, shldImm, shldCL, shrdImm, shrdCL
    // Bit operations (sub: 0 bt, 1 bts, 2 btr, 3 btc)
    case btReg, btImm, bsf, bsr, tzcnt, lzcnt, popcnt
    // Stack
    case push, pushImm, pushRm, pop, popRm, leave, enter
    // Control flow (targets absolute in imm)
    case jmp, jcc, jmpRm, call, callRm, ret, loop, loope, loopne, jrcxz
    // Strings (sub = X86StringOp, imm2 = 0 none, 1 rep/repe, 2 repne)
    case string
    // System
    case nop, int3, cli, sti, pushf, popf, cld, std, clc, stc, cmc, hlt, ud2
    /// Decoded but not implemented: raises #UD naming the instruction.
    case undefined
    // Fast forms chosen at decode time for the commonest shapes (32/64-bit, no high-byte registers), so the hot
    // loop skips operand-kind and size switches: destination `rm`, source `reg` or `imm`.
    case aluRR, aluRI, movRR, movRI, load, store, shiftRI, leaFast
}

/// The eight classic ALU operations in opcode order (`/digit` of `80`-`83`), plus `test`.
enum X86AluOp: UInt8 {
    case add, or, adc, sbb, and, sub, xor, cmp, test
}

/// Shift/rotate group 2 in `/digit` order (`/6` is an undocumented alias of `shl`).
enum X86ShiftOp: UInt8 {
    case rol, ror, rcl, rcr, shl, shr, sal, sar
}

/// String instructions.
enum X86StringOp: UInt8 {
    case movs, cmps, stos, lods, scas
}
