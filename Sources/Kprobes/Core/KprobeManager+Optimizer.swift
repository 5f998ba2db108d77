import Machine

/// x86_64 jump optimization policy. kernel: kernel/kprobes.c try_to_optimize_kprobe, optimize_kprobe,
/// unoptimize_kprobe, kprobe_optimizer (delayed by OPTIMIZE_DELAY), get_optimized_kprobe, and the
/// `debug.kprobes-optimization` sysctl.
extension KprobeManager {
    /// `try_to_optimize_kprobe` + `optimize_kprobe`: prepare the detour once, then queue the probe (setting
    /// OPTIMIZED at once, as the kernel does) for the optimizer. Only x86_64; never for ftrace probes, disabled
    /// probes, or an address with a post_handler; blocked while another armed probe sits in the replaced bytes.
    func tryToOptimize(_ entry: Kprobe) {
        guard let x86 = arch as? X86KprobeArch, let optSlots, optimizationEnabled, !allDisarmed, !entry.isFtrace,
              !entry.isDisabled, !hasPostHandler(entry), !entry.isOptimized, let address = entry.address else { return }
        if entry.optinsn == nil {
            let detour = optSlots.allocate()
            guard let prepared = x86.prepareOptimized(at: address, detour: detour) else {
                optSlots.free(detour)
                return
            }
            entry.optinsn = prepared
        }
        guard let opt = entry.optinsn else { return }
        // arch_check_optimized_kprobe: another armed probe inside the region blocks optimization.
        for offset in 1..<opt.size {
            if let other = get(address + UInt64(offset)), !other.isDisabled { return }
        }
        if detours.get(opt.detour) == nil { detours.insert(entry, at: opt.detour) } else { detours.replace(detours.get(opt.detour)!, with: entry, at: opt.detour) }
        entry.flags.insert(.optimized)
        optimizing.append(entry)
        record(nil, .optimizeQueued(address: address, detour: opt.detour, size: opt.size))
        if !optimizerScheduled {
            optimizerScheduled = true
            // `unowned`: the machine holds this manager (trap table, task observers) as long as it holds the work.
            // A `weak` capture would give the manager a side table and slow every retain of it on the trap path.
            machine.scheduleDelayedWork(after: profile.optimizeDelayCycles) { [unowned self] in self.runOptimizer() }
        }
    }

    /// `kprobe_optimizer`: write the jumps of every queued probe (it normally runs OPTIMIZE_DELAY after the first
    /// was queued; call it to drain the queue now).
    public func runOptimizer() {
        optimizerScheduled = false
        guard let x86 = arch as? X86KprobeArch else { return }
        for entry in optimizing where entry.isOptimized {
            guard let address = entry.address, var opt = entry.optinsn, !opt.jumpWritten,
                  let jump = x86.writeJump(at: address, &opt) else { continue }
            entry.optinsn = opt
            record(nil, .optimized(address: address, jump: jump))
        }
        optimizing = []
    }

    /// `unoptimize_kprobe(p, force)`: back to an int3 probe (int3 first, then the saved bytes).
    func unoptimize(_ entry: Kprobe) {
        guard entry.isOptimized, let x86 = arch as? X86KprobeArch else { return }
        entry.flags.remove(.optimized)
        optimizing.removeAll { $0 === entry }
        guard let address = entry.address, var opt = entry.optinsn else { return }
        let wasWritten = opt.jumpWritten
        x86.removeJump(at: address, &opt)
        entry.optinsn = opt
        if wasWritten { record(nil, .unoptimized(address: address, restored: opt.copiedInsn)) }
    }

    /// `get_optimized_kprobe`: an optimized probe whose replaced bytes include `address` (after its first).
    func optimizedCovering(_ address: UInt64) -> Kprobe? {
        for back in 1..<UInt64(X86KprobeArch.maxOptimizedLength) where back <= address {
            if let entry = get(address - back), entry.isOptimized, let opt = entry.optinsn, opt.covers(address, from: address - back) {
                return entry
            }
        }
        return nil
    }

    /// The detour buffer of an optimized (or queued) probe, for teaching views.
    public func detourAddress(of p: Kprobe) -> UInt64? { (p.parent ?? p).optinsn?.detour }

    /// `opt_pre_handler`: every enabled pre_handler runs; return values are ignored.
    /// kernel: arch/x86/kernel/kprobes/opt.c optimized_callback, kernel/kprobes.c opt_pre_handler
    func runOptimizedPreHandlers(_ entry: Kprobe, cpu: CPU, arch: KprobeArch) {
        guard let children = entry.children else {
            _ = callPre(entry, cpu: cpu, arch: arch)
            return
        }
        for child in children where !child.isDisabled { _ = callPre(child, cpu: cpu, arch: arch) }
    }
}
