import Machine
import Kprobes

/// `kprobesim explain`: the bytes, the slot and the numbered timeline of one hit.
enum ExplainCommand {
    static let help = """
    usage: kprobesim explain --arch x86_64|arm64 [--profile debian-6.1|legacy-5.4]
                             [--load FILE.o --function FUNC] [--offset N] [--kretprobe] [--optimize]
                             [--pre-only] [ARG...]

    Registers a kprobe (with pre and post handlers) at FUNC+N, shows the instruction bytes before and after
    arming and the slot contents, then calls FUNC with ARGs and prints every step of the first hit with the
    registers each handler sees. Without --load it uses the built-in sum_to (gcc -O2 output), probed at its
    loop body, called with 3. With --kretprobe, a return probe on sum_to called from the built-in sum_caller:
    the return address before and after the swap, the return through the trampoline, the handler's view.
    --pre-only registers no post_handler (on x86_64 the probe is then queued for jump optimization);
    --optimize also runs the optimizer before the call, showing the jump and the detour buffer. An object
    built with ftrace flags (Tests/Fixtures/corpus/x86_64/O2-ftrace) makes entry probes ftrace-based.
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], output: inout Out) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, command: "explain",
                                         valued: ["--arch", "--profile", "--load", "--function", "--offset"],
                                         switches: ["--kretprobe", "--optimize", "--pre-only"])
        if parsed.wantsHelp {
            output.write(help + "\n")
            return 0
        }
        let arch = try SimulatorSetup.architecture(parsed["--arch"], command: "explain")
        let profile = try SimulatorSetup.profile(parsed["--profile"], command: "explain")
        let machine = SimulatorSetup.machine(arch)
        let function: String
        var offset = BuiltinProgram.defaultOffset(arch)
        if let path = parsed["--load"] {
            _ = try SimulatorSetup.load(path, into: machine)
            guard let name = parsed["--function"] else { throw UsageError(message: "explain: --load needs --function") }
            function = name
            offset = 0
        } else {
            _ = try BuiltinProgram.load(into: machine)
            function = BuiltinProgram.name
        }
        if let text = parsed["--offset"] {
            guard let value = ParsedArguments.integer(text) else { throw UsageError(message: "explain: bad --offset '\(text)'") }
            offset = value
        }
        let args = try parsed.positionals.map { (text: String) throws(UsageError) -> UInt64 in
            guard let value = ParsedArguments.integer(text) else { throw UsageError(message: "explain: argument '\(text)' is not an integer") }
            return value
        }
        if parsed.flags.contains("--kretprobe") {
            guard parsed["--load"] == nil else { throw UsageError(message: "explain: --kretprobe uses the built-in sum_caller") }
            let explanation = ReturnExplanation(machine: machine, profile: profile, function: function,
                                                caller: BuiltinProgram.callerName, arguments: args.isEmpty ? [3] : args)
            output.write(try explanation.render() + "\n")
            return 0
        }
        var explanation = HitExplanation(machine: machine, profile: profile, function: function, offset: offset,
                                         arguments: args.isEmpty ? [3] : args)
        explanation.optimize = parsed.flags.contains("--optimize")
        explanation.preOnly = parsed.flags.contains("--pre-only") || explanation.optimize
        output.write(try explanation.render() + "\n")
        return 0
    }
}
