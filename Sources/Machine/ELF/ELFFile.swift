/// A parsed ELF64 little-endian file (`ET_REL` or `ET_EXEC`, x86_64 or aarch64): header, sections with names,
/// the symbol table, `SHT_RELA` relocations and program headers.
///
/// Parsing checks every offset, size and index the file states, so everything handed out here is safe to use:
/// section contents lie inside the file, symbol and section indices are in range, names are terminated
/// strings. A malformed file is an `ELFError` naming the file (`name`), the structure and the problem.
public struct ELFFile: Sendable {
    public static let symbolSize: UInt64 = 24
    public static let relaSize: UInt64 = 24

    public let name: String
    public let header: ELFHeader
    /// Every section header, by index (index 0 is the null section).
    public let sections: [ELFSection]
    /// `.symtab` entries by index (index 0 is the null symbol); empty when the file has no symbol table.
    public let symbols: [ELFSymbol]
    public let relocationSections: [ELFRelocationSection]
    public let programHeaders: [ELFProgramHeader]
    private let reader: ELFByteReader

    public var architecture: Architecture { header.architecture }

    public init(bytes: [UInt8], name: String) throws(ELFError) {
        self.name = name
        reader = ELFByteReader(bytes: bytes)
        header = try ELFHeader(reader, file: name)
        sections = try ELFFile.parseSections(reader, header, file: name)
        symbols = try ELFFile.parseSymbols(reader, sections, file: name)
        relocationSections = try ELFFile.parseRelocations(reader, sections, symbols, file: name)
        programHeaders = try ELFFile.parseProgramHeaders(reader, header, file: name)
    }

    /// The file bytes of `section` (empty for `SHT_NOBITS` and the null section).
    public func contents(of section: ELFSection) -> ArraySlice<UInt8> {
        guard section.type != ELFSection.SHT_NULL, !section.isNoBits else { return [] }
        return reader.slice(offset: section.offset, size: section.size) ?? []
    }

    /// The file bytes a `PT_LOAD` segment copies (`p_filesz` bytes at `p_offset`).
    public func contents(of segment: ELFProgramHeader) -> ArraySlice<UInt8> {
        reader.slice(offset: segment.offset, size: segment.fileSize) ?? []
    }

    public func section(named name: String) -> ELFSection? { sections.first { $0.name == name } }

    // MARK: Parsing

    private static func parseSections(_ reader: ELFByteReader, _ header: ELFHeader, file: String) throws(ELFError) -> [ELFSection] {
        struct Raw { var name: UInt32, type: UInt32, flags, address, offset, size: UInt64, link, info: UInt32, alignment, entrySize: UInt64 }
        var raws: [Raw] = []
        for index in 0..<header.sectionHeaderCount {
            // The header checked that the whole table is inside the file.
            let base = header.sectionHeaderOffset + UInt64(index) * ELFHeader.sectionHeaderSize
            raws.append(Raw(name: reader.u32(base) ?? 0, type: reader.u32(base + 4) ?? 0,
                            flags: reader.u64(base + 8) ?? 0, address: reader.u64(base + 16) ?? 0,
                            offset: reader.u64(base + 24) ?? 0, size: reader.u64(base + 32) ?? 0,
                            link: reader.u32(base + 40) ?? 0, info: reader.u32(base + 44) ?? 0,
                            alignment: reader.u64(base + 48) ?? 0, entrySize: reader.u64(base + 56) ?? 0))
        }
        guard !raws.isEmpty else { return [] }

        // Section names come from e_shstrndx, which must be a string table inside the file.
        let names = raws[header.sectionNameTableIndex]
        func nameFail(_ problem: String) -> ELFError {
            ELFError(.outOfRange, file: file, structure: "section name table (section \(header.sectionNameTableIndex))", problem: problem)
        }
        guard names.type == ELFSection.SHT_STRTAB else {
            throw nameFail("has type \(names.type), not SHT_STRTAB (3)")
        }
        guard reader.contains(offset: names.offset, size: names.size) else {
            throw ELFError(.truncated, file: file, structure: "section \(header.sectionNameTableIndex) (section name table)",
                           problem: "extends past end of file (offset \(ELFError.hex(names.offset)) + size \(ELFError.hex(names.size)) > \(ELFError.hex(reader.count)))")
        }
        let nameTable = Int(names.offset)..<Int(names.offset + names.size)

        var sections: [ELFSection] = []
        for (index, raw) in raws.enumerated() {
            guard let name = reader.string(in: nameTable, at: raw.name) else {
                throw ELFError(.outOfRange, file: file, structure: "section \(index)",
                               problem: "has name offset \(ELFError.hex(raw.name)) outside the section name table (size \(ELFError.hex(names.size))) or unterminated")
            }
            let section = ELFSection(index: index, name: name, type: raw.type, flags: raw.flags, address: raw.address,
                                     offset: raw.offset, size: raw.size, link: raw.link, info: raw.info,
                                     alignment: raw.alignment, entrySize: raw.entrySize)
            if raw.type != ELFSection.SHT_NULL && raw.type != ELFSection.SHT_NOBITS
                && !reader.contains(offset: raw.offset, size: raw.size) {
                throw ELFError(.truncated, file: file, structure: section.label,
                               problem: "extends past end of file (offset \(ELFError.hex(raw.offset)) + size \(ELFError.hex(raw.size)) > \(ELFError.hex(reader.count)))")
            }
            if section.isAllocated && raw.alignment > 1 && raw.alignment & (raw.alignment - 1) != 0 {
                throw ELFError(.badHeader, file: file, structure: section.label,
                               problem: "has alignment \(ELFError.hex(raw.alignment)), which is not a power of two")
            }
            sections.append(section)
        }
        return sections
    }

