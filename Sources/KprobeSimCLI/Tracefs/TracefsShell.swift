import Machine
import Kprobes
import Tracefs

/// Runs the lines a person types on a real machine against a simulated one: `echo 'p:...' >> .../kprobe_events`,
/// `echo 1 > .../enable`, `cat .../trace`, `echo TEXT` (printed, as a shell does), plus workload lines:
/// `load FILE.o`, `rmmod NAME` (unloads it: probes in it become `[GONE]`), `call FUNC [ARG...]` (the return
/// register printed as `kprobesim call` prints it), and `spawn ... FUNC [ARG...]` / `wait` for tasks running side
/// by side.
/// A failed command prints what a shell would and the script goes on.
final class TracefsShell {
    let machine: Machine
    let kprobes: KprobeManager
    let tracefs: Tracefs
    /// Tasks spawned since the last `wait`.
    private var spawned: [KernelTask] = []
    /// Where relative `load` paths start (nil: the working directory); `validate` runs committed scripts that
    /// load the module next to them.
    let baseDirectory: String?
    /// What `load` loaded and `rmmod` has not removed, in order.
    private(set) var loaded: [LoadedObject] = []

    init(machine: Machine, kprobes: KprobeManager, baseDirectory: String? = nil) {
        self.machine = machine
        self.kprobes = kprobes
        self.baseDirectory = baseDirectory
        tracefs = Tracefs(machine: machine, kprobes: kprobes)
    }

    /// Runs one line; everything it prints (standard output and error alike, as on a terminal) goes to `output`.
    func run<Out: TextOutputStream>(_ line: String, output: inout Out) {
        let words: [String]
        do { words = try ShellWords.split(line) } catch {
            output.write("sh: syntax error: \(error.message)\n")
            return
        }
        guard let command = words.first else { return }
        switch command {
        case "echo": echo(Array(words.dropFirst()), output: &output)
        case "cat":
            for path in words.dropFirst() {
                do {
                    var text = try tracefs.read(path)
                    if text.isEmpty && path.hasSuffix("/trace_pipe") { text = try readBlockingPipe(path, output: &output) }
                    output.write(text)
                } catch {
                    output.write("cat: \(path): \(error.errno.message)\n")
                }
            }
        case "load":
            for path in words.dropFirst() {
                do { try load(path) } catch {
                    output.write("load: \(error)\n")
                }
            }
        case "rmmod":
            for name in words.dropFirst() {
                guard let index = loaded.firstIndex(where: { $0.module == name }) else {
                    // busybox rmmod: delete_module fails with ENOENT for a module that is not loaded.
                    output.write("rmmod: can't unload module '\(name)': \(Errno.ENOENT.message)\n")
                    continue
                }
                machine.unload(loaded.remove(at: index))
            }
        case "call":
            guard words.count >= 2 else {
                output.write("call: usage: call FUNC [ARG...]\n")
                return
            }
            var arguments: [UInt64] = []
            for text in words.dropFirst(2) {
                guard let value = ParsedArguments.integer(text) else {
                    output.write("call: argument '\(text)' is not an integer\n")
                    return
                }
                arguments.append(value)
            }
            do { output.write(String(hex16: try machine.call(words[1], arguments: arguments)) + "\n") } catch {
                output.write("call: \(error)\n")
            }
        case "spawn": spawn(Array(words.dropFirst()), output: &output)
        case "wait":
            do { try machine.runTasks() } catch { output.write("wait: \(error)\n") }
            for task in spawned {
                output.write("[\(task.pid)] \(task.comm) " + (task.returnValue.map { String(hex16: $0) } ?? "(running)") + "\n")
            }
            spawned.removeAll()
        default:
            output.write("sh: \(command): not found\n")
        }
    }

    /// `cat trace_pipe` on an empty buffer: the kernel's reader sleeps until an event arrives
    /// (trace.c tracing_wait_pipe). Here the spawned tasks run while it sleeps (`wait` still reports them); if
    /// none is left to write, a real `cat` would block for good, which the shell says instead of hanging.
    private func readBlockingPipe<Out: TextOutputStream>(_ path: String, output: inout Out) throws(TracefsError) -> String {
        if spawned.contains(where: { !$0.hasExited }) {
            do { try machine.runTasks() } catch { output.write("cat: \(error)\n") }
            let text = try tracefs.read(path)
            if !text.isEmpty { return text }
        }
        output.write("cat: \(path): empty and no task left to write it (a real cat would block here)\n")
        return ""
    }

    /// Loads an object (a `load` line or `--load`), remembered for `rmmod`; a relative path starts at
    /// `baseDirectory` when there is one.
    func load(_ path: String) throws {
        let resolved = path.hasPrefix("/") ? path : baseDirectory.map { $0 + "/" + path } ?? path
        loaded.append(try SimulatorSetup.load(resolved, into: machine))
    }

    /// `spawn [--cpu N] [--comm NAME] FUNC [ARG...]`: a task that calls FUNC when `wait` runs the scheduler,
    /// so several tasks interleave across the simulated CPUs (seeded, reproducible).
    private func spawn<Out: TextOutputStream>(_ arguments: [String], output: inout Out) {
        var cpu: Int?
        var comm = "kprobesim"
        var rest = arguments[...]
        while let option = rest.first, option.hasPrefix("--") {
            rest.removeFirst()
            guard let value = rest.popFirst() else {
                output.write("spawn: option '\(option)' needs a value\n")
                return
            }
            switch option {
            case "--cpu":
                guard let n = Int(value), machine.cpus.indices.contains(n) else {
                    output.write("spawn: no CPU '\(value)' (the machine has \(machine.cpus.count))\n")
                    return
                }
                cpu = n
            case "--comm": comm = String(value.prefix(15))
            default:
                output.write("spawn: unknown option '\(option)'\n")
                return
            }
        }
        guard let name = rest.popFirst() else {
            output.write("spawn: usage: spawn [--cpu N] [--comm NAME] FUNC [ARG...]\n")
            return
        }
        guard let function = machine.symbols.lookup(name: name) else {
            output.write("spawn: unknown function '\(name)'\n")
            return
        }
        var values: [UInt64] = []
        for text in rest {
            guard let value = ParsedArguments.integer(text) else {
                output.write("spawn: argument '\(text)' is not an integer\n")
                return
            }
            values.append(value)
        }
        do { spawned.append(try machine.spawn(comm: comm, function: function.address, arguments: values, cpu: cpu)) } catch {
            output.write("spawn: \(error)\n")
        }
    }

    /// `echo [-n] WORDS [> FILE | >> FILE]`: without a redirection the words are printed.
    private func echo<Out: TextOutputStream>(_ arguments: [String], output: inout Out) {
        var words = arguments
        var newline = "\n"
        if words.first == "-n" {
            words.removeFirst()
            newline = ""
        }
        var redirect: (path: String, append: Bool)?
        if let index = words.firstIndex(where: { $0 == ">" || $0 == ">>" }) {
            guard index + 1 < words.count else {
                output.write("sh: syntax error: unexpected newline\n")
                return
            }
            redirect = (words[index + 1], words[index] == ">>")
            words.removeSubrange(index...(index + 1))
        }
        let text = words.joined(separator: " ") + newline
        guard let redirect else {
            output.write(text)
            return
        }
        do { try tracefs.write(redirect.path, text, append: redirect.append) } catch {
            output.write(error.stage == .open ? "sh: can't create \(redirect.path): \(error.errno.message)\n"
                                              : "sh: write error: \(error.errno.message)\n")
        }
    }
}
