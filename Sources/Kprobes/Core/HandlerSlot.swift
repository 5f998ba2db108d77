/// Where a handler closure lives so that the trap path can call it in place, as the kernel calls
/// `p->pre_handler` or `rp->handler` through a plain function pointer.
///
/// A closure loaded from a stored property is retained and released around every call, for the state it
/// captures. Here each assigned closure sits in a `let` of a box, and the trap path reaches the current box
/// unmanaged, so a call costs no reference counting. Every box ever assigned is kept until the owner (the
/// kprobe or kretprobe) goes: an assignment may come from inside the running handler, which must outlive its
/// call. The boxes are small concrete classes of their owners, created and opened where the closure's type is
/// known: a closure that passes through a generic type is kept at its most general abstraction, and every call
/// would go through reabstraction thunks.
struct HandlerSlot<Box: AnyObject> {
    /// The box the trap path calls, or nil when no handler is set.
    private(set) var current: Unmanaged<Box>?
    private var kept: [Box] = []

    init() {}

    /// Makes `box` the current handler (nil: none), keeping the previous ones.
    mutating func replace(with box: Box?) {
        if let box { kept.append(box) }
        current = box.map { .passUnretained($0) }
    }
}