    private static func parseSymbols(_ reader: ELFByteReader, _ sections: [ELFSection], file: String) throws(ELFError) -> [ELFSymbol] {
        let tables = sections.filter { $0.type == ELFSection.SHT_SYMTAB }
        guard let table = tables.first else { return [] }
        func fail(_ kind: ELFError.Kind, _ problem: String) -> ELFError {
            ELFError(kind, file: file, structure: table.label, problem: problem)
        }
        guard tables.count == 1 else { throw fail(.unsupported, "is one of \(tables.count) symbol tables; an object has one") }
        guard table.entrySize == symbolSize else {
            throw fail(.badHeader, "has entry size \(ELFError.hex(table.entrySize)); Elf64_Sym is 0x18")
        }
        guard table.size % symbolSize == 0 else {
            throw fail(.badHeader, "has size \(ELFError.hex(table.size)), not a multiple of the entry size 0x18")
        }
        guard Int(exactly: table.link).map({ $0 < sections.count }) == true else {
            throw fail(.outOfRange, "links to string table section \(table.link), out of range (\(sections.count) sections)")
        }
        let strings = sections[Int(table.link)]
        guard strings.type == ELFSection.SHT_STRTAB else {
            throw fail(.badHeader, "links to \(strings.label), which is not a string table")
        }
        // Both ranges were checked against the file when the sections were parsed.
        let stringTable = Int(strings.offset)..<Int(strings.offset + strings.size)
        var symbols: [ELFSymbol] = []
        let count = Int(table.size / symbolSize)
        symbols.reserveCapacity(count)
        for index in 0..<count {
            let base = table.offset + UInt64(index) * symbolSize
            let nameOffset = reader.u32(base) ?? 0
            guard let name = reader.string(in: stringTable, at: nameOffset) else {
                throw ELFError(.outOfRange, file: file, structure: "symbol \(index)",
                               problem: "has name offset \(ELFError.hex(nameOffset)) outside \(strings.label) (size \(ELFError.hex(strings.size))) or unterminated")
            }
            let symbol = ELFSymbol(index: index, name: name, info: reader.u8(base + 4) ?? 0, other: reader.u8(base + 5) ?? 0,
                                   sectionIndex: reader.u16(base + 6) ?? 0, value: reader.u64(base + 8) ?? 0,
                                   size: reader.u64(base + 16) ?? 0)
            let shndx = symbol.sectionIndex
            if shndx == ELFSymbol.SHN_XINDEX {
                throw ELFError(.unsupported, file: file, structure: symbol.label,
                               problem: "uses an extended section index (SHN_XINDEX)")
            }
            if shndx >= ELFSymbol.SHN_LORESERVE && shndx != ELFSymbol.SHN_ABS && shndx != ELFSymbol.SHN_COMMON {
                throw ELFError(.unsupported, file: file, structure: symbol.label,
                               problem: "has reserved section index \(ELFError.hex(shndx))")
            }
            if shndx < ELFSymbol.SHN_LORESERVE && Int(shndx) >= sections.count {
                throw ELFError(.outOfRange, file: file, structure: symbol.label,
                               problem: "has section index \(shndx), out of range (\(sections.count) sections)")
            }
            symbols.append(symbol)
        }
        return symbols
    }

