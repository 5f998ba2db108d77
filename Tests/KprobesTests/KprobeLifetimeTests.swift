import Testing
import Machine
@testable import Kprobes

/// The trap path holds probes and kretprobe instances without reference counting (`current_kprobe` and the
/// instance lists are unmanaged, as the kernel's plain pointers). These check the rules that keep that sound:
/// an unregistered probe lives while a CPU still handles it, and an unregistered kretprobe lives until its last
/// call in flight returns, even when the caller kept no reference to either.
@Suite("kprobes: lifetimes behind the unmanaged trap path")
struct KprobeLifetimeTests {
    @Test("a probe unregistered by its own post_handler outlives the hit, then goes once every CPU is idle",
          arguments: [Architecture.x86_64, .arm64])
    func unregisterFromHandler(architecture: Architecture) throws {
        var posts = 0
        weak var weakProbe: Kprobe?
        let lab = try KprobeLab(architecture)
        let kprobes = lab.kprobes
        do {
            let probe = Kprobe(symbolName: "sum_to", offset: architecture == .x86_64 ? 0x13 : 0x20,
                               postHandler: { ctx in
                posts += 1
                kprobes.unregister(ctx.kprobe)
            })
            try kprobes.register(probe)
            weakProbe = probe
        }
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(posts == 1)
        // Unregistered while current: kept until a later unregistration finds the CPU idle.
        #expect(weakProbe != nil)
        kprobes.unregister(Kprobe(symbolName: "sum_to"))
        #expect(weakProbe == nil)
    }

    @Test("a kretprobe unregistered with a call in flight lives until that call returns, without a return handler",
          arguments: [Architecture.x86_64, .arm64])
    func unregisterInFlight(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["recursion"])
        let kprobes = lab.kprobes
        var returns = 0
        weak var weakKretprobe: Kretprobe?
        do {
            let rp = Kretprobe(symbolName: "fib_rec", maxactive: 4, handler: { _, _ in returns += 1; return 0 })
            rp.entryHandler = { [weak rp] _, _ in
                if let rp { kprobes.unregister(rp) }
                return 0
            }
            try kprobes.register(rp)
            weakKretprobe = rp
        }
        #expect(try lab.call("fib_rec", [5]) == 5)
        #expect(returns == 0)
        #expect(weakKretprobe == nil)
    }

    @Test("a kretprobe re-registered with a call in flight keeps that call's instance, which returns into the new pool",
          arguments: [Architecture.x86_64, .arm64])
    func reregisterInFlight(architecture: Architecture) throws {
        var returns = 0, reregistered = false
        let lab = try KprobeLab(architecture, files: ["recursion"])
        let kprobes = lab.kprobes
        // By address: re-registering a probe given by symbol fails as in the kernel (its address is set by then).
        let rp = Kretprobe(address: try lab.address("fib_rec"), maxactive: 4,
                           handler: { _, _ in returns += 1; return 0 })
        rp.entryHandler = { [unowned rp] _, _ in
            if !reregistered {
                reregistered = true
                kprobes.unregister(rp)
                try? kprobes.register(rp)
            }
            return 0
        }
        try kprobes.register(rp)
        #expect(try lab.call("fib_rec", [5]) == 5)
        // The entry probe comes back DISABLED (register_kprobe keeps that flag, which unregistering set), so only
        // the outermost call was probed; its instance, from the first registration, returned into the second.
        #expect(rp.kp.isDisabled && rp.kp.nhit == 1)
        #expect(returns == 1)
        #expect(rp.freeInstances == rp.maxactive + 1)
    }

    @Test("a return handler that replaces itself (and the state it captured) finishes its call; the next return runs the new one",
          arguments: [Architecture.x86_64, .arm64])
    func returnHandlerReplacedFromInside(architecture: Architecture) throws {
        final class Log { var lines: [String] = [] }
        let lab = try KprobeLab(architecture, files: ["recursion"])
        let log = Log()
        let rp = Kretprobe(symbolName: "fib_rec", maxactive: 4)
        do {
            // The first handler's only owner is the kretprobe: replacing it must not free it while it runs.
            let first = Log()
            rp.handler = { [unowned rp] _, _ in
                rp.handler = { _, _ in log.lines.append("second"); return 0 }
                first.lines.append("first")
                log.lines.append(first.lines.joined())
                return 0
            }
        }
        try lab.kprobes.register(rp)
        #expect(try lab.call("fib_rec", [1]) == 1)
        #expect(try lab.call("fib_rec", [1]) == 1)
        #expect(log.lines == ["first", "second"])
    }

    @Test("pre and post handlers that replace themselves (and the state they captured) finish their calls; the next hit runs the new ones",
          arguments: [Architecture.x86_64, .arm64])
    func handlersReplacedFromInside(architecture: Architecture) throws {
        final class Log { var lines: [String] = [] }
        let lab = try KprobeLab(architecture, files: ["recursion"])
        let log = Log()
        let p = Kprobe(symbolName: "fib_rec")
        do {
            // Each first handler's only owner is the probe: replacing it must not free it while it runs.
            let pre = Log(), post = Log()
            p.preHandler = { [unowned p] _ in
                p.preHandler = { _ in log.lines.append("pre 2"); return 0 }
                pre.lines.append("pre 1")
                log.lines.append(pre.lines.joined())
                return 0
            }
            p.postHandler = { [unowned p] _ in
                p.postHandler = { _ in log.lines.append("post 2") }
                post.lines.append("post 1")
                log.lines.append(post.lines.joined())
            }
        }
        try lab.kprobes.register(p)
        #expect(try lab.call("fib_rec", [1]) == 1)
        #expect(try lab.call("fib_rec", [1]) == 1)
        #expect(log.lines == ["pre 1", "post 1", "pre 2", "post 2"])
    }
}
