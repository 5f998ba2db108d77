/// `arch_specific_insn`: what each back end prepared for one probe. kernel: arch/x86/include/asm/kprobes.h,
/// arch/arm64/include/asm/probes.h.
enum ArchInsn {
    case none
    case x86(X86ProbeInsn)
    case arm64(ARM64ProbeInsn)

    var slot: UInt64? {
        switch self {
        case .none: return nil
        case .x86(let insn): return insn.slot
        case .arm64(let insn): return insn.slot
        }
    }
}
