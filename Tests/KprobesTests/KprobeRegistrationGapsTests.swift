import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// A machine with text functions defined *before* the kprobe manager exists, as a kernel image's functions are
/// there when kprobes initialises its blacklist (populate_kprobe_blacklist at boot).
private func managerOver(_ architecture: Architecture, functions names: [String]) throws -> (Machine, KprobeManager, [String: UInt64]) {
    let core: InstructionCore = architecture == .x86_64 ? X86Core() : ARM64Core()
    let machine = Machine(core: core, cpuCount: 1)
    try Corpus.load("loops", into: machine)
    // x86_64: 31 c0 xor %eax,%eax; c3 ret. arm64: d2800000 mov x0, #0; d65f03c0 ret.
    let body: [UInt8] = architecture == .x86_64 ? [0x31, 0xc0, 0xc3] : le32(0xd280_0000) + le32(0xd65f_03c0)
    var addresses: [String: UInt64] = [:]
    for name in names {
        let address = machine.allocateText(size: UInt64(body.count))
        try machine.memory.kernelWrite(address, bytes: body)
        machine.symbols.add(Symbol(name: name, address: address, size: UInt64(body.count), type: "t"))
        machine.symbols.addTextRegion(address..<(address + UInt64(body.count)))
        addresses[name] = address
    }
    return (machine, KprobeManager(machine: machine), addresses)
}

/// `register_kprobes`/`unregister_kprobes`, the blacklist and the kallsyms re-split, where the existing suites
/// left gaps. kernel: kernel/kprobes.c register_kprobes, unregister_kprobes, within_kprobe_blacklist,
/// populate_kprobe_blacklist, kprobe_blacklist_seq_show, _kprobe_addr, register_kretprobe.
@Suite("kprobes: register_kprobes, blacklist, re-split entry flag")
struct KprobeRegistrationGapsTests {
    // MARK: register_kprobes / unregister_kprobes

