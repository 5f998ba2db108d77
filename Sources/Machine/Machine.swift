/// The simulated computer both instruction sets run on: memory, symbols, CPUs, tasks and their scheduler,
/// the trap dispatch table, the ledger and simulated time.
///
/// Memory layout (both architectures): kernel text and data from `Architecture.kernelTextBase` (the ELF loader
/// places objects there), a kmalloc-like heap, per-CPU areas, task stacks with an unmapped guard page below
/// each, and the host-function page.
public final class Machine {
    public let architecture: Architecture
    public let core: InstructionCore
    /// The core's `pt_regs` slots of the instruction and stack pointers, read once: reading them through the
    /// existential `core` retains and releases it, which a handler's `regs` would pay on every hit.
    public let pcIndex: Int
    public let spIndex: Int
    public let memory = Memory()
    public let symbols = SymbolTable()
    public let ledger = Ledger()
    public private(set) var cpus: [CPU] = []
    public private(set) var tasks: [KernelTask] = []
    public let traps = TrapDispatch()
    @exclusivity(unchecked) public var costModel = CostModel() {
        didSet { for cpu in cpus { cpu.apply(costModel) } }
    }
    public var scheduler: SchedulerPolicy
    /// Instructions every run may execute in total before it is stopped as a runaway.
    public var instructionBudget: UInt64 = 50_000_000
    /// Set when the simulated kernel died (`BUG()`, an oops): every run then stops with this error, even if a
    /// handler swallowed it in a nested call, as a real kernel does not carry on after BUG().
    @exclusivity(unchecked) public private(set) var crashed: SimulationError? {
        didSet { isCrashed = crashed != nil }
    }
    /// Checked on every trap instead of `crashed`, whose copy would retain the error's payload each time. In
    /// memory of its own, like `Ledger.isRecording`: `raise` is inlined into the cores, and a stored property
    /// read from another module pays a dynamic exclusivity check whatever its attribute says.
    @usableFromInline var isCrashed: Bool {
        @inlinable @inline(__always) get { crashFlag.pointee }
        set { crashFlag.pointee = newValue }
    }
    @usableFromInline let crashFlag: UnsafeMutablePointer<Bool> = {
        let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        flag.initialize(to: false)
        return flag
    }()

    /// The ftrace call sites of loaded code (`ftrace_location()`), filled by the ELF loader (and by whoever loads a
    /// kernel-image fragment: `available_filter_functions` names them).
    public var ftraceLocations: Set<UInt64> = []

    /// Instructions executed so far on all CPUs.
    public var instructionsExecuted: UInt64 { cpus.reduce(0) { $0 + $1.instructionsRetired } }

    /// Where returning ends a top-level or nested call (the first host-function slot).
    public let hostReturnAddress: UInt64
    public static let hostFunctionBase: UInt64 = 0xffff_ffff_fe00_0000
    static let hostFunctionSlot: UInt64 = 16
    private var hostFunctions: [HostFunction] = []
    private var taskObservers: [TaskObserver] = []
    private var moduleObservers: [ModuleObserver] = []
    /// Delayed work (`schedule_delayed_work`): actions due at a simulated cycle of CPU 0, run by the scheduler
    /// between slices, earliest first.
    private var delayedWork: [(due: UInt64, action: () -> Void)] = []

    public static let heapBase: UInt64 = 0xffff_9000_0000_0000
    public static let perCPUBase: UInt64 = 0xffff_a000_0000_0000
    /// Where, in each CPU's 64 KiB per-CPU area, a zeroed stand-in for `current`'s task_struct starts: arm64
    /// kernel code reads `current` from SP_EL0 (the stack protector's per-task canary at `[sp_el0, #0x550]`).
    public static let currentTaskOffset: UInt64 = 0x8000
    /// Size of each CPU's per-CPU area; CPU n's starts at `perCPUBase + n * perCPUSize`.
    public static let perCPUSize: UInt64 = 0x10000
    public static let stackRegionBase: UInt64 = 0xffff_c900_0000_0000
    /// x86_64 `THREAD_SIZE` with KASAN off is 16 KiB; arm64 6.1 uses 16 KiB too.
    public static let threadSize: UInt64 = 16 * 1024
    public private(set) var heapNext = Machine.heapBase
    public private(set) var textNext: UInt64
    private var stackNext = Machine.stackRegionBase
    private var nextPid: Int32 = 1
    private var random: SeededGenerator

