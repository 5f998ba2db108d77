import Foundation
import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Seeded random scenarios over the compiled corpus. Each picks a function and arguments (with their native
/// result), an object variant, an instruction boundary, a kernel profile and a handler behaviour, and checks:
///   - transparency: the probed run returns the native result and ends with the same registers and object
///     memory as the unprobed run (for a pre_handler that skips the instruction: as the unprobed code with that
///     instruction replaced by no-ops);
///   - order: every hit is pre → (step | emulate | simulate) → post, or pre alone after a non-zero return;
///   - accounting: hits + nmissed equal the number of times execution reached the address, counted
///     independently by single-stepping the unprobed run with the CPU's own debug trap.
/// Replay one scenario with `KPROBESIM_SEED=<seed> swift test --filter KprobePropertyTests`; run more with
/// `KPROBESIM_SEEDS=<count>`.
@Suite("kprobes: property test over seeded random scenarios")
struct KprobePropertyTests {
    /// `optimized`: pre only, with the x86_64 optimizer run at once (the jump and the detour, where allowed).
    /// `skipStep`: the pre_handler moves the IP past the instruction and returns 1, so the kernel neither steps it
    /// nor calls the post_handler (kernel: kprobe_int3_handler / kprobe_handler, kprobe_ftrace_handler).
    enum Behaviour: CaseIterable { case preOnly, preAndPost, aggregatedPair, nestedCall, optimized, skipStep }

    static func seeds(count: Int) -> [UInt64] { (1...count).map { UInt64($0) &* 0x9E37_79B9 } }
    static let defaultSeedCount = 192

    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["KPROBESIM_SEED"], let seed = UInt64(text) { return [seed] }
        return seeds(count: Int(ProcessInfo.processInfo.environment["KPROBESIM_SEEDS"] ?? "") ?? defaultSeedCount)
    }()

    /// Counts how often execution reaches `address` in an unprobed call, by single-stepping every instruction
    /// (a debug trap's `address` is the instruction just stepped).
    final class ReachCounter: TrapHandler {
        let address: UInt64
        var count = 0
        init(address: UInt64) { self.address = address }
        override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
            guard trap.kind == .debug else { return .notHandled }
            if trap.address == address { count += 1 }
            if machine.architecture == .arm64 { cpu.registers[ARM64PtRegs.pstate] |= ARM64PtRegs.psrSS }
            return .handled
        }
    }

    struct Run {
        let result: UInt64
        let registers: [UInt64]
        let memory: [UInt8]
    }

    static func machine(_ arch: Architecture, file: String, variant: String) throws -> (Machine, LoadedObject) {
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        machine.instructionBudget = 3_000_000
        return (machine, try Corpus.load(file, variant: variant, into: machine))
    }

    static func run(_ machine: Machine, _ c: CorpusCase, object: LoadedObject, prepare: ((RegisterFile) -> Void)? = nil) throws -> Run {
        let symbol = try #require(machine.symbols.lookup(name: c.function))
        let task = try machine.spawn(comm: "prop", function: symbol.address, arguments: c.arguments, cpu: 0, prepare: prepare)
        try machine.runTasks()
        let writable = object.sections.filter { $0.permissions.contains(.write) }
        let memory = try writable.flatMap { try machine.memory.kernelRead($0.address, count: Int($0.size)) }
        return Run(result: task.returnValue ?? 0, registers: Array(task.savedRegisters.prefix(machine.core.ptRegsWords)), memory: memory)
    }

    /// The instruction boundaries of a function (x86: decoded from the start; arm64: every word).
    static func boundaries(_ machine: Machine, _ function: String) throws -> [UInt64] {
        let symbol = try #require(machine.symbols.lookup(name: function))
        let size = try #require(machine.symbols.lookup(containing: symbol.address)).size
        guard machine.architecture == .x86_64 else { return stride(from: 0, to: size, by: 4).map { symbol.address + $0 } }
        var out: [UInt64] = [], offset: UInt64 = 0
        while offset < size {
            let bytes = try machine.memory.kernelRead(symbol.address + offset, count: Int(min(15, size - offset)))
            guard case .success(let insn) = X86Decoder.decode(bytes) else { break }
            out.append(symbol.address + offset)
            offset += UInt64(insn.length)
        }
        return out
    }

    /// What a seed draws: the architecture, profile, corpus case, object variant and behaviour, and the generator
    /// left where the scenario goes on drawing (the probe address).
    struct Plan {
        let arch: Architecture
        let profile: KernelProfile
        let c: CorpusCase
        let variant: String
        let behaviour: Behaviour
        var random: SeededGenerator
        /// Whether the scenario runs: cases too long to single-step cheaply are left to the corpus tests (the
        /// nested behaviour runs the whole function again on every hit, so it must stay well inside the budget
        /// even when hit on every loop pass).
        let runs: Bool
    }

    static func plan(_ seed: UInt64) throws -> Plan {
        var random = SeededGenerator(seed: seed)
        let arch: Architecture = random.next() & 1 == 0 ? .x86_64 : .arm64
        let profile: KernelProfile = random.next() % 3 == 0 ? .legacy : .debian61
        let cases = try CorpusCase.all(arch)
        let c = cases[Int(random.next() % UInt64(cases.count))]
        let variants = Corpus.variants(arch)
        let variant = variants[Int(random.next() % UInt64(variants.count))]
        let behaviour = Behaviour.allCases[Int(random.next() % UInt64(Behaviour.allCases.count))]
        let (sizing, _) = try machine(arch, file: c.file, variant: variant)
        _ = try sizing.call(c.function, arguments: c.arguments)
        let length = sizing.instructionsExecuted
        let runs = length <= 20_000 && (behaviour != .nestedCall || length * length <= 2_000_000)
        return Plan(arch: arch, profile: profile, c: c, variant: variant, behaviour: behaviour, random: random, runs: runs)
    }

    /// Where a scenario probes: the address drawn from the function's instruction boundaries, and the length of
    /// the instruction there.
    struct Site {
        let address: UInt64
        let probedLength: Int
        let functionAddress: UInt64
    }

    static func site(_ plan: inout Plan, in machine: Machine) throws -> Site {
        let candidates = try boundaries(machine, plan.c.function)
        let address = candidates[Int(plan.random.next() % UInt64(candidates.count))]
        let symbol = try #require(machine.symbols.lookup(name: plan.c.function))
        let end = try candidates.first { $0 > address } ?? symbol.address + #require(machine.symbols.lookup(containing: address)).size
        return Site(address: address, probedLength: plan.arch == .x86_64 ? Int(end - address) : 4, functionAddress: symbol.address)
    }

    /// The probes a scenario registers: one, or an aggregated pair, whose handlers log to `log`.
    final class Log { var entries: [String] = [] }
    static func probes(_ plan: Plan, _ site: Site, log: Log) -> [Kprobe] {
        let (behaviour, arguments) = (plan.behaviour, plan.c.arguments)
        func make() -> Kprobe {
            Kprobe(address: site.address, preHandler: { ctx in
                log.entries.append("pre")
                if behaviour == .nestedCall { _ = try? ctx.call(site.functionAddress, arguments: arguments) }
                guard behaviour == .skipStep else { return 0 }
                ctx.regs.ip = site.address + UInt64(site.probedLength)
                return 1
            }, postHandler: behaviour == .preOnly || behaviour == .optimized ? nil : { _ in log.entries.append("post") })
        }
        return behaviour == .aggregatedPair ? [make(), make()] : [make()]
    }

    /// Each seed of `scenario` may check nothing (a case too long to run, a refused probe, an address never
    /// reached, a skip that breaks the code): so this runs every default seed's probed call, without the
    /// reference run, and requires per architecture × behaviour a minimum of seeds whose probe registered and
    /// was hit, and both profiles among those on each architecture.
    @Test("the default seeds register and hit a probe for every behaviour on both architectures, and both profiles on each")
    func seedsCoverEveryBehaviour() throws {
        struct Key: Hashable { let arch: Architecture; let behaviour: Behaviour }
        var covered: [Key: Int] = [:]
        var profiles: Set<String> = []
        for seed in Self.seeds(count: Self.defaultSeedCount) {
            var plan = try Self.plan(seed)
            guard plan.runs else { continue }
            let (probed, _) = try Self.machine(plan.arch, file: plan.c.file, variant: plan.variant)
            let site = try Self.site(&plan, in: probed)
            let kprobes = KprobeManager(machine: probed, profile: plan.profile)
            let probes = Self.probes(plan, site, log: Log())
            do { for p in probes { try kprobes.register(p) } } catch { continue }
            if plan.behaviour == .optimized { kprobes.runOptimizer() }
            // A skip may break the code (checked by `scenario`); the hits before that still count.
            _ = try? probed.call(plan.c.function, arguments: plan.c.arguments)
            guard probes[0].nhit > 0 else { continue }
            covered[Key(arch: plan.arch, behaviour: plan.behaviour), default: 0] += 1
            profiles.insert("\(plan.arch) \(plan.profile)")
        }
        for arch in Architecture.allCases {
            for behaviour in Behaviour.allCases {
                #expect(covered[Key(arch: arch, behaviour: behaviour), default: 0] >= Self.minimumHitSeeds,
                        "\(arch) \(behaviour): \(covered[Key(arch: arch, behaviour: behaviour), default: 0]) seeds hit")
            }
            for profile in [KernelProfile.debian61, .legacy] {
                #expect(profiles.contains("\(arch) \(profile)"), "\(arch) \(profile)")
            }
        }
    }

    /// Seeds (of the default 192) per architecture × behaviour whose probe must register and be hit. 96 seeds
    /// hit x86_64 nestedCall only once; 192 hit every pair at least 4 times.
    static let minimumHitSeeds = 3

    @Test("probing is transparent, ordered and fully accounted", arguments: seeds)
    func scenario(seed: UInt64) throws {
        var plan = try Self.plan(seed)
        guard plan.runs else { return }
        let (arch, profile, c, variant, behaviour) = (plan.arch, plan.profile, plan.c, plan.variant, plan.behaviour)
        var context = "seed \(seed): \(arch) \(profile) \(variant) \(c) \(behaviour)"

        // Unprobed run with an independent reach count.
        let (plain, plainObject) = try Self.machine(arch, file: c.file, variant: variant)
        let site = try Self.site(&plan, in: plain)
        let (address, probedLength) = (site.address, site.probedLength)
        let counter = ReachCounter(address: address)
        plain.traps.register(counter, for: .debug, priority: 1)
        let symbol = try #require(plain.symbols.lookup(name: c.function))
        if behaviour == .skipStep {
            // What the handler's skip amounts to: the instruction replaced by no-ops (x86 `nop` 0x90, arm64 NOP).
            let nops = arch == .x86_64 ? [UInt8](repeating: 0x90, count: probedLength) : [0x1f, 0x20, 0x03, 0xd5]
            try plain.pokeText(address, bytes: nops)
        }
        let stepped = { (registers: RegisterFile) in
            if arch == .x86_64 { registers[X86PtRegs.flags] |= 1 << 8 } else {
                registers[ARM64PtRegs.mdscr] |= ARM64PtRegs.mdscrSS
                registers[ARM64PtRegs.pstate] |= ARM64PtRegs.psrSS
            }
        }
        context += " at \(c.function)+0x\(String(address - symbol.address, radix: 16))"
        let reference: Run
        do { reference = try Self.run(plain, c, object: plainObject, prepare: stepped) } catch {
            // Only a skip can break the code (an endless loop, a bad stack): then the probed run must fail too.
            #expect(behaviour == .skipStep, "\(context): unprobed run failed: \(error)")
            let probed = try Self.machine(arch, file: c.file, variant: variant).0
            let kprobes = KprobeManager(machine: probed, profile: profile)
            // With a post_handler, as in the scenario proper: without one an x86_64 probe is queued for jump
            // optimization, and an optimized probe ignores a changed ip (opt.c optimized_callback).
            do {
                try kprobes.register(Kprobe(address: address, preHandler: { ctx in ctx.regs.ip = address + UInt64(probedLength); return 1 },
                                            postHandler: { _ in }))
            } catch { return }
            #expect(throws: SimulationError.self, "\(context): the skipped code failed unprobed") {
                _ = try probed.call(c.function, arguments: c.arguments)
            }
            return
        }
        let reached = counter.count
        let expected = behaviour == .skipStep ? reference.result : c.expected
        #expect(reference.result == expected, "\(context): unprobed result")

        // Probed run.
        let (probed, probedObject) = try Self.machine(arch, file: c.file, variant: variant)
        let kprobes = KprobeManager(machine: probed, profile: profile)
        let log = Log()
        let probes = Self.probes(plan, site, log: log)
        do {
            for p in probes { try kprobes.register(p) }
        } catch {
            // Refused (e.g. an exclusive or a trap instruction): nothing may have changed.
            #expect(try Self.run(probed, c, object: probedObject).result == c.expected, "\(context): refused probe left code changed")
            return
        }
        if behaviour == .optimized {
            kprobes.runOptimizer()
            if probes[0].isOptimized { #expect(try probed.memory.kernelRead(address, count: 1) == [0xe9], "\(context): jump") }
        }
        probed.ledger.isRecording = true
        let result = try Self.run(probed, c, object: probedObject)
        #expect(result.result == expected, "\(context): result")
        #expect(result.registers == reference.registers.enumerated().map { i, v in
            // The reference ran with the trap flag / step bits set; everything else must match exactly.
            arch == .x86_64 && i == X86PtRegs.flags ? v & ~(1 << 8) : (arch == .arm64 && i == ARM64PtRegs.pstate ? v & ~ARM64PtRegs.psrSS : v)
        }, "\(context): final registers")
        #expect(result.memory == reference.memory, "\(context): object memory")

        // Accounting: every time execution reached the address is a hit or a miss. Nested calls reach it again
        // once per outer hit (missed), as many times as the unprobed call does.
        let hits = probes[0].nhit
        let missed = probes[0].nmissed
        // On an x86_64 ftrace site a nested hit is dropped by ftrace's recursion lock, not counted as missed.
        let nestedReach = behaviour == .nestedCall && !probes[0].isFtrace ? UInt64(reached) * hits : 0
        #expect(hits + missed == UInt64(reached) + nestedReach, "\(context): hits \(hits) + missed \(missed), reached \(reached)")

        // Order: the ledger's handler events alternate pre → (step|emulate|simulate) → post per hit. A missed
        // (nested) hit is stepped without handlers: its step is dropped with its miss.
        // The detour runs the copies after the callback's pre_handlers: its "step" closes the callback.
        var steps: [String] = []
        var inDetour = false
        func closeDetour() { if inDetour { steps.append("step"); inDetour = false } }
        for event in probed.ledger.events(of: KprobeEvent.self) {
            switch event {
            case .optimizedCallback, .slotStep, .emulated, .simulated, .postHandler, .missed: closeDetour()
            default: break
            }
            switch event {
            case .preHandler: steps.append("pre")
            case .optimizedCallback: inDetour = true
            case .slotStep, .emulated, .simulated:
                if steps.last == "missed" { steps.removeLast() } else { steps.append("step") }
            case .postHandler: steps.append("post")
            case .missed: steps.append("missed")
            default: break
            }
        }
        closeDetour()
        let noPost = behaviour == .preOnly || behaviour == .optimized
        // A non-zero return: pre alone, with no step and no post_handler although one is registered.
        let perHit = behaviour == .skipStep ? ["pre"]
            : (probes.count == 2 ? ["pre", "pre"] : ["pre"]) + ["step"] + (noPost ? [] : Array(repeating: "post", count: probes.count))
        #expect(steps == Array(repeating: perHit, count: Int(hits)).flatMap { $0 }, "\(context): handler order")
        #expect(log.entries.filter { $0 == "pre" }.count == Int(hits) * probes.count, "\(context)")
    }
}
