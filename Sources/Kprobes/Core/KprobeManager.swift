import Machine
import X86_64

/// The kprobe subsystem of one simulated machine: the policy half of the kernel's kprobes
/// (kernel/kprobes.c — registration, the probe table, aggregation, enable/disable, nmissed, the blacklist),
/// driving an arch back end (arch/x86/kernel/kprobes, arch/arm64/kernel/probes) for the mechanism.
///
/// Creating one registers its arch back end as a trap handler with the machine at the priority of the kernel's
/// `kprobe_exceptions_nb` (0x7fffffff), so breakpoints, debug traps and faults reach it first.
public final class KprobeManager {
    /// kallsyms shows slot pages as `kprobe_insn_page [__builtin__kprobes]`.
    public static let slotModuleName = "__builtin__kprobes"

    public let machine: Machine
    public let profile: KernelProfile
    /// Whether hits keep `kprobe_instance`: only kernels with the user fault_handler read it
    /// (`profile.hasFaultHandler`, read once: the aggregated handler loops test it on every hit).
    private let tracksKprobeInstance: Bool
    private let ledger: Ledger
    public var blacklist = Blacklist()
    /// debugfs `kprobes/enabled` = 0: every probe disarmed, per-probe DISABLED flags untouched.
    public private(set) var allDisarmed = false
    let table = KprobeTable()
    let controlBlocks: [KprobeControlBlock]
    /// The register-file slot of the program counter (`instruction_pointer`), read once from the core.
    let pcSlot: Int
    @exclusivity(unchecked) private(set) var arch: KprobeArch!
    let slots: InstructionSlots
    /// The kretprobe trampoline in simulated text, placed when the first kretprobe registers.
    @exclusivity(unchecked) public internal(set) var trampoline: UInt64?
    /// x86_64 kprobes on ftrace (fentry) sites; nil on arm64, which 6.1 builds without KPROBES_ON_FTRACE.
    let ftrace: FtraceSites?
    /// x86_64 jump optimization: detour buffers (`kprobe_optinsn_page`), the probe owning each detour, the queue.
    let optSlots: InstructionSlots?
    let detours = KprobeTable()
    var optimizing: [Kprobe] = []
    /// Unregistered entries a CPU may still be handling (see `keepWhileHandled`).
    private var retired: [Kprobe] = []
    var optimizerScheduled = false
    /// The `debug.kprobes-optimization` sysctl (x86_64): off unoptimizes every probe, on optimizes them again.
    public var optimizationEnabled = true {
        didSet {
            guard optimizationEnabled != oldValue else { return }
            for entry in table.inListOrder { if optimizationEnabled { tryToOptimize(entry) } else { unoptimize(entry) } }
        }
    }

    public init(machine: Machine, profile: KernelProfile = .debian61) {
        self.machine = machine
        self.profile = profile
        tracksKprobeInstance = profile.hasFaultHandler
        self.ledger = machine.ledger
        ftrace = machine.architecture == .x86_64 ? FtraceSites(machine: machine) : nil
        optSlots = machine.architecture == .x86_64 ? InstructionSlots(machine: machine, slotSize: 32, pageName: "kprobe_optinsn_page") : nil
        controlBlocks = KprobeControlBlock.allocate(count: machine.cpus.count)
        pcSlot = machine.pcIndex
        switch machine.architecture {
        case .x86_64: slots = InstructionSlots(machine: machine, slotSize: X86KprobeArch.maxInsnSize)
        case .arm64: slots = InstructionSlots(machine: machine, slotSize: ARM64KprobeArch.slotSize(profile))
        }
        switch machine.architecture {
        case .x86_64: install(X86KprobeArch(manager: self))
        case .arm64: install(ARM64KprobeArch(manager: self))
        }
        for name in Blacklist.kernelNames { blacklist.add(symbol: name, in: machine.symbols) }
        machine.addTaskObserver(self)
        machine.addModuleObserver(self)
    }

