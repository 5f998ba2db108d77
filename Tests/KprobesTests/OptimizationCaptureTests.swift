import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// The x86_64 6.1 capture's optprobe section (Tests/Fixtures/realkernel/reference/linux-6.1-x86_64-kprobes.txt,
/// "single probe at first non-entry accepted offset"), replayed on a kernel-image fragment: do_sys_openat2's first
/// 48 bytes as captured from /proc/kcore (an ftrace location, per available_filter_functions), with the nine
/// disabled tracefs probes at +0 (k k k r r k k k k in registration order), then one enabled probe at +5, later
/// one at +16. The symbol is declared 45 bytes long (up to its last complete captured instruction) so that
/// can_optimize can decode it whole.
@Suite("kprobes: x86_64 optimization and ftrace vs the real kernel")
struct OptimizationCaptureTests {
    static let base: UInt64 = 0xffff_ffff_8136_3fa0

    static func capture() throws -> [String] {
        try Fixtures.text("realkernel/reference/linux-6.1-x86_64-kprobes.txt")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The list lines printed after `OK   [<command>]` in the capture.
    static func listing(after command: String) throws -> [String] {
        let lines = try capture()
        let start = try #require(lines.firstIndex { $0.hasPrefix("OK   [\(command)") })
        return Array(lines[(start + 1)...].prefix { $0.hasPrefix("ffffffff") })
    }

    static func bytesLine(after command: String) throws -> [UInt8] {
        let lines = try capture()
        let start = try #require(lines.firstIndex { $0.hasPrefix("OK   [\(command)") })
        let line = try #require(lines[start...].first { $0.hasPrefix("bytes: do_sys_openat2") })
        return line.split(separator: ":").last!.split(separator: " ").compactMap { UInt8($0, radix: 16) }
    }

    @Test("+0 probes are [FTRACE]; +5 and +16 become [OPTIMIZED] with e9 written; listings equal the capture")
    func replay() throws {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        machine.memory.map(Self.base & ~0xfff, size: 0x2000, permissions: .text)
        let captured = try #require(try Self.capture().first { $0.hasPrefix("do_sys_openat2 @ ") })
        let original = captured.split(separator: ":").last!.split(separator: " ").compactMap { UInt8($0, radix: 16) }
        #expect(original.count == 48)
        try machine.memory.kernelWrite(Self.base, bytes: original)
        machine.symbols.add(Symbol(name: "do_sys_openat2", address: Self.base, size: 45, type: "T"))
        machine.symbols.addTextRegion(Self.base..<(Self.base + 45))
        machine.ftraceLocations.insert(Self.base)
        let kprobes = KprobeManager(machine: machine)
        for kind in ["k", "k", "k", "r", "r", "k", "k", "k", "k"] {
            if kind == "k" { try kprobes.register(Kprobe(symbolName: "do_sys_openat2", disabled: true)) }
            else { try kprobes.register(Kretprobe(symbolName: "do_sys_openat2", disabled: true)) }
        }
        #expect(throws: Errno.EILSEQ) { try kprobes.register(Kprobe(symbolName: "do_sys_openat2", offset: 1)) }

        let o5 = Kprobe(symbolName: "do_sys_openat2", offset: 5, preHandler: { _ in 0 })
        try kprobes.register(o5)
        kprobes.runOptimizer()
        #expect(kprobes.debugfsList().split(separator: "\n").map(String.init) == (try Self.listing(after: "p:opt/o5")))
        // The captured bytes: the entry NOP untouched, e9 at +5 (its rel32 points at the kernel's own detour).
        let after5 = try Self.bytesLine(after: "p:opt/o5")
        let ours5 = try machine.memory.kernelRead(Self.base, count: after5.count)
        #expect(Array(ours5[0..<6]) == Array(after5[0..<6]))
        #expect(Array(ours5[10...]) == Array(after5[10...]))
        kprobes.unregister(o5)
        #expect(try machine.memory.kernelRead(Self.base, count: 48) == original)

        let o16 = Kprobe(symbolName: "do_sys_openat2", offset: 16, preHandler: { _ in 0 })
        try kprobes.register(o16)
        kprobes.runOptimizer()
        #expect(kprobes.debugfsList().split(separator: "\n").map(String.init) == (try Self.listing(after: "p:opt/o16")))
        // e9 at +16 and, after its rel32, the stale tail `83 ec 20` of the replaced `sub $0x20,%rsp`.
        let after16 = try Self.bytesLine(after: "p:opt/o16")
        let ours16 = try machine.memory.kernelRead(Self.base, count: after16.count)
        #expect(Array(ours16[0..<17]) == Array(after16[0..<17]))
        #expect(Array(ours16[21...]) == Array(after16[21...]))
    }
}
