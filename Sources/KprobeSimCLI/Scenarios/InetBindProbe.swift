import Machine
import Kprobes

/// Seed 001: `kprobe` on `inet_bind`; the pre_handler takes the sockaddr from the second argument register
/// (x86_64 `si`, arm64 `x1`, as the article's #ifdefs do; they load the socket from the first too, and never use
/// it) and prints the port, converted from network byte order, in the article's `pr_info` format.
enum InetBindProbe {
    static func run(_ machine: Machine, _ kprobes: KprobeManager, _ log: KernelLog) throws {
        var ports: [UInt16] = []
        let probe = Kprobe(symbolName: "inet_bind", preHandler: { ctx in
            let sockaddr = ctx.regs.argument(1)
            // struct sockaddr_in { u16 sin_family; u16 sin_port; ... }: the port is big-endian at offset 2.
            let raw = (try? ctx.machine.memory.read16(sockaddr + 2)) ?? 0
            let port = raw.byteSwapped
            ports.append(port)
            let comm = ctx.cpu.currentTask?.comm ?? "swapper"
            let pid = ctx.cpu.currentTask?.pid ?? 0
            // pr_info("%s name:%s pid:%d socket bind port=%d\n", p->symbol_name, current->comm, task_pid_nr(current), snum)
            log.printk("\(ctx.kprobe.symbolName ?? "") name:\(comm) pid:\(pid) socket bind port=\(port)", cpu: ctx.cpu)
            return 0
        })
        do { try kprobes.register(probe) } catch {
            log.printk("register_kprobe failed, returned -\(error.rawValue)")
            return
        }
        log.printk("Planted kprobe at \(KernelLog.hex(probe.address ?? 0))")
        for index: UInt64 in 0..<4 {
            let result = Int64(bitPattern: try machine.call("inet_bind_test", arguments: [index, 16, 1]))
            log.printk("workload: inet_bind(bind_addrs[\(index)]) = \(result)")
        }
        kprobes.unregister(probe)
        log.printk("kprobe at \(KernelLog.hex(probe.address ?? 0)) unregistered")
    }
}
