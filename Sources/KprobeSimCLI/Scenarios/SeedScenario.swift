import Foundation
import Machine
import Kprobes

/// The module examples our users try first (the five seed articles), rebuilt over the compiled corpus:
/// each registers real kprobes with handlers written the way the article writes them, runs the workload, and
/// returns what the module would have printed.
enum SeedScenario: String, CaseIterable {
    /// samples/kprobes/kprobe_example.c (seed 004): pre and post handlers printing the registers; with
    /// `fault`, a handler that faults, and on the legacy profile the `fault_handler` that sees it.
    case kprobeExample = "kprobe_example"
    /// Seed 001: a probe on `inet_bind` reading the port from the sockaddr in the second argument.
    case inetBind = "inet_bind"
    /// Seed 000: a probe on a hash lookup counting the length of the hash chain it is about to walk.
    case hlistCount = "hlist_count"

    var summary: String {
        switch self {
        case .kprobeExample: return "samples/kprobes/kprobe_example.c: pre/post handlers printing the registers (--fault: a faulting handler)"
        case .inetBind: return "a probe on inet_bind printing the bound port from its arguments (seed 001)"
        case .hlistCount: return "a probe on an hlist hash lookup printing the chain length it will walk (seed 000)"
        }
    }

    struct Options {
        var profile = KernelProfile.debian61
        var corpus = "Tests/Fixtures/corpus"
        var fault = false
    }

    /// Builds a machine with the corpus objects the scenario needs and runs it.
    func run(_ arch: Architecture, options: Options) throws -> [String] {
        let machine = SimulatorSetup.machine(arch)
        for file in ["loops", "lists"] {
            _ = try SimulatorSetup.load("\(options.corpus)/\(arch.rawValue)/O2/\(file).o", into: machine)
        }
        let kprobes = KprobeManager(machine: machine, profile: options.profile)
        let log = KernelLog(machine: machine)
        switch self {
        case .kprobeExample: try KprobeExample.run(machine, kprobes, log, fault: options.fault)
        case .inetBind: try InetBindProbe.run(machine, kprobes, log)
        case .hlistCount: try HlistCountProbe.run(machine, kprobes, log)
        }
        return log.lines
    }
}
