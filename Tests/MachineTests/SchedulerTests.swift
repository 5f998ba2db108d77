import Testing
@testable import Machine

@Suite("Tasks and the seeded scheduler")
struct SchedulerTests {
    /// Two workers each bump a shared counter `rounds` times, calling a host function after every bump that
    /// records which task saw which value. Returns the machine's ledger transcript and the observations.
    func runWorkers(seed: UInt64, rounds: UInt64 = 20) throws -> (transcript: String, seen: [String], shared: UInt64) {
        let machine = Machine(core: ToyCore(), cpuCount: 2, scheduler: SchedulerPolicy(seed: seed, minimumSlice: 1, maximumSlice: 6))
        machine.ledger.isRecording = true
        let shared = machine.allocate(size: 8)
        var seen: [String] = []
        let note = machine.registerHostFunction("note") { m, cpu in
            seen.append("\(cpu.currentTask!.pid)@\(cpu.id)=\((try? m.memory.read64(shared)) ?? 0)")
            return .returnValue(0)
        }
        // start: [shared] += 1; call note; counter -= 1, back to start while non-zero; ret
        let worker = try Toy.load([0x02] + Toy.le64(shared) + [0x04] + Toy.le64(note) + [0x03, 18, 0xc3], into: machine)
        try machine.spawn(comm: "worker-a", function: worker, arguments: [0, rounds], cpu: 0)
        try machine.spawn(comm: "worker-b", function: worker, arguments: [0, rounds], cpu: 1)
        try machine.runTasks()
        return (machine.ledger.transcript, seen, try machine.memory.read64(shared))
    }

    @Test("the same seed gives the same ledger, event for event")
    func sameSeedSameLedger() throws {
        let first = try runWorkers(seed: 42)
        let second = try runWorkers(seed: 42)
        #expect(first.transcript == second.transcript)
        #expect(first.seen == second.seen)
        #expect(first.shared == 40)
    }

    @Test("different seeds interleave the tasks differently")
    func differentSeedsDiffer() throws {
        let a = try runWorkers(seed: 1)
        let b = try runWorkers(seed: 2)
        #expect(a.seen != b.seen)
        // Whatever the interleaving, every bump happened exactly once.
        #expect(a.shared == 40 && b.shared == 40)
    }

    @Test("a task blocked in a host function resumes after another task wakes it")
    func blockAndWake() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        var sleeper: KernelTask?
        let wait = machine.registerHostFunction("wait_event") { _, _ in .block(returning: 7) }
        let wake = machine.registerHostFunction("wake_up") { m, _ in
            if let sleeper { m.wake(sleeper) }
            return .returnValue(1)
        }
        let waiter = try Toy.load([0x04] + Toy.le64(wait) + [0x01, 3, 0xc3], into: machine)
        let waker = try Toy.load([0x04] + Toy.le64(wake) + [0xc3], into: machine)
        sleeper = try machine.spawn(comm: "waiter", function: waiter)
        let other = try machine.spawn(comm: "waker", function: waker)
        machine.ledger.isRecording = true
        try machine.runTasks()
        #expect(sleeper?.returnValue == 10) // 7 from wait_event, then acc += 3
        #expect(other.returnValue == 1)
        let events = machine.ledger.events(of: MachineEvent.self)
        #expect(events.contains(.taskBlocked(pid: sleeper!.pid)))
        #expect(events.contains(.taskWoken(pid: sleeper!.pid)))
    }

    @Test("a sleeping task lets simulated time pass and then finishes")
    func sleepAdvancesTime() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 1)
        let nap = machine.registerHostFunction("msleep") { _, _ in .sleep(cycles: 5_000, returning: 2) }
        let code = try Toy.load([0x04] + Toy.le64(nap) + [0xc3], into: machine)
        #expect(try machine.call(code) == 2)
        #expect(machine.cpus[0].cycles >= 5_000)
    }

    @Test("when every task is blocked and none can be woken, the run reports a deadlock naming them")
    func deadlock() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 2)
        let wait = machine.registerHostFunction("wait_event") { _, _ in .block(returning: 0) }
        let code = try Toy.load([0x04] + Toy.le64(wait) + [0xc3], into: machine)
        let task = try machine.spawn(comm: "stuck", function: code)
        let error = #expect(throws: SimulationError.self) { try machine.runTasks() }
        guard case .deadlock(let pids)? = error else { Issue.record("expected deadlock, got \(String(describing: error))"); return }
        #expect(pids == [task.pid])
    }

    @Test("a task pinned to a CPU only ever runs there")
    func affinity() throws {
        let machine = Machine(core: ToyCore(), cpuCount: 2, scheduler: SchedulerPolicy(seed: 9, minimumSlice: 1, maximumSlice: 2))
        var cpusSeen: Set<Int> = []
        let note = machine.registerHostFunction("note") { _, cpu in cpusSeen.insert(cpu.id); return .returnValue(0) }
        let code = try Toy.load([0x04] + Toy.le64(note) + [0x03, 9, 0xc3], into: machine)
        try machine.spawn(comm: "pinned", function: code, arguments: [0, 10], cpu: 1)
        try machine.runTasks()
        #expect(cpusSeen == [1])
    }
}
