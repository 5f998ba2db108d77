/// The kernel's A64 instruction tests, each `(insn & mask) == value`.
/// kernel: arch/arm64/include/asm/insn.h __AARCH64_INSN_FUNCS, arch/arm64/lib/insn.c (6.1).
enum ARM64InsnMask {
    @inline(__always) static func test(_ insn: UInt32, _ mask: UInt32, _ value: UInt32) -> Bool { insn & mask == value }

    static func isADR(_ i: UInt32) -> Bool { test(i, 0x9F00_0000, 0x1000_0000) }
    static func isADRP(_ i: UInt32) -> Bool { test(i, 0x9F00_0000, 0x9000_0000) }
    static func isPRFMLiteral(_ i: UInt32) -> Bool { test(i, 0xFF00_0000, 0xD800_0000) }
    static func isLDRLiteral(_ i: UInt32) -> Bool { test(i, 0xBF00_0000, 0x1800_0000) }
    static func isLDRSWLiteral(_ i: UInt32) -> Bool { test(i, 0xFF00_0000, 0x9800_0000) }
    static func isExclusive(_ i: UInt32) -> Bool { test(i, 0x3F80_0000, 0x0800_0000) }
    static func isLoadExclusive(_ i: UInt32) -> Bool { test(i, 0x3F40_0000, 0x0840_0000) }
    static func isStoreExclusive(_ i: UInt32) -> Bool { test(i, 0x3F40_0000, 0x0800_0000) }
    static func isB(_ i: UInt32) -> Bool { test(i, 0xFC00_0000, 0x1400_0000) }
    static func isBL(_ i: UInt32) -> Bool { test(i, 0xFC00_0000, 0x9400_0000) }
    static func isCBZ(_ i: UInt32) -> Bool { test(i, 0x7F00_0000, 0x3400_0000) }
    static func isCBNZ(_ i: UInt32) -> Bool { test(i, 0x7F00_0000, 0x3500_0000) }
    static func isTBZ(_ i: UInt32) -> Bool { test(i, 0x7F00_0000, 0x3600_0000) }
    static func isTBNZ(_ i: UInt32) -> Bool { test(i, 0x7F00_0000, 0x3700_0000) }
    static func isBcond(_ i: UInt32) -> Bool { test(i, 0xFF00_0010, 0x5400_0000) }
    static func isException(_ i: UInt32) -> Bool { test(i, 0xFF00_0000, 0xD400_0000) }
    static func isHint(_ i: UInt32) -> Bool { test(i, 0xFFFF_F01F, 0xD503_201F) }
    static func isBR(_ i: UInt32) -> Bool { test(i, 0xFFFF_FC1F, 0xD61F_0000) }
    static func isBRAuth(_ i: UInt32) -> Bool { test(i, 0xFEFF_F800, 0xD61F_0800) }
    static func isBLR(_ i: UInt32) -> Bool { test(i, 0xFFFF_FC1F, 0xD63F_0000) }
    static func isBLRAuth(_ i: UInt32) -> Bool { test(i, 0xFEFF_F800, 0xD63F_0800) }
    static func isRET(_ i: UInt32) -> Bool { test(i, 0xFFFF_FC1F, 0xD65F_0000) }
    static func isRETAuth(_ i: UInt32) -> Bool { test(i, 0xFFFF_FBFF, 0xD65F_0BFF) }
    static func isERET(_ i: UInt32) -> Bool { test(i, 0xFFFF_FFFF, 0xD69F_03E0) }
    static func isERETAuth(_ i: UInt32) -> Bool { test(i, 0xFFFF_FBFF, 0xD69F_0BFF) }
    static func isMRS(_ i: UInt32) -> Bool { test(i, 0xFFF0_0000, 0xD530_0000) }
    static func isMSRImmediate(_ i: UInt32) -> Bool { test(i, 0xFFF8_F01F, 0xD500_401F) }
    static func isMSRRegister(_ i: UInt32) -> Bool { test(i, 0xFFF0_0000, 0xD510_0000) }

    /// Bits 28:25 select the encoding class; `BR_SYS` is 0b101x. kernel: aarch64_get_insn_class.
    static func isClassBranchSys(_ i: UInt32) -> Bool { (i >> 25) & 0xE == 0xA }

    /// kernel: aarch64_insn_is_branch (b, bl, cb*, tb*, ret*, b.cond, br*, blr*).
    static func isBranch(_ i: UInt32) -> Bool {
        isB(i) || isBL(i) || isCBZ(i) || isCBNZ(i) || isTBZ(i) || isTBNZ(i) || isRET(i) || isRETAuth(i)
            || isBR(i) || isBRAuth(i) || isBLR(i) || isBLRAuth(i) || isBcond(i)
    }

    /// kernel: aarch64_insn_uses_literal (ldr/ldrsw literal, adr/adrp, prfm literal).
    static func usesLiteral(_ i: UInt32) -> Bool {
        isLDRLiteral(i) || isLDRSWLiteral(i) || isADR(i) || isADRP(i) || isPRFMLiteral(i)
    }

    /// `aarch64_insn_extract_system_reg`: op0:op1:CRn:CRm:op2 of MRS/MSR.
    static func systemRegister(_ i: UInt32) -> UInt32 { (i & 0x1F_FFE0) >> 5 }
    /// `AARCH64_INSN_SPCLREG_DAIF`: op0=3 op1=3 CRn=4 CRm=2 op2=1.
    static let daifRegister: UInt32 = 0xDA11

    /// `aarch64_insn_is_steppable_hint` as of 6.1: NOP, the PAC signing/stripping hints and BTI. The AUT* hints
    /// were taken off the list in 2020 (they may fault under enhanced ptrauth), so `autiasp` cannot be probed.
    static func isSteppableHint(_ i: UInt32) -> Bool {
        guard isHint(i) else { return false }
        switch i & 0xFE0 {
        case 0x000,           // NOP
             0x0E0,           // XPACLRI
             0x100, 0x140,    // PACIA1716, PACIB1716
             0x300, 0x320,    // PACIAZ, PACIASP
             0x340, 0x360,    // PACIBZ, PACIBSP
             0x400, 0x440, 0x480, 0x4C0: // BTI, BTI c, BTI j, BTI jc
            return true
        default:
            return false
        }
    }

    static func isNOP(_ i: UInt32) -> Bool { i == 0xD503_201F }
}
