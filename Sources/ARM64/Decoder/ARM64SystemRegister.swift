/// A system register named by its MSR/MRS encoding `op0:op1:CRn:CRm:op2` (packed as the kernel's
/// `sys_reg(op0, op1, crn, crm, op2)` shifted down by 5), with the names the kernel uses.
public struct ARM64SystemRegister: Sendable, Hashable, CustomStringConvertible {
    public let encoding: UInt16

    public init(encoding: UInt16) { self.encoding = encoding }

    public init(op0: UInt16, op1: UInt16, crn: UInt16, crm: UInt16, op2: UInt16) {
        encoding = op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
    }

    public var op0: UInt16 { encoding >> 14 }
    public var op1: UInt16 { (encoding >> 11) & 7 }
    public var crn: UInt16 { (encoding >> 7) & 0xF }
    public var crm: UInt16 { (encoding >> 3) & 0xF }
    public var op2: UInt16 { encoding & 7 }

    public static let nzcv = ARM64SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 0)
    public static let daif = ARM64SystemRegister(op0: 3, op1: 3, crn: 4, crm: 2, op2: 1)
    public static let currentEL = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 2)
    public static let spSel = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 0)
    public static let pan = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 3)
    public static let uao = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 2, op2: 4)
    public static let spEL0 = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 1, op2: 0)
    public static let elrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 1)
    public static let spsrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 4, crm: 0, op2: 0)
    public static let tpidrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 4)
    public static let tpidrEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 2)
    public static let tpidrEL2 = ARM64SystemRegister(op0: 3, op1: 4, crn: 13, crm: 0, op2: 2)
    public static let mdscrEL1 = ARM64SystemRegister(op0: 2, op1: 0, crn: 0, crm: 2, op2: 2)
    public static let sctlrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 1, crm: 0, op2: 0)
    public static let cntvctEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 2)
    public static let midrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 0)
    public static let mpidrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 0, crm: 0, op2: 5)
    public static let ctrEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 0, crm: 0, op2: 1)
    public static let dczidEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 0, crm: 0, op2: 7)
    public static let fpcr = ARM64SystemRegister(op0: 3, op1: 3, crn: 4, crm: 4, op2: 0)
    public static let fpsr = ARM64SystemRegister(op0: 3, op1: 3, crn: 4, crm: 4, op2: 1)
    public static let tpidrroEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 13, crm: 0, op2: 3)
    public static let cntfrqEL0 = ARM64SystemRegister(op0: 3, op1: 3, crn: 14, crm: 0, op2: 0)
    public static let vbarEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 0)
    public static let esrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 5, crm: 2, op2: 0)
    public static let farEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 6, crm: 0, op2: 0)
    public static let ttbr0EL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 0)
    public static let ttbr1EL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 1)
    public static let tcrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 2, crm: 0, op2: 2)
    public static let contextidrEL1 = ARM64SystemRegister(op0: 3, op1: 0, crn: 13, crm: 0, op2: 1)

    /// The lower-case name objdump prints, if this is a register it names here.
    public var name: String? {
        switch self {
        case .nzcv: return "nzcv"
        case .daif: return "daif"
        case .currentEL: return "currentel"
        case .spSel: return "spsel"
        case .pan: return "pan"
        case .uao: return "uao"
        case .spEL0: return "sp_el0"
        case .elrEL1: return "elr_el1"
        case .spsrEL1: return "spsr_el1"
        case .tpidrEL1: return "tpidr_el1"
        case .tpidrEL0: return "tpidr_el0"
        case .tpidrEL2: return "tpidr_el2"
        case .mdscrEL1: return "mdscr_el1"
        case .sctlrEL1: return "sctlr_el1"
        case .cntvctEL0: return "cntvct_el0"
        case .midrEL1: return "midr_el1"
        case .mpidrEL1: return "mpidr_el1"
        case .ctrEL0: return "ctr_el0"
        case .dczidEL0: return "dczid_el0"
        case .fpcr: return "fpcr"
        case .fpsr: return "fpsr"
        case .tpidrroEL0: return "tpidrro_el0"
        case .cntfrqEL0: return "cntfrq_el0"
        case .vbarEL1: return "vbar_el1"
        case .esrEL1: return "esr_el1"
        case .farEL1: return "far_el1"
        case .ttbr0EL1: return "ttbr0_el1"
        case .ttbr1EL1: return "ttbr1_el1"
        case .tcrEL1: return "tcr_el1"
        case .contextidrEL1: return "contextidr_el1"
        default: return nil
        }
    }

    /// objdump's generic form for registers without a name: `s3_0_c15_c2_0`.
    public var description: String {
        name ?? "s\(op0)_\(op1)_c\(crn)_c\(crm)_\(op2)"
    }
}