    deinit { crashFlag.deallocate() }

    public init(core: InstructionCore, cpuCount: Int = 2, scheduler: SchedulerPolicy = SchedulerPolicy()) {
        self.architecture = core.architecture
        self.core = core
        pcIndex = core.pcIndex
        spIndex = core.spIndex
        self.scheduler = scheduler
        self.random = SeededGenerator(seed: scheduler.seed)
        self.textNext = core.architecture.kernelTextBase
        self.hostReturnAddress = Machine.hostFunctionBase
        memory.map(Machine.hostFunctionBase, size: Memory.pageSize, permissions: .rodata)
        hostFunctions.append(HostFunction(name: "kprobesim_host_return", address: hostReturnAddress) { _, _ in
            .returnValue(0)
        })
        // Named in kallsyms like every host function, so a return into the host (a kretprobe's caller, a stack
        // trace's last frame) reads `kprobesim_host_return+0x0/0x10` rather than a bare address.
        symbols.add(Symbol(name: "kprobesim_host_return", address: hostReturnAddress, size: Machine.hostFunctionSlot, type: "T"))
        for id in 0..<max(1, cpuCount) {
            let base = Machine.perCPUBase + UInt64(id) * Machine.perCPUSize
            memory.map(base, size: Machine.perCPUSize, permissions: .data)
            let cpu = CPU(id: id, perCPUBase: base)
            cpu.apply(costModel)
            core.resetRegisters(cpu.registers)
            cpus.append(cpu)
        }
        core.attach(to: self)
    }

    // MARK: Address space

    /// Reserves `size` bytes of kernel text (for loaders and built-in code), page aligned, mapped `r-x`.
    public func allocateText(size: UInt64, alignment: UInt64 = Memory.pageSize) -> UInt64 {
        let start = align(textNext, alignment)
        textNext = align(start + max(size, 1), Memory.pageSize)
        memory.map(start, size: textNext - start, permissions: .text)
        return start
    }

    /// Reserves the next page-aligned range of the kernel image region without mapping it (the ELF loader maps
    /// each section kind with its own permissions).
    public func reserveImage(size: UInt64) -> UInt64 {
        let start = align(textNext, Memory.pageSize)
        textNext = align(start + max(size, 1), Memory.pageSize)
        return start
    }

    /// `kmalloc`: zeroed memory on the simulated heap, mapped `rw-`.
    public func allocate(size: UInt64, alignment: UInt64 = 16, permissions: PagePermissions = .data) -> UInt64 {
        let start = align(heapNext, alignment)
        heapNext = start + max(size, 1)
        memory.map(start, size: heapNext - start, permissions: permissions)
        return start
    }

    private func align(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        (value + alignment - 1) & ~(alignment - 1)
    }

    // MARK: Host functions

    /// Makes `body` callable from simulated code at a fresh address, and adds `name` to the symbol table so
    /// loaded objects that call it link against it.
    @discardableResult
    public func registerHostFunction(_ name: String, body: @escaping (Machine, CPU) -> HostCallOutcome) -> UInt64 {
        let address = Machine.hostFunctionBase + UInt64(hostFunctions.count) * Machine.hostFunctionSlot
        precondition(address < Machine.hostFunctionBase + Memory.pageSize, "too many host functions")
        hostFunctions.append(HostFunction(name: name, address: address, body: body))
        symbols.add(Symbol(name: name, address: address, size: Machine.hostFunctionSlot, type: "T"))
        return address
    }

