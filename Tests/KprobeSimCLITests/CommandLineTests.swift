import Testing
import Foundation
import Machine
import TestSupport
import Kprobes
@testable import KprobeSimCLI

/// Runs the command line as the executable would, capturing standard output and error.
func kprobesim(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
    var output = "", error = ""
    let status = KprobeSimCommand.main(arguments: arguments, output: &output, error: &error)
    return (status, output, error)
}

func kprobesim(_ arguments: String...) -> (status: Int32, output: String, error: String) { kprobesim(arguments) }

/// Runs `kprobesim run` on `script` written to a temporary file.
func kprobesimRun(_ script: String, _ options: String...) throws -> (status: Int32, output: String, error: String) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kprobesim-\(UInt32.random(in: 0...UInt32.max)).sh")
    defer { try? FileManager.default.removeItem(at: url) }
    try script.write(to: url, atomically: true, encoding: .utf8)
    return kprobesim(["run"] + options + [url.path])
}

/// Runs `kprobesim ARGUMENTS` from the repository root, as the docs' examples are run.
func kprobesimFromRoot(_ arguments: String...) -> (status: Int32, output: String, error: String) { kprobesimFromRoot(arguments) }

func kprobesimFromRoot(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(root.path)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    return kprobesim(arguments)
}

@Suite("kprobesim command line")
struct CommandLineTests {
    @Test("call prints the return register as 0x + 16 hex digits, matching native execution (incl. stack arguments)",
          arguments: [Architecture.x86_64, .arm64])
    func callMatchesNative(architecture: Architecture) throws {
        let cases = try CorpusCase.all(architecture)
        let chosen = [try #require(cases.first { $0.function == "sum_to" && $0.arguments == [10] }),
                      try #require(cases.first { $0.arguments.count >= 9 })]
        for c in chosen {
            let path = Fixtures.url("corpus/\(architecture.rawValue)/O2/\(c.file).o").path
            let run = kprobesim(["call", "--arch", architecture.rawValue, "--load", path, c.function]
                                + c.arguments.map { "0x" + String($0, radix: 16) })
            #expect(run.status == 0, "\(c): \(run.error)")
            #expect(run.output.split(separator: "\n").last.map(String.init) == String(hex16: c.expected), "\(c)")
        }
    }

    @Test("usage errors exit 2 with a message on standard error")
    func usageErrors() {
        #expect(kprobesim().status == 2)
        let unknown = kprobesim("frobnicate")
        #expect(unknown.status == 2 && unknown.error.contains("unknown command 'frobnicate'"))
        let noArch = kprobesim("call", "--load", "x.o", "f")
        #expect(noArch.status == 2 && noArch.error.contains("--arch"))
        let badArch = kprobesim("explain", "--arch", "sparc")
        #expect(badArch.status == 2 && badArch.error.contains("unknown architecture 'sparc'"))
        let badOption = kprobesim("demo", "--colour")
        #expect(badOption.status == 2 && badOption.error.contains("unknown option '--colour'"))
        let badInteger = kprobesim("call", "--arch", "x86_64", "--load", "x.o", "f", "twelve")
        #expect(badInteger.status == 2 && badInteger.error.contains("'twelve'"))
        for command in ["demo", "explain", "call", "scenario"] {
            let help = kprobesim(command, "--help")
            #expect(help.status == 0 && help.output.contains("usage: kprobesim \(command)"))
        }
    }

    @Test("simulation errors exit 1 and name the problem: a malformed object, a runaway budget")
    func simulationErrors() throws {
        let notELF = FileManager.default.temporaryDirectory.appendingPathComponent("kprobesim-not-elf-\(getpid()).o")
        try Data("not an object".utf8).write(to: notELF)
        defer { try? FileManager.default.removeItem(at: notELF) }
        let bad = kprobesim("call", "--arch", "x86_64", "--load", notELF.path, "f")
        #expect(bad.status == 1 && bad.error.contains(notELF.lastPathComponent))
        let path = Fixtures.url("corpus/x86_64/O2/loops.o").path
        let runaway = kprobesim("call", "--arch", "x86_64", "--budget", "50", "--load", path, "sum_to", "1000")
        #expect(runaway.status == 1 && runaway.error.contains("instruction budget of 50 exhausted"))
        let missing = kprobesim("call", "--arch", "arm64", "--load", path + ".missing", "sum_to")
        #expect(missing.status == 1 && missing.error.contains("cannot read"))
    }

    @Test("demo shows the breakpoint bytes going in on both architectures, and the slot traps")
    func demo() {
        let run = kprobesim("demo")
        #expect(run.status == 0)
        #expect(run.output.contains("after:   cc 01 c2"))          // x86_64: int3 over 48 01 c2
        #expect(run.output.contains("after:   80 00 20 d4"))       // arm64: BRK #0x004, little-endian
        #expect(run.output.contains("brk\t#0x6"))                 // arm64 slot: copy, then BRK #0x006
        #expect(run.output.contains("emulate jcc"))
        #expect(run.output.contains("simulate_b_cond"))
        #expect(run.output.contains("(arch_rethook_trampoline)"))
        #expect(run.output.contains("(__kretprobe_trampoline)"))
    }

    @Test("explain reports a refused probe with the kernel's errno")
    func explainRefused() {
        // sum_to+1 is inside `mov $0x186a0,%eax` (5 bytes): not an instruction boundary.
        let run = kprobesim("explain", "--arch", "x86_64", "--offset", "1")
        #expect(run.status == 0)
        #expect(run.output.contains("register_kprobe() = -EILSEQ"))
    }

    @Test("run: a tracefs script typed as on a real machine; a bad line prints the shell's error and the script goes on")
    func runScript() throws {
        let object = Fixtures.url("corpus/x86_64/O2/loops.o").path
        let run = try kprobesimRun("""
        load \(object)
        echo 'p:kp/bad sum_to x=%x0' >> /sys/kernel/tracing/kprobe_events
        echo "p:kp/sum sum_to n=%di" >> /sys/kernel/tracing/kprobe_events   # a comment
        echo 1 > /sys/kernel/tracing/events/kp/sum/enable
        call sum_to 3
        cat /sys/kernel/tracing/trace
        cat /sys/kernel/tracing/error_log
        echo done
        """, "--arch", "x86_64")
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n").map(String.init)
        // In order: the failed write (x86_64 has no %x0: "Invalid register name", EINVAL), the call's return
        // register (sum_to(3) = 6), the trace line with n = 3, the error_log entry, the echo.
        #expect(lines.first == "sh: write error: Invalid argument")
        #expect(lines.contains("0x0000000000000006"))
        #expect(lines.contains { $0.hasSuffix(" sum: (sum_to+0x0/0x30 [loops]) n=0x3") })
        #expect(lines.contains { $0.hasSuffix("trace_kprobe: error: Invalid register name") })
        #expect(lines.last == "done")
    }

    @Test("run: rmmod unloads an object; its probes are [GONE] and its functions unknown")
    func rmmod() throws {
        let run = try kprobesimRun("""
        echo 'p:kp/sum sum_to' >> /sys/kernel/tracing/kprobe_events
        rmmod loops
        rmmod loops
        cat /sys/kernel/debug/kprobes/list
        cat /sys/kernel/tracing/kprobe_events
        call sum_to 3
        """, "--arch", "x86_64", "--load", Fixtures.url("corpus/x86_64/O2/loops.o").path)
        let lines = run.output.split(separator: "\n").map(String.init)
        try #require(lines.count == 4)
        #expect(lines[0] == "rmmod: can't unload module 'loops': No such file or directory")
        #expect(lines[1].hasPrefix("ffffffff81") && lines[1].contains("  k  0xffffffff81") && lines[1].hasSuffix(" [GONE]"))
        #expect(lines[2] == "p:kp/sum sum_to")
        #expect(lines[3].hasPrefix("call: ") && lines[3].contains("sum_to"))
    }

    /// trace.c tracing_wait_pipe: a reader of an empty trace_pipe sleeps until an event is written; the shell
    /// lets the spawned tasks run meanwhile, and says so when nothing could ever write.
    @Test("run: cat trace_pipe on an empty buffer waits for the spawned tasks, or reports it would block")
    func blockingTracePipe() throws {
        let run = try kprobesimRun("""
        echo 'p:kp/sum sum_to n=%di' >> /sys/kernel/tracing/kprobe_events
        echo 1 > /sys/kernel/tracing/events/kp/sum/enable
        spawn --comm writer sum_to 4
        cat /sys/kernel/tracing/trace_pipe
        cat /sys/kernel/tracing/trace_pipe
        wait
        """, "--arch", "x86_64", "--load", Fixtures.url("corpus/x86_64/O2/loops.o").path)
        let lines = run.output.split(separator: "\n").map(String.init)
        try #require(lines.count == 3)
        #expect(lines[0].hasPrefix("          writer-1       [000] ") && lines[0].hasSuffix(" sum: (sum_to+0x0/0x30 [loops]) n=0x4"))
        #expect(lines[1] == "cat: /sys/kernel/tracing/trace_pipe: empty and no task left to write it (a real cat would block here)")
        // sum_to(4) = 10.
        #expect(lines[2] == "[1] writer 0x000000000000000a")
    }

    @Test("run: spawned tasks run on the CPUs they were given; the trace shows their comm, pid and CPU")
    func spawnAndWait() throws {
        let object = Fixtures.url("corpus/arm64/O2/loops.o").path
        let run = try kprobesimRun("""
        load \(object)
        echo 'p:kp/sum sum_to n=%x0' >> /sys/kernel/tracing/kprobe_events
        echo 1 > /sys/kernel/tracing/events/kp/enable
        spawn --cpu 0 --comm worker0 sum_to 5
        spawn --cpu 1 --comm worker1 sum_to 7
        spawn --cpu 2 sum_to 1
        wait
        cat /sys/kernel/tracing/trace
        """, "--arch", "arm64", "--cpus", "2")
        let lines = run.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        // sum_to(5) = 15, sum_to(7) = 28; CPU 2 does not exist on a 2-CPU machine.
        #expect(lines.first == "spawn: no CPU '2' (the machine has 2)")
        #expect(lines.contains("[1] worker0 0x000000000000000f") && lines.contains("[2] worker1 0x000000000000001c"))
        #expect(lines.contains { $0.hasPrefix("         worker0-1       [000] ") && $0.hasSuffix("n=0x5") })
        #expect(lines.contains { $0.hasPrefix("         worker1-2       [001] ") && $0.hasSuffix("n=0x7") })
    }

    /// Seed 003's probe, as shipped in docs/examples. Hand derivation of the call's values: the arguments are
    /// the article's (init_rcv_wnd 0); args.c returns rcv_wnd | wscale << 32 | (clamp >> 14) << 40 with rcv_wnd =
    /// space = 43690 (0xaaaa, not above mss), wscale = 7 (0x600000 halved 7 times to reach 0xc000 <= 0xffff) and
    /// clamp = 0xffff << 7 = 0x7fff80 (>> 14 = 0x1ff): 0x1ff070000aaaa.
    @Test("seed 003: the 8-argument probe; +0(%sp) at entry is the return address, so the article's stack reads are off by one slot",
          arguments: [Architecture.x86_64, .arm64])
    func seed003(_ arch: Architecture) throws {
        let run = kprobesimFromRoot("run", "--arch", arch.rawValue, "docs/examples/tcp_select_initial_window-\(arch.rawValue).sh")
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        #expect(lines.first == "0x0001ff070000aaaa")
        #expect(lines.contains { $0.hasSuffix(" <- tcp_select_initial_window) ret=0x1ff070000aaaa") })
        if arch == .x86_64 {
            // The 7th and 8th arguments (both 0) are one slot above the return address; the article's +4(%sp)
            // reads the top half of a kernel address, 0xffffffff, the 4294967295 its trace shows.
            #expect(lines.contains { $0.contains(" article: ") && $0.hasSuffix("space=43690 mss=65495 rmem_max=6291456 window_clamp=0 wscale_ok=1 rsv_wscale=0 init_rcv_wnd=4294967295") })
            #expect(lines.contains { $0.contains(" fixed: ") && $0.contains("no_window_clamp=0 init_rcv_wnd=0 a7=0x0 a8=0") })
        } else {
            #expect(lines.contains { $0.contains(" args: ") && $0.contains("no_window_clamp=0 init_rcv_wnd=0 a8=0") })
        }
    }

    /// docs/examples/event-filter-x86_64.sh. Hand derivation: `=>` is no operator (parse_pred tries `<=` and
    /// `>=`, not `=>`), caret at the `=` after `n ` (pos 1 + 2); of the three tasks only worker1 has both n > 3
    /// and a comm matching `work*`; all three hits count in kprobe_profile ("  %-44s %15lu %15lu").
    @Test("the event-filter example: the parse error, then only the matching task's hit is recorded")
    func eventFilterExample() throws {
        let run = kprobesimFromRoot("run", "--arch", "x86_64", "docs/examples/event-filter-x86_64.sh")
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        #expect(Array(lines.prefix(4)) == ["sh: write error: Invalid argument", "n => 3", "   ^", "parse_error: Invalid operator"])
        #expect(lines.contains { $0.hasSuffix("event filter parse error: error: Invalid operator") })
        #expect(lines.contains(#"n > 3 && comm ~ "work*""#))
        let events = lines.filter { $0.contains(" sum: (sum_to+") }
        #expect(events.count == 1 && events[0].hasPrefix("         worker1-1 ") && events[0].hasSuffix(" n=5"))
        #expect(lines.last == "  sum" + String(repeating: " ", count: 41) + " " + String(repeating: " ", count: 14) + "3"
                + " " + String(repeating: " ", count: 14) + "0")
    }

