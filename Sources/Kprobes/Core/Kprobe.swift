import Machine

/// A kprobe, as a module fills in `struct kprobe` and passes it to `register_kprobe`.
///
/// Set either `symbolName` (plus `offset`) or `address`, and any handlers. Registration resolves the final
/// address into `address`, saves the original instruction bytes into `opcode` and keeps the arch's prepared
/// copy in `ainsn`. kernel: include/linux/kprobes.h struct kprobe.
public final class Kprobe {
    /// Return non-zero to skip the single-step and the post_handler and resume wherever the handler left the IP.
    public typealias PreHandler = (KprobeContext) -> Int32
    public typealias PostHandler = (KprobeContext) -> Void
    /// Legacy profile only: `(context, trapnr)`; return non-zero when the fault was handled.
    public typealias FaultHandler = (KprobeContext, Int32) -> Int32

    public var symbolName: String?
    public var offset: UInt64
    /// Before registration: an explicit address (instead of a symbol). After: the probed address.
    @exclusivity(unchecked) public internal(set) var address: UInt64?
    public var preHandler: PreHandler? {
        get { callPre.current?._withUnsafeGuaranteedRef { $0.call } }
        set { callPre.replace(with: newValue.map(PreHandlerBox.init)) }
    }
    public var postHandler: PostHandler? {
        get { callPost.current?._withUnsafeGuaranteedRef { $0.call } }
        set { callPost.replace(with: newValue.map(PostHandlerBox.init)) }
    }
    /// The handlers as the trap path calls them: in place, retaining nothing.
    @exclusivity(unchecked) private(set) var callPre = HandlerSlot<PreHandlerBox>()
    @exclusivity(unchecked) private(set) var callPost = HandlerSlot<PostHandlerBox>()
    public var faultHandler: FaultHandler?
    /// Hits this probe did not handle because another kprobe was active on the CPU.
    @exclusivity(unchecked) public internal(set) var nmissed: UInt64 = 0
    /// Times the breakpoint was taken with this probe's handlers run (what tracefs calls `nhit` for events).
    @exclusivity(unchecked) public internal(set) var nhit: UInt64 = 0
    @exclusivity(unchecked) public internal(set) var flags: KprobeFlags = []
    /// The original instruction bytes under the breakpoint: 1 byte on x86_64 (`kprobe_opcode_t` is u8), the
    /// 4-byte word on arm64.
    @exclusivity(unchecked) public internal(set) var opcode: [UInt8] = []
    /// The arch's prepared instruction (slot, emulation, simulation). The fields the trap path reads skip dynamic
    /// exclusivity checks: the simulation runs on one thread.
    @exclusivity(unchecked) var ainsn = ArchInsn.none
    /// For an aggregator ("aggr" kprobe): its children, newest first. nil for an ordinary probe.
    @exclusivity(unchecked) var children: [Kprobe]?
    /// x86_64 jump optimization of this entry (the kernel's `optimized_kprobe`), once prepared.
    @exclusivity(unchecked) var optinsn: X86OptimizedInsn?
    /// The aggregator this probe is a child of, if any. Strong, not `weak`: a weakly referenced object pays for
    /// side-table reference counting on every retain, and probes are retained on every hit. The manager clears it
    /// whenever the aggregator lets the child go, which breaks the cycle (and keeps the aggregator alive until
    /// the bottom half of unregistration is done with it).
    var parent: Kprobe?
    var registered = false
    /// For a kretprobe's entry probe, its kretprobe: a hit reaches it as the kernel's `pre_handler_kretprobe`
    /// does with `container_of`, with no closure context to retain, and listings print `r`. The entry probe owns
    /// it (retained at registration, released at unregistration), so a registered kretprobe lives even when its
    /// caller keeps no reference.
    @exclusivity(unchecked) var kretprobe: Unmanaged<Kretprobe>?

    /// `disabled`: register without arming (`KPROBE_FLAG_DISABLED`, the only flag callers may pass), as tracefs
    /// registers its events until they are enabled.
    public init(symbolName: String? = nil, offset: UInt64 = 0, address: UInt64? = nil, disabled: Bool = false,
                preHandler: PreHandler? = nil, postHandler: PostHandler? = nil, faultHandler: FaultHandler? = nil) {
        if disabled { flags = .disabled }
        self.symbolName = symbolName
        self.offset = offset
        self.address = address
        self.preHandler = preHandler
        self.postHandler = postHandler
        self.faultHandler = faultHandler
    }

    public var isAggregator: Bool { children != nil }
    /// kernel: kprobe_disabled(): disabled or gone.
    /// After unregistration, forgets the address a symbol resolved to, so registering the probe again resolves
    /// the symbol afresh (a module loaded again lands elsewhere).
    /// kernel: kernel/trace/trace_kprobe.c __unregister_trace_kprobe ("Cleanup kprobe for reuse").
    public func forgetResolvedAddress() {
        if symbolName != nil && !registered { address = nil }
    }

    public var isDisabled: Bool { !flags.isDisjoint(with: [.disabled, .gone]) }
    public var isGone: Bool { flags.contains(.gone) }
    public var isOptimized: Bool { flags.contains(.optimized) }
    public var isFtrace: Bool { flags.contains(.ftrace) }
    /// Whether a hit arrives through a breakpoint exception (int3, BRK) with interrupts off, rather than through
    /// ftrace's call or an optimized probe's jump (written by the optimizer, not merely queued).
    public var isHitByBreakpoint: Bool {
        let entry = parent ?? self
        return !entry.isFtrace && !(entry.optinsn?.jumpWritten ?? false)
    }
    /// x86: the instruction is emulated in the int3 handler (its slot copy is written but never executed).
    public var isEmulated: Bool {
        if case .x86(let insn) = ainsn { return insn.emulation != nil }
        return false
    }

    /// The slot holding the copied instruction, if the arch uses one for this probe.
    public var slotAddress: UInt64? { ainsn.slot }
}

extension Kprobe {
    final class PreHandlerBox {
        let call: PreHandler
        init(_ call: @escaping PreHandler) { self.call = call }
    }

    final class PostHandlerBox {
        let call: PostHandler
        init(_ call: @escaping PostHandler) { self.call = call }
    }
}
