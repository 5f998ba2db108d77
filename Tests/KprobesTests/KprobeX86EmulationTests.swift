import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// One probed run of an emulated instruction: what the handlers saw and what the ledger recorded.
struct EmulatedRun {
    var result: UInt64 = 0
    var preIPs: [UInt64] = []
    var postIPs: [UInt64] = []
    /// The emulated events for the probe's address.
    var emulated: [String] = []
    var slotSteps = 0
}

extension KprobeLab {
    /// A 6.1 x86_64 lab with `Tests/Fixtures/kprobes-x86/emulation.o` (GNU as) loaded after the corpus files.
    static func emulation(files: [String] = []) throws -> KprobeLab {
        let lab = try KprobeLab(.x86_64, files: files)
        _ = try ELFLoader.load(bytes: try Fixtures.bytes("kprobes-x86/emulation.o"), name: "emulation.o",
                           into: lab.machine, module: "emulation")
        return lab
    }

    /// Probes `address` with handlers that record ip, calls `function`, and collects the ledger's account.
    /// `pre`/`post` see the registers too (for stack and flags checks).
    func runProbed(_ address: UInt64, calling function: String, _ arguments: [UInt64],
                   pre: ((KprobeContext) -> Void)? = nil, post: ((KprobeContext) -> Void)? = nil) throws -> EmulatedRun {
        var run = EmulatedRun()
        let probe = Kprobe(address: address,
                           preHandler: { ctx in run.preIPs.append(ctx.regs.ip); pre?(ctx); return 0 },
                           postHandler: { ctx in run.postIPs.append(ctx.regs.ip); post?(ctx) })
        try kprobes.register(probe)
        machine.ledger.clear()
        machine.ledger.isRecording = true
        run.result = try call(function, arguments)
        machine.ledger.isRecording = false
        for event in events() {
            switch event {
            case let .emulated(at, name, _) where at == address: run.emulated.append(name)
            case let .slotStep(at, _, _) where at == address: run.slotSteps += 1
            default: break
            }
        }
        kprobes.unregister(probe)
        return run
    }
}

/// The instructions 6.1 emulates in the int3 handler instead of stepping them out of line, each probed on real
/// assembler or compiler output: `Tests/Fixtures/kprobes-x86/emulation.o` (GNU as; offsets from
/// `emulation.objdump`) and the corpus (`Tests/Fixtures/corpus/x86_64/O2/*.objdump`).
/// kernel: arch/x86/kernel/kprobes/core.c prepare_emulation, kprobe_emulate_ifmodifiers, kprobe_emulate_ret,
/// kprobe_emulate_call, kprobe_emulate_jmp, kprobe_emulate_loop, kprobe_emulate_call_indirect,
/// kprobe_emulate_jmp_indirect; kprobe_int3_handler (pre sees `regs->ip = addr + 1`), kprobe_post_process.
///
/// Each test checks that the probe was emulated (one `.emulated` ledger event per hit, no slot step), what the
/// handlers saw (pre: the address plus one; post: where the instruction sends execution), and the result
/// against the unprobed run, whose value is derived by hand in the comments.
@Suite("kprobes: x86_64 emulated instructions")
struct KprobeX86EmulationTests {
    /// One loop-family case. Offsets are from the function's start (emulation.objdump):
    ///   emu_loop:   +5 `83 c0 01 add $1,%eax`,  +8 `e2 fb loop +5`,   +0xa the instruction after it.
    ///   emu_loopne: +5 `48 83 c0 01 add $1,%rax`, +9 `cmp %rsi,%rax`, +0xc `e0 f7 loopne +5`, +0xe after.
    ///   emu_loope:  the same layout, +0xc `e1 f7 loope +5`.
    ///   emu_jrcxz:  +8 `e3 05 jrcxz +0xf`, +0xa `mov $2,%eax`, +0xf `ret`.
    ///   emu_jecxz:  +8 `67 e3 05 jecxz +0x10` (3 bytes: address-size prefix), +0xb `mov $2,%eax`, +0x10 `ret`.
    /// The routines return `runs | rcx at exit << 32` (loops) or 1 when the branch was taken, 2 when not.
    struct LoopCase: CustomTestStringConvertible, Sendable {
        let function: String
        let offset: UInt64
        let arguments: [UInt64]
        let unprobed: UInt64
        let probed: UInt64
        let postOffsets: [UInt64]
        var testDescription: String { "\(function)(\(arguments.map { String($0, radix: 16) }.joined(separator: ", ")))" }
    }

