/// The simulated kernel's symbol table, with kallsyms' lookup rules.
///
/// kernel: kernel/kallsyms.c kallsyms_lookup_size_offset, kernel/module/kallsyms.c find_kallsyms_symbol:
/// the symbol containing an address is the one with the greatest start at or below it, and its size is the
/// distance to the next symbol's start (for the last symbol of a region, its own size). That is why an offset
/// past the end of one function re-splits into the next one.
public final class SymbolTable {
    private var byName: [String: [Int]] = [:]
    private var symbols: [Symbol] = []
    /// Indices into `symbols`, sorted by address, then by insertion order.
    private var sortedIndices: [Int] = []
    private var sorted = true
    /// Text regions (the core image's `_stext.._etext`, each module's text): a symbol never extends past the end
    /// of the region it starts in.
    private var textRegions: [Range<UInt64>] = []

    public init() {}

    /// Adds a symbol. Names may repeat (static functions of the same name in different objects), as in kallsyms.
    public func add(_ symbol: Symbol) {
        byName[symbol.name, default: []].append(symbols.count)
        symbols.append(symbol)
        sorted = false
    }

    /// Declares a text region; the ELF loader calls this for each object's executable sections.
    public func addTextRegion(_ region: Range<UInt64>) {
        textRegions.append(region)
    }

    /// Drops a module's symbols and the text regions inside `regions` (module unload: kallsyms forgets them).
    public func remove(module: String, regions: [Range<UInt64>]) {
        symbols.removeAll { $0.module == module }
        byName = [:]
        for (index, symbol) in symbols.enumerated() { byName[symbol.name, default: []].append(index) }
        textRegions.removeAll { region in regions.contains { $0.overlaps(region) } }
        sorted = false
    }

    public var all: [Symbol] { symbols }
    public var count: Int { symbols.count }

    /// `kallsyms_lookup_name`: the first symbol added with this name; `MOD:SYM` looks in that module only.
    /// kernel: kernel/module/kallsyms.c module_kallsyms_lookup_name
    public func lookup(name: String) -> Symbol? {
        if let colon = name.firstIndex(of: ":") {
            let module = name[..<colon], symbol = String(name[name.index(after: colon)...])
            return byName[symbol]?.lazy.map { self.symbols[$0] }.first { $0.module.map { $0[...] } == module }
        }
        return byName[name]?.first.map { symbols[$0] }
    }

    /// Every symbol with this name (the tracefs layer reports `NON_UNIQ_SYMBOL` when there are several).
    public func lookupAll(name: String) -> [Symbol] {
        (byName[name] ?? []).map { symbols[$0] }
    }

    private func ensureSorted() {
        guard !sorted else { return }
        sortedIndices = symbols.indices.sorted { a, b in
            symbols[a].address != symbols[b].address ? symbols[a].address < symbols[b].address : a < b
        }
        sorted = true
    }

    /// kallsyms' answer for `address`: the containing symbol, the offset into it and its size.
    /// The size is the distance to the next greater symbol start in the same module (the core image counts as
    /// one), bounded by the end of the text region the symbol starts in (kernel: `_etext` for the core image,
    /// the module's text size in find_kallsyms_symbol), or the symbol's own size when nothing bounds it. Returns nil when no symbol starts at or below the
    /// address, or when the address lies past the end so computed.
    public func lookup(containing address: UInt64) -> (symbol: Symbol, offset: UInt64, size: UInt64)? {
        ensureSorted()
        // Binary search: one past the last index whose address <= target.
        var low = 0, high = sortedIndices.count
        while low < high {
            let mid = (low + high) / 2
            if symbols[sortedIndices[mid]].address <= address { low = mid + 1 } else { high = mid }
        }
        var position = low - 1
        guard position >= 0 else { return nil }
        // Among several symbols at one address, the first added is reported.
        let start = symbols[sortedIndices[position]].address
        while position > 0 && symbols[sortedIndices[position - 1]].address == start { position -= 1 }
        let symbol = symbols[sortedIndices[position]]
        var end: UInt64? = textRegions.first { $0.contains(start) }?.upperBound
        for later in sortedIndices[(position + 1)...] where symbols[later].address > start
            && symbols[later].module == symbol.module {
            end = min(end ?? .max, symbols[later].address)
            break
        }
        let size = end.map { $0 - start } ?? symbol.size
        let offset = address - start
        guard offset < size || (size == 0 && offset == 0) else { return nil }
        return (symbol, offset, size)
    }

    /// The kernel's `%pS` rendering: `name+0x1/0x170`, with ` [module]` for module symbols, or the bare hex
    /// address (`0x...`) when no symbol contains it. kernel: lib/vsprintf.c symbol_string, kernel/kallsyms.c
    /// __sprint_symbol.
    public func format(_ address: UInt64) -> String {
        guard let hit = lookup(containing: address) else { return "0x" + String(address, radix: 16) }
        var text = "\(hit.symbol.name)+0x\(String(hit.offset, radix: 16))/0x\(String(hit.size, radix: 16))"
        if let module = hit.symbol.module { text += " [\(module)]" }
        return text
    }

    /// How `objdump -d` names a branch target between `<` and `>`: `name`, or `name+0xoff`; nil without a symbol.
    public func objdumpName(_ address: UInt64) -> String? {
        guard let hit = lookup(containing: address) else { return nil }
        return hit.offset == 0 ? hit.symbol.name : "\(hit.symbol.name)+0x\(String(hit.offset, radix: 16))"
    }

    /// The kernel's `%ps` rendering: the symbol name only (` [module]` appended for modules).
    public func formatName(_ address: UInt64) -> String {
        guard let hit = lookup(containing: address) else { return "0x" + String(address, radix: 16) }
        return hit.symbol.module.map { "\(hit.symbol.name) [\($0)]" } ?? hit.symbol.name
    }
}
