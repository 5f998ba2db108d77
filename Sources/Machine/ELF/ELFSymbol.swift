/// One `.symtab` entry (`Elf64_Sym`) with its name resolved. `sectionIndex` was checked: it is a real section
/// index or one of the special values `SHN_UNDEF`, `SHN_ABS`, `SHN_COMMON`.
public struct ELFSymbol: Sendable, Hashable {
    public static let SHN_UNDEF: UInt16 = 0
    public static let SHN_LORESERVE: UInt16 = 0xff00
    public static let SHN_ABS: UInt16 = 0xfff1
    public static let SHN_COMMON: UInt16 = 0xfff2
    public static let SHN_XINDEX: UInt16 = 0xffff

    public static let STB_LOCAL: UInt8 = 0
    public static let STB_GLOBAL: UInt8 = 1
    public static let STB_WEAK: UInt8 = 2

    public static let STT_NOTYPE: UInt8 = 0
    public static let STT_OBJECT: UInt8 = 1
    public static let STT_FUNC: UInt8 = 2
    public static let STT_SECTION: UInt8 = 3
    public static let STT_FILE: UInt8 = 4

    public let index: Int
    public let name: String
    public let info: UInt8
    public let other: UInt8
    public let sectionIndex: UInt16
    public let value: UInt64
    public let size: UInt64

    public var binding: UInt8 { info >> 4 }
    public var type: UInt8 { info & 0xf }
    public var isUndefined: Bool { sectionIndex == ELFSymbol.SHN_UNDEF }
    public var isCommon: Bool { sectionIndex == ELFSymbol.SHN_COMMON }
    public var isWeak: Bool { binding == ELFSymbol.STB_WEAK }

    /// How messages name it: `symbol 12 (foo)`.
    public var label: String { "symbol \(index) (\(name))" }

    /// Whether kallsyms would list it: functions, objects and untyped labels with a name, except the arm64
    /// mapping symbols (`$x`, `$d`, `$x.42`) that only mark code/data boundaries for disassemblers.
    var isKallsymsCandidate: Bool {
        guard type == ELFSymbol.STT_FUNC || type == ELFSymbol.STT_OBJECT || type == ELFSymbol.STT_NOTYPE,
              !name.isEmpty else { return false }
        if let first = name.first, first == "$" {
            let kind = name.dropFirst().prefix(while: { $0 != "." })
            if ["x", "d", "a", "t"].contains(kind) { return false }
        }
        return true
    }

    /// The `nm`/kallsyms type letter for a symbol defined in `section` (nil for `SHN_COMMON`): `t` text,
    /// `r` read-only data, `d` data, `b` bss, upper case when global; weak definitions are `W` (`V` for
    /// objects), as binutils' nm prints them.
    func kallsymsType(in section: ELFSection?) -> Character {
        if isWeak { return type == ELFSymbol.STT_OBJECT ? "V" : "W" }
        let letter: Character
        if let section {
            letter = section.isExecutable ? "t" : section.isNoBits ? "b" : section.isWritable ? "d" : "r"
        } else {
            letter = "b"
        }
        return binding == ELFSymbol.STB_LOCAL ? letter : Character(letter.uppercased())
    }
}
