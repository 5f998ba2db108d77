import Foundation
import Machine
@testable import ARM64

/// Paths of the committed arm64 fixtures and helpers that load code into a fresh machine.
enum ARM64Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/decoder/arm64")

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// A one-CPU arm64 machine with `words` loaded as text; returns the machine and the text's address.
    static func machine(words: [UInt32]) throws -> (Machine, UInt64) {
        try machine(bytes: words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } })
    }

    static func machine(bytes: [UInt8]) throws -> (Machine, UInt64) {
        let machine = Machine(core: ARM64Core(), cpuCount: 1)
        let base = machine.allocateText(size: UInt64(max(bytes.count, 4)))
        try machine.memory.kernelWrite(base, bytes: bytes)
        return (machine, base)
    }
}

/// A trap handler that records what it saw and answers as told.
final class RecordingTrapHandler: TrapHandler {
    var seen: [Trap] = []
    var registersAtTrap: [[UInt64]] = []
    let action: (Trap, CPU) -> TrapResult

    init(action: @escaping (Trap, CPU) -> TrapResult) { self.action = action }

    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        seen.append(trap)
        registersAtTrap.append(cpu.registers.snapshot(count: ARM64PtRegs.count))
        return action(trap, cpu)
    }
}
