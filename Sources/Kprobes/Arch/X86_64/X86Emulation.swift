/// An instruction the x86 kprobe code emulates in the int3 handler instead of stepping it (v5.13 and later).
/// kernel: arch/x86/kernel/kprobes/core.c prepare_emulation and the kprobe_emulate_* functions.
enum X86Emulation: Sendable, Hashable {
    case cli, sti, pushf, popf
    case ret
    case call(rel32: Int64)
    case jmp(rel32: Int64)
    /// Condition type = low nibble of the opcode.
    case jcc(type: UInt8, rel32: Int64)
    /// type: 0 loopne, 1 loope, 2 loop, 3 jcxz; address size in bits.
    case loop(type: UInt8, addressBits: Int, rel32: Int64)
    /// Register number 0..15 in ModRM order (ax cx dx bx sp bp si di r8..r15).
    case callIndirect(register: UInt8)
    case jmpIndirect(register: UInt8)

    var name: String {
        switch self {
        case .cli: return "cli"
        case .sti: return "sti"
        case .pushf: return "pushf"
        case .popf: return "popf"
        case .ret: return "ret"
        case .call: return "call"
        case .jmp: return "jmp"
        case .jcc: return "jcc"
        case .loop: return "loop"
        case .callIndirect: return "call *%reg"
        case .jmpIndirect: return "jmp *%reg"
        }
    }
}