    /// Keeps the back end and registers it for breakpoints, debug traps and faults.
    private func install<Arch: KprobeArch>(_ backEnd: Arch) {
        arch = backEnd
        for kind in [Trap.Kind.breakpoint, .debug, .pageFault] {
            machine.traps.register(backEnd, for: kind, priority: 0x7fff_ffff)
        }
    }

    deinit { KprobeControlBlock.deallocate(controlBlocks) }

    /// `get_kprobe`: the probe (or aggregator) at exactly `address`.
    @inline(__always)
    public func get(_ address: UInt64) -> Kprobe? { table.get(address) }

    /// Every registered probe as the user registered it (aggregators expanded into their children), in
    /// debugfs `kprobes/list` order.
    public var registered: [Kprobe] { table.inListOrder.flatMap { $0.children ?? [$0] } }

    @inline(__always)
    func controlBlock(_ cpu: CPU) -> KprobeControlBlock { controlBlocks[cpu.id] }

    // MARK: Registration

    /// `register_kprobe`. kernel: kernel/kprobes.c register_kprobe.
    public func register(_ p: Kprobe) throws(Errno) {
        let (address, onEntry) = try resolveAddress(p)
        // warn_kprobe_rereg: the same struct registered twice.
        if p.registered { throw .EINVAL }
        p.address = address
        p.flags = p.flags.intersection(.disabled)
        if onEntry { p.flags.insert(.onFunctionEntry) }
        p.nmissed = 0
        try checkAddressSafe(address)
        // check_ftrace_location: exactly on a fentry site, an x86_64 probe is implemented through ftrace.
        if ftrace != nil && machine.ftraceLocations.contains(address) { p.flags.insert(.ftrace) }

        if let existing = table.get(address) {
            try registerAggregate(existing, adding: p, at: address)
            record(nil, .registered(address: address, symbol: machine.symbols.format(address)))
            return
        }
        // arch_prepare_kprobe_ftrace: no slot, nothing to copy.
        if !p.isFtrace { try arch.prepare(p) }
        table.insert(p, at: address)
        p.registered = true
        if !allDisarmed && !p.isDisabled {
            do { try arm(p) } catch {
                table.remove(at: address)
                remove(p)
                p.registered = false
                throw error
            }
        }
        tryToOptimize(p)
        record(nil, .registered(address: address, symbol: machine.symbols.format(address)))
    }

    /// `register_kprobes`: all or nothing; `-EINVAL` for an empty list.
    public func register(_ probes: [Kprobe]) throws(Errno) {
        guard !probes.isEmpty else { throw .EINVAL }
        for (i, p) in probes.enumerated() {
            do { try register(p) } catch {
                unregister(Array(probes[..<i]))
                throw error
            }
        }
    }

    /// `_kprobe_addr`: exactly one of symbol and address; the final address re-split by kallsyms, so an offset
    /// may run into the next symbol; then the arch's entry adjustment (x86 ENDBR).
    func resolveAddress(_ p: Kprobe) throws(Errno) -> (UInt64, Bool) {
        let base: UInt64
        switch (p.symbolName, p.address) {
        case (let name?, nil):
            guard let symbol = machine.symbols.lookup(name: name) else { throw .ENOENT }
            base = symbol.address
        case (nil, let address?):
            base = address
        default:
            throw .EINVAL
        }
        let target = base &+ p.offset
        guard let hit = machine.symbols.lookup(containing: target) else { throw .ENOENT }
        return try arch.adjustAddress(symbolStart: hit.symbol.address, offset: hit.offset)
    }

