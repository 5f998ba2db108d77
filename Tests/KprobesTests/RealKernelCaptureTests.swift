import Testing
import Foundation
import Machine
import TestSupport
@testable import Kprobes

/// Facts captured on Debian's 6.1 kernels (Tests/Fixtures/realkernel, made by scripts/realkernel) checked against
/// the simulator's default profile directly from the capture files.
@Suite("kprobes vs real 6.1 captures")
struct RealKernelCaptureTests {
    /// `maxactive-smp{1,2,8}.txt`: `r:test/ret do_sys_openat2` reads back as `r<N>:` with the default written back;
    /// the line `possible: 0-7` gives the CPU count.
    @Test("kretprobe default maxactive read back by the real kernel equals the profile's formula",
          arguments: [(Architecture.x86_64, 1), (.x86_64, 2), (.x86_64, 8), (.arm64, 1), (.arm64, 2), (.arm64, 8)])
    func defaultMaxactive(architecture: Architecture, cpus: Int) throws {
        let text = try Fixtures.text("realkernel/\(architecture.rawValue)/maxactive-smp\(cpus).txt")
        let lines = text.split(separator: "\n").map(String.init)
        let possible = try #require(lines.first { $0.hasPrefix("possible: ") })
        let range = possible.dropFirst("possible: ".count).prefix { $0 != " " }
        let last = Int(range.split(separator: "-").last ?? "0") ?? 0
        let possibleCPUs = last + 1
        #expect(possibleCPUs == cpus)
        let line = try #require(lines.first { $0.hasSuffix(":test/ret do_sys_openat2") })
        let captured = try #require(Int(line.dropFirst().prefix { $0 != ":" }))
        #expect(KernelProfile.debian61.defaultMaxactive(possibleCPUs: possibleCPUs) == captured)
        // And the simulator writes the same value back into a kretprobe registered on that many CPUs.
        let lab = try KprobeLab(architecture, cpus: cpus)
        let rp = Kretprobe(symbolName: "sum_to")
        try lab.kprobes.register(rp)
        #expect(rp.maxactive == captured)
    }
}
