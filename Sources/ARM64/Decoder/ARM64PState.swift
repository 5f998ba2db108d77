/// The PSTATE fields MSR (immediate) writes, by `op1:op2` (`arch/arm64/include/asm/sysreg.h`, `SET_PSTATE_*`).
public enum ARM64PState: UInt8, Sendable, Hashable {
    case uao, pan, spsel, ssbs, dit, tco, daifSet, daifClr, unknown

    init(op1: UInt32, op2: UInt32) {
        switch (op1, op2) {
        case (0, 3): self = .uao
        case (0, 4): self = .pan
        case (0, 5): self = .spsel
        case (3, 1): self = .ssbs
        case (3, 2): self = .dit
        case (3, 4): self = .tco
        case (3, 6): self = .daifSet
        case (3, 7): self = .daifClr
        default: self = .unknown
        }
    }

    /// The operand name objdump prints.
    public var name: String {
        switch self {
        case .uao: return "uao"
        case .pan: return "pan"
        case .spsel: return "spsel"
        case .ssbs: return "ssbs"
        case .dit: return "dit"
        case .tco: return "tco"
        case .daifSet: return "daifset"
        case .daifClr: return "daifclr"
        case .unknown: return "unknown"
        }
    }
}