    private static func parseRelocations(_ reader: ELFByteReader, _ sections: [ELFSection], _ symbols: [ELFSymbol],
                                         file: String) throws(ELFError) -> [ELFRelocationSection] {
        var result: [ELFRelocationSection] = []
        for section in sections where section.type == ELFSection.SHT_RELA || section.type == ELFSection.SHT_REL {
            func fail(_ kind: ELFError.Kind, _ problem: String) -> ELFError {
                ELFError(kind, file: file, structure: section.label, problem: problem)
            }
            guard Int(exactly: section.info).map({ $0 > 0 && $0 < sections.count }) == true else {
                throw fail(.outOfRange, "applies to section \(section.info) (sh_info), out of range (\(sections.count) sections)")
            }
            let target = sections[Int(section.info)]
            if section.type == ELFSection.SHT_REL {
                // x86_64 and aarch64 objects use RELA; REL against something loaded cannot be applied faithfully.
                guard !target.isAllocated else {
                    throw fail(.unsupported, "is SHT_REL (relocations without addends), which x86_64 and aarch64 do not use")
                }
                continue
            }
            guard Int(exactly: section.link).map({ $0 < sections.count }) == true,
                  sections[Int(section.link)].type == ELFSection.SHT_SYMTAB else {
                throw fail(.outOfRange, "links to section \(section.link) (sh_link), which is not the symbol table")
            }
            guard section.entrySize == relaSize else {
                throw fail(.badHeader, "has entry size \(ELFError.hex(section.entrySize)); Elf64_Rela is 0x18")
            }
            guard section.size % relaSize == 0 else {
                throw fail(.badHeader, "has size \(ELFError.hex(section.size)), not a multiple of the entry size 0x18")
            }
            guard !target.isNoBits else {
                throw fail(.badHeader, "applies to \(target.label), which has no contents (SHT_NOBITS)")
            }
            var relocations: [ELFRelocation] = []
            let count = Int(section.size / relaSize)
            relocations.reserveCapacity(count)
            for index in 0..<count {
                let base = section.offset + UInt64(index) * relaSize
                let offset = reader.u64(base) ?? 0
                let info = reader.u64(base + 8) ?? 0
                let addend = Int64(bitPattern: reader.u64(base + 16) ?? 0)
                let symbolIndex = info >> 32
                guard symbolIndex < UInt64(max(symbols.count, 1)) else {
                    throw ELFError(.outOfRange, file: file, structure: "relocation \(index) of \(section.label)",
                                   problem: "refers to symbol \(symbolIndex), out of range (\(symbols.count) symbols)")
                }
                guard offset < target.size else {
                    throw ELFError(.outOfRange, file: file, structure: "relocation \(index) of \(section.label)",
                                   problem: "has offset \(ELFError.hex(offset)) past the end of \(target.label) (size \(ELFError.hex(target.size)))")
                }
                relocations.append(ELFRelocation(index: index, offset: offset, symbolIndex: Int(symbolIndex),
                                                 type: UInt32(truncatingIfNeeded: info), addend: addend))
            }
            result.append(ELFRelocationSection(section: section.index, target: target.index, relocations: relocations))
        }
        return result
    }

    private static func parseProgramHeaders(_ reader: ELFByteReader, _ header: ELFHeader, file: String) throws(ELFError) -> [ELFProgramHeader] {
        var result: [ELFProgramHeader] = []
        for index in 0..<header.programHeaderCount {
            // The header checked that the whole table is inside the file.
            let base = header.programHeaderOffset + UInt64(index) * ELFHeader.programHeaderSize
            let segment = ELFProgramHeader(index: index, type: reader.u32(base) ?? 0, flags: reader.u32(base + 4) ?? 0,
                                           offset: reader.u64(base + 8) ?? 0, virtualAddress: reader.u64(base + 16) ?? 0,
                                           fileSize: reader.u64(base + 32) ?? 0, memorySize: reader.u64(base + 40) ?? 0,
                                           alignment: reader.u64(base + 48) ?? 0)
            if segment.isLoad {
                func fail(_ kind: ELFError.Kind, _ problem: String) -> ELFError {
                    ELFError(kind, file: file, structure: segment.label, problem: problem)
                }
                guard reader.contains(offset: segment.offset, size: segment.fileSize) else {
                    throw fail(.truncated, "extends past end of file (offset \(ELFError.hex(segment.offset)) + size \(ELFError.hex(segment.fileSize)) > \(ELFError.hex(reader.count)))")
                }
                guard segment.fileSize <= segment.memorySize else {
                    throw fail(.badHeader, "has file size \(ELFError.hex(segment.fileSize)) larger than its memory size \(ELFError.hex(segment.memorySize))")
                }
                guard segment.memorySize <= UInt64.max - segment.virtualAddress else {
                    throw fail(.outOfRange, "wraps the address space (vaddr \(ELFError.hex(segment.virtualAddress)) + size \(ELFError.hex(segment.memorySize)))")
                }
            }
            result.append(segment)
        }
        return result
    }
}
