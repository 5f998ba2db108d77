import Testing
import Machine
@testable import ARM64

/// The decoder facts the arm64 kprobe back end classifies from (decode-insn.c: simulate, step or reject).
/// Every word below is what `aarch64-linux-gnu-as -march=armv8.5-a+lse` produced for the text beside it.
@Suite("ARM64 decoder classification")
struct ARM64ClassificationTests {
    static let table: [(word: UInt32, operation: ARM64Operation, text: String)] = [
        (0x1400_0002, .b, "b .+8"), (0x97ff_ffff, .bl, "bl .-4"), (0x5400_0081, .bCond, "b.ne .+16"),
        (0xb400_0041, .cbz, "cbz x1"), (0x3500_0042, .cbnz, "cbnz w2"), (0xb640_0043, .tbz, "tbz x3, #40"),
        (0x3718_0044, .tbnz, "tbnz w4, #3"), (0xd61f_00a0, .br, "br x5"), (0xd63f_00c0, .blr, "blr x6"),
        (0xd65f_03c0, .ret, "ret"), (0xd65f_0bff, .ret, "retaa"), (0xd65f_0fff, .ret, "retab"),
        (0xd71f_08e8, .br, "braa x7, x8"), (0xd63f_093f, .blr, "blraaz x9"), (0x1000_008a, .adr, "adr"),
        (0x9000_000b, .adrp, "adrp"), (0x1800_004c, .ldrLiteral, "ldr w12, lit"), (0x5800_004d, .ldrLiteral, "ldr x13, lit"),
        (0x9800_004e, .ldrLiteral, "ldrsw x14, lit"), (0xd800_0040, .prfmLiteral, "prfm lit"),
        (0x9c00_004f, .ldrLiteralSIMD, "ldr q15, lit"), (0xc85f_7c41, .loadExclusive, "ldxr"),
        (0x085f_fc83, .loadExclusive, "ldaxrb"), (0xc805_7ce6, .storeExclusive, "stxr"),
        (0x4808_fd49, .storeExclusive, "stlxrh"), (0xc87f_0861, .loadExclusivePair, "ldxp"),
        (0xc824_98e5, .storeExclusivePair, "stlxp"), (0xc8df_fc41, .loadAcquire, "ldar"), (0x889f_fc83, .storeRelease, "stlr"),
        (0xf821_0062, .atomicMemory, "ldadd"), (0xb8e4_80c5, .atomicMemory, "swpal"), (0xc8a7_7d28, .compareAndSwap, "cas"),
        (0xd503_42df, .msrImmediate, "msr daifset"), (0xd503_4fff, .msrImmediate, "msr daifclr"),
        (0xd500_41bf, .msrImmediate, "msr spsel"), (0xd500_419f, .msrImmediate, "msr pan"), (0xd500_407f, .msrImmediate, "msr uao"),
        (0xd53b_4220, .mrs, "mrs daif"), (0xd51b_4201, .msrRegister, "msr nzcv"), (0xd538_4102, .mrs, "mrs sp_el0"),
        (0xd538_d083, .mrs, "mrs tpidr_el1"), (0xd538_4244, .mrs, "mrs currentel"), (0xd503_3f5f, .clrex, "clrex"),
        (0xd503_3bbf, .barrier, "dmb ish"), (0xd503_3f9f, .barrier, "dsb sy"), (0xd503_3fdf, .barrier, "isb"),
        (0xd503_30ff, .barrier, "sb"), (0xd50b_7e20, .sys, "dc civac"), (0xd50b_7521, .sys, "ic ivau"),
        (0xd508_831f, .sys, "tlbi vmalle1is"), (0xd528_1262, .sysl, "sysl"), (0xd69f_03e0, .eret, "eret"),
        (0xd69f_0bff, .eret, "eretaa"), (0xd6bf_03e0, .drps, "drps"), (0xd400_0001, .svc, "svc"), (0xd400_0022, .hvc, "hvc"),
        (0xd400_0043, .smc, "smc"), (0xd420_0080, .brk, "brk #4"), (0xd440_00a0, .hlt, "hlt"), (0xd4a0_0001, .dcps, "dcps1"),
        (0xd4a0_0002, .dcps, "dcps2"), (0xd4a0_0003, .dcps, "dcps3"),
    ]

    @Test func everyKprobeRelevantInstructionIsRecognised() throws {
        for entry in Self.table {
            let instruction = try ARM64Decoder.decode(entry.word)
            #expect(instruction.operation == entry.operation, "\(entry.text)")
            #expect(instruction.rawValue == entry.word)
        }
    }

