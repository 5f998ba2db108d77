/// Why an ELF file could not be parsed or loaded. Always names the file, the structure and the problem, e.g.
/// `foo.o: section 7 (.rela.text) extends past end of file (offset 0x1234 + size 0x40 > 0x1250)`, so a user
/// can find the bad bytes with `readelf`.
public struct ELFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of problem, for callers (and tests) that react to it.
    public enum Kind: String, Sendable, Hashable {
        /// A structure lies (partly) outside the file or its table.
        case truncated
        /// The identification bytes or header fields are not an ELF64 little-endian file of a supported type.
        case badHeader
        /// An index or offset points outside what it indexes (section, symbol, string table, section bytes).
        case outOfRange
        /// Well-formed ELF this loader does not handle (a relocation type, extended numbering, `SHT_REL`...).
        case unsupported
        /// An object built for the other architecture than the machine's.
        case wrongArchitecture
        /// An undefined symbol that neither the machine nor a weak binding resolves.
        case unresolvedSymbol
        /// A relocated value that does not fit its field.
        case relocationOverflow
        /// Placement is impossible (too large, overlapping memory already mapped).
        case placement
    }

    public let kind: Kind
    /// The file's name as the caller gave it.
    public let file: String
    /// The structure at fault: `ELF header`, `section 7 (.rela.text)`, `symbol 12 (foo)`...
    public let structure: String
    public let problem: String

    public init(_ kind: Kind, file: String, structure: String, problem: String) {
        self.kind = kind
        self.file = file
        self.structure = structure
        self.problem = problem
    }

    public var description: String { "\(file): \(structure) \(problem)" }

    /// The `0x...` spelling every ELF message uses for offsets, sizes and addresses.
    static func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
}
