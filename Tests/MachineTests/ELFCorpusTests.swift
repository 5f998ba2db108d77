import Foundation
import Testing
@testable import Machine

/// The compiled-C corpus (Tests/Fixtures/corpus, gcc with kernel flags, see its toolchain.txt): every object of
/// both architectures loads, and every relocation objdump -r listed is checked in the loaded bytes with the
/// formula for its type written out here (x86_64 psABI, AAELF64), independently of the loader's encoder.
@Suite("ELF loader on the compiled-C corpus")
struct ELFCorpusTests {
    static let corpus = ELFFixtures.directory.deletingLastPathComponent().appendingPathComponent("corpus")

    /// `<arch>/<variant>/<name>.o` paths relative to the corpus, sorted.
    static func objects(_ architecture: Architecture) throws -> [String] {
        let root = corpus.appendingPathComponent("\(architecture)")
        var paths: [String] = []
        for variant in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(variant).path)
            paths += names.filter { $0.hasSuffix(".o") }.sorted().map { "\(architecture)/\(variant)/\($0)" }
        }
        return paths
    }

    /// One `objdump -r` record: the section it patches, offset, type name, and target (name and addend).
    struct Record {
        let section: String
        let offset: UInt64
        let type: String
        let target: String
        let addend: Int64
    }

    static func records(_ listing: String) -> [Record] {
        var section = ""
        var records: [Record] = []
        for line in listing.split(separator: "\n") {
            if line.hasPrefix("RELOCATION RECORDS FOR [") {
                section = String(line.dropFirst("RELOCATION RECORDS FOR [".count).dropLast(2))
                continue
            }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3, fields[1].hasPrefix("R_"), let offset = UInt64(fields[0], radix: 16) else { continue }
            let value = fields[2]
            var target = String(value), addend: Int64 = 0
            if let sign = value.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) {
                target = String(value[..<sign])
                let magnitude = Int64(bitPattern: UInt64(value[value.index(sign, offsetBy: 3)...], radix: 16) ?? 0)
                addend = value[sign] == "-" ? -magnitude : magnitude
            }
            records.append(Record(section: section, offset: offset, type: String(fields[1]), target: target, addend: addend))
        }
        return records
    }

    @Test("every corpus object loads, with one ftrace site per recorded entry", arguments: Architecture.allCases)
    func loadsEverything(architecture: Architecture) throws {
        let paths = try Self.objects(architecture)
        #expect(paths.count > 40)
        for path in paths {
            let machine = ELFFixtures.machine(architecture)
            let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(path)))
            let module = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            do {
                let object = try ELFLoader.load(bytes: bytes, name: path, into: machine, module: module)
                #expect(object.section(named: ".text") != nil, "\(path)")
                #expect(!object.symbols.isEmpty, "\(path)")
                let listing = try String(contentsOf: Self.corpus.appendingPathComponent(path.replacingOccurrences(of: ".o", with: ".reloc")), encoding: .utf8)
                let recorded = Self.records(listing).filter { $0.section == "__mcount_loc" || $0.section == "__patchable_function_entries" }
                #expect(object.ftraceSites.count == recorded.count, "\(path)")
            } catch {
                Issue.record("\(path): \(error)")
            }
        }
    }

    @Test("every listed relocation holds the value its formula gives", arguments: Architecture.allCases)
    func relocationsMatchListings(architecture: Architecture) throws {
        var checked = 0
        for path in try Self.objects(architecture) {
            let machine = ELFFixtures.machine(architecture)
            let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(path)))
            let object = try ELFLoader.load(bytes: bytes, name: path, into: machine)
            let listing = try String(contentsOf: Self.corpus.appendingPathComponent(path.replacingOccurrences(of: ".o", with: ".reloc")), encoding: .utf8)
            for record in Self.records(listing) {
                guard let patched = object.section(named: record.section) else { continue }   // not loaded
                let symbol = try #require(object.section(named: record.target)?.address
                                          ?? object.symbol(named: record.target)?.address, "\(path): \(record.target)")
                let value = symbol &+ UInt64(bitPattern: record.addend)            // S + A
                let place = patched.address + record.offset                         // P
                let word = try machine.memory.kernelRead(place, size: 4)
                let context = "\(path) \(record.section)+0x\(String(record.offset, radix: 16)) \(record.type) \(record.target)"
                switch record.type {
                case "R_X86_64_64", "R_AARCH64_ABS64":
                    #expect(try machine.memory.kernelRead(place, size: 8) == value, "\(context)")
                case "R_X86_64_32S", "R_X86_64_32":
                    #expect(word == value & 0xffff_ffff, "\(context)")
                case "R_X86_64_PC32", "R_X86_64_PLT32", "R_AARCH64_PREL32":
                    #expect(word == (value &- place) & 0xffff_ffff, "\(context)")
                case "R_AARCH64_CALL26", "R_AARCH64_JUMP26":
                    // imm26 words, sign-extended: the branch lands on S + A.
                    let offset = Int64(bitPattern: (word & 0x3ff_ffff) << 38) >> 36
                    #expect(place &+ UInt64(bitPattern: offset) == value, "\(context)")
                case "R_AARCH64_ADR_PREL_PG_HI21":
                    // immhi:immlo, sign-extended, counts pages from P's page to S + A's.
                    let imm = (word >> 5 & 0x7ffff) << 2 | (word >> 29 & 3)
                    let pages = Int64(bitPattern: imm << 43) >> 43
                    #expect((place & ~0xfff) &+ UInt64(bitPattern: pages << 12) == value & ~0xfff, "\(context)")
                case "R_AARCH64_ADD_ABS_LO12_NC":
                    #expect(word >> 10 & 0xfff == value & 0xfff, "\(context)")
                case "R_AARCH64_LDST32_ABS_LO12_NC":
                    #expect(word >> 10 & 0xfff == (value & 0xfff) >> 2, "\(context)")
                case "R_AARCH64_LDST64_ABS_LO12_NC":
                    #expect(word >> 10 & 0xfff == (value & 0xfff) >> 3, "\(context)")
                default:
                    Issue.record("\(context): no formula written for \(record.type)")
                }
                checked += 1
            }
        }
        print("ELF corpus \(architecture): \(checked) relocations checked")
        #expect(checked > 300)
    }
}