    /// `check_kprobe_address_safe`: kernel or module text only (not slot pages, not data), not blacklisted; and
    /// `check_ftrace_location`: exactly on an ftrace call site, arm64 6.1 (no KPROBES_ON_FTRACE) refuses the
    /// probe (captured: arm64 `entry+4` is -EINVAL, `entry+0` is a BRK probe). x86_64 turns such a probe into an
    /// ftrace-based one; until that variant is modelled it is an int3 probe like any other.
    private func checkAddressSafe(_ address: UInt64) throws(Errno) {
        if machine.architecture == .arm64 && machine.ftraceLocations.contains(address) { throw .EINVAL }
        guard machine.memory.permissions(at: address)?.contains(.execute) == true,
              let hit = machine.symbols.lookup(containing: address), hit.symbol.isText,
              hit.symbol.module != KprobeManager.slotModuleName else { throw .EINVAL }
        if blacklist.contains(address, symbolName: hit.symbol.name) { throw .EINVAL }
    }

    /// `register_aggr_kprobe`: a second probe at an address turns the entry into an aggregator whose children
    /// share the original's prepared instruction; new children go to the head (they run first).
    private func registerAggregate(_ existing: Kprobe, adding p: Kprobe, at address: UInt64) throws(Errno) {
        let ap: Kprobe
        if existing.isAggregator {
            ap = existing
        } else {
            // init_aggr_kprobe: copy address, flags (but not OPTIMIZED), opcode and the prepared instruction.
            // An optimized first probe goes back to int3 while the aggregate takes its place (re-optimized below).
            unoptimize(existing)
            ap = Kprobe(address: address)
            ap.flags = existing.flags.subtracting(.optimized)
            ap.opcode = existing.opcode
            ap.ainsn = existing.ainsn
            // The detour moves to the aggregate (the kernel only ever optimizes aggregated probes): the first
            // probe keeps none, or it would find a freed detour if registered again on its own.
            ap.optinsn = existing.optinsn
            existing.optinsn = nil
            ap.children = [existing]
            ap.registered = true
            existing.parent = ap
            table.replace(existing, with: ap, at: address)
        }
        // copy_kprobe + add_new_kprobe.
        p.opcode = ap.opcode
        p.ainsn = ap.ainsn
        p.parent = ap
        ap.children!.insert(p, at: 0)
        p.registered = true
        if ap.isDisabled && !p.isDisabled {
            ap.flags.remove(.disabled)
            if !allDisarmed {
                do { try arm(ap) } catch {
                    ap.flags.insert(.disabled)
                    ap.children!.removeFirst()
                    p.registered = false
                    p.parent = nil
                    throw error
                }
            }
        }
        // add_new_kprobe: a post_handler forces the address back to int3; otherwise it may be optimized.
        if p.postHandler != nil { unoptimize(ap) } else { tryToOptimize(ap) }
    }

    // MARK: Enable, disable, unregister

    /// `__get_valid_kprobe`: the table entry for `p` (itself or its aggregator) if `p` is registered.
    private func validEntry(for p: Kprobe) -> Kprobe? {
        guard p.registered, let address = p.address, let entry = table.get(address) else { return nil }
        if entry === p { return p }
        return entry.children?.contains { $0 === p } == true ? entry : nil
    }

    /// `disable_kprobe`: the probe stays registered but stops firing; the breakpoint is removed when nothing
    /// at the address is enabled any more.
    public func disable(_ p: Kprobe) throws(Errno) {
        _ = try disableReturningEntry(p)
    }

    /// `__disable_kprobe`.
    private func disableReturningEntry(_ p: Kprobe) throws(Errno) -> Kprobe {
        guard let entry = validEntry(for: p) else { throw .EINVAL }
        if !p.isDisabled {
            if p !== entry { p.flags.insert(.disabled) }
            let allChildrenDisabled = entry.children?.allSatisfy(\.isDisabled) ?? true
            if p === entry || allChildrenDisabled {
                if !allDisarmed && !entry.isDisabled { disarm(entry) }
                entry.flags.insert(.disabled)
            }
        }
        return entry
    }

    /// `enable_kprobe`.
    public func enable(_ p: Kprobe) throws(Errno) {
        guard let entry = validEntry(for: p), !p.isGone else { throw .EINVAL }
        if p !== entry { p.flags.remove(.disabled) }
        if !allDisarmed && entry.isDisabled {
            entry.flags.remove(.disabled)
            do { try arm(entry) } catch {
                entry.flags.insert(.disabled)
                if p !== entry { p.flags.insert(.disabled) }
                throw error
            }
            tryToOptimize(entry)
        }
    }