    @Test("explain on the legacy profile: the slot holds what 5.4 put there, and the second exception is #DB")
    func explainLegacy() {
        let x86 = kprobesim("explain", "--arch", "x86_64", "--profile", "legacy-5.4")
        #expect(x86.status == 0)
        // kernel (5.4): arch_copy_kprobe -> prepare_boost appends `jmp rel32` back to addr + len for a boostable
        // `add %rax,%rdx` (3 bytes): rel = (sum_to+0x16) - (slot + 3 + 5) = 0x...81000016 - 0x...81001008 =
        // -0xff2 = 0xfffff00e, little-endian 0e f0 ff ff. No int3 follows the copy in the TF era.
        #expect(x86.output.contains("ffffffff81001003:  e9 0e f0 ff ff        jmp    ffffffff81000016 <sum_to+0x16>"))
        #expect(!x86.output.contains("ffffffff81001003:  cc") && !x86.output.contains("ffffffff81001008:"))
        // A post_handler is registered, so the hit is stepped by TF (kprobe_handler checks at the hit): #DB in the slot.
        #expect(x86.output.contains("CPU exception: debug at 0xffffffff81001000"))
        #expect(x86.output.contains("stepped by the trap flag"))

        let arm64 = kprobesim("explain", "--arch", "arm64", "--profile", "legacy-5.4")
        #expect(arm64.status == 0)
        // kernel (5.4): arch_prepare_ss_slot copies one word into the slot; the hardware step brings the CPU back.
        #expect(arm64.output.contains("ffff800008001000:  00 00 01 8b           add\tx0, x0, x1"))
        #expect(!arm64.output.contains("brk\t#0x6"))
        #expect(arm64.output.contains("CPU exception: debug at 0xffff800008001000"))
        // BRK leaves pc at the probe: the pre_handler sees pc = addr, the post_handler addr + 4 (restore).
        #expect(arm64.output.contains("pre_handler sees   pc=0xffff800008000020 "))
        #expect(arm64.output.contains("post_handler sees  pc=0xffff800008000024 "))
    }

