import Testing
@testable import Machine

@Suite("Runs: budget, stack guard, trap dispatch, nested calls")
struct MachineRunTests {
    @Test("a runaway loop stops at the instruction budget with an error naming the last addresses")
    func budget() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        machine.instructionBudget = 1_000
        let loop = try Toy.load([0x00, 0x05, 1], into: machine) // nop; jump back 1 byte (to the nop)
        let error = #expect(throws: SimulationError.self) { _ = try machine.call(loop) }
        guard case .budgetExhausted(let budget, let recent, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(budget == 1_000)
        #expect(Set(recent) == [loop, loop + 1])
        #expect(machine.instructionsExecuted == 1_000)
        #expect(error?.description.contains("0x\(String(loop, radix: 16))") == true)
    }

    @Test("unbounded recursion overflows into the guard page and is reported as a stack overflow")
    func stackOverflow() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let address = machine.allocateText(size: 16)
        try machine.memory.kernelWrite(address, bytes: [0x04] + Toy.le64(address)) // call self, forever
        let error = #expect(throws: SimulationError.self) { _ = try machine.call(address, comm: "recurse") }
        guard case .stackOverflow(_, let comm, let faultAddress)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(comm == "recurse")
        let task = try #require(machine.tasks.first)
        #expect(faultAddress == task.stackBottom - 8)
    }

    final class CountingHandler: TrapHandler {
        let answer: TrapResult
        var seen: [Trap] = []
        var order: [String]
        let name: String
        init(_ name: String, answer: TrapResult, order: [String] = []) { self.name = name; self.answer = answer; self.order = order }
        override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
            seen.append(trap)
            Log.order.append(name)
            return answer
        }
    }
    enum Log { nonisolated(unsafe) static var order: [String] = [] }

    @Test("traps go to handlers in priority order until one handles them; the CPU resumes where the registers say")
    func dispatchOrder() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let code = try Toy.load([0x01, 1, 0xcc, 0x01, 2, 0xc3], into: machine)
        let low = CountingHandler("low", answer: .handled)
        let high = CountingHandler("high", answer: .notHandled)
        machine.traps.register(low, for: .breakpoint, priority: 0)
        machine.traps.register(high, for: .breakpoint, priority: 0x7fff_ffff)
        Log.order = []
        #expect(try machine.call(code) == 3)
        #expect(Log.order == ["high", "low"])
        #expect(low.seen.first?.address == code + 2)
    }

    @Test("an unhandled trap stops the run with the trap named")
    func unhandled() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let code = try Toy.load([0xcc, 0xc3], into: machine)
        let error = #expect(throws: SimulationError.self) { _ = try machine.call(code) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .breakpoint && trap.address == code)
    }

    @Test("a fatal answer from a handler ends the run with that error (the kernel's BUG)")
    func fatal() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let code = try Toy.load([0xcc, 0xc3], into: machine)
        machine.traps.register(CountingHandler("bug", answer: .fatal(.kernelBug(message: "Unrecoverable kprobe detected.", address: code, cpu: 0))), for: .breakpoint)
        let error = #expect(throws: SimulationError.self) { _ = try machine.call(code) }
        #expect(error?.description.contains("Unrecoverable kprobe detected.") == true)
    }

    final class NestedCaller: TrapHandler {
        let function: UInt64
        var result: UInt64 = 0
        init(function: UInt64) { self.function = function }
        override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
            do { result = try machine.callNested(function, arguments: [40], on: cpu) } catch { return .fatal(error) }
            return .handled
        }
    }

    @Test("a handler can call simulated code on the trapping CPU; the interrupted code's registers are intact")
    func nestedCall() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let addTwo = try Toy.load([0x01, 2, 0xc3], into: machine)
        let code = try Toy.load([0x01, 5, 0xcc, 0x01, 1, 0xc3], into: machine)
        let handler = NestedCaller(function: addTwo)
        machine.traps.register(handler, for: .breakpoint)
        #expect(try machine.call(code, arguments: [10]) == 16) // 10 + 5 + 1: the nested call left acc alone
        #expect(handler.result == 42)
    }

    final class SwallowingCaller: TrapHandler {
        let function: UInt64
        init(function: UInt64) { self.function = function }
        override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
            guard trap.address != function else { return .notHandled }
            _ = try? machine.callNested(function, on: cpu) // the nested call dies; the handler ignores it
            return .handled
        }
    }

    @Test("after a kernel BUG, the machine is dead: a handler that swallows it cannot make the outer run go on")
    func crashIsSticky() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let dies = try Toy.load([0xcc, 0xc3], into: machine)
        let code = try Toy.load([0xcc, 0x01, 1, 0xc3], into: machine)
        machine.traps.register(SwallowingCaller(function: dies), for: .breakpoint, priority: 1)
        machine.traps.register(CountingHandler("bug", answer: .fatal(.kernelBug(message: "BUG", address: dies, cpu: 0))), for: .breakpoint)
        let error = #expect(throws: SimulationError.self) { _ = try machine.call(code) }
        #expect(error?.description.contains("BUG") == true)
        #expect(machine.crashed != nil)
    }

    @Test("text pokes are recorded with the bytes before and after, and nothing is recorded when nobody listens")
    func ledgerPokes() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let code = try Toy.load([0x01, 1, 0xc3], into: machine)
        try machine.pokeText(code, bytes: [0xcc])
        #expect(machine.ledger.entries.isEmpty)
        machine.ledger.isRecording = true
        try machine.pokeText(code, bytes: [0x01])
        #expect(machine.ledger.events(of: MachineEvent.self) == [.textPoke(address: code, old: [0xcc], new: [0x01])])
    }

    @Test("simulated time advances by the cost model: instructions and traps")
    func costModel() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        machine.costModel.contextSwitch = 0
        let code = try Toy.load([0x00, 0x00, 0x00, 0xc3], into: machine)
        _ = try machine.call(code)
        // Four instructions at one cycle each; the final return to the host costs nothing.
        #expect(machine.cpus[0].cycles == 4)
        #expect(machine.costModel.nanoseconds(1_000) == 1_000)
    }

    @Test("a trap keeps the text naming its instruction: equal texts make equal traps, a breakpoint has none")
    func trapText() {
        let a = Trap(kind: .undefinedInstruction, address: 0x1000, instruction: "ud2 [0f 0b]: ud2")
        let b = Trap(kind: .undefinedInstruction, address: 0x1000, instruction: "ud2 [0f 0b]: ud2")
        let c = Trap(kind: .undefinedInstruction, address: 0x1000, instruction: "hlt [f4]: hlt")
        let bp = Trap(kind: .breakpoint, address: 0x1000)
        #expect(a.instruction == "ud2 [0f 0b]: ud2")
        #expect(c.instruction == "hlt [f4]: hlt")
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(bp.instruction == nil)
        #expect(a.description == "undefinedInstruction at 0x1000: ud2 [0f 0b]: ud2")
        #expect(bp.description == "breakpoint at 0x1000")
    }
}
