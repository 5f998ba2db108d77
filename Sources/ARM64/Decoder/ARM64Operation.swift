/// What a decoded A64 instruction does, one case per instruction (or per family whose members differ only in a
/// field the executor reads from `ARM64Instruction`). Kept small and trivial so the executor's `switch` is a
/// jump table.
public enum ARM64Operation: UInt8, Sendable, Hashable {
    // Data processing, immediate.
    case adr, adrp
    /// ADD/ADDS (immediate); `setsFlags` for ADDS.
    case addImmediate
    case subImmediate
    /// AND/ORR/EOR/ANDS (immediate); `variant` is `opc`.
    case logicalImmediate
    case movn, movz, movk
    case sbfm, bfm, ubfm
    case extr
    /// FEAT_CSSC SMAX/SMIN/UMAX/UMIN (immediate): classified, not executed.
    case minMaxImmediate

    // Branches, exception generation, system.
    case b, bl, bCond, cbz, cbnz, tbz, tbnz
    /// B.cond with `variant` 1 is FEAT_HBC's BC.cond (same behaviour, a hint that the branch is consistent).
    /// BR/BLR/RET and their pointer-authenticating forms; `variant` is an `ARM64PointerAuth` raw value.
    case br, blr, ret
    case eret, drps
    case svc, hvc, smc, brk, hlt, dcps
    /// FEAT_TME TCANCEL: classified, not executed.
    case tcancel
    /// HINT space; `immediate` is the hint number (`CRm:op2`): NOP 0, YIELD 1, WFE 2, WFI 3, SEV 4, SEVL 5,
    /// XPACLRI 7, PACIA1716 8, ..., PACIASP 25, AUTIASP 29, BTI 32..38 (targets in bits 2..1).
    case hint
    case clrex
    /// DSB/DMB/ISB/SB (and the other barriers in `CRn = 0011`); `variant` is `op2`, `immediate` is `CRm`.
    case barrier
    /// MSR (immediate) to a PSTATE field; `immediate` is the value (`CRm`), `variant` the `ARM64PState` field.
    case msrImmediate
    /// MSR (register)/MRS; `immediate` is the system register encoding `op0:op1:CRn:CRm:op2` (16 bits).
    case msrRegister, mrs
    /// SYS/SYSL (DC, IC, AT, TLBI live here); `immediate` is `op1:CRn:CRm:op2` (14 bits).
    case sys, sysl
    /// PSTATE flag manipulation (CFINV, XAFLAG, AXFLAG).
    case flagManipulation

    // Loads and stores.
    /// LDR (literal) into a general register: `size` 2 (W) or 3 (X); LDRSW (literal) has `signExtend`.
    case ldrLiteral
    case prfmLiteral
    /// LDR (literal, SIMD&FP): `size` 2 (S), 3 (D) or 4 (Q).
    case ldrLiteralSIMD
    /// Zero-extending loads LDR/LDRB/LDRH/LDUR*; `size` is log2 of the access, `mode` an `ARM64AddressingMode`.
    case load
    /// LDRSB/LDRSH/LDRSW (and unscaled forms): sign-extend to 32 bits (`is64` clear) or 64 bits.
    case loadSigned
    case store
    case prfm
    /// LDTR/STTR and friends (unprivileged): decoded, not executed.
    case loadUnprivileged, storeUnprivileged
    /// LDP/STP/LDNP/STNP and LDPSW.
    case loadPair, storePair, loadPairSigned
    /// LDXR/LDAXR (any size); `acquireRelease` for the A forms.
    case loadExclusive
    /// STXR/STLXR; the status register is `rs`.
    case storeExclusive
    case loadExclusivePair, storeExclusivePair
    /// LDAR/STLR (and LDLAR/STLLR when `acquireRelease` is clear).
    case loadAcquire, storeRelease
    /// LSE: CAS/CASP and the atomic memory operations (LDADD, SWP...): decoded as a class, not executed.
    case compareAndSwap, atomicMemory
    /// LDRAA/LDRAB: decoded, not executed.
    case loadAuthenticated
    /// FEAT_LS64 (LD64B/ST64B...): classified, not executed.
    case loadStore64Bytes
    /// SIMD&FP loads and stores other than literal ones: decoded as a class, not executed.
    case simdLoadStore

    // Data processing, register.
    /// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register); `variant` is `opc`, `invert` is `N`.
    case logicalShifted
    /// ADD/ADDS/SUB/SUBS (shifted register); `subtract` and `setsFlags` say which.
    case addSubShifted
    case addSubExtended
    case addSubCarry
    /// CCMN/CCMP, register or immediate (`usesImmediate`); `subtract` for CCMP.
    case conditionalCompare
    /// CSEL/CSINC/CSINV/CSNEG; `variant` is `op:op2`.
    case conditionalSelect
    case udiv, sdiv, lslv, lsrv, asrv, rorv
    /// CRC32*: decoded, not executed.
    case crc32
    case rbit, rev16, rev32, rev, clz, cls
    /// PACIA/AUTIA/XPACI... (data processing 1-source, `opcode2 = 00001`): decoded, not executed.
    case pointerAuthData
    case madd, msub, smaddl, smsubl, umaddl, umsubl, smulh, umulh
}