    /// kernel: register_kprobes — `if (num <= 0) return -EINVAL;`.
    @Test("register_kprobes with an empty list is -EINVAL", arguments: [Architecture.x86_64, .arm64])
    func emptyList(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register([Kprobe]()) }
        #expect(lab.kprobes.registered.isEmpty)
    }

    /// kernel: register_kprobes — on the first failure at i > 0, `unregister_kprobes(kps, i)` and return that
    /// error: all or nothing. The third probe fails with -ENOENT (unknown symbol) or -EINVAL (the first struct
    /// again, warn_kprobe_rereg); the two before it must be gone, their bytes restored, their handlers silent.
    @Test("register_kprobes is all or nothing: a bad probe unregisters the ones before it",
          arguments: [(Architecture.x86_64, false), (.x86_64, true), (.arm64, false), (.arm64, true)])
    func rollback(architecture: Architecture, duplicate: Bool) throws {
        let lab = try KprobeLab(architecture)
        let sites = [try lab.address("sum_to"), try lab.address("sum_squares_while")]
        let originals = try sites.map { try lab.bytes($0, 4) }
        var hits = 0
        let first = Kprobe(symbolName: "sum_to", preHandler: { _ in hits += 1; return 0 })
        let second = Kprobe(symbolName: "sum_squares_while", preHandler: { _ in hits += 1; return 0 })
        let bad = duplicate ? first : Kprobe(symbolName: "no_such_function")
        #expect(throws: duplicate ? Errno.EINVAL : Errno.ENOENT) { try lab.kprobes.register([first, second, bad]) }
        #expect(lab.kprobes.registered.isEmpty)
        #expect(lab.kprobes.get(sites[0]) == nil && lab.kprobes.get(sites[1]) == nil)
        #expect(try sites.map { try lab.bytes($0, 4) } == originals)
        #expect(try lab.call("sum_to", [3]) == 6)
        #expect(hits == 0)
        // unregister_kprobes leaves `p->addr` as register_kprobe set it (only a failed top half clears it), so the
        // same symbol-named structs cannot simply be registered again: _kprobe_addr refuses symbol_name and addr
        // together with -EINVAL.
        #expect(first.address == sites[0] && second.address == sites[1])
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register([first, second]) }
        #expect(lab.kprobes.registered.isEmpty)
        // Fresh structs for the same places register as a list and fire.
        try lab.kprobes.register([Kprobe(symbolName: "sum_to", preHandler: { _ in hits += 1; return 0 }),
                                  Kprobe(symbolName: "sum_squares_while")])
        #expect(lab.kprobes.registered.count == 2)
        #expect(try lab.call("sum_to", [3]) == 6 && hits == 1)
    }

    /// kernel: unregister_kprobes — `__unregister_kprobe_top` for each (one that is not registered only gets
    /// `p->addr = NULL`), then the bottom halves; an empty list does nothing (`if (num <= 0) return;`).
    @Test("unregister_kprobes removes each, tolerates unregistered ones and the empty list", arguments: [Architecture.x86_64, .arm64])
    func unregisterList(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let sites = [try lab.address("sum_to"), try lab.address("sum_squares_while")]
        let originals = try sites.map { try lab.bytes($0, 4) }
        let probes = [Kprobe(symbolName: "sum_to"), Kprobe(symbolName: "sum_squares_while")]
        try lab.kprobes.register(probes)
        #expect(try sites.map { try lab.bytes($0, 4) } != originals)
        lab.kprobes.unregister([Kprobe]())
        #expect(lab.kprobes.registered.count == 2)
        let stranger = Kprobe(address: try lab.address("digit_count"))
        lab.kprobes.unregister(probes + [stranger])
        #expect(lab.kprobes.registered.isEmpty)
        #expect(try sites.map { try lab.bytes($0, 4) } == originals)
        #expect(stranger.address == nil)
        #expect(probes.allSatisfy { !$0.registered })
    }

    // MARK: Blacklist

    /// Every name the simulator blacklists as kprobe machinery (`Blacklist.kernelNames`): a function of that
    /// name present when kprobes starts is refused with -EINVAL (kernel: check_kprobe_address_safe →
    /// within_kprobe_blacklist) at its entry and inside it (the whole range is listed), and it is listed.
    @Test("each of Blacklist.kernelNames, when present, is refused (-EINVAL) and listed", arguments: [Architecture.x86_64, .arm64])
    func kernelNames(architecture: Architecture) throws {
        let (machine, kprobes, addresses) = try managerOver(architecture, functions: Blacklist.kernelNames + ["not_listed"])
        let inside: UInt64 = architecture == .x86_64 ? 2 : 4 // the ret
        for name in Blacklist.kernelNames {
            #expect(throws: Errno.EINVAL, "\(name)") { try kprobes.register(Kprobe(symbolName: name)) }
            #expect(throws: Errno.EINVAL, "\(name)+\(inside)") { try kprobes.register(Kprobe(symbolName: name, offset: inside)) }
            let start = try #require(addresses[name])
            let size = UInt64(architecture == .x86_64 ? 3 : 8)
            #expect(kprobes.blacklist.listing.contains(String(format16: start) + "-" + String(format16: start + size) + "\t\(name)\n"), "\(name)")
        }
        // The same code under another name is probeable: the name, not the bytes, is what is refused.
        try kprobes.register(Kprobe(symbolName: "not_listed"))
        #expect(!kprobes.blacklist.listing.contains("not_listed"))
        _ = machine
    }

    /// The trampolines the simulator places when first needed: the kretprobe trampoline (x86_64
    /// `arch_rethook_trampoline`, arm64 `__kretprobe_trampoline`) and x86_64's `ftrace_regs_caller` (placed by the
    /// first probe on an fentry site, O2-ftrace). Both are entered only from the kprobe machinery; a probe there
    /// would recurse. kernel: arch/x86/kernel/rethook.c `NOKPROBE_SYMBOL(arch_rethook_trampoline)` (listed in
    /// the captured x86_64 blacklist).
    @Test("probing the kretprobe trampoline is refused (-EINVAL)", arguments: [Architecture.x86_64, .arm64])
    func kretprobeTrampoline(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let name = architecture == .x86_64 ? "arch_rethook_trampoline" : "__kretprobe_trampoline"
        #expect(throws: Errno.ENOENT) { try lab.kprobes.register(Kprobe(symbolName: name)) } // not placed yet
        try lab.kprobes.register(Kretprobe(symbolName: "sum_to"))
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: name)) }
        #expect(lab.kprobes.blacklist.listing.contains("\t\(name)\n"))
    }

    /// What the real 6.1 kernel answered for a probe on each trampoline name (`realkernel/ARCH/trampolines.txt`,
    /// scripts/realkernel/payloads/trampolines.sh): "refused" (EINVAL, "Failed to register probe event"),
    /// "accepted" or "not in kallsyms".
    static func capturedTrampolineOutcomes(_ architecture: Architecture) throws -> [String: String] {
        var outcomes: [String: String] = [:]
        var name: String?
        for line in try Fixtures.text("realkernel/\(architecture.rawValue)/trampolines.txt").split(separator: "\n") {
            if line.hasPrefix("################ p ") { name = String(line.dropFirst("################ p ".count)); continue }
            guard let current = name else { continue }
            if line.hasPrefix("refused: ") && line.hasSuffix("Invalid argument") { outcomes[current] = "refused" }
            if line == "accepted" || line == "not in kallsyms" { outcomes[current] = String(line) }
        }
        return outcomes
    }

    @Test("the trampolines the simulator places are refused as the captured 6.1 kernel refuses them (EINVAL)",
          arguments: [Architecture.x86_64, .arm64])
    func trampolinesAsCaptured(architecture: Architecture) throws {
        let captured = try Self.capturedTrampolineOutcomes(architecture)
        // The guest refused every trampoline it has, ftrace's included.
        #expect(captured["ftrace_caller"] == "refused" && captured["ftrace_regs_caller"] == "refused")
        let kretprobe = architecture == .x86_64 ? "arch_rethook_trampoline" : "__kretprobe_trampoline"
        #expect(captured[kretprobe] == "refused")
        #expect(captured[architecture == .x86_64 ? "__kretprobe_trampoline" : "arch_rethook_trampoline"] == "not in kallsyms")
        // The simulator's: its kretprobe trampoline, and on x86_64 its ftrace trampoline.
        let lab = try KprobeLab(architecture, variant: architecture == .x86_64 ? "O2-ftrace" : "O2")
        try lab.kprobes.register(Kretprobe(symbolName: "sum_squares_while"))
        var placed = [kretprobe]
        if architecture == .x86_64 {
            try lab.kprobes.register(Kprobe(symbolName: "sum_to"))
            placed.append("ftrace_regs_caller")
        }
        for name in placed {
            #expect(lab.machine.symbols.lookup(name: name) != nil, "\(name) placed")
            #expect(throws: Errno.EINVAL, "\(name)") { try lab.kprobes.register(Kprobe(symbolName: name)) }
        }
    }

    @Test("x86_64: probing ftrace_regs_caller is refused (-EINVAL)")
    func ftraceTrampoline() throws {
        let lab = try KprobeLab(.x86_64, variant: "O2-ftrace")
        let entry = Kprobe(symbolName: "sum_to")
        try lab.kprobes.register(entry)
        #expect(entry.isFtrace)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "ftrace_regs_caller")) }
        #expect(lab.kprobes.blacklist.listing.contains("\tftrace_regs_caller\n"))
    }

    /// kernel: within_kprobe_blacklist — an address in `foo.<suffix>` is also checked as `foo`:
    /// `p = strchr(symname, '.'); ... *p = '\0'; addr = kprobe_lookup_name(symname, 0); if (addr) return
    /// __within_kprobe_blacklist(addr);`. So `hlist_lookup.constprop.0` is refused once hlist_lookup is
    /// blacklisted, `sum_to.isra.0` is not (sum_to is not), nor is a suffixed name whose base does not exist.
    @Test("the foo.constprop.0 rule: a suffixed clone of a blacklisted function is refused", arguments: [Architecture.x86_64, .arm64])
    func suffixRule(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["loops", "lists"])
        let body: [UInt8] = architecture == .x86_64 ? [0x31, 0xc0, 0xc3] : le32(0xd280_0000) + le32(0xd65f_03c0)
        try lab.define("hlist_lookup.constprop.0", bytes: body)
        try lab.define("sum_to.isra.0", bytes: body)
        try lab.define("no_base_here.cold", bytes: body)
        try lab.kprobes.register(Kprobe(symbolName: "hlist_lookup.constprop.0")) // not blacklisted yet
        lab.kprobes.blacklist.add(symbol: "hlist_lookup", in: lab.machine.symbols)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "hlist_lookup.constprop.0", offset: architecture == .x86_64 ? 2 : 4)) }
        try lab.kprobes.register(Kprobe(symbolName: "sum_to.isra.0"))
        try lab.kprobes.register(Kprobe(symbolName: "no_base_here.cold"))
        // Only the listed function's own range is printed; the clone is refused by name.
        #expect(lab.kprobes.blacklist.listing.contains("\thlist_lookup\n"))
        #expect(!lab.kprobes.blacklist.listing.contains("constprop"))
    }

    /// The captured `kprobes/blacklist` of Debian's 6.1 guests (Tests/Fixtures/realkernel/<arch>/blacklist.txt):
    /// every line is `0x<16 hex>-0x<16 hex>\t<symbol>` (kprobe_blacklist_seq_show: "0x%px-0x%px\t%ps\n"), start
    /// before end. The simulator's listing must have the same shape. The x86_64 capture also names
    /// `arch_rethook_trampoline`, the simulator's x86 trampoline name.
    @Test("the blacklist listing has the captured kernel's line format", arguments: [Architecture.x86_64, .arm64])
    func listingFormat(architecture: Architecture) throws {
        func check(_ line: Substring, _ source: String) {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            let range = parts.first?.split(separator: "-") ?? []
            let ok = parts.count == 2 && !parts[1].isEmpty && !parts[1].contains(" ") && range.count == 2
                && range.allSatisfy { $0.hasPrefix("0x") && $0.count == 18 && $0.dropFirst(2).allSatisfy(\.isHexDigit) && $0.lowercased() == $0 }
                && (UInt64(range[0].dropFirst(2), radix: 16) ?? .max) < (UInt64(range[1].dropFirst(2), radix: 16) ?? 0)
            #expect(ok, "\(source): \(line)")
        }
        let captured = try Fixtures.text("realkernel/\(architecture.rawValue)/blacklist.txt")
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(captured.count > 100)
        for line in captured { check(line, "capture") }
        let lab = try KprobeLab(architecture, files: ["loops", "lists"])
        lab.kprobes.blacklist.add(symbol: "hlist_lookup", in: lab.machine.symbols)
        try lab.kprobes.register(Kretprobe(symbolName: "sum_to"))
        let listing = lab.kprobes.blacklist.listing
        #expect(listing.hasSuffix("\n"))
        let ours = listing.split(separator: "\n")
        #expect(ours.count == 2)
        for line in ours { check(line, "simulator") }
        if architecture == .x86_64 { #expect(captured.contains { $0.hasSuffix("\tarch_rethook_trampoline") }) }
    }

    /// Which of `Blacklist.kernelNames` the captured 6.1 blacklists (x86_64 and arm64) list. The rest are names
    /// from earlier kernels the legacy profile stands for (5.4: do_debug, kprobe_debug_handler,
    /// kretprobe_trampoline, trampoline_handler; ~5.10: do_int3_user; arm64 before rethook:
    /// kretprobe_breakpoint_handler), plus `__kretprobe_trampoline`, arm64 6.1's trampoline, which the blacklist
    /// does not list but the kernel refuses all the same (`trampolinesAsCaptured`, realkernel/arm64/trampolines.txt).
    @Test("Blacklist.kernelNames against the captured 6.1 blacklists")
    func kernelNamesVsCapture() throws {
        var captured = Set<String>()
        for architecture in [Architecture.x86_64, .arm64] {
            for line in try Fixtures.text("realkernel/\(architecture.rawValue)/blacklist.txt").split(separator: "\n")
            where !line.hasPrefix("#") {
                if let name = line.split(separator: "\t").last { captured.insert(String(name)) }
            }
        }
        let notCaptured = Set(Blacklist.kernelNames).subtracting(captured)
        #expect(notCaptured == ["do_int3_user", "do_debug", "kprobe_debug_handler", "kretprobe_breakpoint_handler",
                                "__kretprobe_trampoline", "kretprobe_trampoline", "trampoline_handler"])
    }

    // MARK: Re-split offsets

    /// kernel: _kprobe_addr — `addr + offset` is re-split by kallsyms_lookup_size_offset into the containing
    /// symbol and its offset, and arch_adjust_kprobe_addr decides `on_func_entry` from that offset
    /// (`*on_func_entry = !offset`). So sum_to+<distance to the next function> is sum_squares_while+0: a function
    /// entry, where a kretprobe may go; one instruction further (x86_64 +2 after `31 c9 xor %ecx,%ecx`, arm64 +4
    /// after `aa0003e3 mov x3, x0`, loops.objdump O2) is not, and register_kretprobe refuses it with -EINVAL.
    @Test("a re-split offset that lands on the next function's entry is a function entry; one insn on is not",
          arguments: [(Architecture.x86_64, UInt64(2)), (.arm64, 4)])
    func resplitEntryFlag(architecture: Architecture, nextInsn: UInt64) throws {
        let lab = try KprobeLab(architecture)
        let next = try lab.address("sum_squares_while")
        let distance = next - (try lab.address("sum_to"))
        let onEntry = Kprobe(symbolName: "sum_to", offset: distance)
        try lab.kprobes.register(onEntry)
        #expect(onEntry.address == next && onEntry.flags.contains(.onFunctionEntry))
        let past = Kprobe(symbolName: "sum_to", offset: distance + nextInsn)
        try lab.kprobes.register(past)
        #expect(past.address == next + nextInsn && !past.flags.contains(.onFunctionEntry))
        try lab.kprobes.register(Kretprobe(symbolName: "sum_to", offset: distance))
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kretprobe(symbolName: "sum_to", offset: distance + nextInsn)) }
        // debugfs kprobes/list prints the re-split form (report_probe: "%s+0x%x" of the containing symbol).
        let list = lab.kprobes.debugfsList()
        #expect(list.contains("sum_squares_while+0x0 ") && list.contains("sum_squares_while+0x\(String(nextInsn, radix: 16)) "))
        #expect(!list.contains("sum_to+"))
    }
}

private extension String {
    /// `0x` and 16 lowercase hex digits, as `%px` prints a kernel pointer.
    init(format16 value: UInt64) {
        let digits = String(value, radix: 16)
        self = "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
