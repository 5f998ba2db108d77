import Kprobes
import Machine

/// The tracefs tree of the kprobe-event interface over one simulated machine: `kprobe_events`,
/// `dynamic_events`, `events/GRP/EVENT/{enable,format,id,filter}`, `events/GRP/{enable,filter}`, `trace`, `trace_pipe`,
/// `kprobe_profile`, `error_log`, `buffer_size_kb`, `options/overwrite`, `tracing_on`, and debugfs
/// `kprobes/{list,enabled,blacklist}`. Paths are those of a real system
/// (`/sys/kernel/tracing/...`, `/sys/kernel/debug/tracing/...`, `/sys/kernel/debug/kprobes/...`).
/// kernel: kernel/trace/trace_kprobe.c, trace_dynevent.c, trace_events.c, trace.c (v6.1).
public final class Tracefs: ModuleObserver {
    public let machine: Machine
    public let kprobes: KprobeManager
    /// Probes in creation order (the `dyn_event_list` order `kprobe_events` prints).
    var probes: [TraceKprobe] = []
    public private(set) var buffer: TraceBuffer
    /// Rendered `error_log` entries, oldest first; the kernel keeps the last `TRACING_LOG_ERRS_MAX` (8).
    private var errorLog: [String] = []
    static let errorLogMax = 8
    /// The next `trace_event_call` id. The first dynamic id depends on how many static events the kernel has:
    /// 1338 on the captured x86_64 6.1 kernel, 1206 on arm64 (`events/kp/open/id` was the second event).
    private var nextEventID: Int

    public init(machine: Machine, kprobes: KprobeManager) {
        self.machine = machine
        self.kprobes = kprobes
        buffer = TraceBuffer(cpuCount: machine.cpus.count)
        nextEventID = machine.architecture == .x86_64 ? 1338 : 1206
        machine.addModuleObserver(self)
    }

    // MARK: Files

    /// `cat PATH`.
    public func read(_ path: String) throws(TracefsError) -> String {
        switch try file(path) {
        case .kprobeEvents, .dynamicEvents:
            return probes.map { line(of: $0) + "\n" }.joined()
        case .trace:
            return buffer.trace(symbols: machine.symbols, kretprobeTrampoline: kprobes.trampoline)
        case .tracePipe:
            return buffer.consume().map {
                $0.traceLine(symbols: machine.symbols, kretprobeTrampoline: kprobes.trampoline) + "\n"
            }.joined()
        case .kprobeProfile:
            return probes.map { $0.profileLine.text }.joined()
        case .errorLog:
            return errorLog.joined()
        case .eventEnable(let event):
            return event.isEnabled ? "1\n" : "0\n"
        case .eventFormat(let event):
            return event.format.text
        case .eventID(let event):
            return "\(event.format.id)\n"
        case .eventFilter(let event):
            return (event.filterString ?? "none") + "\n"
        case .groupFilter:
            return Self.groupFilterMessage + "\n"
        case .bufferSizeKB:
            // The buffer as expanded by the first enabled event (before that the kernel shows
            // "7 (expanded: 1408)").
            return "\(buffer.bufferSizeKB)\n"
        case .overwrite:
            return buffer.overwrite ? "1\n" : "0\n"
        case .tracingOn:
            return buffer.isRecording ? "1\n" : "0\n"
        case .groupEnable(let group):
            return Self.mixedEnable(events.filter { $0.group == group })
        case .allEnable:
            return Self.mixedEnable(events)
        case .kprobesList:
            return kprobes.debugfsList()
        case .kprobesEnabled:
            return kprobes.allDisarmed ? "0\n" : "1\n"
        case .kprobesOptimization:
            return kprobes.optimizationEnabled ? "1\n" : "0\n"
        case .kprobesBlacklist:
            return kprobes.blacklist.listing
        }
    }

