import Machine

/// `kprobesim call --arch A --load FILE.o FUNC [ARG...]`: run one function in the simulator and print the return
/// register (last line: `0x` + 16 hex digits). The contract the instruction-set tests are written against.
enum CallCommand {
    static let help = """
    usage: kprobesim call --arch x86_64|arm64 --load FILE.o [--load FILE2.o ...] FUNC [ARG...]

    Loads the object(s) into a simulated kernel, calls FUNC with integer arguments per the C ABI (arguments
    past the sixth (x86_64) or eighth (arm64) go on the stack) and prints the return register as 0x and 16
    hex digits. Arguments take 0x hex, 0 octal, decimal or negative decimal. --budget N limits instructions.
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], output: inout Out) throws -> Int32 {
        let (loads, rest) = try ParsedArguments.loads(arguments, command: "call")
        let parsed = try ParsedArguments(rest, command: "call", valued: ["--arch", "--budget"])
        if parsed.wantsHelp {
            output.write(help + "\n")
            return 0
        }
        let arch = try SimulatorSetup.architecture(parsed["--arch"], command: "call")
        guard !loads.isEmpty else { throw UsageError(message: "call: --load FILE.o is required") }
        guard let function = parsed.positionals.first else { throw UsageError(message: "call: FUNC is required") }
        let values = try parsed.positionals.dropFirst().map { (text: String) throws(UsageError) -> UInt64 in
            guard let value = ParsedArguments.integer(text) else {
                throw UsageError(message: "call: argument '\(text)' is not an integer")
            }
            return value
        }
        let machine = SimulatorSetup.machine(arch)
        if let budget = parsed["--budget"] {
            guard let value = ParsedArguments.integer(budget) else { throw UsageError(message: "call: bad --budget '\(budget)'") }
            machine.instructionBudget = value
        }
        for path in loads { _ = try SimulatorSetup.load(path, into: machine) }
        let result = try machine.call(function, arguments: values)
        output.write(String(hex16: result) + "\n")
        return 0
    }
}
