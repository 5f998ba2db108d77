import Machine

/// A return probe, as a module fills in `struct kretprobe`: an entry probe (`kp`) whose pre_handler takes an
/// instance from a fixed pool of `maxactive`, swaps the function's return address for the trampoline's, and
/// at return runs `handler` with the real return address as IP and the return value in `ax`/`x0`.
/// kernel: include/linux/kprobes.h struct kretprobe; kernel/kprobes.c register_kretprobe.
public final class Kretprobe {
    /// Return non-zero from `entryHandler` to decline this call: the instance goes back to the pool, no return
    /// handler runs, and it is not counted as missed.
    public typealias Handler = (KretprobeInstance, KprobeContext) -> Int32

    /// The entry probe. Set its `symbolName`/`offset` or `address`; its handlers are the kretprobe's own.
    public let kp: Kprobe
    @exclusivity(unchecked) public var handler: Handler?
    @exclusivity(unchecked) public var entryHandler: Handler?
    /// Instances available at once; <= 0 asks for the profile's default, written back at registration.
    public var maxactive: Int
    /// Bytes of per-instance scratch data shared by the entry and return handlers.
    public var dataSize: Int
    /// Calls not probed because every instance was in use (distinct from `kp.nmissed`).
    @exclusivity(unchecked) public internal(set) var nmissed: UInt64 = 0
    /// The trap path's fields skip dynamic exclusivity checks: the simulation runs on one thread.
    @exclusivity(unchecked) var pool: [KretprobeInstance] = []
    @exclusivity(unchecked) var registered = false

    public init(symbolName: String? = nil, offset: UInt64 = 0, address: UInt64? = nil, disabled: Bool = false,
                maxactive: Int = 0, dataSize: Int = 0, handler: Handler? = nil, entryHandler: Handler? = nil) {
        kp = Kprobe(symbolName: symbolName, offset: offset, address: address, disabled: disabled)
        self.maxactive = maxactive
        self.dataSize = dataSize
        self.handler = handler
        self.entryHandler = entryHandler
    }

    /// Instances currently free in the pool.
    public var freeInstances: Int { pool.count }
}

/// One in-flight probed call: the real return address, the frame it belongs to and the scratch data.
/// kernel: struct kretprobe_instance.
public final class KretprobeInstance {
    /// Strong, not `unowned` (whose every load is a checked atomic): the cycle through the pool is broken when
    /// the kretprobe is unregistered, which empties the pool; an instance still in flight then keeps its
    /// kretprobe until the call returns, as the kernel's `ri->rp` does until the instance is freed.
    public let kretprobe: Kretprobe
    /// The real return address the trampoline replaced (`ri->ret_addr`).
    @exclusivity(unchecked) public internal(set) var returnAddress: UInt64 = 0
    /// x86_64: the stack slot that held the return address; arm64: the frame pointer at entry (`ri->fp`).
    @exclusivity(unchecked) public internal(set) var frame: UInt64 = 0
    /// `ri->data`, `data_size` bytes.
    public var data: [UInt8]
    /// The task the instance belongs to while in flight; cleared when the call returns or the task is reaped.
    /// Strong, not `weak`: a weak store on every hit gave each task a side table (slow reference counting).
    @exclusivity(unchecked) public internal(set) var task: KernelTask?

    init(kretprobe: Kretprobe, dataSize: Int) {
        self.kretprobe = kretprobe
        data = Array(repeating: 0, count: dataSize)
    }
}

/// A task's in-flight instances, newest last (the kernel's `current->kretprobe_instances`, head first).
final class KretprobeTaskState {
    @exclusivity(unchecked) var instances: [KretprobeInstance] = []
}
