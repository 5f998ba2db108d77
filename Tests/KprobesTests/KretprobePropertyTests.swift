import Foundation
import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Seeded random scenarios for kretprobes: several tasks on two CPUs, interleaved by the seeded scheduler, each
/// calling the recursive `fib_rec(n)` (corpus recursion.o, O2) under a kretprobe with a random `maxactive` and an
/// entry_handler that declines a random subset of calls. Checks:
///   entries = returns + missed + declined (+ in-flight + flushed, both 0 once every task has finished), where the
///   number of entries comes from the call structure of the compiled code, not from the probes:
///   C(n) = 1 + C(n-1) + C(n-3) + ... (while the loop counter > 1), C(0) = C(1) = 1 (see KretprobeTests);
///   every task's result is fib(n) (each caller resumed at its real return address with its stack intact);
///   every instance is back in the pool.
/// Replay one scenario with `KPROBESIM_SEED=<seed> swift test --filter KretprobePropertyTests`; run more with
/// `KPROBESIM_SEEDS=<count>`.
@Suite("kretprobes: property test over seeded random call trees and interleavings")
struct KretprobePropertyTests {
    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["KPROBESIM_SEED"], let seed = UInt64(text) { return [seed] }
        let count = Int(ProcessInfo.processInfo.environment["KPROBESIM_SEEDS"] ?? "") ?? 24
        return (1...count).map { UInt64($0) &* 0x5851_F42D }
    }()

    static func calls(_ n: Int) -> Int {
        guard n > 1 else { return 1 }
        var total = 1, k = n
        while k > 1 { total += calls(k - 1); k -= 2 }
        return total
    }

    static func fib(_ n: Int) -> UInt64 { n < 2 ? UInt64(n) : fib(n - 1) + fib(n - 2) }

    @Test("entries = returns + missed + declined; callers resume correctly; pools refill", arguments: seeds)
    func scenario(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let arch: Architecture = random.next() & 1 == 0 ? .x86_64 : .arm64
        let maxactive = 1 + Int(random.next() % 6)
        let declineModulus = UInt64(2 + random.next() % 4)
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 2,
                              scheduler: SchedulerPolicy(seed: random.next(), minimumSlice: 5, maximumSlice: 60))
        try Corpus.load("recursion", into: machine)
        let kprobes = KprobeManager(machine: machine)
        var returns = 0, declined = 0, entries = 0
        let rp = Kretprobe(symbolName: "fib_rec", maxactive: maxactive, handler: { _, _ in returns += 1; return 0 },
                           entryHandler: { _, ctx in
            entries += 1
            // Decline calls whose argument falls in a random residue class.
            if (ctx.regs.argument(0) & 0xffff_ffff) % declineModulus == 0 { declined += 1; return 1 }
            return 0
        })
        try kprobes.register(rp)
        let taskCount = 1 + Int(random.next() % 4)
        var expectedCalls = 0
        var tasks: [(KernelTask, Int)] = []
        for i in 0..<taskCount {
            let n = 3 + Int(random.next() % 6)
            expectedCalls += Self.calls(n)
            let symbol = try #require(machine.symbols.lookup(name: "fib_rec"))
            tasks.append((try machine.spawn(comm: "t\(i)", function: symbol.address, arguments: [UInt64(n)], cpu: i % 2), n))
        }
        try machine.runTasks()
        let context = "seed \(seed): \(arch) maxactive \(maxactive) decline n%\(declineModulus)==0 tasks \(tasks.map(\.1))"
        for (task, n) in tasks { #expect(task.returnValue == Self.fib(n), "\(context): fib_rec(\(n))") }
        // The entry handler only runs when an instance was taken; missed calls never reach it.
        #expect(entries + Int(rp.nmissed) == expectedCalls, "\(context): entries")
        #expect(returns + Int(rp.nmissed) + declined == expectedCalls, "\(context): returns \(returns) missed \(rp.nmissed) declined \(declined)")
        #expect(rp.freeInstances == maxactive, "\(context): pool")
        // With one instance, a task whose outermost call is not declined holds it through its whole recursion, so
        // that task's inner calls are missed: the scenario really exercises the pool running dry.
        if maxactive == 1, tasks.contains(where: { UInt64($0.1) % declineModulus != 0 }) {
            #expect(rp.nmissed > 0, "\(context): expected misses")
        }
    }
}
