import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Registering a kprobe on bytes a decoder does not understand, with the errno the kernel returns.
///
/// x86_64 (arch/x86/kernel/kprobes/core.c, 5.15-6.1): `arch_prepare_kprobe` returns -EILSEQ when `can_probe`
/// fails — it decodes with `insn_decode_kernel` from the symbol start up to the probe address, so only an
/// undecodable instruction *before* the probe point fails there — then `arch_copy_kprobe` returns -EINVAL when
/// `__copy_instruction` gets `insn_decode_kernel(insn, dest) < 0` for the probed instruction itself.
/// The kernel's decoder (arch/x86/lib/insn.c `insn_get_opcode`) fails with -EINVAL for "This instruction is bad":
/// it is more lenient than the CPU — 6.1 decodes `06` (PUSH ES, "(i64)") as a one-byte instruction and accepts
/// the probe —
/// a VEX/EVEX-encoded opcode with no (or no such) VEX form, or a must-VEX opcode without it.
///
/// arm64 (arch/arm64/kernel/probes/decode-insn.c, 6.1): `aarch64_insn_is_steppable` refuses only branch/system
/// class exceptions, branches, MSR, ERET, most hints, literal loads and exclusives; everything else — UDF #0
/// (`00000000`, class UNKNOWN) included — is INSN_GOOD and stepped out of line, so `arch_prepare_kprobe` accepts it
/// (INSN_REJECTED → -EINVAL is for the refused forms only).
@Suite("Kprobes on undecodable instructions")
struct KprobeUndecodableTests {
    /// Places `bytes` as a text function `name` (with a symbol, as kallsyms would list it).
    static func define(_ name: String, _ bytes: [UInt8], in machine: Machine) throws -> UInt64 {
        let text = machine.allocateText(size: UInt64(bytes.count))
        try machine.memory.kernelWrite(text, bytes: bytes)
        machine.symbols.add(Symbol(name: name, address: text, size: UInt64(bytes.count), type: "T"))
        return text
    }

    /// `62 f0 7c 48 10 c1`: an EVEX prefix (always EVEX in 64-bit mode) whose map field P0.mmm is 0, a map that
    /// does not exist. The CPU raises #UD; the kernel's decoder looks the opcode up in `inat_avx_tables[0]`, which
    /// is empty, so the attribute is 0 and `insn_get_opcode` fails ("This instruction is bad", -EINVAL); objdump
    /// prints `62` as `(bad)`. Followed by `ret` (c3) at offset 6.
    static let badEVEX: [UInt8] = [0x62, 0xf0, 0x7c, 0x48, 0x10, 0xc1, 0xc3]