    @Test("explain --optimize: the int3 becomes e9 to the detour, the copies run there, and the jump comes back")
    func explainOptimized() {
        let run = kprobesim("explain", "--arch", "x86_64", "--optimize", "--pre-only")
        #expect(run.status == 0)
        // The built-in probe is sum_to+0x13 `add %rax,%rdx` (3 bytes), followed by `add $0x1,%rax` (4 bytes), so
        // the 5-byte jump covers two instructions and the detour jumps back to 0x13 + 3 + 4 = sum_to+0x1a.
        #expect(run.output.contains("after:  e9 "))
        #expect(run.output.contains("<kprobe_optinsn_page>"))
        #expect(run.output.contains("<sum_to+0x1a>"))
        // kernel: optimized_callback sets regs->ip = addr + INT3_INSN_SIZE before the pre_handler.
        #expect(run.output.contains("pre_handler sees   ip=0xffffffff81000014 (sum_to+0x14/"))
        #expect(!run.output.contains("post_handler"))
    }

    @Test("explain on an ftrace-built object: the fentry NOP becomes a call, ip is addr+1 then addr+5")
    func explainFtrace() {
        let path = Fixtures.url("corpus/x86_64/O2-ftrace/loops.o").path
        let run = kprobesim("explain", "--arch", "x86_64", "--load", path, "--function", "sum_to", "3")
        #expect(run.status == 0)
        // The fentry site is `nopl 0x0(%rax,%rax,1)` = 0f 1f 44 00 00 (objdump of the fixture); armed, it is e8 rel32.
        #expect(run.output.contains("before:  0f 1f 44 00 00"))
        #expect(run.output.contains("after:   e8 "))
        #expect(run.output.contains("<ftrace_regs_caller>"))
        // kernel: kprobe_ftrace_handler — ip = addr + 1 for the pre_handler, addr + MCOUNT_INSN_SIZE (5) for post.
        #expect(run.output.contains("pre_handler sees   ip=0xffffffff81000001 (sum_to+0x1/"))
        #expect(run.output.contains("post_handler sees  ip=0xffffffff81000005 (sum_to+0x5/"))
        #expect(run.output.contains("sum_to(...) = 6"))
    }
}

