import Foundation
import Machine
import Kprobes
import RealKernel

/// `kprobesim validate --arch A [--capture FILE | --fresh]`: runs each differential scenario's script in the
/// simulator and compares the output with a real kernel's, from the committed capture or a fresh QEMU run.
enum ValidateCommand {
    static let help = """
    usage: kprobesim validate --arch x86_64|arm64 [--scenario NAME] [--capture FILE | --fresh] [--fixtures DIR] [--diff N]

    Runs the differential scenarios (tracefs scripts under DIR, default Tests/Fixtures/realkernel) in
    the simulator and compares their output, line for line after normalising what must differ (task, PID,
    timestamps, load and stack addresses, the kretprobe caller), with a real kernel's: the committed capture
    DIR/ARCH/NAME.txt, the capture FILE, or with --fresh a new run of scripts/realkernel/run.sh (QEMU; run
    scripts/realkernel/prepare.sh first). Prints an agreement table and the first N differing hunks per
    scenario (default 20; 0 for none). Exit status 0 even when lines disagree: the table is the result.
    Scenarios: \(Set(ValidationScenario.all.map(\.name)).sorted().joined(separator: ", ")) (all by default).
    --capture needs --scenario.
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], output: inout Out) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "validate", valued: ["--arch", "--scenario", "--capture", "--fixtures", "--diff"],
                                         switches: ["--fresh"])
        guard !parsed.wantsHelp else {
            output.write(help + "\n")
            return 0
        }
        let arch = try SimulatorSetup.architecture(parsed["--arch"], command: "validate")
        let fixtures = parsed["--fixtures"] ?? "Tests/Fixtures/realkernel"
        let fresh = parsed.flags.contains("--fresh")
        if fresh && parsed["--capture"] != nil { throw UsageError(message: "validate: --capture and --fresh exclude each other") }
        guard let hunks = Int(parsed["--diff"] ?? "20"), hunks >= 0 else { throw UsageError(message: "validate: bad --diff value") }
        var scenarios = ValidationScenario.scenarios(for: arch.rawValue)
        if let name = parsed["--scenario"] {
            scenarios = scenarios.filter { $0.name == name }
            guard !scenarios.isEmpty else { throw UsageError(message: "validate: no scenario '\(name)' for \(arch)") }
        }
        if parsed["--capture"] != nil && scenarios.count > 1 {
            throw UsageError(message: "validate: --capture names one file, but \(arch) has \(scenarios.count) scenarios (choose one with --scenario)")
        }

        var comparisons: [ScenarioComparison] = []
        var diffs = ""
        for scenario in scenarios {
            let captureText: String
            if fresh {
                captureText = try capture(scenario, fixtures: fixtures)
            } else {
                let path = parsed["--capture"] ?? fixtures + "/" + scenario.capture
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw SimulationError.invalidRequest("cannot read the capture '\(path)'")
                }
                captureText = String(decoding: data, as: UTF8.self)
            }
            let comparison = try compare(scenario, capture: RealKernelCapture(text: captureText), fixtures: fixtures, arch: arch)
            comparisons.append(comparison)
            if hunks > 0 && comparison.disagreements > 0 {
                let parts = comparison.hunks()
                diffs += "\n## \(scenario.name) (\(scenario.architecture)): \(comparison.disagreements) lines differ; "
                    + "'-' kernel, '+' simulator\n"
                diffs += parts.prefix(hunks).joined()
                if parts.count > hunks { diffs += "... \(parts.count - hunks) more hunks (--diff N)\n" }
            }
        }
        output.write(ValidationScenario.table(comparisons))
        output.write(diffs)
        return 0
    }

    /// Runs `scenario`'s script in the simulator and compares the result with the kernel's part of `capture`.
    static func compare(_ scenario: ValidationScenario, capture: RealKernelCapture, fixtures: String,
                        arch: Architecture) throws -> ScenarioComparison {
        guard capture.hasSection("script output") else {
            throw SimulationError.invalidRequest("the capture has no 'script output' section: not made by payloads/script.sh?")
        }
        let scriptPath = fixtures + "/" + scenario.script
        guard let data = FileManager.default.contents(atPath: scriptPath) else {
            throw SimulationError.invalidRequest("cannot read the scenario script '\(scriptPath)'")
        }
        let machine = SimulatorSetup.machine(arch, cpus: 1)
        // `load kpsim_corpus.ko` finds the arch's module, as the guest finds its copy next to the script.
        let shell = TracefsShell(machine: machine, kprobes: KprobeManager(machine: machine),
                                 baseDirectory: fixtures + "/" + scenario.architecture)
        var text = ""
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") { shell.run(String(line), output: &text) }
        let simulated = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)

        // Both sides name the module's sections; the simulator also knows their sizes.
        var sizes: [String: UInt64] = [:]
        var regions: [OutputNormaliser.Region] = []
        for object in shell.loaded {
            for section in object.sections {
                sizes[section.name] = section.size
                regions.append(.init(name: section.name, range: section.address..<(section.address + section.size)))
            }
        }
        regions.append(.init(name: "stack", range: Machine.stackRegionBase..<(Machine.stackRegionBase + (1 << 40)), keepsOffset: false))
        let current = Machine.perCPUBase + Machine.currentTaskOffset
        regions.append(.init(name: "current", range: current..<(current + Machine.perCPUSize - Machine.currentTaskOffset), keepsOffset: false))
        let kernel = scenario.kernelSide(capture, sizes: sizes)
        var comparison = ScenarioComparison(scenario: scenario.name, architecture: scenario.architecture,
                                            kernel: kernel.lines, simulator: simulated,
                                            normaliseKernel: kernel.normaliser, normaliseSimulator: OutputNormaliser(regions: regions))
        let guestText = ModuleTextComparison.kernelBytes(capture)
        if !guestText.isEmpty, let object = shell.loaded.first, let text = object.section(named: ".text") {
            let simulatedText = try machine.memory.kernelRead(text.address, count: Int(text.size))
            comparison.text = ModuleTextComparison(kernel: guestText, simulator: simulatedText,
                                                   relocatedFields: try relocatedFields(fixtures + "/" + scenario.module))
        }
        return comparison
    }

    /// The byte ranges of `.text` that relocations fill with an address outside `.text` (an import, another
    /// section): they differ between any two layouts.
    private static func relocatedFields(_ path: String) throws -> [Range<Int>] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulationError.invalidRequest("cannot read the module '\(path)'")
        }
        let file = try ELFFile(bytes: [UInt8](data), name: path)
        guard let text = file.section(named: ".text") else { return [] }
        var fields: [Range<Int>] = []
        for relocations in file.relocationSections where relocations.target == text.index {
            for relocation in relocations.relocations where Int(file.symbols[relocation.symbolIndex].sectionIndex) != text.index {
                let width = ELFRelocationType(relocation.type, architecture: file.architecture).fieldWidth ?? 0
                fields.append(Int(relocation.offset)..<(Int(relocation.offset) + width))
            }
        }
        return fields
    }

    /// A fresh capture: boots the real kernel with scripts/realkernel/run.sh (found from the fixture directory).
    private static func capture(_ scenario: ValidationScenario, fixtures: String) throws -> String {
        let scripts = fixtures + "/../../../scripts/realkernel"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: scripts + "/run.sh")
        process.arguments = ["--arch", scenario.architecture, scripts + "/payloads/script.sh",
                             "--file", scripts + "/payloads/lib.sh",
                             "--file", fixtures + "/" + scenario.script, "--file", fixtures + "/" + scenario.module]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw SimulationError.invalidRequest("cannot run \(scripts)/run.sh: \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SimulationError.invalidRequest("run.sh exited with status \(process.terminationStatus) (see its messages above)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