    /// `echo TEXT > PATH` (`append` false: opened with O_TRUNC) or `echo TEXT >> PATH`. A failure leaves
    /// everything written before it in place, as the kernel processes `kprobe_events` line by line.
    public func write(_ path: String, _ text: String, append: Bool = false) throws(TracefsError) {
        let target = try file(path)
        switch target {
        case .kprobeEvents where !append, .dynamicEvents where !append:
            do throws(Errno) { try releaseAll() } catch { throw TracefsError(path: path, errno: error, stage: .open) }
        default: break
        }
        do throws(Errno) {
            switch target {
            case .kprobeEvents, .dynamicEvents:
                try runCommands(text)
            case .trace:
                if !append { buffer.reset() }
            case .errorLog:
                if !append { errorLog.removeAll() }
            case .eventEnable(let event):
                try setEnabled([event], text)
            case .groupEnable(let group):
                try setEnabled(events.filter { $0.group == group }, text)
            case .allEnable:
                try setEnabled(events, text)
            case .bufferSizeKB:
                guard let kilobytes = Int(text.trimmingWhitespace), kilobytes > 0 else { throw Errno.EINVAL }
                buffer.resize(kilobytes: kilobytes)
            case .overwrite:
                buffer.overwrite = try Self.flag(text)
            case .tracingOn:
                // kernel: trace.c rb_simple_write, kstrtoul_from_user(.., 10, ..): an unsigned decimal with an
                // optional `+` and one trailing newline, nothing else (captured: " 1 " and "-1" fail); non-zero
                // means on.
                var digits = Substring(text)
                if digits.last == "\n" { digits.removeLast() }
                if digits.first == "+" { digits.removeFirst() }
                guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), let value = UInt64(digits) else {
                    throw Errno.EINVAL
                }
                buffer.isRecording = value != 0
            case .eventFilter(let event):
                try setFilter(event, text)
            case .groupFilter(let group):
                try setGroupFilter(events.filter { $0.group == group }, text)
            case .kprobesEnabled:
                kprobes.setGloballyEnabled(try Self.flag(text))
            case .kprobesOptimization:
                // kernel: kernel/kprobes.c proc_kprobes_optimization_handler (an integer sysctl read as 0/1).
                kprobes.optimizationEnabled = try Self.flag(text)
            case .kprobeProfile, .eventFormat, .eventID, .kprobesList, .kprobesBlacklist, .tracePipe:
                // Read-only files have no write operation: root passes the mode check and gets -EINVAL.
                throw Errno.EINVAL
            }
        } catch {
            throw TracefsError(path: path, errno: error)
        }
    }

    // MARK: kprobe_events

    /// `trace_parse_run_command`: one command per line; the first failure stops the write.
    private func runCommands(_ text: String) throws(Errno) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            try runCommand(String(line))
        }
    }

    private func runCommand(_ line: String) throws(Errno) {
        do throws(KprobeEventError) {
            switch try KprobeEventCommand.parse(line, architecture: machine.architecture, profile: kprobes.profile) {
            case nil: return
            case let .delete(group, event):
                do throws(Errno) { try delete(group: group, event: event) } catch { throw KprobeEventError(error) }
            case let .define(definition): try create(definition, line: line)
            }
        } catch {
            if let log = error.log { logError(log) }
            throw error.errno
        }
    }

    /// `register_trace_kprobe` + the error_log entries of `__trace_kprobe_create` for registration failures
    /// (the caret on the probe point, `trace_probe_log_set_index(1)`, unless the kernel moves it).
    private func create(_ definition: KprobeEventDefinition, line: String) throws(KprobeEventError) {
        let argv = KprobeEventCommand.words(line)
        func fail(_ errno: Errno, _ error: TraceProbeError?, word: Int = 1) -> KprobeEventError {
            let position = argv.prefix(word).reduce(0) { $0 + $1.utf8.count + 1 }
            return KprobeEventError(errno, log: error.map {
                TracingLogErr(location: "trace_kprobe", error: $0, command: argv.joined(separator: " "), position: position)
            })
        }
        let name = definition.eventName(pointerHash: Self.pointerHash)
        let existing = probes.first { $0.event.group == definition.group && $0.event.name == name }
        if let existing {
            // kernel: register_trace_kprobe / append_trace_kprobe — a probe joins an event of the same kind
            // whose arguments have the same names and types (trace_probe_compare_arg_type), unless it is the
            // very same probe.
            if existing.definition.isReturn != definition.isReturn { throw fail(.EEXIST, .DIFF_PROBE_TYPE, word: 0) }
            if let differing = Self.firstDifferingArg(existing.definition.args, definition.args) {
                throw fail(.EEXIST, .DIFF_ARG_TYPE, word: differing + 1)
            }
            if probes.contains(where: { $0.event === existing.event && $0.definition.target == definition.target
                                        && $0.definition.args.map(\.comm) == definition.args.map(\.comm) }) {
                throw fail(.EEXIST, .SAME_PROBE, word: 0)
            }
        }
        let address: UInt64
        // kernel: register_trace_kprobe, trace_kprobe_module_exist: `MOD:SYM` of a module that is not loaded is
        // accepted unregistered ("This probe might be able to register after target module is loaded").
        var waitsForModule = false
        switch definition.target {
        case .address(let a): address = a
        case let .symbol(symbol, offset):
            if let found = machine.symbols.lookup(name: symbol) {
                address = found.address &+ offset
            } else if let colon = symbol.firstIndex(of: ":"),
                      !machine.symbols.all.contains(where: { $0.module.map { $0[...] } == symbol[..<colon] }) {
                waitsForModule = true
                address = 0
            } else {
                throw fail(.ENOENT, .BAD_PROBE_ADDR)
            }
        }
        // kernel: __register_trace_kprobe -> traceprobe_update_arg: `@SYM` arguments are resolved first.
        let environment = FetchEnvironment(machine: machine, cpu: machine.cpus[0])
        if definition.args.contains(where: { $0.fetch.symbolReferences.contains { environment.symbolAddress($0) == nil } }) {
            throw fail(.ENOENT, .BAD_PROBE_ADDR)
        }
        // kernel: __register_trace_kprobe -> within_notrace_func: on a kernel built with ftrace, a function
        // without an ftrace location cannot be probed through tracefs ("Could not probe notrace function").
        if !machine.ftraceLocations.isEmpty, let (symbol, _, size) = machine.symbols.lookup(containing: address),
           !machine.ftraceLocations.contains(where: { $0 >= symbol.address && $0 < symbol.address + size }) {
            throw fail(.EINVAL, .FAIL_REG_PROBE)
        }
        let event = existing?.event ?? TraceKprobe.Event(
            group: definition.group, name: name,
            format: ProbeEventFormat(name: name, id: nextEventID, isReturn: definition.isReturn,
                                     fields: definition.args.map(\.field)))
        // A symbol target stays a symbol (`kp.symbol_name`, resolved at each registration); an appended probe of
        // an enabled event is registered enabled (__register_trace_kprobe).
        let (symbolName, offset, fixedAddress): (String?, UInt64, UInt64?) = switch definition.target {
        case let .symbol(symbol, offset): (symbol, offset, nil)
        case .address(let a): (nil, 0, a)
        }
        let kretprobe: Kretprobe? = definition.isReturn
            ? Kretprobe(symbolName: symbolName, offset: offset, address: fixedAddress, disabled: !event.isEnabled,
                        maxactive: Int(definition.maxactive ?? 0)) : nil
        let kprobe = kretprobe?.kp
            ?? Kprobe(symbolName: symbolName, offset: offset, address: fixedAddress, disabled: !event.isEnabled)
        let probe = TraceKprobe(definition: definition, event: event, kprobe: kprobe, kretprobe: kretprobe)
        // The probed address as registered (`tk->rp.kp.addr`): it changes when a module is loaded again.
        if let kretprobe {
            kretprobe.handler = { [unowned self, unowned probe] instance, ctx in
                self.record(probe, ctx, location: .kretprobe(function: probe.kprobe.address ?? 0,
                                                               returnAddress: instance.returnAddress))
                return 0
            }
        } else {
            kprobe.preHandler = { [unowned self, unowned probe] ctx in
                self.record(probe, ctx, location: .kprobe(ip: probe.kprobe.address ?? 0))
                return 0
            }
        }
        do throws(Errno) {
            if !waitsForModule { try register(probe) }
        } catch {
            // An address in no symbol may belong to a module not loaded yet: the event is created and its
            // registration deferred ("This probe might be able to register after target module is loaded").
            switch error {
            case .ENOENT where definition.target.isAddress: break
            case .EILSEQ: throw fail(error, .BAD_INSN_BNDRY)
            case .ENOENT: throw fail(error, .BAD_PROBE_ADDR)
            case .ENOMEM, .EEXIST: throw fail(error, nil)
            default: throw fail(error, .FAIL_REG_PROBE)
            }
        }
        if existing == nil { nextEventID += 1 }
        probes.append(probe)
    }

    /// `trace_probe_compare_arg_type`: the 1-based index of the first argument whose name, type or count
    /// differs (a shorter list differs just past its end), nil if none.
    private static func firstDifferingArg(_ a: [ProbeArg], _ b: [ProbeArg]) -> Int? {
        if a.count != b.count { return min(a.count, b.count) + 1 }
        for (i, (x, y)) in zip(a, b).enumerated() where x.name != y.name || x.type != y.type || x.count != y.count {
            return i + 1
        }
        return nil
    }

    /// The distinct events, in the order their first probe was created.
    private var events: [TraceKprobe.Event] {
        var seen: [TraceKprobe.Event] = []
        for probe in probes where !seen.contains(where: { $0 === probe.event }) { seen.append(probe.event) }
        return seen
    }

    /// `-:[GRP/]EVENT`: every probe of the event goes; an enabled event cannot (EBUSY). Removing an event clears
    /// the trace buffer (trace_remove_event_call resets the buffers, as the capture shows).
    private func delete(group: String?, event name: String) throws(Errno) {
        let matching = probes.filter { $0.event.name == name && (group == nil || $0.event.group == group) }
        guard let first = matching.first else { throw Errno.ENOENT }
        if first.event.isEnabled { throw Errno.EBUSY }
        for probe in matching { unregister(probe) }
        probes.removeAll { $0.event === first.event }
        buffer.reset()
    }

    /// `echo > kprobe_events` (O_TRUNC): `dyn_events_release_all` refuses, deleting nothing, if any event is
    /// enabled (the shell cannot even open the file: "Device or resource busy").
    private func releaseAll() throws(Errno) {
        if probes.contains(where: \.event.isEnabled) { throw Errno.EBUSY }
        for probe in probes { unregister(probe) }
        if !probes.isEmpty { buffer.reset() }
        probes.removeAll()
    }

    /// `__register_trace_kprobe`: the kprobe or kretprobe goes to the kprobe manager.
    private func register(_ probe: TraceKprobe) throws(Errno) {
        if let kretprobe = probe.kretprobe { try kprobes.register(kretprobe) } else { try kprobes.register(probe.kprobe) }
        probe.isRegistered = true
    }

    /// `__unregister_trace_kprobe`, which also readies the kprobe for registering again.
    private func unregister(_ probe: TraceKprobe) {
        guard probe.isRegistered else { return }
        if let kretprobe = probe.kretprobe { kprobes.unregister(kretprobe) } else { kprobes.unregister(probe.kprobe) }
        probe.kprobe.forgetResolvedAddress()
        probe.isRegistered = false
    }

    /// MODULE_STATE_COMING: every probe given as `MOD:SYM` of the module is registered again: a deferred one for
    /// the first time, a `[GONE]` one at the module's new address. Armed if its event is enabled; a probe that
    /// fails stays unregistered, as the kernel only warns.
    /// kernel: kernel/trace/trace_kprobe.c trace_kprobe_module_callback, trace_kprobe_within_module.
    public func moduleComing(_ object: LoadedObject, machine: Machine) {
        guard let module = object.module else { return }
        for probe in probes {
            guard case .symbol(let symbol, _) = probe.definition.target, symbol.hasPrefix(module + ":") else { continue }
            unregister(probe)
            do throws(Errno) { try register(probe) } catch { continue }
            if probe.event.isEnabled { try? kprobes.enable(probe.kprobe) } else { try? kprobes.disable(probe.kprobe) }
        }
    }

    /// The `kprobe_events` line of a probe (the kretprobe's default maxactive is written back on registration).
    private func line(of probe: TraceKprobe) -> String {
        probe.definition.kprobeEventsLine(profile: kprobes.profile, possibleCPUs: machine.cpus.count,
                                          registered: probe.isRegistered, pointerHash: Self.pointerHash)
    }

    // MARK: Enabling and recording

    /// `echo 0|1 > enable`: enable_trace_kprobe / disable_trace_kprobe arm and disarm every probe of the event;
    /// a probe whose code was unloaded (`[GONE]`) is skipped (__enable_trace_kprobe, trace_kprobe_has_gone).
    private func setEnabled(_ targets: [TraceKprobe.Event], _ text: String) throws(Errno) {
        let value = try Self.flag(text)
        for event in targets where event.isEnabled != value {
            for probe in probes where probe.event === event && probe.isRegistered && !probe.kprobe.isGone {
                if value { try kprobes.enable(probe.kprobe) } else { try kprobes.disable(probe.kprobe) }
            }
            event.isEnabled = value
        }
    }

    /// `echo EXPR > filter`: `0` removes the filter; an expression replaces it, and one that fails to parse
    /// leaves the event unfiltered, its error in the file and in `error_log`.
    /// kernel: trace_events.c event_filter_write, trace_events_filter.c apply_event_filter.
    private func setFilter(_ event: TraceKprobe.Event, _ text: String) throws(Errno) {
        guard let expression = try Self.filterExpression(text) else {
            event.filter = nil
            event.filterString = nil
            return
        }
        if let error = apply(expression, to: event) { throw error.errno }
    }

    /// `echo EXPR > events/GRP/filter`: the expression is compiled for each event of the group; an event it does
    /// not fit keeps no filter and shows the error, reported as "Couldn't find or set field in one of a
    /// subsystem's events" at 0 (one `error_log` entry per such event). The write succeeds as long as the group
    /// has events, and the group's own file keeps its help text (captured).
    /// kernel: trace_events.c subsystem_filter_write, trace_events_filter.c apply_subsystem_event_filter,
    /// process_system_preds.
    private func setGroupFilter(_ members: [TraceKprobe.Event], _ text: String) throws(Errno) {
        let expression = try Self.filterExpression(text)
        for event in members {
            if let expression {
                _ = apply(expression, to: event, groupWide: true)
            } else {
                event.filter = nil
                event.filterString = nil
            }
        }
    }

    /// The expression as apply_event_filter keeps it (strstrip: trailing blanks go, leading ones stay), or nil
    /// for `0`, which removes the filter. Both filter files refuse a page or more (-EINVAL).
    private static func filterExpression(_ text: String) throws(Errno) -> String? {
        guard text.utf8.count < 4096 else { throw .EINVAL }
        var expression = Substring(text)
        while let c = expression.last, c.isWhitespace { expression.removeLast() }
        return expression.trimmingWhitespace == "0" ? nil : String(expression)
    }

    /// Compiles and installs a filter, or on failure leaves the event unfiltered with the error in its file
    /// and in `error_log`, and returns the error.
    private func apply(_ expression: String, to event: TraceKprobe.Event, groupWide: Bool = false) -> EventFilterError? {
        do throws(EventFilterError) {
            event.filter = try EventFilter(expression, format: event.format)
            event.filterString = expression
            return nil
        } catch {
            let reported = groupWide ? EventFilterError(error.errno, .BAD_SUBSYS_FILTER, at: 0) : error
            event.filter = nil
            event.filterString = reported.fileText(expression: expression)
            logError(reported.logEntry(expression: expression))
            return reported
        }
    }

    /// DEFAULT_SYS_FILTER_MESSAGE: what a group's `filter` file reads.
    static let groupFilterMessage = """
        ### global filter ###
        # Use this to set filters for multiple events.
        # Only events with the given fields will be affected.
        # If no events are modified, an error message will be displayed here
        """

    /// kprobe_trace_func / kretprobe_trace_func: fetch the arguments and write the record, unless the event's
    /// filter discards it (trace_event_buffer_commit); the hit is counted either way.
    private func record(_ probe: TraceKprobe, _ ctx: KprobeContext, location: ProbeEventRecord.Location) {
        probe.nhit &+= 1
        let environment = FetchEnvironment(machine: machine, cpu: ctx.cpu)
        let values = probe.definition.args.map { $0.fetch(environment) }
        let task = ctx.cpu.currentTask
        let context = TraceEntryContext(comm: task?.comm ?? "<idle>", pid: task?.pid ?? 0, cpu: ctx.cpu.id,
                                        timestamp: ctx.nanoseconds,
                                        flags: entryFlags(probe))
        let record = ProbeEventRecord(event: probe.event.format, context: context, location: location, values: values)
        // The filter sees current->comm; the idle task's is swapper/N.
        if let filter = probe.event.filter,
           !filter.matches(record: record.bytes, cpu: ctx.cpu.id, comm: task?.comm ?? "swapper/\(ctx.cpu.id)") {
            return
        }
        buffer.write(record)
    }

    /// The irq-info column of a hit. On the ftrace path, in an optprobe detour and in the kretprobe trampoline
    /// nothing is set (`.....`). A breakpoint hit is `d....` on arm64 (BRK masks DAIF) and `..Zff` on x86_64:
    /// the int3 handler runs in NMI-like context with interrupts not marked off, and both depth nibbles read
    /// saturated (captured in x86_64/hits.txt and x86_64/boundaries.txt).
    /// kernel: arch/x86/kernel/traps.c exc_int3 -> irqentry_nmi_enter (NMI_OFFSET + HARDIRQ_OFFSET: `Z`),
    /// kernel/trace/trace.c tracing_gen_ctx_irq_test.
    private func entryFlags(_ probe: TraceKprobe) -> TraceEntryFlags {
        guard probe.kretprobe == nil && probe.kprobe.isHitByBreakpoint else { return TraceEntryFlags() }
        switch machine.architecture {
        case .arm64: return TraceEntryFlags(irqsOff: true)
        case .x86_64: return TraceEntryFlags(hardirq: true, nmi: true, preemptDepth: 15, migrateDisable: 15)
        }
    }

    private func logError(_ log: TracingLogErr) {
        let nanoseconds = machine.costModel.nanoseconds(machine.cpus[0].cycles)
        errorLog.append(log.render(seconds: nanoseconds / 1_000_000_000,
                                   microseconds: UInt32(nanoseconds % 1_000_000_000 / 1000)))
        if errorLog.count > Self.errorLogMax { errorLog.removeFirst() }
    }

    /// `%p`: the kernel prints a keyed hash of a pointer, 32 significant bits; the simulator's key is fixed
    /// so that runs are reproducible.
    static func pointerHash(_ address: UInt64) -> UInt64 { (address &* 0x9e37_79b9_7f4a_7c15) >> 32 }

    /// A 0/1 file (`enable`, `options/*`, debugfs `kprobes/enabled`); anything else is -EINVAL.
    /// kernel: trace_events.c event_enable_write (kstrtoul, 0 or 1), trace.c trace_options_core_write.
    private static func flag(_ text: String) throws(Errno) -> Bool {
        switch text.trimmingWhitespace {
        case "1": return true
        case "0": return false
        default: throw Errno.EINVAL
        }
    }

    /// An `enable` file over several events: `0`, `1`, or `X` when mixed (trace_events.c system_enable_read).
    private static func mixedEnable(_ events: [TraceKprobe.Event]) -> String {
        let on = events.filter(\.isEnabled).count
        return on == 0 ? "0\n" : (on == events.count ? "1\n" : "X\n")
    }

    // MARK: Paths

    enum File {
        case kprobeEvents, dynamicEvents, trace, tracePipe, kprobeProfile, errorLog, bufferSizeKB, overwrite, tracingOn
        case eventEnable(TraceKprobe.Event), eventFormat(TraceKprobe.Event), eventID(TraceKprobe.Event)
        case eventFilter(TraceKprobe.Event)
        case groupEnable(String), groupFilter(String), allEnable
        case kprobesList, kprobesEnabled, kprobesBlacklist
        /// procfs, not tracefs: the `debug.kprobes-optimization` sysctl, so scripts can pin probes to int3.
        case kprobesOptimization
    }

    private func file(_ path: String) throws(TracefsError) -> File {
        var relative = Substring(path)
        for root in ["/sys/kernel/debug/tracing/", "/sys/kernel/tracing/"] where relative.hasPrefix(root) {
            relative = relative.dropFirst(root.count)
            break
        }
        let parts = relative.split(separator: "/").map(String.init)
        let notFound = TracefsError(path: path, errno: .ENOENT, stage: .open)
        if path == "/proc/sys/debug/kprobes-optimization" { return .kprobesOptimization }
        if path.hasPrefix("/sys/kernel/debug/kprobes/") {
            switch parts.last {
            case "list": return .kprobesList
            case "enabled": return .kprobesEnabled
            case "blacklist": return .kprobesBlacklist
            default: throw notFound
            }
        }
        switch parts {
        case ["kprobe_events"]: return .kprobeEvents
        case ["dynamic_events"]: return .dynamicEvents
        case ["trace"]: return .trace
        case ["trace_pipe"]: return .tracePipe
        case ["buffer_size_kb"]: return .bufferSizeKB
        case ["options", "overwrite"]: return .overwrite
        case ["tracing_on"]: return .tracingOn
        case ["kprobe_profile"]: return .kprobeProfile
        case ["error_log"]: return .errorLog
        case ["events", "enable"]: return .allEnable
        default: break
        }
        guard parts.count >= 3, parts[0] == "events" else { throw notFound }
        if parts.count == 3, events.contains(where: { $0.group == parts[1] }) {
            switch parts[2] {
            case "enable": return .groupEnable(parts[1])
            case "filter": return .groupFilter(parts[1])
            default: throw notFound
            }
        }
        guard parts.count == 4, let event = events.first(where: { $0.group == parts[1] && $0.name == parts[2] }) else {
            throw notFound
        }
        switch parts[3] {
        case "enable": return .eventEnable(event)
        case "format": return .eventFormat(event)
        case "id": return .eventID(event)
        case "filter": return .eventFilter(event)
        default: throw notFound
        }
    }
}

private extension StringProtocol {
    /// The text without surrounding blanks (`echo 1 > enable` writes "1\n").
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let c = text.first, c.isWhitespace { text.removeFirst() }
        while let c = text.last, c.isWhitespace { text.removeLast() }
        return String(text)
    }
}