@Suite("seed scenarios")
struct SeedScenarioTests {
    static let corpus = Fixtures.url("corpus").path

    func lines(_ scenario: SeedScenario, _ arch: Architecture, profile: String = "debian-6.1", fault: Bool = false,
               maxactive: Int = 20) throws -> [String] {
        var options = SeedScenario.Options()
        options.maxactive = maxactive
        options.corpus = Self.corpus
        options.profile = try #require(KernelProfile.named(profile))
        options.fault = fault
        return try scenario.run(arch, options: options)
    }

    @Test("the scenario command runs every seed scenario on both arches from the repository root")
    func scenarioCommand() {
        for scenario in SeedScenario.allCases {
            let run = kprobesimFromRoot("scenario", scenario.rawValue)
            #expect(run.status == 0, "\(scenario.rawValue): \(run.error)")
            for arch in Architecture.allCases {
                #expect(run.output.contains("== \(scenario.rawValue) on \(arch), kernel profile debian-6.1\n"), "\(scenario.rawValue)")
            }
            // Each module plants its probe and removes it again, as the samples' init and exit functions do.
            #expect(run.output.components(separatedBy: "Planted ").count == 3, "\(scenario.rawValue)")
        }
    }

    @Test("inet_bind: the handler reads each bound port from the sockaddr argument", arguments: [Architecture.x86_64, .arm64])
    func inetBind(architecture: Architecture) throws {
        // Hand derivation from bind_addrs[] in Tests/Fixtures/corpus/src/lists.c: htons(80), htons(8080),
        // htons(443) (AF_INET6, so inet_bind refuses it after the probe fired), htons(0).
        let ports = try lines(.inetBind, architecture).compactMap { line in
            line.range(of: "port=").flatMap { Int(line[$0.upperBound...]) }
        }
        #expect(ports == [80, 8080, 443, 0])
        // The article's pr_info prints p->symbol_name first (its dmesg: "inet_bind name:test pid:68248 socket bind
        // port=49152").
        #expect(try lines(.inetBind, architecture).contains { $0.contains("inet_bind name:") && $0.hasSuffix("socket bind port=80") })
    }

