import Testing
import Machine
import X86_64
@testable import Kprobes

extension KprobeLab {
    /// Assembles `source` (x86_64) as a text function `name` and returns its labels at the address it landed.
    @discardableResult
    func defineAssembled(_ name: String, _ source: String) throws -> [String: UInt64] {
        let size = try X86Assembler.assemble(source).get().bytes.count
        var labels: [String: UInt64] = [:]
        try define(name, size: size) { address in
            let output = try X86Assembler.assemble(source, origin: address).get()
            labels = output.labels
            return output.bytes
        }
        return labels
    }
}

/// The x86_64 core leaves RFLAGS' status bits deferred across traps, host calls and returns
/// (`RegisterFile`'s deferred flags): everyone who reads or writes `regs->flags` must see what the hardware would.
///
/// Hand derivation of the compares used here (`cmp %rsi,%rdi` computes rdi - rsi; every task starts with
/// RFLAGS = 0x246, and keeps IF and the always-one bit 1, 0x202):
/// - 1 - 2 = 0xffff_ffff_ffff_ffff: borrow (CF), negative (SF), low byte 0xff has eight ones (PF), borrow out of
///   the low nibble (AF), no signed overflow, not zero: 0x202 | 0x95 = 0x297.
/// - 0x8000_0000_0000_0000 - 1 = 0x7fff_ffff_ffff_ffff: negative minus positive gives positive (OF), no borrow,
///   low byte 0xff (PF), borrow out of the low nibble (AF): 0x202 | 0x800 | 0x14 = 0xa16.
/// - 2 - 1 = 1: nothing (one one bit: PF clear): 0x202.
/// - 1 - 0x8000_0000_0000_0000 = 0x8000_0000_0000_0001: borrow (CF), negative (SF), positive minus negative gives
///   negative (OF), low byte 0x01 (PF clear), no nibble borrow: 0x202 | 0x881 = 0xa83.
@Suite("kprobes: RFLAGS status bits deferred across traps (x86_64)")
struct KprobeDeferredFlagsTests {
    static let minSigned: UInt64 = 0x8000_0000_0000_0000

    @Test("pre and post handlers read the status bits the compare before the probe set",
          arguments: [(UInt64(1), UInt64(2), UInt64(0x297)), (minSigned, 1, 0xa16)])
    func handlersReadFlags(a: UInt64, b: UInt64, expected: UInt64) throws {
        let lab = try KprobeLab(.x86_64)
        let labels = try lab.defineAssembled("flags_after_cmp", "cmp %rsi,%rdi\np: mov %rdi,%rdx\nmov %rsi,%rax\nret")
        var seen: [UInt64] = []
        let address: UInt64 = try #require(labels["p"])
        let probe = Kprobe(address: address,
                           preHandler: { ctx in seen.append(ctx.regs[X86PtRegs.flags]); return 0 },
                           postHandler: { ctx in seen.append(ctx.regs[X86PtRegs.flags]) })
        try lab.kprobes.register(probe)
        #expect(try lab.call("flags_after_cmp", [a, b]) == b)
        #expect(seen == [expected, expected])
    }

    /// 1 vs 2 leaves ZF clear, so `jne` is taken (returns 1); a pre_handler setting ZF makes it fall through
    /// (returns 2), whether the probe is on the instruction before the jcc (stepped, the core runs the jcc) or on
    /// the jcc itself (emulated in the trap), and whether it edits the word or replaces it.
    @Test("a pre_handler's write of ZF decides the following jne", arguments: ["p", "j"])
    func preHandlerWritesFlags(probed: String) throws {
        let source = "mov $1,%eax\ncmp %rsi,%rdi\np: mov %rdi,%rdx\nj: jne done\nmov $2,%eax\ndone: ret"
        for replace in [false, true] {
            let lab = try KprobeLab(.x86_64)
            let labels = try lab.defineAssembled("zf_decides", source)
            #expect(try lab.call("zf_decides", [1, 2]) == 1)
            let address: UInt64 = try #require(labels[probed])
            let probe = Kprobe(address: address, preHandler: { ctx in
                if replace { ctx.regs[X86PtRegs.flags] = 0x202 | X86Flags.zf } else { ctx.regs[X86PtRegs.flags] |= X86Flags.zf }
                return 0
            })
            try lab.kprobes.register(probe)
            #expect(try lab.call("zf_decides", [1, 2]) == 2, "probe at \(probed), replace \(replace)")
            #expect(probe.nhit == 1)
        }
    }

