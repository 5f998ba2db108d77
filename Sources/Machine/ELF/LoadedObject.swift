/// What loading an ELF file into a machine produced: where its sections went, the symbols it added to the
/// machine's symbol table, its ftrace call sites and, for executables, its entry point.
public struct LoadedObject: Sendable {
    /// The file name given to the parser.
    public let name: String
    /// The module name its symbols carry in kallsyms (`[name]`), nil for core-kernel code.
    public let module: String?
    public let architecture: Architecture
    public let fileType: ELFHeader.FileType
    /// Allocated sections with their load addresses, in section-header order.
    public let sections: [LoadedSection]
    /// The symbols added to `machine.symbols`, in symbol-table order.
    public let symbols: [Symbol]
    /// Addresses recorded for ftrace: targets of the `__mcount_loc` relocations (x86_64 `-mrecord-mcount`) or
    /// of `__patchable_function_entries` (arm64 `-fpatchable-function-entry`), in file order.
    public let ftraceSites: [UInt64]
    /// `e_entry` of an executable; nil for relocatable objects.
    public let entry: UInt64?

    public func section(named name: String) -> LoadedSection? { sections.first { $0.name == name } }
    public func symbol(named name: String) -> Symbol? { symbols.first { $0.name == name } }
}