    /// Called by a core when fetching at `address` faulted: runs the host function there, if any, and says
    /// what the core should do next.
    public func hostCall(at address: UInt64, on cpu: CPU) -> HostDispatch {
        guard address >= Machine.hostFunctionBase, address < Machine.hostFunctionBase + Memory.pageSize,
              (address - Machine.hostFunctionBase) % Machine.hostFunctionSlot == 0 else { return .notHost }
        let index = Int((address - Machine.hostFunctionBase) / Machine.hostFunctionSlot)
        guard index < hostFunctions.count else { return .notHost }
        if index == 0 { return .stop(.returnedToHost) }
        let function = hostFunctions[index]
        ledger.record(cpu: cpu, MachineEvent.hostCall(name: function.name))
        cpu.cycles &+= costModel.hostCall
        let outcome = function.body(self, cpu)
        let value: UInt64
        switch outcome {
        case .returnValue(let v): value = v
        case .block(let v): value = v
        case .sleep(_, let v): value = v
        case .exit(let code):
            // do_exit: the call never returns; the task ends here with whatever frames it still has.
            guard let task = cpu.currentTask else { return .stop(.failed(.invalidRequest("\(function.name): do_exit outside a task"))) }
            task.state = .exited(returnValue: code)
            return .stop(.exited)
        case .fail(let error): return .stop(.failed(error))
        }
        do { try core.completeHostCall(cpu, value: value) } catch {
            return .stop(.failed(classify(Trap(kind: .pageFault, address: address, fault: error), cpu: cpu)))
        }
        switch outcome {
        case .returnValue, .exit, .fail: return .resume
        case .block:
            cpu.currentTask?.state = .blocked
            return .stop(.blocked)
        case .sleep(let cycles, _):
            cpu.currentTask?.state = .sleeping(untilCycle: cpu.cycles &+ cycles)
            return .stop(.blocked)
        }
    }

    // MARK: Traps

    /// Offers a trap to the dispatch table. Cores call this with the register file holding the state at the trap.
    /// An unhandled trap becomes the error the run stops with (a stack-guard fault is reported as an overflow).
    /// Inlined into the cores' trap paths: only the rare outcomes leave them (`refuse`).
    @inlinable @inline(__always)
    public func raise(_ trap: Trap, on cpu: CPU) -> TrapResult {
        if isCrashed { return stillDead() }
        ledger.record(cpu: cpu, MachineEvent.trap(trap))
        cpu.cycles &+= cpu.cyclesPerTrap
        let result = traps.dispatch(trap, cpu: cpu, machine: self)
        if case .handled = result { return .handled }
        return refuse(trap, result, on: cpu)
    }

    /// A trap on a dead machine: the error it died with (`isCrashed` is only ever set together with it).
    @usableFromInline
    func stillDead() -> TrapResult { .fatal(crashed!) }

    /// A trap a handler declared fatal, or that no handler took: the machine dies with it (kept in `crashed`).
    @usableFromInline
    func refuse(_ trap: Trap, _ result: TrapResult, on cpu: CPU) -> TrapResult {
        let error: SimulationError
        switch result {
        case .fatal(let fatal): error = fatal
        case .handled, .notHandled: error = classify(trap, cpu: cpu)
        }
        crashed = error
        return .fatal(error)
    }

    private func classify(_ trap: Trap, cpu: CPU) -> SimulationError {
        if trap.kind == .pageFault, let fault = trap.fault,
           let task = tasks.first(where: { fault.address < $0.stackBottom && fault.address >= $0.stackBottom - Memory.pageSize }) {
            return .stackOverflow(pid: task.pid, comm: task.comm, address: fault.address)
        }
        return .unhandledTrap(trap, cpu: cpu.id)
    }

    // MARK: Text poking

