import Foundation
import Machine
import X86_64
import ARM64
import Kprobes

/// Builds the simulated machine a command asks for.
enum SimulatorSetup {
    static func architecture(_ name: String?, command: String) throws(UsageError) -> Architecture {
        guard let name else { throw UsageError(message: "\(command): --arch x86_64|arm64 is required") }
        guard let arch = Architecture(name: name) else {
            throw UsageError(message: "\(command): unknown architecture '\(name)' (use x86_64 or arm64)")
        }
        return arch
    }

    static func profile(_ name: String?, command: String) throws(UsageError) -> KernelProfile {
        guard let name else { return .debian61 }
        guard let profile = KernelProfile.named(name) else {
            throw UsageError(message: "\(command): unknown profile '\(name)' (known: "
                + KernelProfile.all.map(\.name).joined(separator: ", ") + ")")
        }
        return profile
    }

    static func machine(_ architecture: Architecture, cpus: Int = 2) -> Machine {
        let core: InstructionCore = architecture == .x86_64 ? X86Core() : ARM64Core()
        return Machine(core: core, cpuCount: cpus)
    }

    /// Loads an ELF object from disk; errors name the file and the problem.
    static func load(_ path: String, into machine: Machine) throws -> LoadedObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulationError.invalidRequest("cannot read '\(path)'")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let module = name.hasSuffix(".o") || name.hasSuffix(".ko") ? String(name.split(separator: ".")[0]) : nil
        return try ELFLoader.load(bytes: [UInt8](data), name: name, into: machine, module: module)
    }
}
