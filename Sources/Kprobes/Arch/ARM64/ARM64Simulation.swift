/// The instructions the arm64 kprobe code simulates instead of stepping (they read or write the PC, or load
/// PC-relative data, and would misbehave in a slot). kernel: arch/arm64/kernel/probes/simulate-insn.c.
enum ARM64Simulation: Sendable, Hashable {
    case bCond, cbzCbnz, tbzTbnz, adrAdrp, bBl, brBlrRet, ldrLiteral, ldrswLiteral
    /// Newer kernels (about 6.13) simulate NOP (`KernelProfile.arm64SimulatesNop`).
    case nop

    var name: String {
        switch self {
        case .bCond: return "simulate_b_cond"
        case .cbzCbnz: return "simulate_cbz_cbnz"
        case .tbzTbnz: return "simulate_tbz_tbnz"
        case .adrAdrp: return "simulate_adr_adrp"
        case .bBl: return "simulate_b_bl"
        case .brBlrRet: return "simulate_br_blr_ret"
        case .ldrLiteral: return "simulate_ldr_literal"
        case .ldrswLiteral: return "simulate_ldrsw_literal"
        case .nop: return "simulate_nop"
        }
    }
}
