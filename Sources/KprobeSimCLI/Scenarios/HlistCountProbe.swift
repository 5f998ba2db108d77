import Machine
import Kprobes

/// Seed 000: a kprobe module that, before a hash lookup walks its chain, finds the (static) hash table through
/// `kallsyms_lookup_name`, recomputes the bucket the way the lookup does, and walks the `hlist` itself to
/// print the chain length. Here the lookup is the corpus's `hlist_lookup(key)` over `htable[16]`.
enum HlistCountProbe {
    static func run(_ machine: Machine, _ kprobes: KprobeManager, _ log: KernelLog) throws {
        guard let table = machine.symbols.lookup(name: "htable") else {
            log.printk("kallsyms_lookup_name(\"htable\") failed")
            return
        }
        let probe = Kprobe(symbolName: "hlist_lookup", preHandler: { ctx in
            let key = ctx.regs.argument(0)
            let bucket = key & 15
            // struct hlist_head { struct hlist_node *first; }; struct hlist_node { next, pprev }.
            var node = (try? ctx.machine.memory.read64(table.address + bucket * 8)) ?? 0
            var length = 0
            while node != 0 && length < 1000 {
                length += 1
                node = (try? ctx.machine.memory.read64(node)) ?? 0
            }
            log.printk("hlist_lookup key=\(key) bucket=\(bucket) chain length=\(length)", cpu: ctx.cpu)
            return 0
        })
        do { try kprobes.register(probe) } catch {
            log.printk("register_kprobe failed, returned -\(error.rawValue)")
            return
        }
        log.printk("Planted kprobe at \(KernelLog.hex(probe.address ?? 0))")
        for key: UInt64 in [1, 17, 5, 15, 0, 100, 7] {
            let value = try machine.call("hlist_lookup", arguments: [key])
            log.printk("workload: hlist_lookup(\(key)) = \(value)")
        }
        kprobes.unregister(probe)
        log.printk("kprobe at \(KernelLog.hex(probe.address ?? 0)) unregistered")
    }
}