    /// `text_poke`: writes instruction bytes into (read-only) text, invalidating decode caches, and records the
    /// change in the ledger with the bytes before and after.
    public func pokeText(_ address: UInt64, bytes: [UInt8], cpu: CPU? = nil) throws(MemoryFault) {
        let old = ledger.isRecording ? try memory.kernelRead(address, count: bytes.count) : []
        try memory.pokeText(address, bytes: bytes)
        ledger.record(cpu: cpu, MachineEvent.textPoke(address: address, old: old, new: bytes))
    }

    // MARK: Tasks

    /// Creates a task that will call `function` with `arguments`; it runs when the scheduler runs.
    @discardableResult
    /// `prepare` may adjust the initial registers (a tracer setting the trap flag, a test choosing flags).
    public func spawn(comm: String, function: UInt64, arguments: [UInt64] = [], cpu affinity: Int? = nil,
                      prepare: ((RegisterFile) -> Void)? = nil) throws(SimulationError) -> KernelTask {
        // Guard page (unmapped) below each stack, so an overflow faults instead of corrupting a neighbour.
        let bottom = stackNext + Memory.pageSize
        memory.map(bottom, size: Machine.threadSize, permissions: .data)
        stackNext = bottom + Machine.threadSize
        let task = KernelTask(pid: nextPid, comm: comm, stackBottom: bottom, stackTop: bottom + Machine.threadSize, context: [])
        nextPid += 1
        task.affinity = affinity
        // Build the initial context in a scratch register file, as the arch's ABI lays out a call.
        let scratch = RegisterFile()
        core.resetRegisters(scratch)
        scratch[core.spIndex] = task.stackTop
        let staging = CPU(id: affinity ?? 0, perCPUBase: 0)
        staging.registers.restore(scratch.snapshot())
        do { try core.setUpCall(staging, function: function, arguments: arguments, returnAddress: hostReturnAddress) } catch {
            throw .stackOverflow(pid: task.pid, comm: task.comm, address: error.address)
        }
        prepare?(staging.registers)
        task.context = staging.registers.snapshot()
        tasks.append(task)
        return task
    }

    /// Runs `action` once CPU 0's clock has advanced by `cycles` (checked between scheduler slices).
    public func scheduleDelayedWork(after cycles: UInt64, _ action: @escaping () -> Void) {
        delayedWork.append((cpus[0].cycles &+ cycles, action))
        delayedWork.sort { $0.due < $1.due }
    }

    /// Runs every delayed work item that is due.
    public func runDueWork() {
        while let first = delayedWork.first, first.due <= cpus[0].cycles {
            delayedWork.removeFirst()
            first.action()
        }
    }

    /// Registers an observer told when each task is reaped (held strongly; observers live as long as the machine).
    public func addTaskObserver(_ observer: TaskObserver) {
        taskObservers.append(observer)
    }

    /// Registers an observer told before each object is unloaded (held strongly, like task observers).
    public func addModuleObserver(_ observer: ModuleObserver) {
        moduleObservers.append(observer)
    }

    /// Tells the observers a loaded object is in place (MODULE_STATE_COMING); the ELF loader calls it.
    public func moduleLoaded(_ object: LoadedObject) {
        for observer in moduleObservers { observer.moduleComing(object, machine: self) }
    }

    /// `rmmod`: the observers hear MODULE_STATE_GOING first (kprobes marks its probes there GONE), then the
    /// object's symbols, text regions and ftrace sites are forgotten and its sections unmapped, so anything
    /// still pointing into it faults. kernel: kernel/module/main.c delete_module, free_module.
    public func unload(_ object: LoadedObject) {
        for observer in moduleObservers { observer.moduleGoing(object, machine: self) }
        let ranges = object.sections.map { $0.address..<($0.address + $0.size) }
        if let module = object.module { symbols.remove(module: module, regions: ranges) }
        ftraceLocations.subtract(object.ftraceSites)
        for section in object.sections { memory.unmap(section.address, size: section.size) }
    }

