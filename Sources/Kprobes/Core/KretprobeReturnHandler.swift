/// A kretprobe's return handler in a box of its own: the trampoline reaches it unmanaged and calls the `let`
/// closure in place, so a return costs no reference counting on the closure's captured state.
/// kernel: kernel/kprobes.c __kretprobe_trampoline_handler calls `rp->handler(ri, regs)`.
final class KretprobeReturnHandler {
    let call: Kretprobe.Handler

    init(_ call: @escaping Kretprobe.Handler) {
        self.call = call
    }
}