    /// jb tests CF, jl tests SF != OF: for 1 vs 2 both are taken (returns 1); for 0x8000_0000_0000_0000 vs 1
    /// only jl is (unsigned it is the larger). The kprobe emulates the jcc from the flags the compare left deferred.
    @Test("an emulated jcc reads the deferred status bits",
          arguments: [("jb", UInt64(1), UInt64(2), UInt64(1)), ("jb", minSigned, 1, 2), ("jl", 1, 2, 1), ("jl", minSigned, 1, 1),
                      ("jl", 2, 1, 2)])
    func emulatedJcc(jcc: String, a: UInt64, b: UInt64, expected: UInt64) throws {
        let lab = try KprobeLab(.x86_64)
        let labels = try lab.defineAssembled("jcc_after_cmp", "mov $1,%eax\ncmp %rsi,%rdi\nj: \(jcc) done\nmov $2,%eax\ndone: ret")
        let address: UInt64 = try #require(labels["j"])
        let probe = Kprobe(address: address, preHandler: { _ in 0 })
        try lab.kprobes.register(probe)
        lab.machine.ledger.isRecording = true
        #expect(try lab.call("jcc_after_cmp", [a, b]) == expected)
        #expect(lab.events().contains { if case .emulated = $0 { return true } else { return false } })
    }

    /// Two tasks on one CPU, each sleeping between its compare and its `pushf`: the other runs in between. Each
    /// reads back its own compare's flags, and ends (the task's saved context) with its second compare's.
    @Test("status bits survive host calls and context switches while deferred")
    func contextSwitches() throws {
        let lab = try KprobeLab(.x86_64)
        var seenByHost: [UInt64] = []
        let nap = lab.machine.registerHostFunction("msleep") { _, _ in .sleep(cycles: 1_000, returning: 0) }
        let peek = lab.machine.registerHostFunction("peek_flags") { _, cpu in
            seenByHost.append(cpu.registers[X86PtRegs.flags])
            return .returnValue(0)
        }
        let source = """
            cmp %rsi,%rdi
            call 0x\(String(nap, radix: 16))
            cmp %rsi,%rdi
            call 0x\(String(peek, radix: 16))
            pushf
            pop %rax
            cmp %rdi,%rsi
            ret
            """
        try lab.defineAssembled("two_compares", source)
        let function = try lab.address("two_compares")
        let first = try lab.machine.spawn(comm: "first", function: function, arguments: [1, 2])
        let second = try lab.machine.spawn(comm: "second", function: function, arguments: [Self.minSigned, 1])
        try lab.machine.runTasks()
        #expect(first.returnValue == 0x297 && second.returnValue == 0xa16)
        #expect(Set(seenByHost) == [0x297, 0xa16])
        // cmp %rdi,%rsi reverses the operands: 2 - 1 and 1 - 0x8000_0000_0000_0000.
        #expect(first.savedRegisters[X86PtRegs.flags] == 0x202)
        #expect(second.savedRegisters[X86PtRegs.flags] == 0xa83)
    }

    /// The compare right before `ret` leaves its flags deferred through the return into the trampoline, the
    /// return handler (reading them or not), and the resume in the caller, whose pushf reads them.
    @Test("status bits survive the kretprobe trampoline while deferred",
          arguments: [(UInt64(1), UInt64(2), UInt64(0x297)), (minSigned, 1, 0xa16)])
    func kretprobeTrampoline(a: UInt64, b: UInt64, expected: UInt64) throws {
        for handlerReads in [false, true] {
            let lab = try KprobeLab(.x86_64)
            try lab.defineAssembled("cmp_and_return", "cmp %rsi,%rdi\nret")
            let callee = try lab.address("cmp_and_return")
            try lab.defineAssembled("reads_flags", "call 0x\(String(callee, radix: 16))\npushf\npop %rax\nret")
            var seen: [UInt64] = []
            let rp = Kretprobe(symbolName: "cmp_and_return", handler: { _, ctx in
                if handlerReads { seen.append(ctx.regs[X86PtRegs.flags]) }
                return 0
            })
            try lab.kprobes.register(rp)
            #expect(try lab.call("reads_flags", [a, b]) == expected, "handler reads: \(handlerReads)")
            #expect(seen == (handlerReads ? [expected] : []))
            #expect(rp.nmissed == 0 && rp.freeInstances == rp.maxactive)
        }
    }
}