    @Test("hlist_count: the handler's chain lengths match the table in lists.c", arguments: [Architecture.x86_64, .arm64])
    func hlistCount(architecture: Architecture) throws {
        // htable: bucket 1 = 1→17→33→49, 5 = 5→21, 15 = 15, 0 = 0, 4 = 100→36, 7 empty.
        let lengths = try lines(.hlistCount, architecture).compactMap { line in
            line.range(of: "chain length=").flatMap { Int(line[$0.upperBound...]) }
        }
        #expect(lengths == [4, 4, 2, 1, 1, 2, 0])
    }

    @Test("kretprobe_example: return values in completion order, durations, and the misses of a small maxactive",
          arguments: [Architecture.x86_64, .arm64])
    func kretprobeExample(architecture: Architecture) throws {
        // fib_rec(5) calls (see KretprobeTests): 5 → 4 → 3 → 2 → 1, then 2's loop ends, 3 ends, 4's loop calls 1,
        // 5's loop calls 2 → 1. Completion order of the return values: 1, 1, 2, 1, 3, 1, 1, 5.
        func returned(_ lines: [String]) -> [Int] {
            lines.compactMap { line in
                guard let r = line.range(of: "returned "), let end = line.range(of: " and took") else { return nil }
                return Int(line[r.upperBound..<end.lowerBound])
            }
        }
        let full = try lines(.kretprobeExample, architecture)
        #expect(returned(full) == [1, 1, 2, 1, 3, 1, 1, 5])
        #expect(full.last?.hasSuffix("Missed probing 0 instances of fib_rec") == true)
        // With two instances: 5 and 4 take them; 4's subtree is missed until 4 returns, then 5's second call
        // (fib_rec(2)) takes one and its inner call is missed: 3, 1, 5 returned; 8 - 3 = 5 missed.
        let small = try lines(.kretprobeExample, architecture, maxactive: 2)
        #expect(returned(small) == [3, 1, 5])
        #expect(small.last?.hasSuffix("Missed probing 5 instances of fib_rec") == true)
    }

