import Foundation
import Testing
import Machine
@testable import ARM64

@Suite("ARM64 executor")
struct ARM64ExecutorTests {
    /// Every routine of `exec/routines.s` (assembled by GNU as) on every argument vector gives what the same
    /// bytes gave running natively under qemu-aarch64 (`exec/expected.txt`, made by the corpus script).
    @Test func routinesMatchQemuUser() throws {
        let bytes = [UInt8](try ARM64Fixtures.data("exec/routines.bin"))
        let (machine, base) = try ARM64Fixtures.machine(bytes: bytes)
        var offsets: [String: UInt64] = [:]
        for line in try ARM64Fixtures.text("exec/routines.syms").split(separator: "\n") {
            let parts = line.split(separator: " ")
            offsets[String(parts[1])] = UInt64(parts[0], radix: 16)
        }
        var checked = 0
        var failures: [String] = []
        for line in try ARM64Fixtures.text("exec/expected.txt").split(separator: "\n") {
            let parts = line.split(separator: " ")
            let name = String(parts[0])
            let arguments = parts[1...4].compactMap { UInt64($0, radix: 16) }
            let expected = UInt64(parts[6].dropFirst(2), radix: 16)
            let offset = try #require(offsets[name], "no symbol \(name)")
            let got = try machine.call(base + offset, arguments: arguments)
            if got != expected { failures.append("\(line)  got 0x\(String(got, radix: 16))") }
            checked += 1
        }
        #expect(checked == 608)
        #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.prefix(30).joined(separator: "\n"))")
    }

    /// BRK #0x004 (0xd4200080, the kprobe BRK; encoding from aarch64-linux-gnu-as) raises a breakpoint trap
    /// with the immediate in `detail` and `pc` still at the BRK (ELR_EL1); a handler that moves `pc` resumes there.
    @Test func brkTrapsWithImmediateAndPC() throws {
        // brk #0x4; mov x0, #5; add x0, x0, #1; ret
        let (machine, base) = try ARM64Fixtures.machine(words: [0xd420_0080, 0xd280_00a0, 0x9100_0400, 0xd65f_03c0])
        let handler = RecordingTrapHandler { _, cpu in
            cpu.registers[ARM64PtRegs.pc] += 4
            return .handled
        }
        machine.traps.register(handler, for: .breakpoint)
        #expect(try machine.call(base) == 6)
        let trap = try #require(handler.seen.first)
        #expect(trap.kind == .breakpoint && trap.detail == 4 && trap.address == base)
        #expect(handler.registersAtTrap[0][ARM64PtRegs.pc] == base)
        #expect(handler.registersAtTrap[0][ARM64PtRegs.pstate] == ARM64PtRegs.modeEL1h)
    }

