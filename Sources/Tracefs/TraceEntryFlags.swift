/// The context bits recorded with every event (`common_flags` and `common_preempt_count` of struct trace_entry),
/// rendered as the five-character irq-info column of the `trace` file.
/// kernel: kernel/trace/trace.c tracing_gen_ctx_irq_test (what is recorded), kernel/trace/trace_output.c
/// trace_print_lat_fmt (how it prints), v6.1.
public struct TraceEntryFlags: Sendable, Hashable {
    /// TRACE_FLAG_IRQS_OFF: interrupts were disabled.
    public var irqsOff: Bool
    /// TRACE_FLAG_BH_OFF: bottom halves were disabled.
    public var bhOff: Bool
    /// TRACE_FLAG_NEED_RESCHED: TIF_NEED_RESCHED was set.
    public var needResched: Bool
    /// TRACE_FLAG_PREEMPT_RESCHED: the preempt-count need-resched bit was set (x86 folds it into preempt_count).
    public var preemptResched: Bool
    /// TRACE_FLAG_HARDIRQ, TRACE_FLAG_SOFTIRQ, TRACE_FLAG_NMI: the interrupt context.
    public var hardirq: Bool
    public var softirq: Bool
    public var nmi: Bool
    /// Preemption depth (low nibble of `common_preempt_count`), 0...15.
    public var preemptDepth: UInt8
    /// Migrate-disable depth (high nibble of `common_preempt_count`), 0...15.
    public var migrateDisable: UInt8

    public init(irqsOff: Bool = false, bhOff: Bool = false, needResched: Bool = false, preemptResched: Bool = false,
                hardirq: Bool = false, softirq: Bool = false, nmi: Bool = false,
                preemptDepth: UInt8 = 0, migrateDisable: UInt8 = 0) {
        self.irqsOff = irqsOff
        self.bhOff = bhOff
        self.needResched = needResched
        self.preemptResched = preemptResched
        self.hardirq = hardirq
        self.softirq = softirq
        self.nmi = nmi
        self.preemptDepth = preemptDepth
        self.migrateDisable = migrateDisable
    }

    /// `common_preempt_count` as recorded: preempt depth in bits 0-3, migrate-disable depth in bits 4-7.
    public var preemptCount: UInt8 { (min(migrateDisable, 15) << 4) | min(preemptDepth, 15) }

    /// `common_flags` as recorded (enum trace_flag_type: IRQS_OFF 0x01, NEED_RESCHED 0x04, HARDIRQ 0x08,
    /// SOFTIRQ 0x10, PREEMPT_RESCHED 0x20, NMI 0x40, BH_OFF 0x80).
    public var commonFlags: UInt8 {
        (irqsOff ? 0x01 : 0) | (needResched ? 0x04 : 0) | (hardirq ? 0x08 : 0) | (softirq ? 0x10 : 0)
            | (preemptResched ? 0x20 : 0) | (nmi ? 0x40 : 0) | (bhOff ? 0x80 : 0)
    }

    /// The irq-info column, e.g. `d.h1.`: irqs-off/BH-disabled, need-resched, hardirq/softirq, preempt-depth,
    /// migrate-disable. kernel: trace_output.c trace_print_lat_fmt.
    public var column: String {
        let irqs: Character = irqsOff && bhOff ? "D" : irqsOff ? "d" : bhOff ? "b" : "."
        let resched: Character = switch (needResched, preemptResched) {
        case (true, true): "N"
        case (true, false): "n"
        case (false, true): "p"
        case (false, false): "."
        }
        let context: Character = nmi && hardirq ? "Z" : nmi ? "z" : hardirq && softirq ? "H"
            : hardirq ? "h" : softirq ? "s" : "."
        func nibble(_ value: UInt8) -> String { value & 0xf == 0 ? "." : String(value & 0xf, radix: 16) }
        return String([irqs, resched, context]) + nibble(preemptCount) + nibble(preemptCount >> 4)
    }
}
