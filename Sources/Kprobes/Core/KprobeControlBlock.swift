/// Per-CPU kprobe state: `current_kprobe` and `struct kprobe_ctlblk`, with the one saved level of nesting.
/// kernel: include/linux/kprobes.h, arch/x86/include/asm/kprobes.h, arch/arm64/include/asm/kprobes.h.
///
/// A handle on state the manager allocates once per CPU (`allocate`), as the kernel's per-CPU variables: the
/// trap path passes it around without reference counting (a class instance here was retained and released
/// several times per hit) and without dynamic exclusivity checks (one CPU's block is only touched by the
/// thread running that CPU). The kprobes are held unmanaged, as the kernel's plain pointers: setting and
/// clearing `current_kprobe` costs nothing, and `KprobeManager` keeps an unregistered probe alive while a block
/// still refers to it (the kernel's unregistration waits for handlers with synchronize_rcu).
struct KprobeControlBlock {
    struct Saved {
        var kprobe: Unmanaged<Kprobe>?
        var status: KprobeStatus
        /// x86 `kprobe_old_flags`/`kprobe_saved_flags`; arm64 `saved_irqflag` (DAIF bits).
        var oldFlags: UInt64
        var savedFlags: UInt64
    }

    /// The live block and `prev_kprobe`: only one level of nesting can be saved.
    struct State {
        var live = Saved(kprobe: nil, status: .idle, oldFlags: 0, savedFlags: 0)
        var previous = Saved(kprobe: nil, status: .idle, oldFlags: 0, savedFlags: 0)
        /// kernel (up to v5.13): kernel/kprobes.c `kprobe_instance`, a per-CPU variable of its own (not part of
        /// the ctlblk, so save/restore_previous_kprobe leave it alone).
        var instance: Unmanaged<Kprobe>?
    }

    private let state: UnsafeMutablePointer<State>

    /// `count` blocks, one per CPU, in one allocation; the manager frees it with `deallocate(_:)`.
    static func allocate(count: Int) -> [KprobeControlBlock] {
        let storage = UnsafeMutablePointer<State>.allocate(capacity: count)
        storage.initialize(repeating: State(), count: count)
        return (0..<count).map { KprobeControlBlock(state: storage + $0) }
    }

    static func deallocate(_ blocks: [KprobeControlBlock]) {
        guard let first = blocks.first else { return }
        first.state.deinitialize(count: blocks.count)
        first.state.deallocate()
    }

    /// `current_kprobe`: the probe being handled on this CPU, or nil.
    var current: Kprobe? {
        @inline(__always) get { state.pointee.live.kprobe?.takeUnretainedValue() }
        @inline(__always) nonmutating set { state.pointee.live.kprobe = newValue.map { .passUnretained($0) } }
    }
    /// `current_kprobe` without reference counting, for the trap path and for saving and restoring it.
    var currentHandle: Unmanaged<Kprobe>? {
        @inline(__always) get { state.pointee.live.kprobe }
        @inline(__always) nonmutating set { state.pointee.live.kprobe = newValue }
    }
    var isIdle: Bool {
        @inline(__always) get { state.pointee.live.kprobe == nil }
    }
    var status: KprobeStatus {
        @inline(__always) get { state.pointee.live.status }
        @inline(__always) nonmutating set { state.pointee.live.status = newValue }
    }
    var oldFlags: UInt64 {
        @inline(__always) get { state.pointee.live.oldFlags }
        @inline(__always) nonmutating set { state.pointee.live.oldFlags = newValue }
    }
    var savedFlags: UInt64 {
        @inline(__always) get { state.pointee.live.savedFlags }
        @inline(__always) nonmutating set { state.pointee.live.savedFlags = newValue }
    }

    /// `kprobe_instance`: the aggregated child whose pre or post handler is running (set_kprobe_instance /
    /// reset_kprobe_instance in aggr_pre_handler and aggr_post_handler), read by aggr_fault_handler.
    var instance: Kprobe? {
        @inline(__always) get { state.pointee.instance?.takeUnretainedValue() }
        @inline(__always) nonmutating set { state.pointee.instance = newValue.map { .passUnretained($0) } }
    }

    /// Whether this CPU is handling `p`: as its current kprobe, or as the one saved by a reentered hit.
    func refers(to p: Kprobe) -> Bool {
        let handle = Unmanaged.passUnretained(p).toOpaque()
        let live = state.pointee.live
        return live.kprobe?.toOpaque() == handle || (live.status == .reenter && state.pointee.previous.kprobe?.toOpaque() == handle)
    }

    /// kernel: save_previous_kprobe.
    func savePrevious() {
        state.pointee.previous = state.pointee.live
    }

    /// kernel: restore_previous_kprobe.
    func restorePrevious() {
        state.pointee.live = state.pointee.previous
    }
}
