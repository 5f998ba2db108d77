import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// A simulated machine of one architecture with the kprobe subsystem and corpus objects loaded.
struct KprobeLab {
    let machine: Machine
    let kprobes: KprobeManager

    init(_ architecture: Architecture, profile: KernelProfile = .debian61, cpus: Int = 1,
         files: [String] = ["loops"], variant: String = "O2") throws {
        let core: InstructionCore = architecture == .x86_64 ? X86Core() : ARM64Core()
        machine = Machine(core: core, cpuCount: cpus)
        for file in files { try Corpus.load(file, variant: variant, into: machine) }
        kprobes = KprobeManager(machine: machine, profile: profile)
    }

    func address(_ symbol: String, _ offset: UInt64 = 0) throws -> UInt64 {
        try #require(machine.symbols.lookup(name: symbol)).address + offset
    }

    func call(_ symbol: String, _ arguments: [UInt64] = []) throws -> UInt64 {
        try machine.call(symbol, arguments: arguments)
    }

    func bytes(_ address: UInt64, _ count: Int) throws -> [UInt8] {
        try machine.memory.kernelRead(address, count: count)
    }

    var pc: Int { machine.core.pcIndex }

    func events() -> [KprobeEvent] { machine.ledger.events(of: KprobeEvent.self) }
}

/// Little-endian bytes of an arm64 instruction word, as objdump prints the word.
func le32(_ word: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