    @Test("x86_64: a probe on an instruction the kernel's decoder refuses is -EINVAL (arch_copy_kprobe)")
    func x86ProbeOnUndecodableIsEINVAL() throws {
        let lab = try KprobeLab(.x86_64, files: [])
        lab.machine.ledger.isRecording = true
        let address = try Self.define("bad_evex", Self.badEVEX, in: lab.machine)
        guard case .failure = X86Decoder.decode(Self.badEVEX) else { Issue.record("the simulator decodes 62 f0 7c 48"); return }
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "bad_evex")) }
        // Nothing armed, nothing left registered; the text is untouched.
        #expect(lab.kprobes.registered.isEmpty)
        #expect(try lab.bytes(address, 7) == Self.badEVEX)
        #expect(lab.kprobes.get(address) == nil)
    }

    @Test("x86_64: a probe after an undecodable instruction is -EILSEQ (can_probe cannot walk to it)")
    func x86ProbeAfterUndecodableIsEILSEQ() throws {
        let lab = try KprobeLab(.x86_64, files: [])
        let address = try Self.define("bad_evex", Self.badEVEX, in: lab.machine)
        #expect(throws: Errno.EILSEQ) { try lab.kprobes.register(Kprobe(symbolName: "bad_evex", offset: 6)) }
        #expect(try lab.bytes(address, 7) == Self.badEVEX)
        #expect(lab.kprobes.registered.isEmpty)
    }

    @Test("x86_64: `06` (PUSH ES, invalid in 64-bit mode) still decodes for the 6.1 kernel: the probe registers, the step raises #UD")
    func x86ProbeOnPushES() throws {
        // arch/x86/lib/x86-opcode-map.txt (6.1): `06: PUSH ES (i64)` — no operands, and the (i64) superscript does not
        // make insn_decode_kernel fail, so can_probe and __copy_instruction both succeed: register_kprobe returns 0.
        let lab = try KprobeLab(.x86_64, files: [])
        lab.machine.ledger.isRecording = true
        let code: [UInt8] = [0x06, 0xc3] // objdump: `06  (bad)`, `c3  ret`
        let address = try Self.define("push_es", code, in: lab.machine)
        guard case .failure(let cpuView) = X86Decoder.decode(code) else { Issue.record("the CPU decoder accepts 06"); return }
        #expect(cpuView.reason == .invalidOpcode)
        var preHits = 0
        let probe = Kprobe(symbolName: "push_es", preHandler: { _ in preHits += 1; return 0 })
        try lab.kprobes.register(probe)
        #expect(try lab.bytes(address, 1) == [0xcc])
        #expect(probe.opcode == [0x06])
        // Hitting it: the pre_handler runs, then the copy `06` in the slot raises #UD — the kernel oopses
        // ("invalid opcode"); here the run ends with the unhandled trap, typed, and the machine is dead.
        let error = #expect(throws: SimulationError.self) { _ = try lab.machine.call(address) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .undefinedInstruction && trap.address != address)
        #expect(lab.machine.symbols.lookup(containing: trap.address)?.symbol.module == KprobeManager.slotModuleName)
        #expect(preHits == 1)
        #expect(lab.events().contains { if case .slotStep = $0 { return true } else { return false } })
    }

    /// x86-opcode-map.txt (6.1) `9a: CALLF Ap (i64)`, `ea: JMPF Ap (i64)`, `82: Grp1 Eb,Ib (1A),(i64)`: the kernel
    /// decodes all three in 64-bit mode (lengths 7, 7 and, for `82 c0 01`, 3), so can_probe walks past them; then
    /// prepare_emulation refuses the far call and jump with -EOPNOTSUPP ("far call absolute -- segment is not
    /// supported"), while `82` has no emulation and is stepped, raising #UD in the slot.
    @Test("x86_64: far CALL/JMP Ap decode for the 6.1 kernel and are refused with -EOPNOTSUPP; 82 is accepted",
          arguments: [([UInt8](arrayLiteral: 0x9a, 1, 2, 3, 4, 5, 6, 0xc3), "callf"), ([0xea, 1, 2, 3, 4, 5, 6, 0xc3], "jmpf")])
    func x86FarAbsolute(code: [UInt8], name: String) throws {
        let lab = try KprobeLab(.x86_64, files: [])
        let address = try Self.define(name, code, in: lab.machine)
        #expect(throws: Errno.EOPNOTSUPP) { try lab.kprobes.register(Kprobe(symbolName: name)) }
        // can_probe decoded the 7-byte instruction: the `ret` after it is a boundary, and probeable.
        try lab.kprobes.register(Kprobe(symbolName: name, offset: 7))
        #expect(try lab.bytes(address, 8) == Array(code[0..<7]) + [0xcc])
    }

    @Test("x86_64: 82 (the 80 alias, invalid in 64-bit mode) is accepted and stepped: #UD in the slot")
    func x86Grp1Alias() throws {
        let lab = try KprobeLab(.x86_64, files: [])
        let code: [UInt8] = [0x82, 0xc0, 0x01, 0xc3] // 82 /0 ib: add $1,%al in 32-bit code
        let address = try Self.define("grp1_82", code, in: lab.machine)
        let probe = Kprobe(symbolName: "grp1_82")
        try lab.kprobes.register(probe)
        try lab.kprobes.register(Kprobe(symbolName: "grp1_82", offset: 3)) // the ret: 82 c0 01 is three bytes
        #expect(probe.opcode == [0x82])
        let error = #expect(throws: SimulationError.self) { _ = try lab.machine.call(address) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .undefinedInstruction)
        #expect(lab.machine.symbols.lookup(containing: trap.address)?.symbol.module == KprobeManager.slotModuleName)
    }

    @Test("arm64: UDF #0 is steppable to the kernel: the probe registers, and hitting it ends in a typed error")
    func arm64ProbeOnUDF() throws {
        let lab = try KprobeLab(.arm64, files: [])
        lab.machine.ledger.isRecording = true
        // udf #0 (objdump: `00000000  udf #0x0`), then ret (d65f03c0).
        let code = le32(0x0000_0000) + le32(0xd65f_03c0)
        let address = try Self.define("udf_fn", code, in: lab.machine)
        #expect(throws: ARM64DecodeError.self) { _ = try ARM64Decoder.decode(0) }
        var preHits = 0
        let probe = Kprobe(symbolName: "udf_fn", preHandler: { _ in preHits += 1; return 0 })
        try lab.kprobes.register(probe)
        #expect(lab.kprobes.registered.count == 1)
        // Stepping the copy in its slot raises the undefined-instruction exception there: the kernel's
        // do_undefinstr BUGs on a kernel-mode UDF. The run ends in a typed error, after the pre_handler ran.
        let error = #expect(throws: SimulationError.self) { _ = try lab.machine.call(address) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        // The undefined instruction is met in the slot (kprobe_insn_page), not at the probed address.
        #expect(trap.kind == .undefinedInstruction && trap.address != address)
        #expect(lab.machine.symbols.lookup(containing: trap.address)?.symbol.module == KprobeManager.slotModuleName)
        #expect(preHits == 1)
        #expect(lab.machine.crashed != nil)
        #expect(lab.events().contains { if case .registered = $0 { return true } else { return false } })
    }
}
