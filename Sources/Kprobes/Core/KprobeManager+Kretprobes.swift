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
        rp.pool = (0..<rp.maxactive).map { _ in KretprobeInstance(kretprobe: rp, dataSize: max(0, rp.dataSize)) }
        rp.nmissed = 0
        placeTrampoline()
        // The entry probe holds the kretprobe (the table holds the probe), so a registered kretprobe lives until
        // it is unregistered even if the caller keeps no reference; unregistering breaks the cycle. The manager is
        // captured strongly (an `unowned` capture costs a checked load on every hit): it lives as long as the
        // machine anyway, and unregistering drops the closure. The back end is captured too, so a hit does not
        // load (and retain) `arch`.
        let backEnd: KprobeArch = arch
        p.preHandler = { ctx in self.kretprobeEntry(rp, ctx, arch: backEnd) }
        p.postHandler = nil
        p.isKretprobeEntry = true
        do { try register(p) } catch {
            rp.pool = []
            throw error
        }
        rp.registered = true
    }

    /// `unregister_kretprobe`: the entry probe goes; instances still in flight stay with their tasks and are
    /// dropped when those return or are reaped.
    public func unregister(_ rp: Kretprobe) {
        unregister(rp.kp)
        rp.kp.preHandler = nil
        rp.registered = false
        rp.pool = []
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
    /// address. Always returns 0, so the entry instruction is stepped as usual.
    func kretprobeEntry(_ rp: Kretprobe, _ ctx: KprobeContext, arch: KprobeArch) -> Int32 {
        let cpu = ctx.cpu
        guard let instance = rp.pool.popLast() else {
            rp.nmissed &+= 1
            record(cpu, .kretprobeMissed(address: rp.kp.address ?? 0, nmissed: rp.nmissed))
            return 0
        }
        let task = cpu.currentTask
        instance.task = task
        record(cpu, .kretprobeTake(address: rp.kp.address ?? 0, instancesLeft: rp.pool.count))
        if let entry = rp.entryHandler, entry(instance, ctx) != 0 {
            rp.pool.append(instance)
            record(cpu, .kretprobeDeclined(address: rp.kp.address ?? 0))
            return 0
        }
        guard let trampoline else { return 0 }
        arch.prepareKretprobe(instance, cpu: cpu, trampoline: trampoline)
        taskState(task).instances.append(instance)
        record(cpu, .kretprobeSwap(address: rp.kp.address ?? 0, returnAddress: instance.returnAddress, trampoline: trampoline))
        return 0
    }

    private func taskState(_ owner: KernelTask?) -> KretprobeTaskState {
        if let state = owner?.probeState as? KretprobeTaskState { return state }
        let state = KretprobeTaskState()
        owner?.probeState = state
        return state
    }

    /// `__kretprobe_trampoline_handler`: find the real return address (skipping instances whose saved address is
    /// the trampoline itself: further kretprobes on the same frame), set the IP to it, run every handler of the
    /// frame from the most recent entry, recycle the instances and continue at the real return address. Each
    /// instance keeps the address it saved: with two kretprobes on one function, the one swapped last saved the
    /// trampoline, and tracefs prints it as `[unknown/kretprobe'd]` (captured on 6.1, both arches).
    /// `arch` is the back end the trap came through (a parameter, so the return path needs no load of `arch`).
    func kretprobeReturn(cpu: CPU, frame: UInt64, arch: KprobeArch) -> TrapResult {
        guard let trampoline else { return .notHandled }
        let state = taskState(cpu.currentTask)
        guard let found = state.instances.lastIndex(where: { $0.returnAddress != trampoline }) else {
            return bug(arch.kretprobeLostMessage, address: trampoline, cpu: cpu)
        }
        let returnAddress = state.instances[found].returnAddress
        record(cpu, .kretprobeTrampoline(frame: frame, returnAddress: returnAddress))
        cpu.registers[pcSlot] = returnAddress
        // kprobe_busy / current_kprobe = &rp->kp: a probe hit inside a return handler is missed.
        let kcb = controlBlock(cpu)
        let saved = (kcb.current, kcb.status)
        for index in stride(from: state.instances.count - 1, through: found, by: -1) {
            let instance = state.instances[index]
            // WARN_ON_ONCE(ri->fp != frame_pointer): an instance of another frame ends the walk.
            if instance.frame != frame { break }
            let rp = instance.kretprobe
            if let handler = rp.handler, rp.registered {
                kcb.current = rp.kp
                kcb.status = .hitActive
                record(cpu, .kretprobeHandler(address: rp.kp.address ?? 0, returnValue: machine.core.returnValue(cpu)))
                _ = handler(instance, KprobeContext(kprobe: rp.kp, cpu: cpu, machine: machine))
            }
        }
        (kcb.current, kcb.status) = saved
        // Recycled in entry order, then dropped from the task's list one at a time (a slice of the list, or
        // `removeLast(_:)` and `removeSubrange`, would copy it or go through the general range replacement).
        for index in found..<state.instances.count {
            let instance = state.instances[index]
            guard instance.kretprobe.registered else { continue }
            instance.task = nil
            instance.kretprobe.pool.append(instance)
        }
        while state.instances.count > found { state.instances.removeLast() }
        arch.resumeAfterKretprobe(cpu: cpu, returnAddress: returnAddress)
        record(cpu, .kretprobeRestore(returnAddress: returnAddress))
        return .handled
    }

    /// `kprobe_flush_task` / `rethook_flush_task`: a reaped task's instances (calls that never returned) go
    /// back to their pools without any handler call.
    public func taskReaped(_ task: KernelTask, machine: Machine) {
        guard let state = task.probeState as? KretprobeTaskState, !state.instances.isEmpty else { return }
        for instance in state.instances where instance.kretprobe.registered {
            instance.task = nil
            instance.kretprobe.pool.append(instance)
        }
        record(nil, .kretprobeFlush(pid: task.pid, instances: state.instances.count))
        state.instances = []
    }
}
