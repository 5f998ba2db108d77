import Machine
import Kprobes

/// The `kprobesim` command line: a hand-written parser (no dependencies) dispatching to subcommands.
/// Exit codes: 0 success, 1 simulation error, 2 usage error; errors go to standard error.
public enum KprobeSimCommand {
    public static let usage = """
    usage: kprobesim <command> [options]

    commands:
      demo      a kprobe armed, hit, stepped and reported on x86_64 and arm64 (built-in scenario)
      explain   the bytes, the slot and the timeline of one hit, for any function and offset
      call      load an object and call one of its functions in the simulator
      scenario  the seed articles' kprobe modules (kprobe_example, inet_bind, hlist_count)
      run       a tracefs script (kprobe_events, enable, trace...) typed as on a real machine
      shell     the same, line by line from standard input
      validate  compare the simulator with a real kernel on the differential scenarios (captured or fresh)

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
        do {
            switch command {
            case "--help", "-h", "help":
                output.write(usage + "\n")
                return 0
            case "demo": return try DemoCommand.run(rest, output: &output)
            case "explain": return try ExplainCommand.run(rest, output: &output)
            case "call": return try CallCommand.run(rest, output: &output)
            case "scenario": return try ScenarioCommand.run(rest, output: &output)
            case "run": return try ScriptCommand.run(rest, interactive: false, output: &output)
            case "shell": return try ScriptCommand.run(rest, interactive: true, output: &output)
            case "validate": return try ValidateCommand.run(rest, output: &output)
            default:
                error.write("kprobesim: unknown command '\(command)'\n\n" + usage + "\n")
                return 2
            }
        } catch let usageError as UsageError {
            error.write("kprobesim \(usageError)\n")
            return 2
        } catch let failure {
            error.write("kprobesim \(command): \(failure)\n")
            return 1
        }
    }
}
