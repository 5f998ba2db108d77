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
///     memory as the unprobed run;
///   - order: every hit is pre → (step | emulate | simulate) → post, or pre alone after a non-zero return;
///   - accounting: hits + nmissed equal the number of times execution reached the address, counted
///     independently by single-stepping the unprobed run with the CPU's own debug trap.
/// Replay one scenario with `KPROBESIM_SEED=<seed> swift test --filter KprobePropertyTests`; run more with
/// `KPROBESIM_SEEDS=<count>`.
@Suite("kprobes: property test over seeded random scenarios")
struct KprobePropertyTests {
    /// `optimized`: pre only, with the x86_64 optimizer run at once (the jump and the detour, where allowed).
    enum Behaviour: CaseIterable { case preOnly, preAndPost, aggregatedPair, nestedCall, optimized }

    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["KPROBESIM_SEED"], let seed = UInt64(text) { return [seed] }
        let count = Int(ProcessInfo.processInfo.environment["KPROBESIM_SEEDS"] ?? "") ?? 48
        return (1...count).map { UInt64($0) &* 0x9E37_79B9 }
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

    @Test("probing is transparent, ordered and fully accounted", arguments: seeds)
    func scenario(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let arch: Architecture = random.next() & 1 == 0 ? .x86_64 : .arm64
        let profile: KernelProfile = random.next() % 3 == 0 ? .legacy : .debian61
        let cases = try CorpusCase.all(arch)
        let c = cases[Int(random.next() % UInt64(cases.count))]
        let variants = Corpus.variants(arch)
        let variant = variants[Int(random.next() % UInt64(variants.count))]
        let behaviour = Behaviour.allCases[Int(random.next() % UInt64(Behaviour.allCases.count))]
        var context = "seed \(seed): \(arch) \(profile) \(variant) \(c) \(behaviour)"

        // Cases too long to single-step cheaply are left to the corpus tests (the nested behaviour runs the whole
        // function again on every hit, so it must stay well inside the budget even when hit on every loop pass).
        let (sizing, _) = try Self.machine(arch, file: c.file, variant: variant)
        _ = try sizing.call(c.function, arguments: c.arguments)
        let length = sizing.instructionsExecuted
        guard length <= 20_000, behaviour != .nestedCall || length * length <= 2_000_000 else { return }

        // Unprobed run with an independent reach count.
        let (plain, plainObject) = try Self.machine(arch, file: c.file, variant: variant)
        let candidates = try Self.boundaries(plain, c.function)
        let address = candidates[Int(random.next() % UInt64(candidates.count))]
        let counter = ReachCounter(address: address)
        plain.traps.register(counter, for: .debug, priority: 1)
        let symbol = try #require(plain.symbols.lookup(name: c.function))
        let reference = try Self.run(plain, c, object: plainObject) { registers in
            if arch == .x86_64 { registers[X86PtRegs.flags] |= 1 << 8 } else {
                registers[ARM64PtRegs.mdscr] |= ARM64PtRegs.mdscrSS
                registers[ARM64PtRegs.pstate] |= ARM64PtRegs.psrSS
            }
        }
        let reached = counter.count
        context += " at \(c.function)+0x\(String(address - symbol.address, radix: 16))"
        #expect(reference.result == c.expected, "\(context): unprobed result")

        // Probed run.
        let (probed, probedObject) = try Self.machine(arch, file: c.file, variant: variant)
        let kprobes = KprobeManager(machine: probed, profile: profile)
        var log: [String] = []
        let nestedArguments = c.arguments
        let functionAddress = symbol.address
        func make() -> Kprobe {
            Kprobe(address: address, preHandler: { ctx in
                log.append("pre")
                if behaviour == .nestedCall { _ = try? ctx.call(functionAddress, arguments: nestedArguments) }
                return 0
            }, postHandler: behaviour == .preOnly || behaviour == .optimized ? nil : { _ in log.append("post") })
        }
        let probes = behaviour == .aggregatedPair ? [make(), make()] : [make()]
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
        #expect(result.result == c.expected, "\(context): result")
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
        let perHit = (probes.count == 2 ? ["pre", "pre"] : ["pre"]) + ["step"] + (noPost ? [] : Array(repeating: "post", count: probes.count))
        #expect(steps == Array(repeating: perHit, count: Int(hits)).flatMap { $0 }, "\(context): handler order")
        #expect(log.filter { $0 == "pre" }.count == Int(hits) * probes.count, "\(context)")
    }
}