    /// Hand derivations. Architecturally LOOP decrements the count first and branches if it is still non-zero
    /// (Intel SDM, LOOP/LOOPcc); the 6.1 kernel tests the count *before* decrementing it
    /// (`match = ((*(u64 *)&regs->cx)--) != 0`, kprobe_emulate_loop), so a probed loop whose count runs out
    /// takes one more trip and leaves rcx at 0 - 1. LOOPNE/LOOPE also need ZF clear/set; JRCXZ/JECXZ only test.
    static let loopCases: [LoopCase] = [
        // rcx 3: the body runs 3 times, rcx 0 at exit. Probed: the loop sees 3, 2, 1 (taken) then 0 (not),
        // so the body runs 4 times and rcx ends 0xffff_ffff_ffff_ffff, shifted: 0xffff_ffff_0000_0000 | 4.
        LoopCase(function: "emu_loop", offset: 8, arguments: [3], unprobed: 3, probed: 0xffff_ffff_0000_0004,
                 postOffsets: [5, 5, 5, 0xa]),
        // rcx 10, stop at rax == 3: rax 1, 2 go round (ZF clear, rcx 9, 8), rax 3 sets ZF: out with rcx 7.
        // Ended by ZF, the kernel's order makes no difference.
        LoopCase(function: "emu_loopne", offset: 0xc, arguments: [10, 3], unprobed: 0x7_0000_0003,
                 probed: 0x7_0000_0003, postOffsets: [5, 5, 0xe]),
        // rcx 2, rsi 5 never reached: rax 1 (rcx 1, taken), rax 2 (rcx 0, out): 2. Probed: counts 2, 1 taken,
        // then 0 not: rax 3, rcx 0xffff_ffff_ffff_ffff.
        LoopCase(function: "emu_loopne", offset: 0xc, arguments: [2, 5], unprobed: 2, probed: 0xffff_ffff_0000_0003,
                 postOffsets: [5, 5, 0xe]),
        // rcx 10, rsi 1: rax 1 == 1 sets ZF (rcx 9, taken), rax 2 clears it (rcx 8, out): 0x8_0000_0002.
        LoopCase(function: "emu_loope", offset: 0xc, arguments: [10, 1], unprobed: 0x8_0000_0002,
                 probed: 0x8_0000_0002, postOffsets: [5, 0xe]),
        // rcx 1, rsi 1: rax 1 sets ZF but rcx reaches 0: out, 1. Probed: count 1 is non-zero and ZF is set:
        // taken; rax 2, count 0: out with rcx 0xffff_ffff_ffff_ffff.
        LoopCase(function: "emu_loope", offset: 0xc, arguments: [1, 1], unprobed: 1, probed: 0xffff_ffff_0000_0002,
                 postOffsets: [5, 0xe]),
        // jrcxz tests all 64 bits, jecxz (0x67) only ecx: 0x1_0000_0000 is zero for one and not the other.
        LoopCase(function: "emu_jrcxz", offset: 8, arguments: [0], unprobed: 1, probed: 1, postOffsets: [0xf]),
        LoopCase(function: "emu_jrcxz", offset: 8, arguments: [0x1_0000_0000], unprobed: 2, probed: 2, postOffsets: [0xa]),
        LoopCase(function: "emu_jecxz", offset: 8, arguments: [0x1_0000_0000], unprobed: 1, probed: 1, postOffsets: [0x10]),
        LoopCase(function: "emu_jecxz", offset: 8, arguments: [5], unprobed: 2, probed: 2, postOffsets: [0xb]),
    ]

