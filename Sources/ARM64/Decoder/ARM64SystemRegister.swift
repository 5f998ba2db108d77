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

    /// The registers named here, with the lower-case names objdump prints (one table for both directions).
    public static let named: [(register: ARM64SystemRegister, name: String)] = [
        (.nzcv, "nzcv"),
        (.daif, "daif"),
        (.currentEL, "currentel"),
        (.spSel, "spsel"),
        (.pan, "pan"),
        (.uao, "uao"),
        (.spEL0, "sp_el0"),
        (.elrEL1, "elr_el1"),
        (.spsrEL1, "spsr_el1"),
        (.tpidrEL1, "tpidr_el1"),
        (.tpidrEL0, "tpidr_el0"),
        (.tpidrEL2, "tpidr_el2"),
        (.mdscrEL1, "mdscr_el1"),
        (.sctlrEL1, "sctlr_el1"),
        (.cntvctEL0, "cntvct_el0"),
        (.midrEL1, "midr_el1"),
        (.mpidrEL1, "mpidr_el1"),
        (.ctrEL0, "ctr_el0"),
        (.dczidEL0, "dczid_el0"),
        (.fpcr, "fpcr"),
        (.fpsr, "fpsr"),
        (.tpidrroEL0, "tpidrro_el0"),
        (.cntfrqEL0, "cntfrq_el0"),
        (.vbarEL1, "vbar_el1"),
        (.esrEL1, "esr_el1"),
        (.farEL1, "far_el1"),
        (.ttbr0EL1, "ttbr0_el1"),
        (.ttbr1EL1, "ttbr1_el1"),
        (.tcrEL1, "tcr_el1"),
        (.contextidrEL1, "contextidr_el1"),
    ]

    /// The name objdump prints, if this is a register named here.
    public var name: String? { ARM64SystemRegister.named.first { $0.register == self }?.name }

    /// The register with objdump's `name`, if named here.
    public init?(name: String) {
        guard let entry = ARM64SystemRegister.named.first(where: { $0.name == name }) else { return nil }
        self = entry.register
    }

    /// objdump's generic form for registers without a name: `s3_0_c15_c2_0`.
    public var description: String {
        name ?? "s\(op0)_\(op1)_c\(crn)_c\(crm)_\(op2)"
    }
}