    /// `unregister_kprobe`: disarm (restoring the original bytes), unlink, free the slot. Unregistering a probe
    /// that is not registered silently clears its address, as the kernel does.
    public func unregister(_ p: Kprobe) {
        unregister([p])
    }

    /// `unregister_kprobes`: the top half for each probe, then the bottom half (after the grace period).
    public func unregister(_ probes: [Kprobe]) {
        let entries = probes.compactMap { validEntry(for: $0) }
        var removed: [Kprobe] = []
        for p in probes {
            if unregisterTop(p) { removed.append(p) } else { p.address = nil }
        }
        for p in removed { unregisterBottom(p) }
        keepWhileHandled(entries)
    }

    /// synchronize_rcu, in effect: the control blocks refer to the probe being handled without owning it, so an
    /// entry unregistered while some CPU handles it (from inside its own handler, say) is kept in `retired` until
    /// a later unregistration finds every CPU idle.
    private func keepWhileHandled(_ entries: [Kprobe]) {
        if controlBlocks.allSatisfy(\.isIdle) { retired = [] }
        for entry in entries where controlBlocks.contains(where: { $0.refers(to: entry) }) { retired.append(entry) }
    }

    /// `__unregister_kprobe_top`.
    private func unregisterTop(_ p: Kprobe) -> Bool {
        guard let entry = try? disableReturningEntry(p), let address = entry.address else { return false }
        record(nil, .unregistered(address: address))
        if entry === p || (entry.children?.count == 1) {
            table.remove(at: address)
            return true
        }
        entry.children!.removeAll { $0 === p }
        p.parent = nil
        p.registered = false
        tryToOptimize(entry)
        return true
    }

    /// `__unregister_kprobe_bottom`: free the slot of an independent probe or of the last child's aggregator.
    private func unregisterBottom(_ p: Kprobe) {
        if let parent = p.parent, parent.children?.count == 1 {
            remove(parent)
            parent.children = []
            p.parent = nil
        } else if p.parent == nil && p.registered {
            remove(p)
        }
        p.registered = false
    }

    /// debugfs `kprobes/enabled`: `false` disarms every armed probe (leaving DISABLED flags alone); `true` arms
    /// every probe not disabled. kernel: arm_all_kprobes, disarm_all_kprobes.
    public func setGloballyEnabled(_ enabled: Bool) {
        guard enabled == allDisarmed else { return }
        for entry in table.inListOrder where !entry.isDisabled {
            if enabled { try? arm(entry) } else { disarm(entry) }
        }
        allDisarmed = !enabled
    }

    // MARK: debugfs

    /// debugfs `kprobes/list`: one line per probe (per child of an aggregator, newest first), buckets in order.
    /// `showAddresses` false prints zeros, as for a reader without kallsyms access.
    /// kernel: kernel/kprobes.c show_kprobe_addr, report_probe.
    public func debugfsList(showAddresses: Bool = true) -> String {
        var out = ""
        for entry in table.inListOrder {
            guard let address = entry.address else { continue }
            let hit = machine.symbols.lookup(containing: address)
            for p in entry.children ?? [entry] {
                let shown = showAddresses ? address : 0
                let hex = String(shown, radix: 16)
                out += String(repeating: "0", count: max(0, 16 - hex.count)) + hex + "  " + (p.kretprobe != nil ? "r" : "k") + "  "
                if let hit {
                    out += "\(hit.symbol.name)+0x\(String(hit.offset, radix: 16))  \(hit.symbol.module ?? " ") "
                } else {
                    out += machine.symbols.format(address) + " "
                }
                // The aggregator carries OPTIMIZED and FTRACE; each child its own GONE/DISABLED.
                if p.isGone { out += "[GONE]" }
                if p.isDisabled && !p.isGone { out += "[DISABLED]" }
                if entry.isOptimized { out += "[OPTIMIZED]" }
                if entry.isFtrace { out += "[FTRACE]" }
                out += "\n"
            }
        }
        return out
    }

