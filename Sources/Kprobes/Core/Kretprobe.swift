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
    /// Run at return, with the real return address as IP (`rp->handler`).
    public var handler: Handler? {
        get { callReturn.current?._withUnsafeGuaranteedRef { $0.call } }
        set { callReturn.replace(with: newValue.map(HandlerBox.init)) }
    }
    /// Run at function entry (`rp->entry_handler`).
    public var entryHandler: Handler? {
        get { callEntry.current?._withUnsafeGuaranteedRef { $0.call } }
        set { callEntry.replace(with: newValue.map(HandlerBox.init)) }
    }
    /// The handlers as the trap path calls them: in place, retaining nothing.
    @exclusivity(unchecked) private(set) var callReturn = HandlerSlot<HandlerBox>()
    @exclusivity(unchecked) private(set) var callEntry = HandlerSlot<HandlerBox>()
    /// Instances available at once; <= 0 asks for the profile's default, written back at registration.
    public var maxactive: Int
    /// Bytes of per-instance scratch data shared by the entry and return handlers.
    public var dataSize: Int
    /// Calls not probed because every instance was in use (distinct from `kp.nmissed`).
    @exclusivity(unchecked) public internal(set) var nmissed: UInt64 = 0
    /// Every instance of this kretprobe, kept alive here: the free list and the tasks' in-flight lists link them
    /// as unmanaged references, so taking, swapping and recycling one costs no reference counting. The array
    /// lives while the kretprobe is registered or any of its calls is in flight; each instance holds its
    /// kretprobe, so an unregistered kretprobe lives until its last call is over (the kernel's
    /// `kretprobe_holder` reference count). The trap path's fields skip dynamic exclusivity checks: the
    /// simulation runs on one thread.
    @exclusivity(unchecked) private var instances: ContiguousArray<KretprobeInstance> = []
    /// The free instances, most recently freed first, chained through `KretprobeInstance.next` (the freelist).
    @exclusivity(unchecked) private var freeList: Unmanaged<KretprobeInstance>?
    @exclusivity(unchecked) private var freeCount = 0
    /// Instances taken and not yet finished (their calls are in flight or being handled).
    @exclusivity(unchecked) private var inFlight = 0
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
    public var freeInstances: Int { freeCount }

    /// Takes the most recently freed instance, or nil when all are in flight.
    @inline(__always)
    func takeInstance() -> Unmanaged<KretprobeInstance>? {
        guard let instance = freeList else { return nil }
        freeList = instance._withUnsafeGuaranteedRef { $0.next }
        freeCount &-= 1
        inFlight &+= 1
        return instance
    }

    /// A taken instance is done with (declined, returned or flushed): back to the pool while registered. Once the
    /// last call of an unregistered kretprobe is over the instances go, and with them possibly this kretprobe,
    /// so the caller must not touch `instance` or this kretprobe afterwards.
    @inline(__always)
    func finish(_ instance: Unmanaged<KretprobeInstance>) {
        inFlight &-= 1
        if registered {
            instance._withUnsafeGuaranteedRef { $0.next = freeList }
            freeList = instance
            freeCount &+= 1
        } else if inFlight == 0 {
            // Kept alive until the instances (which hold it) are released.
            withExtendedLifetime(self) { instances = [] }
        }
    }

    /// Registration (before `registered` is set): `count` fresh instances in the pool. Instances of an earlier
    /// registration still in flight stay owned here (and join this pool when their calls return, as before).
    func fillPool(count: Int) {
        emptyPool()
        for _ in 0..<count {
            let instance = KretprobeInstance(kretprobe: self, dataSize: max(0, dataSize))
            instances.append(instance)
            instance.next = freeList
            freeList = Unmanaged.passUnretained(instance)
            freeCount &+= 1
        }
    }

    /// Unregistration (or a failed registration): no free instances any more; with no call in flight the
    /// instances go now (breaking their cycle with this kretprobe), otherwise when the last one is finished.
    func emptyPool() {
        freeList = nil
        freeCount = 0
        if inFlight == 0 && !registered { instances = [] }
    }
}

/// One in-flight probed call: the real return address, the frame it belongs to and the scratch data.
/// kernel: struct kretprobe_instance (6.1 has no `task` field: the task is `current`, here `ctx.cpu.currentTask`;
/// this class dropped its own, whose stores cost two atomic reference counts per hit).
public final class KretprobeInstance {
    /// Strong, not `unowned` (whose every load is a checked atomic): the cycle with the kretprobe's `instances` is
    /// broken once it is unregistered and no call is in flight, so an instance in flight keeps its kretprobe
    /// until the call returns, as the kernel's `ri->rph` does until the instance is freed.
    public let kretprobe: Kretprobe
    /// The real return address the trampoline replaced (`ri->ret_addr`).
    @exclusivity(unchecked) public internal(set) var returnAddress: UInt64 = 0
    /// x86_64: the stack slot that held the return address; arm64: the frame pointer at entry (`ri->fp`).
    @exclusivity(unchecked) public internal(set) var frame: UInt64 = 0
    /// `ri->data`, `data_size` bytes.
    public var data: [UInt8]
    /// The next instance of the list this one is in: the kretprobe's free list, or its task's in-flight list
    /// (the kernel's `ri->llist`), never both. Unmanaged: the kretprobe's `instances` own every instance.
    @exclusivity(unchecked) var next: Unmanaged<KretprobeInstance>?

    init(kretprobe: Kretprobe, dataSize: Int) {
        self.kretprobe = kretprobe
        data = Array(repeating: 0, count: dataSize)
    }
}

extension Kretprobe {
    final class HandlerBox {
        let call: Handler
        init(_ call: @escaping Handler) { self.call = call }
    }
}
