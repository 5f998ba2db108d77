/// The `kprobesim` command line: a hand-written parser (no dependencies) dispatching to subcommands.
/// Exit codes: 0 success, 1 simulation error, 2 usage error; errors go to standard error.
public enum KprobeSimCommand {
    public static let usage = """
    usage: kprobesim <command> [options]

    commands:
      demo      show a kprobe being armed, hit, stepped and reported (built-in scenario)
      call      load an object and call one of its functions in the simulator

    Run 'kprobesim <command> --help' for a command's options.
    """

    public static func main<Out: TextOutputStream, Err: TextOutputStream>(
        arguments: [String], output: inout Out, error: inout Err
    ) -> Int32 {
        guard let command = arguments.first else {
            error.write(usage + "\n")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "--help", "-h", "help":
            output.write(usage + "\n")
            return 0
        default:
            error.write("kprobesim: unknown command '\(command)'\n\n" + usage + "\n")
            return 2
        }
    }
}