    // MARK: kprobes on ftrace (x86_64)

    /// The ftrace trampoline's trap: pop the call's return address (the registers are then as at function entry,
    /// with `ip` = that return address, as ftrace_regs_caller presents them) and run the kprobe ftrace handler;
    /// execution continues at whatever `ip` is afterwards, as the trampoline's return would.
    func ftraceTrampoline(cpu: CPU, ftrace: FtraceSites, arch: KprobeArch) -> TrapResult {
        let r = cpu.registers.words
        guard let callReturn = try? machine.memory.read64(r[X86PtRegs.sp]) else { return .notHandled }
        r[X86PtRegs.sp] &+= 8
        r[X86PtRegs.ip] = callReturn
        kprobeFtraceHandler(site: callReturn &- FtraceSites.mcountInsnSize, cpu: cpu, ftrace: ftrace, arch: arch)
        return .handled
    }

    /// kernel: arch/x86/kernel/kprobes/ftrace.c kprobe_ftrace_handler (6.1). A hit while another kprobe runs is
    /// missed; a recursive entry into ftrace (a handler reaching another ftrace site) is dropped by
    /// ftrace_test_recursion_trylock without counting anything.
    private func kprobeFtraceHandler(site: UInt64, cpu: CPU, ftrace: FtraceSites, arch: KprobeArch) {
        guard !ftrace.recursion[cpu.id] else { return }
        ftrace.recursion[cpu.id] = true
        defer { ftrace.recursion[cpu.id] = false }
        guard let p = get(site), !p.isDisabled else { return }
        let kcb = controlBlock(cpu)
        if !kcb.isIdle {
            incrementMissed(p, cpu: cpu)
            return
        }
        let r = cpu.registers.words
        let originalIP = r[X86PtRegs.ip]
        // "Kprobe handler expects regs->ip = ip + 1 as breakpoint hit".
        r[X86PtRegs.ip] = site + 1
        record(cpu, .trap(address: site, ip: r[X86PtRegs.ip]))
        kcb.current = p
        setStatus(kcb, .hitActive, cpu: cpu)
        if runPreHandler(p, cpu: cpu, arch: arch) == 0 {
            // Emulate the single step of the 5-byte NOP, then recover the ip.
            r[X86PtRegs.ip] = site + FtraceSites.mcountInsnSize
            record(cpu, .emulated(address: site, instruction: "ftrace 5-byte nop", resumeAt: r[X86PtRegs.ip]))
            if hasPostHandler(p) {
                setStatus(kcb, .hitSSDone, cpu: cpu)
                runPostHandler(p, cpu: cpu)
            }
            r[X86PtRegs.ip] = originalIP
        }
        // A non-zero return keeps the ip the pre_handler set (IPMODIFY).
        kcb.current = nil
        kcb.status = .idle
    }

    // MARK: Arming (the same on both architectures: only the breakpoint bytes differ)

    /// `arch_arm_kprobe`: the breakpoint (x86 `cc`, arm64 `BRK #0x004`) written over the instruction through the
    /// text-poke path; the original bytes are already in `opcode`.
    func arm(_ p: Kprobe) throws(Errno) {
        guard let address = p.address else { throw .EINVAL }
        if p.isFtrace, let ftrace {
            // arm_kprobe_ftrace: attach the kprobe ftrace ops to this site.
            try ftrace.attach(address, blacklist: &blacklist)
            return
        }
        // __arm_kprobe: an optimized probe whose jump covers this address goes back to int3 first.
        if let covering = optimizedCovering(address) { unoptimize(covering) }
        do { try machine.pokeText(address, bytes: arch.breakpoint) } catch { throw .EINVAL }
        record(nil, .armed(address: address, opcode: p.opcode, breakpoint: arch.breakpoint))
    }