    @Test("kprobe_example: pre and post fire once per call; the legacy fault_handler sees a handler's fault",
          arguments: [Architecture.x86_64, .arm64])
    func kprobeExample(architecture: Architecture) throws {
        let normal = try lines(.kprobeExample, architecture)
        #expect(normal.filter { $0.contains("pre_handler:") }.count == 2)
        #expect(normal.filter { $0.contains("post_handler:") }.count == 2)
        #expect(normal.contains { $0.hasSuffix("workload: sum_to(10) = 55") })
        let legacy = try lines(.kprobeExample, architecture, profile: "legacy-5.4", fault: true)
        // trapnr: x86 14 (X86_TRAP_PF); arm64 5.4 passes the ESR, printed by the sample's %d as a signed int: the
        // `ldrh w0, [x1]` read of unmapped 0x10 is EC 0x25 << 26 | IL 1 << 25 | DFSC 0b000111 (translation
        // fault, level 3) = 0x96000007 = 2516582407, as an int 2516582407 - 2^32 = -1778384889.
        #expect(legacy.contains { $0.contains("fault_handler: p->addr = ") && $0.hasSuffix("trap #\(architecture == .x86_64 ? 14 : -1778384889)") })
        #expect(legacy.last?.contains("0000000000000010") == true)
        let modern = try lines(.kprobeExample, architecture, fault: true)
        #expect(!modern.contains { $0.contains("fault_handler:") })
    }
}
