import Foundation
import Machine

/// A core that executes nothing: the ELF tests only load and inspect bytes, and the real instruction cores
/// live in their own targets.
final class ELFTestCore: InstructionCore {
    let architecture: Architecture
    init(_ architecture: Architecture) { self.architecture = architecture }
    var ptRegsWords: Int { 21 }
    var pcIndex: Int { 16 }
    var spIndex: Int { 19 }
    func attach(to machine: Machine) {}
    func resetRegisters(_ registers: RegisterFile) {}
    func run(_ cpu: CPU, limit: UInt64) -> RunStop { .failed(.invalidRequest("ELFTestCore executes nothing")) }
    func setUpCall(_ cpu: CPU, function: UInt64, arguments: [UInt64], returnAddress: UInt64) throws(MemoryFault) {}
    /// No single-step state to clear: this core has no trap flag.
    func clearSingleStep(_ registers: RegisterFile) {}
    func returnValue(_ cpu: CPU) -> UInt64 { 0 }
    func completeHostCall(_ cpu: CPU, value: UInt64) throws(MemoryFault) {}
    func argument(_ cpu: CPU, _ n: Int) -> UInt64 { 0 }
    func interruptsEnabled(_ cpu: CPU) -> Bool { false }
}

/// The committed fixtures in Tests/Fixtures/elf (made by scripts/make-elf-fixtures.sh) and what GNU binutils
/// said about them.
enum ELFFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/elf")

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    static func machine(_ architecture: Architecture) -> Machine {
        Machine(core: ELFTestCore(architecture), cpuCount: 1)
    }

    /// A fresh machine holding the external symbols the `relocs` sources use, at the values the script gave ld
    /// with `--defsym`: printk is the first registered host function (`hostFunctionBase + 16`).
    static func relocsMachine(_ architecture: Architecture) -> Machine {
        let machine = machine(architecture)
        machine.registerHostFunction("printk") { _, _ in .returnValue(0) }
        let externals: [(String, UInt64)] = architecture == .x86_64
            ? [("small_value", 0x1234_5678)]
            : [("small16", 0x1234), ("small32", 0x1234_5678), ("small48", 0x1234_5678_9abc)]
        for (name, value) in externals { machine.symbols.add(Symbol(name: name, address: value, size: 0, type: "A")) }
        return machine
    }

    /// One output section of ld's linked image (`relocs.layout`, from `objdump -h`).
    struct OutputSection {
        let name: String
        let address: UInt64
        let size: Int
        let hasContents: Bool
    }

    static func layout(_ architecture: Architecture) throws -> [OutputSection] {
        try text("\(architecture)/relocs.layout").split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            return OutputSection(name: String(fields[0]), address: UInt64(fields[1].dropFirst(2), radix: 16)!,
                                 size: Int(fields[2].dropFirst(2), radix: 16)!, hasContents: fields[3] == "contents")
        }
    }

    /// One `nm -S` line: size is nil when nm printed none (a symbol without `.size`).
    struct NMSymbol: Hashable {
        let name: String
        let address: UInt64
        let size: UInt64?
        let type: Character
    }

    /// The linked image's symbols as nm lists them, without the `A` (absolute) ones the script defined.
    static func nm(_ architecture: Architecture) throws -> [NMSymbol] {
        try text("\(architecture)/relocs.nm").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            let address = UInt64(fields[0], radix: 16)!
            let size = fields.count == 4 ? UInt64(fields[1], radix: 16)! : nil
            let type = fields[fields.count - 2].first!
            return type == "A" ? nil : NMSymbol(name: String(fields[fields.count - 1]), address: address, size: size, type: type)
        }
    }
}
