/// One `Elf64_Rela` entry: patch the field at `offset` in the target section with a value computed from the
/// symbol, the addend and (for PC-relative types) the field's own address.
public struct ELFRelocation: Sendable, Hashable {
    /// Position in its relocation section (for messages).
    public let index: Int
    public let offset: UInt64
    /// Index into the file's symbol table (checked), 0 for none.
    public let symbolIndex: Int
    public let type: UInt32
    public let addend: Int64
}
