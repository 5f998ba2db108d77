import Testing
import Machine
import ARM64
import TestSupport
@testable import Kprobes

/// debugfs `kprobes/list` against the real Debian 6.1 arm64 capture (Tests/Fixtures/realkernel/reference, section
/// "debugfs kprobes/list (registered, events disabled)"). The capture's events, after its removals, registered
/// on do_sys_openat2 (0xffff8000083a8ba0): k myprobe, k kp/open, k kp/openreg, r kp/openret, r kp/openret32,
/// k kp/types, k (p do_sys_openat2+0), k kp/byaddr, k kp/arr; on vfs_open (0xffff8000083a8970): k (p vfs_open),
/// r (r vfs_open), k kp/peek. tracefs registers them disabled. Expected: children newest first, and the two
/// addresses in hash_64 bucket order.
@Suite("kprobes: debugfs list vs the real kernel")
struct DebugfsListTests {
    static func captured() throws -> [String] {
        let text = try Fixtures.text("realkernel/reference/linux-6.1-arm64-kprobes.txt")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("################ debugfs kprobes/list (registered") })
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    @Test("the same registrations give the captured listing, line for line")
    func matchesCapture() throws {
        let machine = Machine(core: ARM64Core(), cpuCount: 1)
        // A kernel-image fragment: do_sys_openat2's first 48 bytes as captured from /proc/kcore, and vfs_open
        // starting like every Debian arm64 function (mov x9, x30 = e9031eaa, then the patchable NOP).
        let page: UInt64 = 0xffff_8000_083a_8000
        machine.memory.map(page, size: 0x1000, permissions: .text)
        let text = try Fixtures.text("realkernel/reference/linux-6.1-arm64-kprobes.txt")
        let bytesLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("do_sys_openat2 @ ") })
        let bytes = bytesLine.split(separator: ":").last!.split(separator: " ").compactMap { UInt8($0, radix: 16) }
        #expect(bytes.count == 48)
        try machine.memory.kernelWrite(0xffff_8000_083a_8ba0, bytes: bytes)
        try machine.memory.kernelWrite(0xffff_8000_083a_8970, bytes: [0xe9, 0x03, 0x1e, 0xaa, 0x1f, 0x20, 0x03, 0xd5])
        machine.symbols.add(Symbol(name: "vfs_open", address: 0xffff_8000_083a_8970, size: 0x230, type: "T"))
        machine.symbols.add(Symbol(name: "do_sys_openat2", address: 0xffff_8000_083a_8ba0, size: 0x170, type: "T"))
        machine.symbols.addTextRegion(page..<(page + 0x1000))
        let kprobes = KprobeManager(machine: machine)
        func k(_ symbol: String) throws { try kprobes.register(Kprobe(symbolName: symbol, disabled: true)) }
        func r(_ symbol: String) throws { try kprobes.register(Kretprobe(symbolName: symbol, disabled: true)) }
        try k("do_sys_openat2"); try k("do_sys_openat2"); try k("do_sys_openat2")
        try r("do_sys_openat2"); try r("do_sys_openat2"); try k("do_sys_openat2")
        try k("vfs_open"); try r("vfs_open")
        try k("do_sys_openat2"); try k("do_sys_openat2")
        try k("vfs_open")
        try k("do_sys_openat2")
        let listed = kprobes.debugfsList().split(separator: "\n").map(String.init)
        #expect(listed == (try Self.captured()))
        // Disabled probes are registered but not armed: the text is unchanged.
        #expect(try machine.memory.kernelRead(0xffff_8000_083a_8ba0, count: 48) == bytes)
    }
}
