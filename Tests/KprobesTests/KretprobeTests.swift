import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

extension KprobeLab {
    /// A function that calls host functions in order and returns, written for each architecture:
    /// x86_64 `call f1; call f2; ...; ret` (e8 rel32 each); arm64 saves x29/x30, calls each through x16, restores.
    @discardableResult
    func defineCaller(_ name: String, calling hosts: [UInt64]) throws -> UInt64 {
        let size = machine.architecture == .x86_64 ? 5 * hosts.count + 1 : 4 * (5 * hosts.count + 4)
        return try define(name, size: size) { address in
        var code: [UInt8]
        switch machine.architecture {
        case .x86_64:
            code = []
            for (i, host) in hosts.enumerated() {
                let next = Int64(bitPattern: address) + Int64(5 * (i + 1))
                let rel = UInt32(truncatingIfNeeded: Int64(bitPattern: host) - next)
                code += [0xe8] + (0..<4).map { UInt8(truncatingIfNeeded: rel >> (8 * UInt32($0))) }
            }
            code.append(0xc3)
        case .arm64:
            var source = "stp x29, x30, [sp, #-16]!\nmov x29, sp\n"
            for host in hosts {
                source += "movz x16, #0x\(String(host & 0xffff, radix: 16))\n"
                for shift in [16, 32, 48] { source += "movk x16, #0x\(String((host >> UInt64(shift)) & 0xffff, radix: 16)), lsl #\(shift)\n" }
                source += "blr x16\n"
            }
            source += "ldp x29, x30, [sp], #16\nret\n"
            code = try ARM64Assembler.assemble(source, origin: address)
        }
        return code
        }
    }
}

/// kretprobes (kernel/kprobes.c register_kretprobe, pre_handler_kretprobe, __kretprobe_trampoline_handler;
/// x86 rethook, arm64 classic instances). `fib_rec` (corpus recursion.o, O2) is the workload: gcc made one of its
/// two recursive calls a loop, so fib_rec(n) makes C(n) = 1 + C(n-1) + C(n-3) + ... calls (while the loop
/// counter > 1), C(0) = C(1) = 1: C(5) = 1 + C(4) + C(2) = 1 + 5 + 2 = 8 calls, nesting at most 5 deep.
@Suite("kretprobes: trampoline, instances, nmissed")
struct KretprobeTests {
    static func lab(_ arch: Architecture, profile: KernelProfile = .debian61, cpus: Int = 1) throws -> KprobeLab {
        try KprobeLab(arch, profile: profile, cpus: cpus, files: ["recursion", "loops"])
    }

    @Test("the return handler sees the real return address as ip and the return value; the caller resumes intact",
          arguments: [Architecture.x86_64, .arm64])
    func returnHandler(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        var seen: [(ip: UInt64, value: UInt64)] = []
        let rp = Kretprobe(symbolName: "sum_to", handler: { _, ctx in
            seen.append((ctx.regs.ip, ctx.regs.returnValue)); return 0
        })
        try lab.kprobes.register(rp)
        #expect(rp.maxactive == 10) // max(10, 2 * 1 CPU), written back
        // The top-level call returns to the machine's host-return address: that is the real return address.
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(seen.map(\.ip) == [lab.machine.hostReturnAddress])
        #expect(seen.map(\.value) == [55])
        #expect(rp.freeInstances == 10 && rp.nmissed == 0)
    }

