import Machine
import Kprobes

/// Seed 001: `kprobe` on `inet_bind`; the pre_handler takes the socket and the sockaddr from the first two
/// argument registers (x86_64 `di`/`si`, arm64 `x0`/`x1`, as the article's #ifdefs do) and prints the port,
/// converted from network byte order.
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
            log.printk("handler_pre name:\(comm) pid:\(pid) socket bind port=\(port)", cpu: ctx.cpu)
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