    @Test("loop, loopne, loope, jrcxz, jecxz: emulated with the kernel's count-then-decrement order", arguments: loopCases)
    func loops(c: LoopCase) throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address(c.function)
        #expect(try lab.call(c.function, c.arguments) == c.unprobed)
        let run = try lab.runProbed(base + c.offset, calling: c.function, c.arguments)
        #expect(run.result == c.probed)
        #expect(run.emulated == Array(repeating: "loop", count: c.postOffsets.count))
        #expect(run.slotSteps == 0)
        #expect(run.preIPs == Array(repeating: base + c.offset + 1, count: c.postOffsets.count))
        #expect(run.postIPs == c.postOffsets.map { base + $0 })
        // Unregistered, the routine is back to the architectural result.
        #expect(try lab.call(c.function, c.arguments) == c.unprobed)
    }

    /// emu_cli: +0 `fa cli`, +1 `9c pushf`; emu_sti: +0 `fa cli`, +1 `fb sti`, +2 `9c pushf`. The routines return
    /// the flags pushf stored right after the probed instruction. kernel: kprobe_emulate_ifmodifiers clears or
    /// sets X86_EFLAGS_IF in `regs->flags`; the int3 trap itself leaves IF as the interrupted code had it.
    @Test("cli and sti: emulated, IF as the instruction leaves it in post and in the result",
          arguments: [("emu_cli", UInt64(0), "cli", true, false), ("emu_sti", 1, "sti", false, true)])
    func interruptFlag(function: String, offset: UInt64, name: String, ifBefore: Bool, ifAfter: Bool) throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address(function)
        let unprobed = try lab.call(function)
        #expect((unprobed & X86Flags.if != 0) == ifAfter)
        var preIF: [Bool] = [], postIF: [Bool] = []
        let run = try lab.runProbed(base + offset, calling: function, [],
                                    pre: { preIF.append($0.regs[X86PtRegs.flags] & X86Flags.if != 0) },
                                    post: { postIF.append($0.regs[X86PtRegs.flags] & X86Flags.if != 0) })
        #expect(run.emulated == [name] && run.slotSteps == 0)
        #expect(run.preIPs == [base + offset + 1] && run.postIPs == [base + offset + 1])
        #expect(preIF == [ifBefore] && postIF == [ifAfter])
        #expect(run.result == unprobed)
    }

    /// emu_pushf: +0 `48 39 f7 cmp %rsi,%rdi`, +3 `9c pushf`, +4 `58 pop %rax`. For 1 - 2 the status bits are
    /// CF SF PF AF (hand derivation in KprobeDeferredFlagsTests) over the task's 0x202: 0x297.
    @Test("pushf: emulated, the flags word lands on the stack 8 bytes down")
    func pushf() throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address("emu_pushf")
        #expect(try lab.call("emu_pushf", [1, 2]) == 0x297)
        var preSP: UInt64 = 0, postSP: UInt64 = 0, pushed: UInt64?
        let run = try lab.runProbed(base + 3, calling: "emu_pushf", [1, 2],
                                    pre: { preSP = $0.regs.sp },
                                    post: { ctx in postSP = ctx.regs.sp; pushed = try? ctx.machine.memory.read64(ctx.regs.sp) })
        #expect(run.emulated == ["pushf"] && run.slotSteps == 0)
        #expect(run.preIPs == [base + 4] && run.postIPs == [base + 4])
        #expect(postSP == preSP - 8)
        #expect(pushed == 0x297)
        #expect(run.result == 0x297)
    }

    /// emu_popf: +0 `57 push %rdi`, +1 `9d popf`, +2 `9c pushf`. 0xa83 = OF SF CF with IF and bit 1;
    /// 0xd7 = SF ZF AF PF CF and bit 1 with IF clear (popf at CPL 0 may clear IF; the routine sets it again).
    @Test("popf: emulated, the word on the stack becomes the flags and sp moves up 8", arguments: [UInt64(0xa83), 0xd7])
    func popf(word: UInt64) throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address("emu_popf")
        #expect(try lab.call("emu_popf", [word]) == word)
        var preSP: UInt64 = 0, postSP: UInt64 = 0, onStack: UInt64?, postFlags: UInt64 = 0
        let run = try lab.runProbed(base + 1, calling: "emu_popf", [word],
                                    pre: { ctx in preSP = ctx.regs.sp; onStack = try? ctx.machine.memory.read64(ctx.regs.sp) },
                                    post: { ctx in postSP = ctx.regs.sp; postFlags = ctx.regs[X86PtRegs.flags] })
        #expect(run.emulated == ["popf"] && run.slotSteps == 0)
        #expect(run.preIPs == [base + 2] && run.postIPs == [base + 2])
        #expect(onStack == word)
        #expect(postSP == preSP + 8 && postFlags == word)
        #expect(run.result == word)
    }

    /// emu_jmp_reg: +0 `lea 0xd(%rip),%r11` (= +0x14), +7 `mov $1,%eax`, +0xc `41 ff e3 jmp *%r11` (REX.B),
    /// +0xf `mov $2,%eax`, +0x14 `ret`: 1 when the jump lands.
    @Test("jmp *%r11: emulated (kprobe_emulate_jmp_indirect), post sees the register's target")
    func jmpIndirect() throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address("emu_jmp_reg")
        #expect(try lab.call("emu_jmp_reg") == 1)
        let run = try lab.runProbed(base + 0xc, calling: "emu_jmp_reg", [])
        #expect(run.emulated == ["jmp *%reg"] && run.slotSteps == 0)
        #expect(run.preIPs == [base + 0xd] && run.postIPs == [base + 0x14])
        #expect(run.result == 1)
    }

    /// emu_call_reg: +7 `ff d2 call *%rdx` (2 bytes) to emu_callee, which returns the word at its sp (the return
    /// address); the caller subtracts the address of +9: 0 when the pushed address is the next instruction. The
    /// 5.13-era emulation pushed `addr + 5` (int3_emulate_call), which gives 3; 6.1 stable took the fix
    /// "x86/kprobes: fix incorrect return address calculation in kprobe_emulate_call_indirect".
    @Test("call *%rdx: emulated (kprobe_emulate_call_indirect), the pushed return address is the next instruction")
    func callIndirectFixture() throws {
        let lab = try KprobeLab.emulation()
        let base = try lab.address("emu_call_reg")
        let callee = try lab.address("emu_callee")
        #expect(try lab.call("emu_call_reg") == 0)
        var pushed: UInt64?
        let run = try lab.runProbed(base + 7, calling: "emu_call_reg", [],
                                    post: { ctx in pushed = try? ctx.machine.memory.read64(ctx.regs.sp) })
        #expect(run.emulated == ["call *%reg"] && run.slotSteps == 0)
        #expect(run.preIPs == [base + 8] && run.postIPs == [callee])
        #expect(pushed == base + 9)
        #expect(run.result == 0)
    }

    /// Register-indirect calls gcc emitted (fnptr.objdump, O2): apply_n+0x1f `41 ff d4 call *%r12` (3 bytes, REX)
    /// reached from callback_reduce, and dev_access+0x2b `ff d0 call *%rax` (2 bytes). The results are the
    /// natively obtained ones in expected-x86_64.txt.
    @Test("call *%r12 / call *%rax in the corpus: return address = next instruction, native results",
          arguments: [("apply_n", UInt64(0x1f), UInt64(3), "callback_reduce"), ("dev_access", 0x2b, 2, "dev_access")])
    func callIndirectCorpus(function: String, offset: UInt64, length: UInt64, caller: String) throws {
        let lab = try KprobeLab.emulation(files: ["fnptr"])
        let address = try lab.address(function, offset)
        let cases = try CorpusCase.all(.x86_64).filter { $0.function == caller }
        #expect(!cases.isEmpty)
        // Hits derived from fnptr.c: apply_n calls fn once per loop pass, n & 255 passes when idx < 6 (the
        // handler table's size), none otherwise; dev_access+0x2b is `ops->open(dev)`, present in dev_table[0]
        // and [1], NULL in [2], and dev >= 3 returns before it.
        func expectedHits(_ c: CorpusCase) -> Int {
            caller == "callback_reduce" ? (c.arguments[0] < 6 ? Int(c.arguments[2] & 255) : 0) : (c.arguments[0] < 2 ? 1 : 0)
        }
        #expect(cases.map(expectedHits).reduce(0, +) > 0)
        for c in cases {
            var pushed: [UInt64] = [], targets: [String] = []
            let run = try lab.runProbed(address, calling: caller, c.arguments, post: { ctx in
                pushed.append((try? ctx.machine.memory.read64(ctx.regs.sp)) ?? 0)
                targets.append(ctx.machine.symbols.lookup(containing: ctx.regs.ip).map { $0.offset == 0 ? $0.symbol.name : "?" } ?? "?")
            })
            #expect(run.result == c.expected, "\(c)")
            #expect(run.postIPs.count == expectedHits(c), "\(c)")
            #expect(run.preIPs.count == expectedHits(c), "\(c)")
            #expect(run.slotSteps == 0 && run.emulated == Array(repeating: "call *%reg", count: expectedHits(c)))
            #expect(run.preIPs.allSatisfy { $0 == address + 1 })
            #expect(pushed == Array(repeating: address + length, count: run.postIPs.count), "\(c)")
            // Every post_handler saw the start of a function (a handler of the table), never the fall-through.
            #expect(!targets.contains("?"), "\(c): \(targets)")
        }
    }

    /// recursion.objdump (O2): fib_rec+0x16 `e8 e5 ff ff ff call fib_rec` (5 bytes), fib_rec+0x2f `c3 ret`,
    /// fib+0xc `e9 2f fe ff ff jmp fib_rec` (tail call), ack+0x34 `eb e4 jmp ack+0x1a`.
    @Test("direct call: post sees the callee, the pushed return address is addr + 5; native result")
    func directCall() throws {
        let lab = try KprobeLab.emulation(files: ["recursion"])
        let address = try lab.address("fib_rec", 0x16)
        var pushed: [UInt64] = []
        let run = try lab.runProbed(address, calling: "fib", [0xa],
                                    post: { ctx in pushed.append((try? ctx.machine.memory.read64(ctx.regs.sp)) ?? 0) })
        #expect(run.result == 0x37) // expected-x86_64.txt: recursion fib 0xa = 0x37
        #expect(!run.postIPs.isEmpty && run.slotSteps == 0)
        #expect(run.emulated == Array(repeating: "call", count: run.postIPs.count))
        #expect(run.preIPs == Array(repeating: address + 1, count: run.postIPs.count))
        #expect(run.postIPs == Array(repeating: try lab.address("fib_rec"), count: run.postIPs.count))
        #expect(pushed == Array(repeating: address + 5, count: run.postIPs.count))
    }

    @Test("ret: post sees the popped return address (the recursive call site, then fib's caller)")
    func ret() throws {
        let lab = try KprobeLab.emulation(files: ["recursion"])
        lab.kprobes.optimizationEnabled = false // the handler-less helper probes stay int3 probes
        let address = try lab.address("fib_rec", 0x2f)
        // fib tail-calls fib_rec, so the outermost ret goes to whatever called fib: read it at fib's entry.
        var outerReturn: UInt64?
        let entry = Kprobe(symbolName: "fib", preHandler: { ctx in outerReturn = try? ctx.machine.memory.read64(ctx.regs.sp); return 0 })
        try lab.kprobes.register(entry)
        var innerCalls = 0
        let call = Kprobe(symbolName: "fib_rec", offset: 0x16, preHandler: { _ in innerCalls += 1; return 0 })
        try lab.kprobes.register(call)
        let run = try lab.runProbed(address, calling: "fib", [0xa])
        #expect(run.result == 0x37)
        #expect(run.emulated == Array(repeating: "ret", count: run.postIPs.count) && run.slotSteps == 0)
        #expect(run.preIPs == Array(repeating: address + 1, count: run.postIPs.count))
        let returnSite = try lab.address("fib_rec", 0x1b)
        #expect(innerCalls > 0)
        #expect(run.postIPs == Array(repeating: returnSite, count: innerCalls) + [try #require(outerReturn)])
    }

    @Test("jmp rel32 and rel8: post sees the target; native results",
          arguments: [("fnptr", "callback_reduce", UInt64(0x11), "apply_n", UInt64(0)),
                      ("recursion", "ack", 0x34, "ack", 0x1a)])
    func directJump(file: String, function: String, offset: UInt64, target: String, targetOffset: UInt64) throws {
        let lab = try KprobeLab.emulation(files: [file])
        let address = try lab.address(function, offset)
        let caller = function == "ack" ? "ackermann" : function
        let cases = try CorpusCase.all(.x86_64).filter { $0.function == caller }
        var jumps = 0
        for c in cases {
            let run = try lab.runProbed(address, calling: caller, c.arguments)
            #expect(run.result == c.expected, "\(c)")
            #expect(run.emulated == Array(repeating: "jmp", count: run.postIPs.count) && run.slotSteps == 0)
            #expect(run.preIPs.allSatisfy { $0 == address + 1 })
            #expect(try run.postIPs.allSatisfy { $0 == (try lab.address(target, targetOffset)) })
            jumps += run.postIPs.count
        }
        #expect(jumps > 0)
    }
}