    /// HINT numbers are `CRm:op2` (Arm ARM hint table): NOP 0, YIELD 1, WFE 2, WFI 3, SEV 4, SEVL 5, XPACLRI 7,
    /// PACIA1716 8, ESB 16, PSB 17, CSDB 20, PACIAZ 24, PACIASP 25, AUTIAZ 28, AUTIASP 29, BTI c 34, BTI jc 38.
    @Test func hintNumbers() throws {
        let hints: [(UInt32, UInt64)] = [
            (0xd503_201f, 0), (0xd503_203f, 1), (0xd503_205f, 2), (0xd503_207f, 3), (0xd503_209f, 4), (0xd503_20bf, 5),
            (0xd503_20ff, 7), (0xd503_211f, 8), (0xd503_221f, 16), (0xd503_223f, 17), (0xd503_229f, 20),
            (0xd503_231f, 24), (0xd503_233f, 25), (0xd503_239f, 28), (0xd503_23bf, 29), (0xd503_245f, 34), (0xd503_24df, 38),
        ]
        for (word, number) in hints {
            let instruction = try ARM64Decoder.decode(word)
            #expect(instruction.operation == .hint && instruction.immediate == number, "0x\(String(word, radix: 16))")
        }
    }

    @Test func pstateFieldsAndSystemRegisters() throws {
        let daifSet = try ARM64Decoder.decode(0xd503_42df)
        #expect(ARM64PState(rawValue: daifSet.variant) == .daifSet && daifSet.immediate == 2)
        let daifClr = try ARM64Decoder.decode(0xd503_4fff)
        #expect(ARM64PState(rawValue: daifClr.variant) == .daifClr && daifClr.immediate == 15)
        #expect(ARM64PState(rawValue: try ARM64Decoder.decode(0xd500_41bf).variant) == .spsel)
        #expect(ARM64PState(rawValue: try ARM64Decoder.decode(0xd500_419f).variant) == .pan)
        #expect(ARM64PState(rawValue: try ARM64Decoder.decode(0xd500_407f).variant) == .uao)
        #expect(try ARM64Decoder.decode(0xd53b_4220).systemRegister == .daif)
        #expect(try ARM64Decoder.decode(0xd51b_4201).systemRegister == .nzcv)
        #expect(try ARM64Decoder.decode(0xd538_4102).systemRegister == .spEL0)
        #expect(try ARM64Decoder.decode(0xd538_d083).systemRegister == .tpidrEL1)
        #expect(try ARM64Decoder.decode(0xd538_4244).systemRegister == .currentEL)
        // DAIF is op0 3, op1 3, CRn 4, CRm 2, op2 1 (Arm ARM); the packed encoding is the kernel's sys_reg() >> 5.
        let daif = ARM64SystemRegister.daif
        #expect(daif.op0 == 3 && daif.op1 == 3 && daif.crn == 4 && daif.crm == 2 && daif.op2 == 1)
    }

    @Test func exceptionImmediatesAndPointerAuthentication() throws {
        #expect(try ARM64Decoder.decode(0xd420_0080).exceptionImmediate == 4)
        #expect(try ARM64Decoder.decode(0xd420_00c0).exceptionImmediate == 6)
        #expect(try ARM64Decoder.decode(0xd440_00a0).exceptionImmediate == 5)
        #expect(ARM64PointerAuth(rawValue: try ARM64Decoder.decode(0xd65f_03c0).variant) == ARM64PointerAuth.none)
        #expect(ARM64PointerAuth(rawValue: try ARM64Decoder.decode(0xd65f_0bff).variant) == .keyA)
        #expect(ARM64PointerAuth(rawValue: try ARM64Decoder.decode(0xd65f_0fff).variant) == .keyB)
        #expect(ARM64PointerAuth(rawValue: try ARM64Decoder.decode(0xd63f_093f).variant) == .keyAZeroModifier)
    }

