import Machine
import X86_64
import ARM64
import Kprobes

/// samples/kprobes/kprobe_example.c, as seed 004 presents it: a kprobe on one function whose pre and post
/// handlers print the probe address and the registers the kernel shows them. Its `fault_handler` (until 5.14)
/// prints the trap number and returns 0: it does not handle the fault.
enum KprobeExample {
    static let symbol = "sum_to"

    static func run(_ machine: Machine, _ kprobes: KprobeManager, _ log: KernelLog, fault: Bool) throws {
        let arch = machine.architecture
        let inetBind = machine.symbols.lookup(name: "inet_bind")?.address ?? 0
        let probe = Kprobe(symbolName: symbol, preHandler: { ctx in
            let r = ctx.regs
            if arch == .x86_64 {
                log.printk("<\(symbol)> pre_handler: p->addr = 0x\(KernelLog.hex(ctx.kprobe.address ?? 0)), ip = \(KernelLog.hex(r.ip)), flags = 0x\(KernelLog.hex(r[X86PtRegs.flags]))", cpu: ctx.cpu)
            } else {
                log.printk("<\(symbol)> pre_handler: p->addr = 0x\(KernelLog.hex(ctx.kprobe.address ?? 0)), pc = 0x\(KernelLog.hex(r.ip)), pstate = 0x\(KernelLog.hex(r[ARM64PtRegs.pstate]))", cpu: ctx.cpu)
            }
            if fault {
                // A handler bug: inet_bind(sk, (struct sockaddr_in *)0x10, 16) dereferences a bad pointer.
                log.printk("<\(symbol)> pre_handler: calling inet_bind with a bad address pointer", cpu: ctx.cpu)
                _ = try? ctx.call(inetBind, arguments: [0, 0x10, 16])
            }
            return 0
        }, postHandler: { ctx in
            let r = ctx.regs
            if arch == .x86_64 {
                log.printk("<\(symbol)> post_handler: p->addr = 0x\(KernelLog.hex(ctx.kprobe.address ?? 0)), flags = 0x\(KernelLog.hex(r[X86PtRegs.flags]))", cpu: ctx.cpu)
            } else {
                log.printk("<\(symbol)> post_handler: p->addr = 0x\(KernelLog.hex(ctx.kprobe.address ?? 0)), pstate = 0x\(KernelLog.hex(r[ARM64PtRegs.pstate]))", cpu: ctx.cpu)
            }
        }, faultHandler: kprobes.profile.hasFaultHandler ? { ctx, trapnr in
            log.printk("fault_handler: p->addr = 0x\(KernelLog.hex(ctx.kprobe.address ?? 0)), trap #\(trapnr)", cpu: ctx.cpu)
            return 0
        } : nil)
        do { try kprobes.register(probe) } catch {
            log.printk("register_kprobe failed, returned -\(error.rawValue)")
            return
        }
        log.printk("Planted kprobe at \(KernelLog.hex(probe.address ?? 0))")
        if fault && !kprobes.profile.hasFaultHandler {
            log.printk("(kernel profile \(kprobes.profile.name): struct kprobe has no fault_handler since 5.14)")
        }
        do {
            for n: UInt64 in [3, 10] {
                let result = try machine.call(symbol, arguments: [n])
                log.printk("workload: \(symbol)(\(n)) = \(result)")
            }
        } catch {
            log.printk(oopsLine(error, arch: arch))
            return
        }
        kprobes.unregister(probe)
        log.printk("kprobe at \(KernelLog.hex(probe.address ?? 0)) unregistered (nmissed = \(probe.nmissed))")
    }

    /// The first line the kernel prints for an unhandled kernel page fault, per architecture.
    static func oopsLine(_ error: SimulationError, arch: Architecture) -> String {
        if case .unhandledTrap(let trap, _) = error, let fault = trap.fault {
            let address = String(repeating: "0", count: 16 - KernelLog.hex(fault.address).count) + KernelLog.hex(fault.address)
            return arch == .x86_64 ? "BUG: unable to handle page fault for address: \(address)"
                : "Unable to handle kernel paging request at virtual address \(address)"
        }
        return "kernel: \(error)"
    }
}
