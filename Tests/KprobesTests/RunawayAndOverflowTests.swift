import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Unbounded recursion and runaway loops in real code on the real cores (the toy-core versions are in
/// MachineRunTests): each must end in a typed `SimulationError` that names what happened, reach the caller
/// (directly, through a spawned task, or out of a kprobe handler's nested call), leave the ledger's entries in
/// place, and never take the host down.
@Suite("Runaway loops and stack overflows on the real cores")
struct RunawayAndOverflowTests {
    static let arches: [Architecture] = [.x86_64, .arm64]

    /// A one-node cycle on the simulated heap: `struct tnode { left, right, val }` whose left child is itself,
    /// so the corpus's `tdepth` (recursion.c) recurses on `t->left` forever.
    static func cyclicNode(in machine: Machine) throws -> UInt64 {
        let node = machine.allocate(size: 24)
        try machine.memory.kernelWrite(node, bytes: le64(node) + le64(0) + le64(7))
        return node
    }

    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    /// Where the first store below the stack lands, derived by hand from the compiled `tdepth` (objdump -d of
    /// corpus/<arch>/O2/recursion.o):
    /// - x86_64: the call pushes the return address (entry %rsp = top - 8); each level then does `push %rbp`,
    ///   `push %rbx`, `sub $0x8,%rsp`, `call` = 32 bytes, writing every 8-byte slot except the `sub` one (slots
    ///   ≡ top - 32 mod 32). bottom - 8 = top - 16392, and 16392 - 32 = 16360 ≡ 8 (mod 32): it is written, and it is
    ///   the first slot below bottom.
    /// - arm64: no push on call (entry sp = top); each level's `stp x29, x30, [sp, #-32]!` stores 16 bytes at
    ///   sp - 32. Level k enters with sp = top - 32k; level 512 (16384 / 32) stores at bottom - 32.
    static func expectedFault(_ architecture: Architecture, task: KernelTask) -> UInt64 {
        architecture == .x86_64 ? task.stackBottom - 8 : task.stackBottom - 32
    }

    /// `jmp .` (objdump: `eb fe`) and `b .` (objdump: `14000000`), placed in fresh text.
    static func spinLoop(in machine: Machine) throws -> UInt64 {
        let text = machine.allocateText(size: 16)
        let bytes: [UInt8] = machine.architecture == .x86_64 ? [0xeb, 0xfe] : [0x00, 0x00, 0x00, 0x14]
        try machine.memory.kernelWrite(text, bytes: bytes)
        machine.symbols.add(Symbol(name: "spin", address: text, size: UInt64(bytes.count), type: "T"))
        return text
    }

    // MARK: Stack overflow

    @Test("unbounded recursion in compiled code (tdepth on a cyclic tree) hits the guard page: a stack-overflow error",
          arguments: arches)
    func recursionOverflows(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["recursion"])
        lab.machine.ledger.isRecording = true
        let node = try Self.cyclicNode(in: lab.machine)
        let tdepth = try lab.address("tdepth")
        let error = #expect(throws: SimulationError.self) {
            _ = try lab.machine.call(tdepth, arguments: [node], comm: "recurse")
        }
        guard case .stackOverflow(let pid, let comm, let address)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        let task = try #require(lab.machine.tasks.first)
        #expect(pid == task.pid && comm == "recurse")
        #expect(address == Self.expectedFault(architecture, task: task))
        #expect(error?.description.contains("kernel stack overflow in recurse[\(pid)]") == true)
        #expect(error?.description.contains("stack guard page") == true)
        // The ledger keeps what it recorded up to the fault: the switch to the task, then the fault itself last.
        let machineEvents = lab.machine.ledger.events(of: MachineEvent.self)
        #expect(machineEvents.first == .contextSwitch(from: -1, to: pid))
        guard case .trap(let trap)? = machineEvents.last else { Issue.record("last event: \(String(describing: machineEvents.last))"); return }
        #expect(trap.kind == .pageFault && trap.fault?.address == address)
    }

    @Test("the same overflow in a spawned task stops runTasks with the task named", arguments: arches)
    func recursionOverflowsInSpawnedTask(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["recursion"])
        let node = try Self.cyclicNode(in: lab.machine)
        let ok = try lab.machine.spawn(comm: "fine", function: try lab.address("fib"), arguments: [10])
        let bad = try lab.machine.spawn(comm: "deep", function: try lab.address("tdepth"), arguments: [node])
        let error = #expect(throws: SimulationError.self) { try lab.machine.runTasks() }
        guard case .stackOverflow(let pid, let comm, let address)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(pid == bad.pid && comm == "deep")
        #expect(address == Self.expectedFault(architecture, task: bad))
        _ = ok
    }

    @Test("recursion past the stack inside a kprobe handler's nested call: the handler gets the error, the outer call ends with it",
          arguments: arches)
    func recursionOverflowsInHandlerCall(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["recursion"])
        lab.machine.ledger.isRecording = true
        let node = try Self.cyclicNode(in: lab.machine)
        let tdepth = try lab.address("tdepth")
        var seen: [SimulationError] = []
        let probe = Kprobe(symbolName: "fib", preHandler: { ctx in
            do throws(SimulationError) { _ = try ctx.call(tdepth, arguments: [node]) } catch { seen.append(error) }
            return 0
        })
        try lab.kprobes.register(probe)
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("fib", [10]) }
        guard case .stackOverflow(let pid, _, let address)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        let task = try #require(lab.machine.tasks.first)
        #expect(pid == task.pid)
        // The nested call ran on the same task stack, below the trapped frame: its fault is in that task's guard page.
        #expect(address < task.stackBottom && address >= task.stackBottom - Memory.pageSize)
        #expect(seen.count == 1)
        if case .stackOverflow(_, _, let nestedAddress)? = seen.first { #expect(nestedAddress == address) } else {
            Issue.record("handler saw \(seen)")
        }
        #expect(probe.nhit == 1)
        // What the kprobe layer recorded before the overflow (registration, the hit) is still in the ledger.
        let events = lab.events()
        #expect(events.contains { if case .registered = $0 { return true } else { return false } })
        #expect(events.contains {
            switch $0 { case .trap, .optimizedCallback: return true; default: return false }
        })
    }

    // MARK: Runaway loops

    @Test("an infinite loop (jmp . / b .) through machine.call stops at the budget, naming it", arguments: arches)
    func spinStopsAtBudget(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: [])
        let spin = try Self.spinLoop(in: lab.machine)
        lab.machine.instructionBudget = 5_000
        let error = #expect(throws: SimulationError.self) { _ = try lab.machine.call(spin) }
        guard case .budgetExhausted(let budget, let recent, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(budget == 5_000)
        #expect(!recent.isEmpty && Set(recent) == [spin])
        #expect(lab.machine.instructionsExecuted == 5_000)
        #expect(error?.description.contains("instruction budget of 5000 exhausted") == true)
        #expect(error?.description.contains("0x" + String(spin, radix: 16)) == true)
    }

    @Test("the same loop in a spawned task stops runTasks at the budget", arguments: arches)
    func spinInSpawnedTask(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: [])
        let spin = try Self.spinLoop(in: lab.machine)
        lab.machine.instructionBudget = 3_000
        _ = try lab.machine.spawn(comm: "spinner", function: spin)
        let error = #expect(throws: SimulationError.self) { try lab.machine.runTasks() }
        guard case .budgetExhausted(let budget, let recent, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(budget == 3_000 && Set(recent) == [spin])
        #expect(lab.machine.instructionsExecuted == 3_000)
    }

    @Test("a loop inside a kprobe pre_handler's nested call: the handler gets the budget error and the outer call stops too",
          arguments: arches)
    func spinInHandlerCall(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let spin = try Self.spinLoop(in: lab.machine)
        lab.machine.instructionBudget = 20_000
        var seen: [SimulationError] = []
        let probe = Kprobe(symbolName: "sum_to", preHandler: { ctx in
            do throws(SimulationError) { _ = try ctx.call(spin) } catch { seen.append(error) }
            return 0
        })
        try lab.kprobes.register(probe)
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("sum_to", [3]) }
        guard case .budgetExhausted(let budget, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(budget == 20_000)
        #expect(seen.count == 1)
        guard case .budgetExhausted(let nestedBudget, let recent, _)? = seen.first else { Issue.record("handler saw \(seen)"); return }
        #expect(nestedBudget == 20_000 && Set(recent) == [spin])
        #expect(probe.nhit == 1)
    }
}
