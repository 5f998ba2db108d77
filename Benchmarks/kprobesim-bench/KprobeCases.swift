import Foundation
import Machine
import X86_64
import ARM64
import Kprobes
import KprobeSimCLI

/// What a kprobe hit costs in the simulator, per path, against the same code unprobed (docs/performance.md).
/// The code is the built-in scenario's `sum_to` (gcc -O2): 5 (x86_64) or 4 (arm64) instructions per loop
/// iteration, and the probe sits in the loop so it fires once per iteration.
enum KprobeCases {
    /// `sum_to` exactly as gcc 12 -O2 emitted it: the built-in scenario's code.
    static func sumTo(_ arch: Architecture) -> [UInt8] { BuiltinProgram.bytes(arch) }

    static let iterations: UInt64 = 100_000 // sum_to caps n here

    struct Setup {
        let machine: Machine
        let kprobes: KprobeManager
        let function: UInt64
    }

    static func setup(_ arch: Architecture, extraProbes: Int = 0) -> Setup {
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        machine.instructionBudget = .max
        let code = sumTo(arch)
        let function = machine.allocateText(size: UInt64(code.count))
        try? machine.memory.kernelWrite(function, bytes: code)
        machine.symbols.add(Symbol(name: "sum_to", address: function, size: UInt64(code.count), type: "T"))
        machine.symbols.addTextRegion(function..<(function + UInt64(code.count)))
        // Many tiny functions (`nop; ret`) to fill the probe table without ever being executed.
        if extraProbes > 0 {
            let piece: [UInt8] = arch == .x86_64 ? [0x90, 0xc3, 0xcc, 0xcc] : [0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6]
            let base = machine.allocateText(size: UInt64(piece.count * extraProbes))
            try? machine.memory.kernelWrite(base, bytes: Array((0..<extraProbes).map { _ in piece }.joined()))
            for i in 0..<extraProbes {
                let address = base + UInt64(i * piece.count)
                machine.symbols.add(Symbol(name: "filler_\(i)", address: address, size: UInt64(piece.count), type: "t"))
            }
            machine.symbols.addTextRegion(base..<(base + UInt64(piece.count * extraProbes)))
        }
        let kprobes = KprobeManager(machine: machine)
        for i in 0..<extraProbes { try? kprobes.register(Kprobe(symbolName: "filler_\(i)", preHandler: { _ in 0 })) }
        return Setup(machine: machine, kprobes: kprobes, function: function)
    }

    static func run(_ s: Setup) -> Int {
        _ = try? s.machine.call(s.function, arguments: [iterations - 1])
        return Int(iterations)
    }

    /// kretprobe entry + return through the trampoline: `fib_rec(18)` from the corpus (recursion.o, O2) with a
    /// kretprobe whose pools never run dry; the events are the calls, counted by the probe itself.
    static func registerKretprobes(_ harness: inout Harness) {
        for arch in Architecture.allCases {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../Tests/Fixtures/corpus/\(arch.rawValue)/O2/recursion.o").standardized
            guard let data = try? Data(contentsOf: url) else { continue }
            func machine() -> Machine {
                let m = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
                m.instructionBudget = .max
                _ = try? ELFLoader.load(bytes: [UInt8](data), name: "recursion.o", into: m, module: "recursion")
                return m
            }
            let plain = machine()
            let probed = machine()
            let kprobes = KprobeManager(machine: probed)
            let returns = ReturnCounter()
            try? kprobes.register(Kretprobe(symbolName: "fib_rec", maxactive: 64, handler: { _, _ in returns.count &+= 1; return 0 }))
            _ = try? probed.call("fib_rec", arguments: [18])
            let calls = returns.count
            harness.added("kretprobe \(arch) entry+return, fib_rec(18)", baseline: {
                _ = try? plain.call("fib_rec", arguments: [18]); return 1
            }, variant: {
                _ = try? probed.call("fib_rec", arguments: [18]); return 1
            }, eventsPerRun: calls, note: "\(calls) calls per run")
        }
    }