    @Test("the return address is really swapped: [sp] on x86_64, x30 on arm64, holds the trampoline inside the call",
          arguments: [Architecture.x86_64, .arm64])
    func swap(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        let rp = Kretprobe(symbolName: "sum_to")
        try lab.kprobes.register(rp)
        let trampoline = try #require(lab.kprobes.trampoline)
        var observed: UInt64?
        // A kprobe further into sum_to (after the entry, before anything changes sp or x30) reads the slot.
        let inside = Kprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 5 : 4, preHandler: { ctx in
            observed = architecture == .x86_64 ? (try? ctx.machine.memory.read64(ctx.regs.sp)) : ctx.regs[ARM64PtRegs.lr]
            return 0
        })
        try lab.kprobes.register(inside)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(observed == trampoline)
        #expect(lab.machine.symbols.formatName(trampoline) == (architecture == .x86_64 ? "arch_rethook_trampoline" : "__kretprobe_trampoline"))
    }

    @Test("recursion: every call gets an instance when maxactive suffices, and handlers run innermost first",
          arguments: [Architecture.x86_64, .arm64])
    func recursion(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        var values: [UInt64] = []
        let rp = Kretprobe(symbolName: "fib_rec", handler: { _, ctx in values.append(ctx.regs.returnValue); return 0 })
        try lab.kprobes.register(rp)
        #expect(try lab.call("fib_rec", [5]) == 5)
        #expect(values.count == 8)
        #expect(values.last == 5) // the outermost call returns last
        #expect(rp.nmissed == 0 && rp.freeInstances == rp.maxactive)
    }

    @Test("maxactive = 1 loses the inner returns of a recursion: nmissed counts every call made while it is taken",
          arguments: [Architecture.x86_64, .arm64])
    func recursionWithOneInstance(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        var values: [UInt64] = []
        let rp = Kretprobe(symbolName: "fib_rec", maxactive: 1, handler: { _, ctx in values.append(ctx.regs.returnValue); return 0 })
        try lab.kprobes.register(rp)
        #expect(try lab.call("fib_rec", [5]) == 5)
        #expect(values == [5])
        #expect(rp.nmissed == 7)
    }

    @Test("an entry_handler returning non-zero declines the call: no return handler, no nmissed; data is per instance",
          arguments: [Architecture.x86_64, .arm64])
    func entryHandler(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        var returns: [(UInt64, UInt64)] = []
        let rp = Kretprobe(symbolName: "fib_rec", dataSize: 8, handler: { instance, ctx in
            let argument = instance.data.withUnsafeBytes { $0.load(as: UInt64.self) }
            returns.append((argument, ctx.regs.returnValue)); return 0
        }, entryHandler: { instance, ctx in
            let n = ctx.regs.argument(0) & 0xffff_ffff
            withUnsafeBytes(of: n) { instance.data = Array($0) }
            return n < 2 ? 1 : 0 // decline the leaves
        })
        try lab.kprobes.register(rp)
        #expect(try lab.call("fib_rec", [5]) == 5)
        // fib_rec(5) calls 4 and 2; fib_rec(4) calls 3 and 1; fib_rec(3) calls 2; each fib_rec(2) calls 1:
        // n = 5, 4, 3, 2, 1, 1, 2, 1, of which 5 have n >= 2. Each returns fib(n).
        #expect(returns.allSatisfy { n, value in value == [0, 1, 1, 2, 3, 5][Int(n)] })
        #expect(returns.count == 5)
        #expect(returns.contains { $0.0 == 5 })
        #expect(rp.nmissed == 0)
    }

    @Test("two kretprobes on one function both fire on one return, the most recent entry first",
          arguments: [Architecture.x86_64, .arm64])
    func twoKretprobes(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        var order: [String] = []
        let first = Kretprobe(symbolName: "sum_to", handler: { _, _ in order.append("first"); return 0 },
                              entryHandler: { _, _ in order.append("enter first"); return 0 })
        let second = Kretprobe(symbolName: "sum_to", handler: { _, _ in order.append("second"); return 0 },
                               entryHandler: { _, _ in order.append("enter second"); return 0 })
        try lab.kprobes.register(first)
        try lab.kprobes.register(second)
        #expect(try lab.call("sum_to", [4]) == 10)
        // Aggregated probes run newest first, so `second` takes the real return address and `first` saves the
        // trampoline; on return the most recent entry (`first`) runs first.
        #expect(order == ["enter second", "enter first", "first", "second"])
    }

    @Test("a kprobe hit inside a return handler is missed", arguments: [Architecture.x86_64, .arm64])
    func probeInReturnHandler(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        let nested = Kprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 0x13 : 0x20, preHandler: { _ in 0 })
        try lab.kprobes.register(nested)
        let rp = Kretprobe(symbolName: "fib_rec", maxactive: 1, handler: { _, ctx in _ = try? ctx.call("sum_to", arguments: [2]); return 0 })
        try lab.kprobes.register(rp)
        #expect(try lab.call("fib_rec", [1]) == 1)
        #expect(nested.nmissed == 3 && nested.nhit == 0) // sum_to(2) passes its loop body 3 times
    }

    @Test("stack traces: raw shows the trampoline for every swapped frame; trampoline-aware shows the real callers",
          arguments: [Architecture.x86_64, .arm64])
    func unwinder(architecture: Architecture) throws {
        // fib_rec(5) → 4 → 3 → 2 → 1: at the first leaf, five fib_rec frames are live, each with its return address
        // swapped. Their real return addresses: four times fib_rec's own call site (x86 +0x1b after the call at
        // +0x16, arm64 +0x30 after the bl at +0x2c) and, outermost, the host-return address of the top-level call.
        let lab = try Self.lab(architecture)
        let rp = Kretprobe(symbolName: "fib_rec")
        try lab.kprobes.register(rp)
        let trampoline = try #require(lab.kprobes.trampoline)
        var raw: [UInt64] = [], aware: [UInt64] = []
        // The leaf path: x86 fib_rec+0x26 (mov %ebp,%eax), arm64 fib_rec+0x40 (add x0, x21, w20, uxtw).
        let leaf = Kprobe(symbolName: "fib_rec", offset: architecture == .x86_64 ? 0x26 : 0x40, preHandler: { ctx in
            if raw.isEmpty {
                raw = StackUnwinder.trace(ctx.cpu, machine: ctx.machine, kprobes: lab.kprobes, mode: .raw)
                aware = StackUnwinder.trace(ctx.cpu, machine: ctx.machine, kprobes: lab.kprobes, mode: .trampolineAware)
            }
            return 0
        })
        try lab.kprobes.register(leaf)
        #expect(try lab.call("fib_rec", [5]) == 5)
        let callSite = try lab.address("fib_rec", architecture == .x86_64 ? 0x1b : 0x30)
        #expect(raw.filter { $0 == trampoline }.count == 5)
        #expect(!aware.contains(trampoline))
        #expect(aware.filter { $0 == callSite }.count == 4)
        #expect(aware.contains(lab.machine.hostReturnAddress))
    }

    @Test("a kretprobe registered without keeping a reference stays alive and working until unregistered")
    func registeredWithoutReference() throws {
        let lab = try Self.lab(.x86_64)
        var returns = 0
        try lab.kprobes.register(Kretprobe(symbolName: "sum_to", handler: { _, _ in returns += 1; return 0 }))
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(returns == 1)
    }

    @Test("registration: entry only, data_size limit per profile, default maxactive per profile",
          arguments: [Architecture.x86_64, .arm64])
    func registration(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kretprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 5 : 4)) }
        #expect(throws: Errno.ENOENT) { try lab.kprobes.register(Kretprobe(symbolName: "no_such_function")) }
        #expect(throws: Errno.E2BIG) { try lab.kprobes.register(Kretprobe(symbolName: "sum_to", dataSize: 4097)) }
        let explicit = Kretprobe(symbolName: "sum_to", maxactive: 3, dataSize: 4096)
        try lab.kprobes.register(explicit)
        #expect(explicit.maxactive == 3)
        let legacy = try Self.lab(architecture, profile: .legacy, cpus: 2)
        let rp = Kretprobe(symbolName: "sum_to", dataSize: 8192)
        try legacy.kprobes.register(rp)
        #expect(rp.maxactive == 2) // non-preemptible: num_possible_cpus()
    }

    @Test("maxactive = 1 with four tasks blocked inside the function: nmissed = 3, one return handler",
          arguments: [Architecture.x86_64, .arm64])
    func blockedTasks(architecture: Architecture) throws {
        let lab = try Self.lab(architecture, cpus: 2)
        var blocked: [KernelTask] = []
        let wait = lab.machine.registerHostFunction("wait_event") { _, cpu in
            if let task = cpu.currentTask { blocked.append(task) }
            return .block(returning: 0)
        }
        let nap = lab.machine.registerHostFunction("msleep") { _, _ in .sleep(cycles: 1_000_000, returning: 0) }
        let wakeAll = lab.machine.registerHostFunction("wake_up_all") { m, _ in
            for task in blocked { m.wake(task) }
            return .returnValue(0)
        }
        let blocker = try lab.defineCaller("blocking_read", calling: [wait])
        let waker = try lab.defineCaller("waker", calling: [nap, wakeAll])
        var returns = 0
        let rp = Kretprobe(symbolName: "blocking_read", maxactive: 1, handler: { _, _ in returns += 1; return 0 })
        try lab.kprobes.register(rp)
        for i in 0..<4 { try lab.machine.spawn(comm: "reader\(i)", function: blocker, cpu: i % 2) }
        try lab.machine.spawn(comm: "waker", function: waker, cpu: 0)
        try lab.machine.runTasks()
        #expect(blocked.count == 4)
        #expect(rp.nmissed == 3)
        #expect(returns == 1)
        #expect(rp.freeInstances == 1)
    }

    @Test("a call that never returns keeps its instance until the task is reaped; then it is recycled, no handler",
          arguments: [Architecture.x86_64, .arm64])
    func neverReturns(architecture: Architecture) throws {
        let lab = try Self.lab(architecture)
        let exit = lab.machine.registerHostFunction("do_exit") { _, _ in .exit(code: 0) }
        let dying = try lab.defineCaller("dying", calling: [exit])
        var returns = 0
        let rp = Kretprobe(symbolName: "dying", maxactive: 1, handler: { _, _ in returns += 1; return 0 })
        try lab.kprobes.register(rp)
        lab.machine.ledger.isRecording = true
        let task = try lab.machine.spawn(comm: "exiting", function: dying, cpu: 0)
        try lab.machine.runTasks()
        #expect(task.hasExited)
        #expect(returns == 0)
        #expect(rp.freeInstances == 1)
        #expect(lab.events().contains(.kretprobeFlush(pid: task.pid, instances: 1)))
    }
}
