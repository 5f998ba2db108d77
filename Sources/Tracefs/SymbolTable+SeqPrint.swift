import Machine

extension SymbolTable {
    /// How a trace line prints a probe address: `0` for 0, `[unknown/kretprobe'd]` for the kretprobe
    /// trampoline, `sym+0xoff/0xsize` (`withOffset`, sprint_symbol) or the bare name (kallsyms_lookup, no module
    /// suffix), else `0x%08lx`. kernel: kernel/trace/trace_output.c seq_print_ip_sym, seq_print_sym, kretprobed.
    func seqPrintIPSym(_ address: UInt64, withOffset: Bool, kretprobeTrampoline: UInt64?) -> String {
        if address == 0 { return "0" }
        if address == kretprobeTrampoline { return "[unknown/kretprobe'd]" }
        if withOffset { return format(address) }
        return lookup(containing: address)?.symbol.name ?? "0x" + String(address, radix: 16).rightJustified(8, pad: "0")
    }
}
