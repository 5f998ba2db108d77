/// The kretprobe benchmark's return handler counts into this, as a kernel handler increments a plain counter.
/// A captured `var` would cost a dynamic exclusivity check per increment (about 190 host instructions, more
/// than the trampoline's own bookkeeping), measuring Swift's access tracking instead of the return path.
final class ReturnCounter {
    @exclusivity(unchecked) var count = 0
}
