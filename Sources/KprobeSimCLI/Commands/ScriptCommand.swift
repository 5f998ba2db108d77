import Foundation
import Machine
import Kprobes

/// `kprobesim run --arch A SCRIPT` and `kprobesim shell --arch A`: tracefs sessions typed as on a real machine.
enum ScriptCommand {
    static let help = """
    usage: kprobesim run --arch x86_64|arm64 [--cpus N] [--profile P] [--load FILE.o ...] SCRIPT
           kprobesim shell --arch x86_64|arm64 [--cpus N] [--profile P] [--load FILE.o ...]

    Runs tracefs command lines against a simulated kernel, as you would type them on a real one:
      echo 'p:kp/open sum_to n=%di' >> /sys/kernel/tracing/kprobe_events
      echo 1 > /sys/kernel/tracing/events/kp/open/enable
      echo 'n > 3' > /sys/kernel/tracing/events/kp/open/filter
      cat /sys/kernel/tracing/trace           (also kprobe_profile, error_log, events/GRP/EVENT/format, ...)
      cat /sys/kernel/debug/kprobes/list
      cat /sys/kernel/tracing/trace_pipe      (consuming; when empty, the spawned tasks run first)
      echo TEXT                               (no redirection: printed)
    and workload lines:
      load FILE.o                             load an object into the simulated kernel
      rmmod NAME                              unload it (NAME is FILE without .o); its probes become [GONE]
      call FUNC [ARG...]                      call it; prints the return register like 'kprobesim call'
      spawn [--cpu N] [--comm NAME] FUNC [ARG...]   a task calling FUNC, run by the next 'wait'
      wait                                    run the spawned tasks (interleaved across CPUs); print
                                              '[pid] comm' and each return register
    A failed write prints what a shell prints ('sh: write error: Invalid argument') and the script goes on.
    `run` reads SCRIPT ('-' for standard input); `shell` reads standard input line by line. --cpus defaults
    to 1, like the captured kernels (#P:1).
    """

    static func run<Out: TextOutputStream>(_ arguments: [String], interactive: Bool, output: inout Out) throws -> Int32 {
        let command = interactive ? "shell" : "run"
        let (loads, rest) = try ParsedArguments.loads(arguments, command: command)
        let parsed = try ParsedArguments(rest, command: command, valued: ["--arch", "--cpus", "--profile"])
        if parsed.wantsHelp {
            output.write(help + "\n")
            return 0
        }
        let arch = try SimulatorSetup.architecture(parsed["--arch"], command: command)
        let profile = try SimulatorSetup.profile(parsed["--profile"], command: command)
        let cpus = try parsed["--cpus"].map { (text: String) throws(UsageError) -> Int in
            guard let n = Int(text), (1...64).contains(n) else { throw UsageError(message: "\(command): bad --cpus '\(text)'") }
            return n
        } ?? 1
        let lines: [String]
        if interactive {
            lines = []
        } else {
            guard let script = parsed.positionals.first else { throw UsageError(message: "run: SCRIPT is required") }
            let data = script == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: script)
            guard let data else { throw SimulationError.invalidRequest("cannot read '\(script)'") }
            lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let machine = SimulatorSetup.machine(arch, cpus: cpus)
        let shell = TracefsShell(machine: machine, kprobes: KprobeManager(machine: machine, profile: profile))
        for path in loads { try shell.load(path) }
        if interactive {
            while let line = Swift.readLine() { shell.run(line, output: &output) }
        } else {
            for line in lines { shell.run(line, output: &output) }
        }
        return 0
    }
}
