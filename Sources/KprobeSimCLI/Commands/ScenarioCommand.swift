import Machine
import Kprobes

/// `kprobesim scenario NAME`: the seed articles' module examples, on one or both architectures.
enum ScenarioCommand {
    static let help = """
    usage: kprobesim scenario <name> [--arch x86_64|arm64] [--profile debian-6.1|legacy-5.4]
                                     [--corpus DIR] [--fault]

    scenarios:
    \(SeedScenario.allCases.map { "  \($0.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n"))

    Prints what the module would print (dmesg-style, simulated timestamps). --corpus is the compiled corpus
    directory (default Tests/Fixtures/corpus, i.e. run from the repository root). Without --arch, both.
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], output: inout Out) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "scenario", valued: ["--arch", "--profile", "--corpus"],
                                         switches: ["--fault"])
        if parsed.wantsHelp {
            output.write(help + "\n")
            return 0
        }
        guard let name = parsed.positionals.first else { throw UsageError(message: "scenario: a scenario name is required\n\n" + help) }
        guard let scenario = SeedScenario(rawValue: name) else {
            throw UsageError(message: "scenario: unknown scenario '\(name)' (known: "
                + SeedScenario.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var options = SeedScenario.Options()
        options.profile = try SimulatorSetup.profile(parsed["--profile"], command: "scenario")
        options.fault = parsed.flags.contains("--fault")
        if let corpus = parsed["--corpus"] { options.corpus = corpus }
        let arches = try parsed["--arch"].map { [try SimulatorSetup.architecture($0, command: "scenario")] } ?? Architecture.allCases
        for arch in arches {
            output.write("== \(scenario.rawValue) on \(arch), kernel profile \(options.profile.name)\n")
            for line in try scenario.run(arch, options: options) { output.write(line + "\n") }
            output.write("\n")
        }
        return 0
    }
}
