/// One kallsyms entry: what `/proc/kallsyms` prints as `address type name [module]`.
public struct Symbol: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let address: UInt64
    /// Size from the object file (`st_size`); kallsyms itself derives sizes from the next symbol, see
    /// `SymbolTable.lookup(containing:)`.
    public let size: UInt64
    /// The kallsyms type letter: `T`/`t` text (global/local), `D`/`d` data, `R`/`r` rodata, `B`/`b` bss, `U` undefined.
    public let type: Character
    /// The module a symbol belongs to (printed as ` [module]`), nil for the core kernel image.
    public let module: String?

    public init(name: String, address: UInt64, size: UInt64, type: Character, module: String? = nil) {
        self.name = name
        self.address = address
        self.size = size
        self.type = type
        self.module = module
    }

    public var isText: Bool { type == "t" || type == "T" }

    /// The `/proc/kallsyms` line, with the address in full as root sees it.
    public var description: String {
        let hex = String(address, radix: 16)
        let line = String(repeating: "0", count: max(0, 16 - hex.count)) + hex + " \(type) \(name)"
        return module.map { line + "\t[\($0)]" } ?? line
    }
}
