import Machine
import Kprobes

/// `kprobesim demo`: the built-in scenario on both architectures — a kprobe armed, hit, stepped out of line
/// and reported — then a probe on a branch, which is emulated (x86_64) or simulated (arm64) instead.
enum DemoCommand {
    static let help = """
    usage: kprobesim demo [--profile debian-6.1|legacy-5.4]

    Runs the built-in scenario (sum_to, gcc -O2 output) on x86_64 and arm64: a kprobe on the loop body
    (single-stepped out of line from its slot), one on the loop's conditional branch (emulated or simulated
    inside the first trap), with every step of the first hit, and a kretprobe swapping sum_to's return address
    for the trampoline.
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], output: inout Out) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "demo", valued: ["--profile"])
        if parsed.wantsHelp {
            output.write(help + "\n")
            return 0
        }
        let profile = try SimulatorSetup.profile(parsed["--profile"], command: "demo")
        output.write("kprobesim demo: \(BuiltinProgram.source)\n\n")
        for arch in Architecture.allCases {
            let branch: UInt64 = arch == .x86_64 ? 0x1d : 0x2c
            for offset in [BuiltinProgram.defaultOffset(arch), branch] {
                let machine = SimulatorSetup.machine(arch)
                _ = try BuiltinProgram.load(into: machine)
                let explanation = HitExplanation(machine: machine, profile: profile, function: BuiltinProgram.name,
                                                 offset: offset, arguments: [3])
                output.write(try explanation.render() + "\n\n")
            }
            let machine = SimulatorSetup.machine(arch)
            _ = try BuiltinProgram.load(into: machine)
            let kretprobe = ReturnExplanation(machine: machine, profile: profile, function: BuiltinProgram.name,
                                              caller: BuiltinProgram.callerName, arguments: [3])
            output.write(try kretprobe.render() + "\n\n")
        }
        output.write("Next: kprobesim explain --help, kprobesim call --help, and docs/tutorial-one-hit.md\n")
        return 0
    }
}