    /// Literal loads and PC-relative branches read the PC (the kernel simulates them); their offsets are the
    /// assembled displacements (`.+8` is 8).
    @Test func pcRelativeInstructions() throws {
        let ldrsw = try ARM64Decoder.decode(0x9800_004e)
        #expect(ldrsw.readsPC && ldrsw.signExtend && ldrsw.offset == 8 && ldrsw.size == 2)
        #expect(try ARM64Decoder.decode(0x5800_004d).size == 3)
        #expect(try ARM64Decoder.decode(0x9c00_004f).size == 4)
        #expect(try ARM64Decoder.decode(0x97ff_ffff).offset == -4)
        #expect(try ARM64Decoder.decode(0x5400_0081).condition == 1)
        #expect(try ARM64Decoder.decode(0xb640_0043).amount == 40)
        #expect(try ARM64Decoder.decode(0x9000_000b).offset == 0)
        #expect(try ARM64Decoder.decode(0x1000_008a).offset == 16)
        #expect(!(try ARM64Decoder.decode(0xd503_201f).readsPC))
        #expect(!(try ARM64Decoder.decode(0xd61f_00a0).readsPC))
    }

    /// Decode errors name the word, its group and why (SIMD data processing is unsupported; UDF and the
    /// op0 = 0001 space are unallocated).
    @Test func decodeErrors() {
        #expect(throws: ARM64DecodeError(word: 0x0000_0000, group: .reserved, reason: .unallocated)) { try ARM64Decoder.decode(0) }
        #expect(throws: ARM64DecodeError(word: 0x0200_0000, group: .unallocated, reason: .unallocated)) { try ARM64Decoder.decode(0x0200_0000) }
        // fadd d0, d1, d2 (1e622820 from GNU as) is SIMD&FP data processing.
        #expect(throws: ARM64DecodeError(word: 0x1e62_2820, group: .simdFP, reason: .unsupported)) { try ARM64Decoder.decode(0x1e62_2820) }
    }
}

@Suite("ARM64 pt_regs")
struct ARM64PtRegsTests {
    /// Byte offsets from the 6.1 struct by hand (8-byte words): regs[31] 0..247, sp 248, pc 256, pstate 264,
    /// orig_x0 272, syscallno+unused2 280, sdei_ttbr1 288, pmr_save 296, stackframe[2] 304, lockdep_hardirqs 320,
    /// exit_rcu 328, sizeof 336 (asm-offsets S_PC 256, S_PSTATE 264, PT_REGS_SIZE 336).
    @Test func layoutMatchesLinux61() {
        #expect(ARM64PtRegs.sp * 8 == 248 && ARM64PtRegs.pc * 8 == 256 && ARM64PtRegs.pstate * 8 == 264)
        #expect(ARM64PtRegs.origX0 * 8 == 272 && ARM64PtRegs.syscallno * 8 == 280 && ARM64PtRegs.sdeiTTBR1 * 8 == 288)
        #expect(ARM64PtRegs.pmrSave * 8 == 296 && ARM64PtRegs.stackframe * 8 == 304)
        #expect(ARM64PtRegs.lockdepHardirqs * 8 == 320 && ARM64PtRegs.exitRCU * 8 == 328 && ARM64PtRegs.count * 8 == 336)
        let core = ARM64Core()
        #expect(core.ptRegsWords == 42 && core.pcIndex == 32 && core.spIndex == 31)
    }

    /// The 6.1 regoffset_table: x0..x30, lr, sp, pc, pstate; nothing else.
    @Test func registerNames() {
        for n in 0...30 { #expect(ARM64PtRegs.slot(named: "x\(n)") == n) }
        #expect(ARM64PtRegs.slot(named: "lr") == 30 && ARM64PtRegs.slot(named: "sp") == 31)
        #expect(ARM64PtRegs.slot(named: "pc") == 32 && ARM64PtRegs.slot(named: "pstate") == 33)
        for bad in ["x31", "x01", "w0", "fp", "xzr", "", "x", "rax", "X0"] { #expect(ARM64PtRegs.slot(named: bad) == nil, "\(bad)") }
    }

    @Test func argumentsReturnValueAndReset() {
        let machine = Machine(core: ARM64Core(), cpuCount: 1)
        let cpu = machine.cpus[0]
        #expect(cpu.registers[ARM64PtRegs.pstate] == 0x5)
        #expect(machine.core.interruptsEnabled(cpu))
        for n in 0..<9 { cpu.registers[n] = UInt64(100 + n) }
        for n in 0..<8 { #expect(machine.core.argument(cpu, n) == UInt64(100 + n)) }
        #expect(machine.core.argument(cpu, 8) == 0)
        #expect(machine.core.returnValue(cpu) == 100)
        cpu.registers[ARM64PtRegs.pstate] |= ARM64PtRegs.psrI
        #expect(!machine.core.interruptsEnabled(cpu))
    }
}
