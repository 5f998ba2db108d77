import Machine

/// kretprobes: the policy of kernel/kprobes.c (register_kretprobe, pre_handler_kretprobe,
/// __kretprobe_trampoline_handler, kprobe_flush_task) over the arch's return-address hooks.
extension KprobeManager: TaskObserver {
    /// `register_kretprobe`: the entry probe must sit on a function entry (-EINVAL), `data_size` is bounded by
    /// the profile (-E2BIG), and `maxactive <= 0` becomes the profile's default, written back.
    public func register(_ rp: Kretprobe) throws(Errno) {
        let p = rp.kp
        // kprobe_on_func_entry: resolve without registering; the entry probe must not be registered already.
        let (address, onEntry) = try resolveAddress(p)
        guard onEntry, !p.registered else { throw .EINVAL }
        // x86_64's kretprobe_blacklist: __switch_to changes the stack under the probe.
        if machine.architecture == .x86_64, machine.symbols.lookup(name: "__switch_to")?.address == address { throw .EINVAL }
        if let limit = profile.kretprobeMaxDataSize, rp.dataSize > limit { throw .E2BIG }
        if rp.maxactive <= 0 { rp.maxactive = profile.defaultMaxactive(possibleCPUs: machine.cpus.count) }
        rp.fillPool(count: rp.maxactive)
        rp.nmissed = 0
        placeTrampoline()
        // pre_handler_kretprobe: the entry probe owns its kretprobe (the table holds the probe), so a registered
        // kretprobe lives until it is unregistered even if the caller keeps no reference.
        p.preHandler = nil
        p.postHandler = nil
        p.kretprobe = .passRetained(rp)
        do { try register(p) } catch {
            rp.emptyPool()
            releaseKretprobe(of: p)
            throw error
        }
        rp.registered = true
    }

    /// `unregister_kretprobe`: the entry probe goes; instances still in flight stay with their tasks and are
    /// dropped when those return or are reaped.
    public func unregister(_ rp: Kretprobe) {
        unregister(rp.kp)
        rp.registered = false
        rp.emptyPool()
        releaseKretprobe(of: rp.kp)
    }

    /// The entry probe lets its kretprobe go (last, as the kretprobe may go with it).
    private func releaseKretprobe(of p: Kprobe) {
        guard let rp = p.kretprobe else { return }
        p.kretprobe = nil
        rp.release()
    }

    /// Places the trampoline in simulated text once (`__kretprobe_trampoline` / `arch_rethook_trampoline`) and
    /// blacklists it, as the kernel marks it NOKPROBE.
    private func placeTrampoline() {
        guard trampoline == nil else { return }
        let code = arch.kretprobeTrampoline
        let address = machine.allocateText(size: UInt64(code.count))
        try? machine.memory.kernelWrite(address, bytes: code)
        let name = machine.architecture == .x86_64 ? "arch_rethook_trampoline" : "__kretprobe_trampoline"
        machine.symbols.add(Symbol(name: name, address: address, size: UInt64(code.count), type: "t"))
        machine.symbols.addTextRegion(address..<(address + UInt64(code.count)))
        blacklist.add(range: address, end: address + UInt64(code.count), symbol: name)
        trampoline = address
    }

    /// `pre_handler_kretprobe`: take an instance or count a miss; let the entry_handler decline; swap the return
    /// address. Always returns 0, so the entry instruction is stepped as usual. Instances are used through their
    /// unmanaged handles (the kretprobe owns them), so none of this retains or releases them. `arch` is the back
    /// end the hit came through.
    func kretprobeEntry(_ rp: Kretprobe, cpu: CPU, arch: KprobeArch) -> Int32 {
        guard let taken = rp.takeInstance() else {
            rp.nmissed &+= 1
            record(cpu, .kretprobeMissed(address: rp.kp.address ?? 0, nmissed: rp.nmissed))
            return 0
        }
        let declined = taken._withUnsafeGuaranteedRef { instance in
            record(cpu, .kretprobeTake(address: rp.kp.address ?? 0, instancesLeft: rp.freeInstances))
            if let entry = rp.callEntry.current,
               entry._withUnsafeGuaranteedRef({ $0.call(instance, KprobeContext(kprobe: rp.kp, cpu: cpu, machine: machine)) }) != 0 {
                return true
            }
            guard let trampoline else { return false }
            arch.prepareKretprobe(instance, cpu: cpu, trampoline: trampoline)
            // __llist_add to current->kretprobe_instances: the instance becomes the task's newest.
            instance.next = KprobeManager.newestInstance(cpu.currentProbeState)
            cpu.currentProbeState = taken.toOpaque()
            record(cpu, .kretprobeSwap(address: rp.kp.address ?? 0, returnAddress: instance.returnAddress, trampoline: trampoline))
            return false
        }
        if declined {
            record(cpu, .kretprobeDeclined(address: rp.kp.address ?? 0))
            rp.finish(taken)
        }
        return 0
    }