    /// A corpus object loaded into a fresh one-CPU machine (nil when the fixture is missing).
    static func corpusMachine(_ arch: Architecture, variant: String, file: String) -> Machine? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/Fixtures/corpus/\(arch.rawValue)/\(variant)/\(file).o").standardized
        guard let data = try? Data(contentsOf: url) else { return nil }
        let m = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        m.instructionBudget = .max
        guard (try? ELFLoader.load(bytes: [UInt8](data), name: "\(file).o", into: m, module: file)) != nil else { return nil }
        return m
    }

    /// x86_64 only (the 6.1 arm64 kernel has neither): the same pre-only probe as an int3 probe and jump-optimized,
    /// in the loop body; and a function-entry probe as int3 (plain object) and ftrace-based (object built with
    /// -mfentry -mrecord-mcount -mnop-mcount), hit once per call of the recursive `fib_rec`.
    static func registerX86Paths(_ harness: inout Harness) {
        let plain = setup(.x86_64)
        let int3 = setup(.x86_64)
        int3.kprobes.optimizationEnabled = false
        try? int3.kprobes.register(Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 }))
        let optimized = setup(.x86_64)
        let jump = Kprobe(symbolName: "sum_to", offset: 0x13, preHandler: { _ in 0 })
        try? optimized.kprobes.register(jump)
        optimized.kprobes.runOptimizer()
        harness.added("kprobe x86_64 int3 hit, empty pre only", baseline: { run(plain) }, variant: { run(int3) },
                      eventsPerRun: Int(iterations), note: "optimization off")
        harness.added("kprobe x86_64 optimized hit, empty pre only", baseline: { run(plain) }, variant: { run(optimized) },
                      eventsPerRun: Int(iterations), note: jump.isOptimized ? "jmp to detour" : "NOT optimized")

        for (label, variant) in [("int3", "O2"), ("ftrace-based", "O2-ftrace")] {
            guard let unprobed = corpusMachine(.x86_64, variant: variant, file: "recursion"),
                  let probed = corpusMachine(.x86_64, variant: variant, file: "recursion") else { continue }
            let kprobes = KprobeManager(machine: probed)
            let entry = Kprobe(symbolName: "fib_rec", preHandler: { _ in 0 }, postHandler: { _ in })
            try? kprobes.register(entry)
            _ = try? probed.call("fib_rec", arguments: [18])
            let calls = Int(entry.nhit)
            harness.added("kprobe x86_64 \(label) entry hit, empty pre+post", baseline: {
                _ = try? unprobed.call("fib_rec", arguments: [18]); return 1
            }, variant: {
                _ = try? probed.call("fib_rec", arguments: [18]); return 1
            }, eventsPerRun: calls, note: "fib_rec(18), \(calls) calls; " + (entry.isFtrace ? "fentry call" : "int3 on the first instruction"))
        }
    }

    static func register(_ harness: inout Harness) {
        registerKretprobes(&harness)
        registerX86Paths(&harness)
        for arch in Architecture.allCases {
            let stepOffset: UInt64 = arch == .x86_64 ? 0x13 : 0x20
            let branchOffset: UInt64 = arch == .x86_64 ? 0x1d : 0x2c
            let plain = setup(arch)
            for (label, offset) in [("stepped", stepOffset), (arch == .x86_64 ? "emulated" : "simulated", branchOffset)] {
                let probed = setup(arch)
                try? probed.kprobes.register(Kprobe(symbolName: "sum_to", offset: offset, preHandler: { _ in 0 }, postHandler: { _ in }))
                harness.added("kprobe \(arch) \(label) hit, empty pre+post", baseline: { run(plain) }, variant: { run(probed) },
                              eventsPerRun: Int(iterations))
            }
            // One trap and no step: a pre_handler that moves the ip past the probed instruction and returns 1, as
            // error injection does (kernel: kprobe_int3_handler / kprobe_handler skip setup_singlestep). Through
            // `regs`, so this also prices a handler that touches pt_regs. x86 optimization off: an optimized probe
            // ignores a changed ip (kernel: opt.c optimized_callback), so it would not be this path.
            let redirect = setup(arch)
            redirect.kprobes.optimizationEnabled = false
            let next = (redirect.machine.symbols.lookup(name: "sum_to")?.address ?? 0) + stepOffset + (arch == .x86_64 ? 3 : 4)
            try? redirect.kprobes.register(Kprobe(symbolName: "sum_to", offset: stepOffset, preHandler: { c in
                c.regs.ip = next
                return 1
            }))
            harness.added("kprobe \(arch) pre_handler moves ip and returns 1 (one trap, no step)", baseline: { run(plain) },
                          variant: { run(redirect) }, eventsPerRun: Int(iterations), note: "the skipped instruction is not run")
            // Flat with the number of probes: the same stepped hit with 10,000 other probes registered.
            let one = setup(arch)
            try? one.kprobes.register(Kprobe(symbolName: "sum_to", offset: stepOffset, preHandler: { _ in 0 }, postHandler: { _ in }))
            let many = setup(arch, extraProbes: 10_000)
            try? many.kprobes.register(Kprobe(symbolName: "sum_to", offset: stepOffset, preHandler: { _ in 0 }, postHandler: { _ in }))
            harness.compare("kprobe \(arch): 1 probe registered", { run(one) }, "kprobe \(arch): 10,001 probes registered", { run(many) },
                            note: "ns per loop iteration incl. one hit")
            // The ledger: the same probed loop with recording off and on.
            let recording = setup(arch)
            try? recording.kprobes.register(Kprobe(symbolName: "sum_to", offset: stepOffset, preHandler: { _ in 0 }, postHandler: { _ in }))
            harness.compare("kprobe \(arch): ledger off", { run(one) }, "kprobe \(arch): ledger on", {
                recording.machine.ledger.clear()
                recording.machine.ledger.isRecording = true
                let n = run(recording)
                recording.machine.ledger.isRecording = false
                return n
            }, note: "ns per loop iteration incl. one hit")
        }
    }
}
