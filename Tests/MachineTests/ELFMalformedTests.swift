import Testing
@testable import Machine

/// Malformed files give an `ELFError` naming the file, the structure and the problem, never a crash. The
/// corruptions patch `x86_64/relocs.o` at offsets from the ELF64 spec (header fields) and from `readelf -hSrsW`
/// of that file: 22 sections, table at 0x5f0; section 1 .text at 0x40 size 0x46; section 2 .rela.text at
/// 0x348 size 0xd8 (entry 0: R_X86_64_PLT32 against printk at .text+0xb); section 19 .symtab at 0x120
/// (17 entries; symbol 7 is x86_entry), section 20 .strtab size 0x90, section 21 .shstrtab size 0xae;
/// section 5 .bss; the file is 0xb70 bytes.
@Suite("ELF malformed input")
struct ELFMalformedTests {
    static let sectionTable = 0x5f0
    static func sectionHeader(_ index: Int) -> Int { sectionTable + index * 64 }
    static let symbolTable = 0x120
    static let relaText = 0x348

    static func good() throws -> [UInt8] { try ELFFixtures.bytes("x86_64/relocs.o") }

    static func patch(_ bytes: inout [UInt8], at offset: Int, size: Int, _ value: UInt64) {
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Parses and loads `bytes` into a machine holding the fixture's externals; the error it must give.
    static func failure(_ bytes: [UInt8]) -> ELFError? {
        do {
            _ = try ELFLoader.load(bytes: bytes, name: "bad.o", into: ELFFixtures.relocsMachine(.x86_64))
            return nil
        } catch {
            return error
        }
    }

    /// One corruption: where to write what, and what the error must say.
    struct Corruption: CustomTestStringConvertible, Sendable {
        let what: String
        let offset: Int
        let size: Int
        let value: UInt64
        let kind: ELFError.Kind
        let message: String
        var testDescription: String { what }
    }

    static let corruptions: [Corruption] = [
        .init(what: "bad magic", offset: 0, size: 1, value: 0x7e, kind: .badHeader,
              message: "bad.o: ELF header has bad magic 0x7e 0x45 0x4c 0x46 (expected 0x7f 'E' 'L' 'F')"),
        .init(what: "ELFCLASS32", offset: 4, size: 1, value: 1, kind: .badHeader,
              message: "bad.o: ELF header has class 1; only ELFCLASS64 (2) is supported"),
        .init(what: "big-endian", offset: 5, size: 1, value: 2, kind: .badHeader,
              message: "bad.o: ELF header has data encoding 2; only ELFDATA2LSB (1, little-endian) is supported"),
        .init(what: "bad version", offset: 6, size: 1, value: 0, kind: .badHeader,
              message: "bad.o: ELF header has identification version 0; expected EV_CURRENT (1)"),
        .init(what: "ET_DYN", offset: 16, size: 2, value: 3, kind: .unsupported,
              message: "bad.o: ELF header has type ET_DYN (3); only ET_REL (1) and ET_EXEC (2) are supported"),
        .init(what: "EM_ARM", offset: 18, size: 2, value: 40, kind: .unsupported,
              message: "bad.o: ELF header has machine EM_ARM (40); only EM_X86_64 (62) and EM_AARCH64 (183) are supported"),
        .init(what: "section header table past the end", offset: 40, size: 8, value: 0xb70 - 0x10, kind: .truncated,
              message: "bad.o: ELF header section header table extends past end of file (offset 0xb60 + size 0x580 > 0xb70)"),
        .init(what: "section header table offset wraps", offset: 40, size: 8, value: UInt64.max - 8, kind: .truncated,
              message: "bad.o: ELF header section header table extends past end of file (offset 0xfffffffffffffff7 + size 0x580 > 0xb70)"),
        .init(what: "wrong e_shentsize", offset: 58, size: 2, value: 0x28, kind: .badHeader,
              message: "bad.o: ELF header has section header size 0x28; ELF64 needs 0x40"),
        .init(what: "e_shstrndx out of range", offset: 62, size: 2, value: 99, kind: .outOfRange,
              message: "bad.o: ELF header section name table index 99 is out of range (22 sections)"),
        .init(what: "e_shstrndx not a string table", offset: 62, size: 2, value: 1, kind: .outOfRange,
              message: "bad.o: section name table (section 1) has type 1, not SHT_STRTAB (3)"),
        .init(what: "sh_name out of range", offset: sectionHeader(1), size: 4, value: 0xffff, kind: .outOfRange,
              message: "bad.o: section 1 has name offset 0xffff outside the section name table (size 0xae) or unterminated"),
        .init(what: "section contents past the end", offset: sectionHeader(2) + 32, size: 8, value: 0xd00, kind: .truncated,
              message: "bad.o: section 2 (.rela.text) extends past end of file (offset 0x348 + size 0xd00 > 0xb70)"),
        .init(what: "sh_offset + sh_size wraps", offset: sectionHeader(1) + 24, size: 8, value: UInt64.max, kind: .truncated,
              message: "bad.o: section 1 (.text) extends past end of file (offset 0xffffffffffffffff + size 0x46 > 0xb70)"),
        .init(what: "alignment not a power of two", offset: sectionHeader(1) + 48, size: 8, value: 3, kind: .badHeader,
              message: "bad.o: section 1 (.text) has alignment 0x3, which is not a power of two"),
        .init(what: "symtab sh_link out of range", offset: sectionHeader(19) + 40, size: 4, value: 99, kind: .outOfRange,
              message: "bad.o: section 19 (.symtab) links to string table section 99, out of range (22 sections)"),
        .init(what: "symtab entry size", offset: sectionHeader(19) + 56, size: 8, value: 16, kind: .badHeader,
              message: "bad.o: section 19 (.symtab) has entry size 0x10; Elf64_Sym is 0x18"),
        .init(what: "rela sh_info out of range", offset: sectionHeader(2) + 44, size: 4, value: 77, kind: .outOfRange,
              message: "bad.o: section 2 (.rela.text) applies to section 77 (sh_info), out of range (22 sections)"),
        .init(what: "rela sh_link not the symbol table", offset: sectionHeader(2) + 40, size: 4, value: 1, kind: .outOfRange,
              message: "bad.o: section 2 (.rela.text) links to section 1 (sh_link), which is not the symbol table"),
        .init(what: "rela size not a multiple", offset: sectionHeader(2) + 32, size: 8, value: 0xd0, kind: .badHeader,
              message: "bad.o: section 2 (.rela.text) has size 0xd0, not a multiple of the entry size 0x18"),
        .init(what: "st_shndx out of range", offset: symbolTable + 7 * 24 + 6, size: 2, value: 0x50, kind: .outOfRange,
              message: "bad.o: symbol 7 (x86_entry) has section index 80, out of range (22 sections)"),
        .init(what: "SHN_XINDEX", offset: symbolTable + 7 * 24 + 6, size: 2, value: 0xffff, kind: .unsupported,
              message: "bad.o: symbol 7 (x86_entry) uses an extended section index (SHN_XINDEX)"),
        .init(what: "st_name out of range", offset: symbolTable + 7 * 24, size: 4, value: 0x10_0000, kind: .outOfRange,
              message: "bad.o: symbol 7 has name offset 0x100000 outside section 20 (.strtab) (size 0x90) or unterminated"),
        .init(what: "relocation symbol out of range", offset: relaText + 12, size: 4, value: 0xffff, kind: .outOfRange,
              message: "bad.o: relocation 0 of section 2 (.rela.text) refers to symbol 65535, out of range (17 symbols)"),
        .init(what: "relocation offset past the section", offset: relaText, size: 8, value: 0x1000, kind: .outOfRange,
              message: "bad.o: relocation 0 of section 2 (.rela.text) has offset 0x1000 past the end of section 1 (.text) (size 0x46)"),
        .init(what: "relocation field runs past the section", offset: relaText, size: 8, value: 0x44, kind: .outOfRange,
              message: "bad.o: relocation 0 of section 2 (.rela.text) at .text+0x44 R_X86_64_PLT32 (4) patches 4 bytes, past the end of section 1 (.text) (size 0x46)"),
        .init(what: "unsupported relocation type", offset: relaText + 8, size: 4, value: 9, kind: .unsupported,
              message: "bad.o: relocation 0 of section 2 (.rela.text) at .text+0xb has type R_X86_64_GOTPCREL (9), which the loader does not support"),
        .init(what: "unknown relocation type", offset: relaText + 8, size: 4, value: 200, kind: .unsupported,
              message: "bad.o: relocation 0 of section 2 (.rela.text) at .text+0xb has type unknown (200), which the loader does not support"),
        .init(what: "writable text", offset: sectionHeader(1) + 8, size: 8, value: 0x7, kind: .unsupported,
              message: "bad.o: section 1 (.text) has invalid WRITE|EXEC flags (the kernel refuses W+X module sections)"),
        .init(what: "huge .bss", offset: sectionHeader(5) + 32, size: 8, value: 1 << 40, kind: .placement,
              message: "bad.o: section 5 (.bss) makes the image larger than the loader's limit of 0x4000000 bytes"),
        .init(what: "alignment above the page size", offset: sectionHeader(5) + 48, size: 8, value: 0x10000, kind: .placement,
              message: "bad.o: section 5 (.bss) needs alignment 0x10000, more than the page size 0x1000"),
    ]

    @Test("each corruption gives its error", arguments: corruptions)
    func corruption(_ corruption: Corruption) throws {
        var bytes = try Self.good()
        #expect(Self.failure(bytes) == nil, "the unpatched fixture loads")
        Self.patch(&bytes, at: corruption.offset, size: corruption.size, corruption.value)
        let error = try #require(Self.failure(bytes))
        #expect(error.kind == corruption.kind)
        #expect(error.description == corruption.message)
    }

    @Test("every truncation is a truncation error", arguments: Architecture.allCases)
    func truncatedEverywhere(architecture: Architecture) throws {
        let bytes = try ELFFixtures.bytes("\(architecture)/relocs.o")
        for length in 0..<bytes.count {
            do {
                _ = try ELFFile(bytes: Array(bytes[..<length]), name: "cut.o")
                Issue.record("a \(length)-byte prefix parsed")
            } catch {
                #expect(error.kind == .truncated, "prefix \(length): \(error)")
                #expect(error.file == "cut.o")
            }
        }
    }

    @Test("executables: program headers are checked")
    func programHeaders() throws {
        let good = try ELFFixtures.bytes("x86_64/relocs.linked")
        var bytes = good
        Self.patch(&bytes, at: 32, size: 8, UInt64(good.count))    // e_phoff at the end of the file
        #expect(throws: ELFError.self) { try ELFFile(bytes: bytes, name: "bad") }
        let phoff = Int(good[32]) | Int(good[33]) << 8
        bytes = good
        // Program header 0 (readelf -l: the text PT_LOAD): p_filesz (+32) above p_memsz (+40).
        Self.patch(&bytes, at: phoff + 32, size: 8, 0x1000)
        do {
            _ = try ELFFile(bytes: bytes, name: "bad")
            Issue.record("parsed")
        } catch {
            #expect(error.description.hasPrefix("bad: program header 0 (PT_LOAD) "))
        }
    }

    @Test("seeded fuzz: any mutation of a good file is success or an ELFError",
          arguments: [(Architecture.x86_64, "relocs.o"), (.arm64, "relocs.o"), (.x86_64, "relocs.linked"), (.arm64, "relocs.linked")])
    func fuzz(architecture: Architecture, file: String) throws {
        let seed: UInt64 = 0x5eed_e1f0 &+ UInt64(architecture == .x86_64 ? 0 : 1) &+ UInt64(file.hasSuffix(".o") ? 0 : 2)
        print("ELF fuzz \(architecture) \(file): seed \(ELFError.hex(seed))")
        var random = SeededGenerator(seed: seed)
        let good = try ELFFixtures.bytes("\(architecture)/\(file)")
        let interesting: [UInt64] = [0, 1, 0x7f, 0xff, 0xffff, 0x7fff_ffff, 0xffff_ffff, UInt64(good.count), UInt64.max]
        var failures = 0, successes = 0
        for iteration in 0..<2000 {
            var bytes = good
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = Int(random.next() % UInt64(bytes.count))
                if random.next() % 4 == 0 {
                    let size = [1, 2, 4, 8][Int(random.next() % 4)]
                    let value = interesting[Int(random.next() % UInt64(interesting.count))]
                    Self.patch(&bytes, at: min(position, bytes.count - size), size: size, value)
                } else {
                    bytes[position] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            do {
                _ = try ELFLoader.load(bytes: bytes, name: "fuzz.o", into: ELFFixtures.relocsMachine(architecture))
                successes += 1
            } catch {
                failures += 1
                #expect(error.description.hasPrefix("fuzz.o: "), "seed \(seed) iteration \(iteration)")
            }
        }
        print("ELF fuzz \(architecture) \(file): \(successes) loaded, \(failures) refused")
        #expect(failures > 100, "mutations of the headers must be refused")
        #expect(successes > 100, "mutations of contents alone still load")
    }
}