    /// The newest in-flight instance of a task, from its `probeState` (`current->kretprobe_instances.first`);
    /// older ones follow through `next`.
    static func newestInstance(_ probeState: UnsafeMutableRawPointer?) -> Unmanaged<KretprobeInstance>? {
        probeState.map { Unmanaged.fromOpaque($0) }
    }

    /// Finishes a chain of instances no longer in any list (newest first) in entry order, oldest first, so the
    /// newest goes back to its pool last and is taken next.
    private func recycleChain(_ newest: Unmanaged<KretprobeInstance>) {
        var oldest: Unmanaged<KretprobeInstance>?
        var cursor: Unmanaged<KretprobeInstance>? = newest
        while let handle = cursor {
            cursor = handle._withUnsafeGuaranteedRef { instance in
                let next = instance.next
                instance.next = oldest
                return next
            }
            oldest = handle
        }
        cursor = oldest
        while let handle = cursor {
            cursor = handle._withUnsafeGuaranteedRef { instance in
                let next = instance.next
                instance.next = nil
                instance.kretprobe.finish(handle)
                return next
            }
        }
    }

    /// `__kretprobe_trampoline_handler`: find the real return address (skipping instances whose saved address is
    /// the trampoline itself: further kretprobes on the same frame), set the IP to it, run every handler of the
    /// frame from the most recent entry, recycle the instances and continue at the real return address. Each
    /// instance keeps the address it saved: with two kretprobes on one function, the one swapped last saved the
    /// trampoline, and tracefs prints it as `[unknown/kretprobe'd]` (captured on 6.1, both arches).
    /// `arch` is the back end the trap came through (a parameter, so the return path needs no load of `arch`).
    func kretprobeReturn(cpu: CPU, frame: UInt64, arch: KprobeArch) -> TrapResult {
        guard let trampoline else { return .notHandled }
        let newest = KprobeManager.newestInstance(cpu.currentProbeState)
        var search = newest
        while let handle = search, handle._withUnsafeGuaranteedRef({ $0.returnAddress == trampoline }) {
            search = handle._withUnsafeGuaranteedRef { $0.next }
        }
        guard let found = search, let newest else {
            return bug(arch.kretprobeLostMessage, address: trampoline, cpu: cpu)
        }
        let (returnAddress, older) = found._withUnsafeGuaranteedRef { ($0.returnAddress, $0.next) }
        record(cpu, .kretprobeTrampoline(frame: frame, returnAddress: returnAddress))
        cpu.registers.words[pcSlot] = returnAddress
        // kprobe_busy / current_kprobe = &rp->kp: a probe hit inside a return handler is missed.
        let kcb = controlBlock(cpu)
        let saved = (kcb.currentHandle, kcb.status)
        var cursor: Unmanaged<KretprobeInstance>? = newest
        while let handle = cursor {
            cursor = handle._withUnsafeGuaranteedRef { instance in
                // WARN_ON_ONCE(ri->fp != frame_pointer): an instance of another frame ends the walk.
                if instance.frame != frame { return nil }
                let rp = instance.kretprobe
                if let handler = rp.callReturn.current, rp.registered {
                    kcb.currentHandle = .passUnretained(rp.kp)
                    kcb.status = .hitActive
                    record(cpu, .kretprobeHandler(address: rp.kp.address ?? 0, returnValue: machine.returnValue(on: cpu)))
                    _ = handler._withUnsafeGuaranteedRef { $0.call(instance, KprobeContext(kprobe: rp.kp, cpu: cpu, machine: machine)) }
                }
                return handle.toOpaque() == found.toOpaque() ? nil : instance.next
            }
        }
        (kcb.currentHandle, kcb.status) = saved
        // The task's list continues after the found instance; the part up to it is finished.
        cpu.currentProbeState = older?.toOpaque()
        found._withUnsafeGuaranteedRef { $0.next = nil }
        recycleChain(newest)
        arch.resumeAfterKretprobe(cpu: cpu, returnAddress: returnAddress)
        record(cpu, .kretprobeRestore(returnAddress: returnAddress))
        return .handled
    }

    /// `kprobe_flush_task` / `rethook_flush_task`: a reaped task's instances (calls that never returned) go
    /// back to their pools without any handler call.
    public func taskReaped(_ task: KernelTask, machine: Machine) {
        guard let newest = KprobeManager.newestInstance(task.probeState) else { return }
        var count = 0
        var cursor: Unmanaged<KretprobeInstance>? = newest
        while let handle = cursor {
            count += 1
            cursor = handle._withUnsafeGuaranteedRef { $0.next }
        }
        task.probeState = nil
        recycleChain(newest)
        record(nil, .kretprobeFlush(pid: task.pid, instances: count))
    }
}
