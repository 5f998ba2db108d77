/// The ELF64 file header (`Elf64_Ehdr`), validated: identification, type, machine and table geometry.
public struct ELFHeader: Sendable, Hashable {
    /// `e_type`: the two kinds of file the loader takes.
    public enum FileType: UInt16, Sendable, Hashable {
        /// `ET_REL`: an object file or kernel module, placed and relocated by the loader.
        case relocatable = 1
        /// `ET_EXEC`: a linked image, mapped at its own addresses.
        case executable = 2
    }

    public static let size: UInt64 = 64
    static let sectionHeaderSize: UInt64 = 64
    static let programHeaderSize: UInt64 = 56

    public let type: FileType
    public let architecture: Architecture
    /// `e_entry` (0 in relocatable objects).
    public let entry: UInt64
    public let programHeaderOffset: UInt64
    public let programHeaderCount: Int
    public let sectionHeaderOffset: UInt64
    public let sectionHeaderCount: Int
    /// `e_shstrndx`: the section holding section names.
    public let sectionNameTableIndex: Int

    init(_ reader: ELFByteReader, file: String) throws(ELFError) {
        func fail(_ kind: ELFError.Kind, _ problem: String) -> ELFError {
            ELFError(kind, file: file, structure: "ELF header", problem: problem)
        }
        guard reader.count >= ELFHeader.size else {
            throw fail(.truncated, "is truncated: file is \(ELFError.hex(reader.count)) bytes, an ELF64 header needs 0x40")
        }
        // The header fits, so the fixed-offset reads below cannot fail; `?? 0` only satisfies the optionals.
        guard reader.bytes[0] == 0x7f, reader.bytes[1] == 0x45, reader.bytes[2] == 0x4c, reader.bytes[3] == 0x46 else {
            throw fail(.badHeader, "has bad magic \(reader.bytes[0..<4].map { ELFError.hex($0) }.joined(separator: " ")) (expected 0x7f 'E' 'L' 'F')")
        }
        guard reader.bytes[4] == 2 else {
            throw fail(.badHeader, "has class \(reader.bytes[4]); only ELFCLASS64 (2) is supported")
        }
        guard reader.bytes[5] == 1 else {
            throw fail(.badHeader, "has data encoding \(reader.bytes[5]); only ELFDATA2LSB (1, little-endian) is supported")
        }
        guard reader.bytes[6] == 1 else {
            throw fail(.badHeader, "has identification version \(reader.bytes[6]); expected EV_CURRENT (1)")
        }
        let rawType = reader.u16(16) ?? 0
        guard let type = FileType(rawValue: rawType) else {
            throw fail(.unsupported, "has type \(ELFHeader.typeName(rawType)); only ET_REL (1) and ET_EXEC (2) are supported")
        }
        let machine = reader.u16(18) ?? 0
        guard let architecture = Architecture.allCases.first(where: { $0.elfMachine == machine }) else {
            throw fail(.unsupported, "has machine \(ELFHeader.machineName(machine)); only EM_X86_64 (62) and EM_AARCH64 (183) are supported")
        }
        self.type = type
        self.architecture = architecture
        entry = reader.u64(24) ?? 0
        programHeaderOffset = reader.u64(32) ?? 0
        sectionHeaderOffset = reader.u64(40) ?? 0
        let phentsize = UInt64(reader.u16(54) ?? 0)
        programHeaderCount = Int(reader.u16(56) ?? 0)
        let shentsize = UInt64(reader.u16(58) ?? 0)
        sectionHeaderCount = Int(reader.u16(60) ?? 0)
        sectionNameTableIndex = Int(reader.u16(62) ?? 0)

        if sectionHeaderCount == 0 && sectionHeaderOffset != 0 {
            throw fail(.unsupported, "uses extended section numbering (e_shnum 0 with e_shoff \(ELFError.hex(sectionHeaderOffset)))")
        }
        if sectionHeaderCount > 0 {
            guard shentsize == ELFHeader.sectionHeaderSize else {
                throw fail(.badHeader, "has section header size \(ELFError.hex(shentsize)); ELF64 needs 0x40")
            }
            let tableSize = UInt64(sectionHeaderCount) * ELFHeader.sectionHeaderSize
            guard reader.contains(offset: sectionHeaderOffset, size: tableSize) else {
                throw fail(.truncated, "section header table extends past end of file (offset \(ELFError.hex(sectionHeaderOffset)) + size \(ELFError.hex(tableSize)) > \(ELFError.hex(reader.count)))")
            }
            guard sectionNameTableIndex < sectionHeaderCount else {
                throw fail(.outOfRange, "section name table index \(sectionNameTableIndex) is out of range (\(sectionHeaderCount) sections)")
            }
        }
        if programHeaderCount > 0 {
            guard phentsize == ELFHeader.programHeaderSize else {
                throw fail(.badHeader, "has program header size \(ELFError.hex(phentsize)); ELF64 needs 0x38")
            }
            let tableSize = UInt64(programHeaderCount) * ELFHeader.programHeaderSize
            guard reader.contains(offset: programHeaderOffset, size: tableSize) else {
                throw fail(.truncated, "program header table extends past end of file (offset \(ELFError.hex(programHeaderOffset)) + size \(ELFError.hex(tableSize)) > \(ELFError.hex(reader.count)))")
            }
        }
    }

    static func typeName(_ type: UInt16) -> String {
        switch type {
        case 0: return "ET_NONE (0)"
        case 1: return "ET_REL (1)"
        case 2: return "ET_EXEC (2)"
        case 3: return "ET_DYN (3)"
        case 4: return "ET_CORE (4)"
        default: return "\(type)"
        }
    }

    /// `e_machine` spelled as `<elf.h>` does, for messages.
    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 3: return "EM_386 (3)"
        case 8: return "EM_MIPS (8)"
        case 21: return "EM_PPC64 (21)"
        case 22: return "EM_S390 (22)"
        case 40: return "EM_ARM (40)"
        case 62: return "EM_X86_64 (62)"
        case 183: return "EM_AARCH64 (183)"
        case 243: return "EM_RISCV (243)"
        default: return "\(machine)"
        }
    }
}