    /// `arch_disarm_kprobe`: the saved original written back.
    func disarm(_ p: Kprobe) {
        guard let address = p.address else { return }
        if p.isFtrace, let ftrace {
            ftrace.detach(address)
            return
        }
        unoptimize(p)
        try? machine.pokeText(address, bytes: p.opcode)
        record(nil, .disarmed(address: address, restored: p.opcode))
    }

    /// `arch_remove_kprobe`: the slot goes back to the slot pages.
    func remove(_ p: Kprobe) {
        if let slot = p.ainsn.slot { slots.free(slot) }
        p.ainsn = .none
        if let opt = p.optinsn {
            optSlots?.free(opt.detour)
            if detours.get(opt.detour) === p { detours.remove(at: opt.detour) }
            p.optinsn = nil
        }
    }

    // MARK: Handler dispatch (used by the back ends)

    /// Calls the pre_handler of `p`, or for an aggregator each enabled child's, newest first, stopping at the
    /// first non-zero return. `arch` is the back end the hit came through. kernel: aggr_pre_handler.
    ///
    /// With a user fault_handler (`KernelProfile.hasFaultHandler`), each child with a pre_handler is this CPU's
    /// `kprobe_instance` while it runs; as in the kernel, a child returning non-zero leaves it set.
    @inline(__always)
    func runPreHandler(_ p: Kprobe, cpu: CPU, arch: KprobeArch) -> Int32 {
        guard let children = p.children else { return callPre(p, cpu: cpu, arch: arch) }
        guard tracksKprobeInstance else {
            for child in children where !child.isDisabled {
                if callPre(child, cpu: cpu, arch: arch) != 0 { return 1 }
            }
            return 0
        }
        // kernel (5.4): kernel/kprobes.c aggr_pre_handler — reset_kprobe_instance after every child, with or
        // without a pre_handler, unless one returned non-zero.
        let kcb = controlBlock(cpu)
        for child in children {
            if !child.isDisabled {
                if child.callPre.current != nil || child.kretprobe != nil { kcb.instance = child }
                if callPre(child, cpu: cpu, arch: arch) != 0 { return 1 }
            }
            kcb.instance = nil
        }
        return 0
    }

    /// The user fault_handler a fault inside a handler goes to (the legacy profile's `cur->fault_handler`),
    /// after the arch code counted the miss; true when it returned non-zero (handled). For an aggregator `cur`
    /// is the aggregator, whose fault_handler is aggr_fault_handler: only the `kprobe_instance` child's own
    /// handler runs, and none when no child's handler is running.
    /// kernel (5.4): kernel/kprobes.c aggr_fault_handler; arch kprobe_fault_handler.
    func callUserFaultHandler(_ current: Kprobe, cpu: CPU, trapnr: Int32) -> Bool {
        let target = current.isAggregator ? controlBlock(cpu).instance : current
        guard let target, let handler = target.faultHandler else { return false }
        return handler(KprobeContext(kprobe: target, cpu: cpu, machine: machine), trapnr) != 0
    }

    /// One probe's pre_handler: a kretprobe entry goes straight to `pre_handler_kretprobe` (`arch` is the back
    /// end the hit came through, a parameter so the hit loads and retains nothing); any other probe's closure.
    @inline(__always)
    func callPre(_ probe: Kprobe, cpu: CPU, arch: KprobeArch) -> Int32 {
        probe.nhit &+= 1
        let result: Int32
        if let rp = probe.kretprobe {
            result = rp._withUnsafeGuaranteedRef { kretprobeEntry($0, cpu: cpu, arch: arch) }
        } else if let handler = probe.callPre.current {
            result = handler._withUnsafeGuaranteedRef { $0.call(KprobeContext(kprobe: probe, cpu: cpu, machine: machine)) }
        } else {
            return 0
        }
        record(cpu, .preHandler(address: probe.address ?? 0, ip: cpu.registers.words[pcSlot], returned: result))
        return result
    }

