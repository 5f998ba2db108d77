import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

/// Unloading an object with probes in it (kernel: kernel/kprobes.c kprobes_module_callback → kill_kprobe):
/// the probes are not unregistered but killed, so debugfs lists them `[GONE]` under their bare address
/// (report_probe falls back to `%pS`, which prints the hex address once kallsyms has forgotten the module).
@Suite("kprobes: module unload kills the probes in it")
struct ModuleUnloadTests {
    @Test("probes in an unloaded object are [GONE], cannot be enabled, and unregister cleanly",
          arguments: [Architecture.x86_64, .arm64])
    func goneProbes(_ arch: Architecture) throws {
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        let kept = try Corpus.load("compare", into: machine)
        let loops = try Corpus.load("loops", into: machine)
        let kprobes = KprobeManager(machine: machine)
        let sumTo = try #require(machine.symbols.lookup(name: "sum_to")).address
        let squares = try #require(machine.symbols.lookup(name: "sum_squares_while")).address
        let elsewhere = try #require(kept.symbol(named: "select_mix")).address
        let entry = Kprobe(symbolName: "sum_to")
        let second = Kprobe(symbolName: "sum_to", disabled: true)
        let ret = Kretprobe(symbolName: "sum_squares_while")
        let survivor = Kprobe(symbolName: "select_mix")
        try kprobes.register(entry)
        try kprobes.register(second)
        try kprobes.register(ret)
        try kprobes.register(survivor)
        #expect(try machine.call("sum_to", arguments: [3]) == 6)
        #expect(entry.nhit == 1)

        machine.unload(loops)

        // Hand derivation from report_probe: "%px  %s  %pS " then the flags; the aggregate at sum_to lists its
        // two children newest first, both GONE (GONE hides DISABLED).
        func hex(_ a: UInt64) -> String { String(repeating: "0", count: 16 - String(a, radix: 16).count) + String(a, radix: 16) }
        let listed = kprobes.debugfsList().split(separator: "\n").map(String.init)
        #expect(listed.contains("\(hex(sumTo))  k  0x\(String(sumTo, radix: 16)) [GONE]"))
        #expect(listed.filter { $0.hasPrefix(hex(sumTo)) }.count == 2)
        #expect(listed.contains("\(hex(squares))  r  0x\(String(squares, radix: 16)) [GONE]"))
        // The probe elsewhere keeps its symbol (on x86_64 it is also queued for optimization: [OPTIMIZED]).
        #expect(listed.contains { $0.hasPrefix(hex(elsewhere)) && $0.contains("  k  select_mix+0x0  compare ")
                                  && !$0.contains("GONE") })
        #expect(entry.isGone && second.isGone && ret.kp.isGone && !survivor.isGone)
        // enable_kprobe refuses a gone probe; disable_kprobe is a no-op on one (kprobe_disabled is true).
        #expect(throws: Errno.EINVAL) { try kprobes.enable(second) }
        try kprobes.disable(entry)
        // The code is gone: kallsyms forgot it and its pages are unmapped (running it would oops).
        #expect(machine.symbols.lookup(name: "sum_to") == nil)
        #expect(!machine.memory.isMapped(sumTo) && machine.memory.isMapped(elsewhere))
        // The rest of the machine is untouched and its probe still fires.
        _ = try machine.call(elsewhere, arguments: [1, 2, 3])
        #expect(survivor.nhit == 1)
        // Unregistering a gone probe takes it out of the list.
        kprobes.unregister([entry, second])
        kprobes.unregister(ret)
        #expect(kprobes.debugfsList().split(separator: "\n").count == 1)
    }
}