    /// Wakes a blocked or sleeping task (`wake_up_process`).
    public func wake(_ task: KernelTask) {
        switch task.state {
        case .blocked, .sleeping:
            task.state = .runnable
            ledger.record(cpu: nil, MachineEvent.taskWoken(pid: task.pid))
        default: break
        }
    }

    /// Runs every task until all have exited, interleaving them across CPUs as the seeded scheduler decides.
    public func runTasks() throws(SimulationError) {
        var roundRobin = 0
        while tasks.contains(where: { !$0.hasExited }) {
            var progressed = false
            for cpu in cpus {
                if cpu.currentTask == nil || cpu.currentTask?.state != .running(cpu: cpu.id) {
                    guard let next = pickTask(for: cpu, after: &roundRobin) else { continue }
                    switchTo(next, on: cpu)
                }
                guard let task = cpu.currentTask else { continue }
                progressed = true
                let slice = scheduler.minimumSlice
                    + random.next() % (scheduler.maximumSlice - scheduler.minimumSlice + 1)
                let stop = try runSlice(cpu, limit: slice)
                switch stop {
                case .limitReached:
                    // A preemption point: switch only if interrupts are on and another task could use this CPU.
                    if core.interruptsEnabled(cpu) { task.state = .runnable; save(cpu) }
                case .returnedToHost:
                    let value = core.returnValue(cpu)
                    task.state = .exited(returnValue: value)
                    ledger.record(cpu: cpu, MachineEvent.taskExited(pid: task.pid, returnValue: value))
                    save(cpu)
                    reap(task)
                case .exited:
                    ledger.record(cpu: cpu, MachineEvent.taskExited(pid: task.pid, returnValue: task.returnValue ?? 0))
                    save(cpu)
                    reap(task)
                case .blocked:
                    ledger.record(cpu: cpu, MachineEvent.taskBlocked(pid: task.pid))
                    save(cpu)
                case .failed(let error):
                    throw error
                }
            }
            if !progressed {
                // Nothing runnable: let simulated time pass to the earliest sleeper, or report a deadlock.
                let wakeTimes = tasks.compactMap { task -> UInt64? in
                    if case .sleeping(let until) = task.state { return until }
                    return nil
                }
                guard let earliest = wakeTimes.min() else {
                    throw .deadlock(blocked: tasks.filter { !$0.hasExited }.map(\.pid))
                }
                for cpu in cpus where cpu.cycles < earliest { cpu.cycles = earliest }
            }
            for task in tasks {
                if case .sleeping(let until) = task.state, cpus.contains(where: { $0.cycles >= until }) { wake(task) }
            }
            if !delayedWork.isEmpty { runDueWork() }
        }
    }

    private func reap(_ task: KernelTask) {
        for observer in taskObservers { observer.taskReaped(task, machine: self) }
    }

    private func pickTask(for cpu: CPU, after roundRobin: inout Int) -> KernelTask? {
        guard !tasks.isEmpty else { return nil }
        for step in 0..<tasks.count {
            let task = tasks[(roundRobin + step) % tasks.count]
            if task.state == .runnable && (task.affinity == nil || task.affinity == cpu.id) {
                roundRobin = (roundRobin + step + 1) % tasks.count
                return task
            }
        }
        return nil
    }

    private func switchTo(_ task: KernelTask, on cpu: CPU) {
        ledger.record(cpu: cpu, MachineEvent.contextSwitch(from: cpu.currentTask?.pid ?? -1, to: task.pid))
        cpu.registers.restore(task.context)
        cpu.currentTask = task
        task.state = .running(cpu: cpu.id)
        cpu.cycles &+= costModel.contextSwitch
    }

