/// One section header (`Elf64_Shdr`) with its name resolved. Offsets and sizes of sections with file contents
/// were checked against the file when it was parsed.
public struct ELFSection: Sendable, Hashable {
    public static let SHT_NULL: UInt32 = 0
    public static let SHT_PROGBITS: UInt32 = 1
    public static let SHT_SYMTAB: UInt32 = 2
    public static let SHT_STRTAB: UInt32 = 3
    public static let SHT_RELA: UInt32 = 4
    public static let SHT_NOBITS: UInt32 = 8
    public static let SHT_REL: UInt32 = 9

    public static let SHF_WRITE: UInt64 = 0x1
    public static let SHF_ALLOC: UInt64 = 0x2
    public static let SHF_EXECINSTR: UInt64 = 0x4

    public let index: Int
    public let name: String
    public let type: UInt32
    public let flags: UInt64
    public let address: UInt64
    public let offset: UInt64
    public let size: UInt64
    public let link: UInt32
    public let info: UInt32
    public let alignment: UInt64
    public let entrySize: UInt64

    public var isAllocated: Bool { flags & ELFSection.SHF_ALLOC != 0 }
    public var isWritable: Bool { flags & ELFSection.SHF_WRITE != 0 }
    public var isExecutable: Bool { flags & ELFSection.SHF_EXECINSTR != 0 }
    /// `SHT_NOBITS` (`.bss`): occupies memory but no file bytes.
    public var isNoBits: Bool { type == ELFSection.SHT_NOBITS }

    /// The page permissions the kernel gives this kind of section: text `r-x`, writable data `rw-`, else `r--`.
    public var permissions: PagePermissions {
        isExecutable ? .text : isWritable ? .data : .rodata
    }

    /// How messages name it: `section 7 (.rela.text)`.
    public var label: String { "section \(index) (\(name))" }
}
