/// One simulated CPU: its register file (in `pt_regs` order), the task it runs, its own clock, and the ring of
/// recently executed addresses that a runaway-loop error reports.
public final class CPU {
    public let id: Int
    public let registers = RegisterFile()
    /// The task whose context is loaded in `registers`, nil when idle. Computed over unchecked storage so other
    /// modules (the kretprobe path reads it twice per hit) go through this module's accessor, which skips the
    /// dynamic exclusivity check a direct read of a stored property from another module would make.
    public internal(set) var currentTask: KernelTask? {
        get { loadedTask }
        set { loadedTask = newValue }
    }
    @exclusivity(unchecked) @usableFromInline var loadedTask: KernelTask?
    /// `probeState` of the task on this CPU (nil when idle; writes are dropped then), reached without retaining
    /// the task: the kretprobe path reads and writes it on every hit, inlined there (a call each was about 6
    /// host instructions plus the caller's spills).
    public var currentProbeState: UnsafeMutableRawPointer? {
        @inlinable @inline(__always) get { loadedTask?.probeState }
        @inlinable @inline(__always) set { loadedTask?.probeState = newValue }
    }
    /// Simulated time on this CPU, in cycles (see `CostModel`).
    public var cycles: UInt64 {
        @inlinable @inline(__always) get { counters.pointee.cycles }
        @inlinable @inline(__always) set { counters.pointee.cycles = newValue }
    }
    public var instructionsRetired: UInt64 { counters.pointee.retired }
    /// Cycles each instruction costs (copied from the machine's `CostModel`).
    public var cyclesPerInstruction: UInt64 {
        @inlinable @inline(__always) get { counters.pointee.cyclesPerInstruction }
        @inlinable @inline(__always) set { counters.pointee.cyclesPerInstruction = newValue }
    }
    /// Cycles each exception costs (copied from the machine's `CostModel`; charged by `Machine.raise`, which
    /// is inlined into the cores).
    public var cyclesPerTrap: UInt64 {
        @inlinable @inline(__always) get { counters.pointee.cyclesPerTrap }
        @inlinable @inline(__always) set { counters.pointee.cyclesPerTrap = newValue }
    }
    /// Base address of this CPU's per-CPU area in simulated memory (the kernel's `__per_cpu_offset[cpu]`).
    public let perCPUBase: UInt64

    /// The last `recentCapacity` instruction addresses, written by executors as they run.
    public static let recentCapacity = 16
    public let recentPCs: UnsafeMutablePointer<UInt64>
    public var recentIndex: Int {
        @inlinable @inline(__always) get { counters.pointee.recentIndex }
        @inlinable @inline(__always) set { counters.pointee.recentIndex = newValue }
    }

    /// The counters the cores update at every trap and host call, in memory of their own: stored properties of
    /// this class written from the core modules would each pay a dynamic exclusivity check, whatever their
    /// attribute says, because the check is emitted by the accessing module.
    @usableFromInline struct Counters {
        @usableFromInline var cycles: UInt64 = 0
        @usableFromInline var retired: UInt64 = 0
        @usableFromInline var recentIndex = 0
        @usableFromInline var cyclesPerInstruction: UInt64 = 0
        @usableFromInline var cyclesPerTrap: UInt64 = 0
    }
    @usableFromInline let counters: UnsafeMutablePointer<Counters>

    init(id: Int, perCPUBase: UInt64) {
        self.id = id
        self.perCPUBase = perCPUBase
        recentPCs = .allocate(capacity: CPU.recentCapacity)
        recentPCs.initialize(repeating: 0, count: CPU.recentCapacity)
        counters = .allocate(capacity: 1)
        counters.initialize(to: Counters())
    }

    deinit {
        recentPCs.deallocate()
        counters.deallocate()
    }

    /// Takes the per-instruction and per-exception costs from `model`.
    func apply(_ model: CostModel) {
        cyclesPerInstruction = model.instruction
        cyclesPerTrap = model.trap
    }

    /// Executors call this once per instruction; it is a store and a mask.
    @inline(__always)
    public func noteExecuted(_ address: UInt64) {
        recentPCs[recentIndex & (CPU.recentCapacity - 1)] = address
        recentIndex &+= 1
    }

    /// Cores call this with the instructions they executed, at the latest before any trap dispatch or host
    /// call (so nested runs and timestamps see an up-to-date clock) and before returning from `run`.
    @inlinable @inline(__always)
    public func retire(_ count: UInt64) {
        counters.pointee.retired &+= count
        counters.pointee.cycles &+= count &* counters.pointee.cyclesPerInstruction
    }

    /// Recently executed addresses, oldest first.
    public var recentAddresses: [UInt64] {
        let n = min(recentIndex, CPU.recentCapacity)
        return (0..<n).map { recentPCs[(recentIndex - n + $0) & (CPU.recentCapacity - 1)] }
    }
}