    /// UDF #0 (word 0) is an undefined instruction naming the word; no handler means the run fails with it.
    @Test func undefinedInstructionNamesTheWord() throws {
        let (machine, base) = try ARM64Fixtures.machine(words: [0x0000_0000])
        #expect {
            _ = try machine.call(base)
        } throws: { error in
            guard case SimulationError.unhandledTrap(let trap, _) = error else { return false }
            return trap.kind == .undefinedInstruction && trap.address == base && trap.instruction?.contains("00000000") == true
        }
    }

    /// LDR x0, [x1] with x1 unmapped raises a page fault naming the data address.
    @Test func loadFromUnmappedMemoryIsAPageFault() throws {
        let (machine, base) = try ARM64Fixtures.machine(words: [0xf940_0020, 0xd65f_03c0])
        #expect {
            _ = try machine.call(base, arguments: [0, 0x1234_5000])
        } throws: { error in
            guard case SimulationError.unhandledTrap(let trap, _) = error else { return false }
            return trap.kind == .pageFault && trap.address == base && trap.fault?.address == 0x1234_5000
        }
    }

    /// MSR DAIFSet/DAIFClr #2 set and clear PSTATE.I (bit 7), which is what `interruptsEnabled` reports; MRS
    /// DAIF reads bits 9..6. Encodings from aarch64-linux-gnu-as: d50342df, d50342ff, d53b4220.
    @Test func daifMaskingIsModelled() throws {
        // msr daifset, #2; mrs x0, daif; brk #0x6; msr daifclr, #2; mrs x0, daif; ret
        let (machine, base) = try ARM64Fixtures.machine(words: [0xd503_42df, 0xd53b_4220, 0xd420_00c0, 0xd503_42ff, 0xd53b_4220, 0xd65f_03c0])
        var enabledAtTrap: [Bool] = []
        let core = machine.core
        let handler = RecordingTrapHandler { _, cpu in
            enabledAtTrap.append(core.interruptsEnabled(cpu))
            cpu.registers[ARM64PtRegs.pc] += 4
            return .handled
        }
        machine.traps.register(handler, for: .breakpoint)
        #expect(try machine.call(base) == 0)
        #expect(enabledAtTrap == [false])
        #expect(handler.registersAtTrap[0][0] == 0x80)
        #expect(handler.registersAtTrap[0][ARM64PtRegs.pstate] == ARM64PtRegs.modeEL1h | 0x80)
    }

    /// MSR NZCV, x1 / MRS x0, NZCV round-trip only bits 31..28 (d51b4201, d53b4200 from GNU as).
    @Test func nzcvSystemRegister() throws {
        let (machine, base) = try ARM64Fixtures.machine(words: [0xd51b_4201, 0xd53b_4200, 0xd65f_03c0])
        #expect(try machine.call(base, arguments: [0, 0xffff_ffff_ffff_ffff]) == 0xF000_0000)
        #expect(try machine.call(base, arguments: [0, 0x6000_0000]) == 0x6000_0000)
    }

    /// With MDSCR_EL1.SS and PSTATE.SS set, one instruction runs and a debug trap follows with `pc` at the
    /// next instruction and PSTATE.SS cleared; with them clear no debug trap is ever raised.
    @Test func hardwareSingleStep() throws {
        // mov x0, #5; add x0, x0, #1; ret
        let (machine, base) = try ARM64Fixtures.machine(words: [0xd280_00a0, 0x9100_0400, 0xd65f_03c0])
        let handler = RecordingTrapHandler { _, _ in .handled }
        machine.traps.register(handler, for: .debug)
        let cpu = machine.cpus[0]
        let x = cpu.registers.words
        x[ARM64PtRegs.sp] = Machine.perCPUBase + 0x8000
        try machine.core.setUpCall(cpu, function: base, arguments: [], returnAddress: machine.hostReturnAddress)
        x[ARM64PtRegs.mdscr] = ARM64PtRegs.mdscrSS | ARM64PtRegs.mdscrKDE
        x[ARM64PtRegs.pstate] |= ARM64PtRegs.psrSS
        // The step traps after `mov`; the run then goes on unstepped to `ret` into the host-return address.
        guard case .returnedToHost = machine.core.run(cpu, limit: 10) else { Issue.record("run did not return"); return }
        #expect(handler.seen.count == 1)
        // Trap.address names the stepped instruction (`mov` at base); the register file holds the next pc.
        #expect(handler.seen.first?.kind == .debug && handler.seen.first?.address == base)
        #expect(handler.registersAtTrap.first?[0] == 5)
        #expect(handler.registersAtTrap.first?[ARM64PtRegs.pc] == base + 4)
        #expect(x[ARM64PtRegs.pstate] & ARM64PtRegs.psrSS == 0)
        #expect(x[0] == 6)
    }

    /// Poking text (as arming a kprobe does) invalidates the decode cache: the new instruction runs.
    @Test func textPokeInvalidatesDecodeCache() throws {
        let (machine, base) = try ARM64Fixtures.machine(words: [0xd280_00a0, 0xd65f_03c0])
        #expect(try machine.call(base) == 5)
        try machine.pokeText(base, bytes: [0xe0, 0x00, 0x80, 0xd2])  // mov x0, #7
        #expect(try machine.call(base) == 7)
    }

    /// AAPCS64: the ninth and tenth arguments are on the stack at [sp] and [sp, #8] at entry.
    @Test func stackArguments() throws {
        // ldp x0, x1, [sp]; sub x0, x0, x1; ret  (a94007e0 cb010000 d65f03c0 from GNU as)
        let (machine, base) = try ARM64Fixtures.machine(words: [0xa940_07e0, 0xcb01_0000, 0xd65f_03c0])
        #expect(try machine.call(base, arguments: [0, 0, 0, 0, 0, 0, 0, 0, 100, 58]) == 42)
    }
}
