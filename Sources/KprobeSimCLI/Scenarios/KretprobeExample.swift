import Machine
import Kprobes

/// samples/kprobes/kretprobe_example.c, as seed 001 presents it: the entry_handler timestamps the call in
/// per-instance data, the return handler prints the return value and the duration, and unregistering reports
/// how many calls were missed ("nmissed > 0 suggests that maxactive was set too low"). The sample skips kernel
/// threads (`!current->mm`); every simulated task stands for a process making a system call, so none is skipped.
enum KretprobeExample {
    static let function = "fib_rec"

    static func run(_ machine: Machine, _ kprobes: KprobeManager, _ log: KernelLog, maxactive: Int) throws {
        let rp = Kretprobe(symbolName: function, maxactive: maxactive, dataSize: 8, handler: { instance, ctx in
            let start = instance.data.withUnsafeBytes { $0.load(as: UInt64.self) }
            let retval = Int32(truncatingIfNeeded: ctx.regs.returnValue)
            log.printk("\(function) returned \(retval) and took \(ctx.nanoseconds &- start) ns to execute", cpu: ctx.cpu)
            return 0
        }, entryHandler: { instance, ctx in
            withUnsafeBytes(of: ctx.nanoseconds) { instance.data = Array($0) }
            return 0
        })
        do { try kprobes.register(rp) } catch {
            log.printk("register_kretprobe failed, returned -\(error.rawValue)")
            return
        }
        log.printk("Planted return probe at \(function): \(KernelLog.hex(rp.kp.address ?? 0))")
        let result = try machine.call(function, arguments: [5])
        log.printk("workload: \(function)(5) = \(result)")
        kprobes.unregister(rp)
        log.printk("kretprobe at \(KernelLog.hex(rp.kp.address ?? 0)) unregistered")
        log.printk("Missed probing \(rp.nmissed) instances of \(function)")
    }
}
