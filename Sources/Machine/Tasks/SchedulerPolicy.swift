/// How the deterministic scheduler interleaves tasks: a seed and the range of instruction counts a task runs
/// before the CPU may switch (a preemption point, taken only with interrupts enabled).
public struct SchedulerPolicy: Sendable, Hashable {
    public var seed: UInt64
    public var minimumSlice: UInt64
    public var maximumSlice: UInt64

    public init(seed: UInt64 = 1, minimumSlice: UInt64 = 50, maximumSlice: UInt64 = 500) {
        self.seed = seed
        self.minimumSlice = max(1, minimumSlice)
        self.maximumSlice = max(self.minimumSlice, maximumSlice)
    }
}
