import Machine

/// Where kprobes may not go: `NOKPROBE_SYMBOL()` functions and the kprobe machinery's own code. Each entry is a
/// whole function range, printed by debugfs `kprobes/blacklist` as `0x<start>-0x<end>\t<symbol>`.
/// kernel: kernel/kprobes.c populate_kprobe_blacklist, within_kprobe_blacklist, kprobe_blacklist_seq_show.
public struct Blacklist {
    public struct Entry: Hashable, Sendable {
        public let start: UInt64
        public let end: UInt64
        public let symbol: String
    }

    public private(set) var entries: [Entry] = []

    /// Functions the kernel marks NOKPROBE (or places in `.kprobes.text`/`noinstr`) that a loaded kernel-image
    /// fragment may contain: probing the trap path itself would recurse.
    public static let kernelNames: [String] = [
        "do_int3", "do_int3_user", "exc_int3", "do_debug", "exc_debug", "kprobe_int3_handler",
        "kprobe_debug_handler", "kprobe_fault_handler", "kprobe_breakpoint_handler",
        "kprobe_breakpoint_ss_handler", "kretprobe_breakpoint_handler", "pre_handler_kretprobe",
        "aggr_pre_handler", "aggr_post_handler", "kprobe_exceptions_notify", "notify_die",
        "__kretprobe_trampoline", "kretprobe_trampoline", "arch_rethook_trampoline", "rethook_trampoline_handler",
        "trampoline_handler", "get_kprobe", "kprobes_inc_nmissed_count", "optimized_callback",
        "kprobe_ftrace_handler", "brk_handler", "do_debug_exception", "el1_dbg", "el1h_64_sync_handler",
    ]

    /// Adds a symbol's whole range (the `NOKPROBE_SYMBOL(name)` a scenario declares). Unknown names are ignored,
    /// as the kernel ignores NOKPROBE entries kallsyms cannot size.
    public mutating func add(symbol name: String, in symbols: SymbolTable) {
        for symbol in symbols.lookupAll(name: name) {
            guard let hit = symbols.lookup(containing: symbol.address) else { continue }
            let entry = Entry(start: symbol.address, end: symbol.address + hit.size, symbol: name)
            if !entries.contains(entry) { entries.append(entry) }
        }
    }

    public mutating func add(range start: UInt64, end: UInt64, symbol: String) {
        entries.append(Entry(start: start, end: end, symbol: symbol))
    }

    /// kernel: within_kprobe_blacklist — including the rule that `foo.constprop.0` is checked as `foo` too.
    public func contains(_ address: UInt64, symbolName: String?) -> Bool {
        if entries.contains(where: { address >= $0.start && address < $0.end }) { return true }
        if let name = symbolName, let dot = name.firstIndex(of: ".") {
            let base = String(name[..<dot])
            return entries.contains { $0.symbol == base }
        }
        return false
    }

    /// debugfs `kprobes/blacklist` text.
    public var listing: String {
        entries.map { "0x" + hex16($0.start) + "-0x" + hex16($0.end) + "\t" + $0.symbol + "\n" }.joined()
    }

    private func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
