// kprobesim-bench: medians and side-by-side ratios of the simulator's hot paths.
// Run with `swift run -c release kprobesim-bench [--json] [--runs N] [--filter TEXT] [--case TEXT]`.
// Not a test: it reports.
import Foundation

var harness = Harness()
var asJSON = false
var filter: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--json": asJSON = true
    case "--runs": harness.runs = max(1, Int(arguments.popFirst() ?? "") ?? harness.runs)
    case "--filter": filter = arguments.popFirst()
    case "--case": harness.only = arguments.popFirst()
    case "--help", "-h":
        print("usage: kprobesim-bench [--json] [--runs N] [--filter TEXT] [--case TEXT]")
        exit(0)
    default:
        FileHandle.standardError.write(Data("kprobesim-bench: unknown option '\(argument)'\n".utf8))
        exit(2)
    }
}

let groups: [(String, (inout Harness) -> Void)] = [
    ("machine", MachineCases.register),
    ("x86_64", X86_64Throughput.register),
    ("arm64", ARM64Throughput.register),
    ("kprobe", KprobeCases.register),
]
for (name, register) in groups where filter.map({ name.contains($0) }) ?? true {
    register(&harness)
}
print(asJSON ? harness.json() : harness.table())
