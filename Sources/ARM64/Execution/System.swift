/// System instructions: PSTATE access (DAIF and NZCV are modelled: `interruptsEnabled` is PSTATE.I clear), the
/// handful of system registers kernel code reads, and cache maintenance (no caches are modelled, so DC/IC/TLBI
/// are no-ops except DC ZVA, which zeroes memory). HINTs (NOP, YIELD, WFE/WFI, PACIASP, AUTIASP, BTI...) and
/// barriers complete with no effect: one in-order CPU at a time, no pointer authentication.
extension ARM64Executor {
    func moveToPStateField(_ i: ARM64Instruction) throws(ARM64Exception) {
        let pstate = x[ARM64PtRegs.pstate]
        let daif = (i.immediate & 0xF) << 6
        switch ARM64PState(rawValue: i.variant) {
        case .daifSet: x[ARM64PtRegs.pstate] = pstate | daif
        case .daifClr: x[ARM64PtRegs.pstate] = pstate & ~daif
        case .pan: x[ARM64PtRegs.pstate] = i.immediate & 1 != 0 ? pstate | ARM64PtRegs.psrPAN : pstate & ~ARM64PtRegs.psrPAN
        case .uao: x[ARM64PtRegs.pstate] = i.immediate & 1 != 0 ? pstate | ARM64PtRegs.psrUAO : pstate & ~ARM64PtRegs.psrUAO
        default: throw .undefined
        }
    }

    /// The register-file slot backing a system register, or nil when the core does not model it.
    static func slot(of register: ARM64SystemRegister) -> Int? {
        switch register {
        case .spEL0: return ARM64PtRegs.spEL0
        case .tpidrEL1: return ARM64PtRegs.tpidrEL1
        case .mdscrEL1: return ARM64PtRegs.mdscr
        default: return nil
        }
    }

    func moveFromSystemRegister(_ i: ARM64Instruction, nzcv: UInt64) throws(ARM64Exception) {
        let register = i.systemRegister
        let value: UInt64
        switch register {
        case .nzcv: value = nzcv
        case .daif: value = x[ARM64PtRegs.pstate] & ARM64PtRegs.daifMask
        case .currentEL: value = 1 << 2
        case .pan: value = x[ARM64PtRegs.pstate] & ARM64PtRegs.psrPAN
        case .uao: value = x[ARM64PtRegs.pstate] & ARM64PtRegs.psrUAO
        default:
            guard let slot = ARM64Executor.slot(of: register) else { throw .undefined }
            value = x[slot]
        }
        x[Int(i.rd)] = value
    }

    func moveToSystemRegister(_ i: ARM64Instruction, _ nzcv: inout UInt64) throws(ARM64Exception) {
        let register = i.systemRegister
        let value = x[Int(i.rn)]
        switch register {
        case .nzcv: nzcv = value & ARM64PtRegs.nzcvMask
        case .daif: x[ARM64PtRegs.pstate] = (x[ARM64PtRegs.pstate] & ~ARM64PtRegs.daifMask) | (value & ARM64PtRegs.daifMask)
        default:
            guard let slot = ARM64Executor.slot(of: register) else { throw .undefined }
            x[slot] = value
        }
    }

    /// DC ZVA block size: `DCZID_EL0.BS` = 4 (16 words), as on common cores.
    static let zeroBlockSize: UInt64 = 64

    func systemInstruction(_ i: ARM64Instruction) throws(ARM64Exception) {
        // DC ZVA is SYS #3, C7, C4, #1.
        guard i.immediate == 3 << 11 | 7 << 7 | 4 << 3 | 1 else { return }
        let start = x[Int(i.rn)] & ~(ARM64Executor.zeroBlockSize - 1)
        var offset: UInt64 = 0
        while offset < ARM64Executor.zeroBlockSize {
            try store(start &+ offset, 3, 0)
            offset += 8
        }
    }

    func flagManipulation(_ i: ARM64Instruction, _ nzcv: inout UInt64) throws(ARM64Exception) {
        // CFINV inverts C; XAFLAG/AXFLAG (floating-point flag conversions) are not modelled.
        guard i.variant == 0 else { throw .undefined }
        nzcv ^= ARM64PtRegs.psrC
    }
}