    /// The middle of a breakpoint hit on both back ends (kprobe_int3_handler, arm64 kprobe_handler), once
    /// `current_kprobe` is `p`: HIT_ACTIVE, the pre_handlers, then the arch's single step unless a pre_handler
    /// returned non-zero (no current kprobe then; the CPU resumes wherever the handler left the IP). The step's
    /// result is the hit's: an instruction simulated in the handler can oops.
    @inline(__always)
    func handleHit(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock, arch: KprobeArch,
                   singleStep: (Kprobe) -> TrapResult) -> TrapResult {
        setStatus(kcb, .hitActive, cpu: cpu)
        if runPreHandler(p, cpu: cpu, arch: arch) == 0 { return singleStep(p) }
        kcb.current = nil
        return .handled
    }

    /// Whether `p` has a post handler to call (an aggregator has one when any child does).
    @inline(__always)
    func hasPostHandler(_ p: Kprobe) -> Bool {
        guard let children = p.children else { return p.callPost.current != nil }
        return children.contains { $0.callPost.current != nil }
    }

    /// The end of a hit after the step or emulation, shared by both back ends: a reentered probe restores the
    /// outer one; otherwise SSDONE, the post_handlers, and no current kprobe.
    /// kernel: arch/x86/kernel/kprobes/core.c kprobe_post_process, arch/arm64/kernel/probes/kprobes.c post_kprobe_handler
    func finishHit(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock) {
        if kcb.status == .reenter {
            kcb.restorePrevious()
            return
        }
        setStatus(kcb, .hitSSDone, cpu: cpu)
        runPostHandler(p, cpu: cpu)
        kcb.current = nil
    }

    /// Calls the post_handler of `p`, or every enabled child's. kernel: aggr_post_handler.
    @inline(__always)
    func runPostHandler(_ p: Kprobe, cpu: CPU) {
        guard let children = p.children else {
            callPost(p, cpu: cpu)
            return
        }
        guard tracksKprobeInstance else {
            for child in children where !child.isDisabled { callPost(child, cpu: cpu) }
            return
        }
        // kernel (5.4): aggr_post_handler — set_kprobe_instance around each child's post_handler.
        let kcb = controlBlock(cpu)
        for child in children where !child.isDisabled && child.callPost.current != nil {
            kcb.instance = child
            callPost(child, cpu: cpu)
            kcb.instance = nil
        }
    }

    @inline(__always)
    private func callPost(_ probe: Kprobe, cpu: CPU) {
        guard let handler = probe.callPost.current else { return }
        record(cpu, .postHandler(address: probe.address ?? 0, ip: cpu.registers.words[pcSlot]))
        handler._withUnsafeGuaranteedRef { $0.call(KprobeContext(kprobe: probe, cpu: cpu, machine: machine)) }
    }

    /// `kprobes_inc_nmissed_count`: an aggregator's miss counts against every child.
    func incrementMissed(_ p: Kprobe, cpu: CPU) {
        if let children = p.children {
            for child in children { child.nmissed &+= 1 }
        } else {
            p.nmissed &+= 1
        }
        record(cpu, .missed(address: p.address ?? 0, reason: .reentered, nmissed: (p.children?.first ?? p).nmissed))
    }

    @inline(__always)
    func setStatus(_ kcb: KprobeControlBlock, _ status: KprobeStatus, cpu: CPU) {
        record(cpu, .statusChange(cpu: cpu.id, from: kcb.status, to: status))
        kcb.status = status
    }

    /// Records a kprobe event; when nobody listens the event is never built (one predictable branch).
    @inline(__always)
    func record(_ cpu: CPU?, _ event: @autoclosure () -> KprobeEvent) {
        if ledger.isRecording { ledger.append(cpu: cpu, event: event()) }
    }

    /// The kernel's `BUG()`: recorded, then the run ends with the kernel's message.
    func bug(_ message: String, address: UInt64, cpu: CPU) -> TrapResult {
        record(cpu, .bug(address: address, message: message))
        return .fatal(.kernelBug(message: message, address: address, cpu: cpu.id))
    }
}