    private func save(_ cpu: CPU) {
        guard let task = cpu.currentTask else { return }
        task.context = cpu.registers.snapshot()
        cpu.currentTask = nil
    }

    /// Runs up to `limit` instructions, charging them against the budget and the CPU's clock.
    private func runSlice(_ cpu: CPU, limit: UInt64) throws(SimulationError) -> RunStop {
        if isCrashed, let crashed { throw crashed }
        let remaining = instructionBudget > instructionsExecuted ? instructionBudget - instructionsExecuted : 0
        guard remaining > 0 else {
            throw .budgetExhausted(budget: instructionBudget, recent: cpu.recentAddresses, cpu: cpu.id)
        }
        let stop = core.run(cpu, limit: min(limit, remaining))
        if isCrashed, let crashed { throw crashed }
        if case .failed = stop { return stop }
        // Past the budget is a runaway even when the slice itself ended: a handler's nested call (callNested) runs
        // inside this slice and may have used the rest of the budget, or all of it with the handler swallowing
        // the error; the slice's own limit was fixed before, so without this the run would go on past the budget.
        var exhausted = instructionsExecuted > instructionBudget
        if case .limitReached = stop, instructionsExecuted == instructionBudget { exhausted = true }
        if exhausted { throw .budgetExhausted(budget: instructionBudget, recent: cpu.recentAddresses, cpu: cpu.id) }
        return stop
    }

    // MARK: Calls

    /// The ABI argument `n` and return value of `cpu` (`regs_get_kernel_argument`, `regs_return_value`), asked of
    /// the core from here: a caller holding the machine unowned (a handler's `regs`, a fetch argument) would
    /// otherwise retain and release the core around every call.
    public func argument(_ n: Int, on cpu: CPU) -> UInt64 { core.argument(cpu, n) }
    public func returnValue(on cpu: CPU) -> UInt64 { core.returnValue(cpu) }

    /// Calls `function` with integer `arguments` per the C ABI in a fresh task on `cpu`, runs until it returns
    /// and gives back the return register. This is what `kprobesim call` does.
    public func call(_ function: UInt64, arguments: [UInt64] = [], cpu: Int = 0, comm: String = "kprobesim") throws(SimulationError) -> UInt64 {
        let task = try spawn(comm: comm, function: function, arguments: arguments, cpu: cpu)
        try runTasks()
        return task.returnValue ?? 0
    }

    /// Calls a function by symbol name (see `call(_:arguments:cpu:comm:)`).
    public func call(_ name: String, arguments: [UInt64] = [], cpu: Int = 0) throws(SimulationError) -> UInt64 {
        guard let symbol = symbols.lookup(name: name) else {
            throw .invalidRequest("unknown symbol '\(name)'")
        }
        return try call(symbol.address, arguments: arguments, cpu: cpu)
    }

    /// Calls a simulated function from inside a handler, on the CPU that is running it, below the current
    /// stack pointer; all registers are restored afterwards. The kprobe layer's handler context uses this.
    public func callNested(_ function: UInt64, arguments: [UInt64] = [], on cpu: CPU) throws(SimulationError) -> UInt64 {
        let saved = cpu.registers.snapshot()
        defer { cpu.registers.restore(saved) }
        do { try core.setUpCall(cpu, function: function, arguments: arguments, returnAddress: hostReturnAddress) } catch {
            throw classify(Trap(kind: .pageFault, address: function, fault: error), cpu: cpu)
        }
        // The handler's code runs in the exception's context, not the trapped one: no single-step (the legacy
        // profile's kprobe step sets TF or PSTATE.SS in the trapped context).
        core.clearSingleStep(cpu.registers)
        while true {
            switch try runSlice(cpu, limit: UInt64.max) {
            case .returnedToHost: return core.returnValue(cpu)
            case .limitReached: continue
            case .blocked, .exited: throw .invalidRequest("a nested call may not block or end its task")
            case .failed(let error): throw error
            }
        }
    }
}
