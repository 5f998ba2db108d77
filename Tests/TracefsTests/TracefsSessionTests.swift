import RealKernel
import Testing
import Machine
import Kprobes
import X86_64
import ARM64
import TestSupport
@testable import Tracefs

/// The tracefs tree over a simulated machine running real compiler output (`loops.o`, gcc -O2): defining,
/// enabling, hitting, reading back and deleting events, and the registration-stage errors of the capture.
@Suite("tracefs: kprobe events over a running machine")
struct TracefsSessionTests {
    static let root = "/sys/kernel/tracing/"

    struct Session {
        let machine: Machine
        let kprobes: KprobeManager
        let tracefs: Tracefs

        init(_ arch: Architecture, object: String = "loops", variant: String = "O2") throws {
            machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
            try Corpus.load(object, variant: variant, into: machine)
            kprobes = KprobeManager(machine: machine)
            tracefs = Tracefs(machine: machine, kprobes: kprobes)
        }

        func echo(_ text: String, _ file: String, append: Bool = true) throws(TracefsError) {
            try tracefs.write(TracefsSessionTests.root + file, text + "\n", append: append)
        }

        func cat(_ file: String) throws -> String { try tracefs.read(TracefsSessionTests.root + file) }
    }

    @Test("MOD:SYM: a module not loaded defers the probe (listed, profiled, not armed); a missing symbol of a loaded one is ENOENT")
    func moduleSymbolTargets() throws {
        // As the 6.1 guest answered in */registrations.txt (`p:kpsim/nomod no_such_module:sum_to`).
        let s = try Session(.x86_64)
        try s.echo("p:kp/later no_such_module:sum_to", "kprobe_events")
        try s.echo("p:kp/now loops:sum_to", "kprobe_events")
        #expect(throws: TracefsError.self) { try s.echo("p:kp/missing loops:no_such_function", "kprobe_events") }
        #expect(try s.cat("kprobe_events") == "p:kp/later no_such_module:sum_to\np:kp/now loops:sum_to\n")
        let list = try s.tracefs.read("/sys/kernel/debug/kprobes/list")
        #expect(list.split(separator: "\n").count == 1 && list.contains("sum_to+0x0  loops"))
        #expect(try s.cat("kprobe_profile").contains("  later "))
    }

    @Test("/proc/sys/debug/kprobes-optimization reads back, switches the optimizer, and takes only 0 or 1")
    func optimizationSysctl() throws {
        let s = try Session(.x86_64)
        let path = "/proc/sys/debug/kprobes-optimization"
        #expect(try s.tracefs.read(path) == "1\n")
        try s.tracefs.write(path, "0\n", append: false)
        #expect(try s.tracefs.read(path) == "0\n" && !s.kprobes.optimizationEnabled)
        #expect(throws: TracefsError.self) { try s.tracefs.write(path, "2\n", append: false) }
        // Pinned to int3, a probe past the ftrace site is hit from the breakpoint (`..Zff`), never optimized.
        try s.echo("p:kp/p5 sum_to+5", "kprobe_events")
        try s.echo("1", "events/kp/p5/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [1])
        #expect(try s.cat("trace").contains("] ..Zff "))
        #expect(try !s.tracefs.read("/sys/kernel/debug/kprobes/list").contains("[OPTIMIZED]"))
    }

    /// loops.objdump: `sum_to+5` is `cmp %rax,%rdi` with %rax = 100000 (0x186a0), so the probe on the `cmova` after
    /// it sees the flags of n - 100000 (the core leaves them deferred at the trap; the fetch must compute them).
    /// n = 10: 0xffff_ffff_fffe_796a, a borrow (CF), negative (SF), low byte 0x6a with four ones (PF), no nibble
    /// borrow or signed overflow: 0x85. n = 200000: 0x186a0, low byte 0xa0 with two ones (PF) only: 0x4. With IF
    /// and the always-one bit 1 (0x202): 0x287 and 0x206.
    @Test("a %flags fetch arg after a compare shows the compare's status bits (x86_64)")
    func flagsFetchAfterCompare() throws {
        let s = try Session(.x86_64)
        try s.echo("p:kp/cmova sum_to+8 f=%flags:x64", "kprobe_events")
        try s.echo("1", "events/kp/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [10])
        _ = try s.machine.call("sum_to", arguments: [200_000])
        let lines = try s.cat("trace").split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("cmova: (sum_to+0x8/0x30 [loops]) f=0x287") == true)
        #expect(lines.last?.hasSuffix("cmova: (sum_to+0x8/0x30 [loops]) f=0x206") == true)
    }

    @Test("define, enable, hit, read back: the events' lines, registers and return values", arguments: [Architecture.x86_64, .arm64])
    func hitAndTrace(_ arch: Architecture) throws {
        let s = try Session(arch)
        let register = arch == .x86_64 ? "%di" : "%x0"
        try s.echo("p:kp/sum sum_to n=\(register) a=$arg1:s32", "kprobe_events")
        try s.echo("r:kp/sumret sum_to ret=$retval:u64", "kprobe_events")
        // kernel: trace_kprobe_show; `r` without a number reads back with the default maxactive (1 CPU: 10).
        #expect(try s.cat("kprobe_events") == "p:kp/sum sum_to n=\(register) a=$arg1:s32\nr10:kp/sumret sum_to ret=$retval:u64\n")
        // Defined, registered, not armed until enabled (captured: [DISABLED] in kprobes/list).
        let sumTo = try #require(s.machine.symbols.lookup(name: "sum_to")).address
        // One line per probe on sum_to (the kprobe and the kretprobe's entry kprobe): `allSatisfy` alone would
        // pass on an empty list.
        let listed = s.kprobes.debugfsList().split(separator: "\n")
        try #require(listed.count == 2)
        #expect(listed.allSatisfy { $0.contains("[DISABLED]") })
        // loops.objdump: sum_to starts with `b8 a0 86 01 00` (x86_64) / `d290d402` (arm64, little-endian).
        #expect(try s.machine.memory.kernelRead(sumTo, count: 1) == (arch == .x86_64 ? [0xb8] : [0x02]))

        try s.echo("1", "events/kp/enable", append: false)
        #expect(try s.cat("events/kp/sum/enable") == "1\n")
        _ = try s.machine.call("sum_to", arguments: [10])
        _ = try s.machine.call("sum_to", arguments: [4])
        let lines = try s.cat("trace").split(separator: "\n").filter { !$0.hasPrefix("#") }
        // Hand derivation: sum_to(n) = n(n+1)/2 → 55 and 10; the entry probe sees n in the first argument register.
        try #require(lines.count == 4)
        #expect(lines[0].hasSuffix("sum: (sum_to+0x0/\(arch == .x86_64 ? "0x30" : "0x34") [loops]) n=0xa a=10"))
        #expect(lines[1].hasSuffix("ret=55") && lines[1].contains(" <- sum_to)"))
        #expect(lines[2].hasSuffix("n=0x4 a=4") && lines[3].hasSuffix("ret=10"))
        // The breakpoint handler's context: `d....` on arm64, `..Zff` on x86_64 (int3 is NMI-like); nothing in
        // the kretprobe trampoline (captured in */hits.txt).
        #expect(lines[0].contains(arch == .x86_64 ? "] ..Zff " : "] d.... ") && lines[1].contains("] ..... "))
        #expect(try s.cat("trace").contains("# entries-in-buffer/entries-written: 4/4   #P:1"))
        // kernel: probes_profile_seq_show, "  %-44s %15lu %15lu\n".
        func profileLine(_ name: String, _ hits: Int, _ missed: Int) -> String {
            "  " + name + String(repeating: " ", count: 44 - name.count) + " "
                + String(repeating: " ", count: 15 - String(hits).count) + String(hits) + " "
                + String(repeating: " ", count: 15 - String(missed).count) + String(missed) + "\n"
        }
        #expect(try s.cat("kprobe_profile") == profileLine("sum", 2, 0) + profileLine("sumret", 2, 0))
    }

    /// The capture's "define probes" section replayed through the tree, on corpus functions given the captured
    /// names: the `format` files (ids included: events are numbered in creation order) and the read-back equal
    /// the capture. The address target (`kp/byaddr`) is left out: it names an address of the real kernel.
    @Test("the captured session's definitions: format files with their ids, and kprobe_events read back, equal the capture",
          arguments: [Architecture.x86_64, .arm64])
    func capturedSession(_ arch: Architecture) throws {
        let s = try Session(arch)
        for (alias, name) in [("do_sys_openat2", "sum_to"), ("vfs_open", "sum_squares_while")] {
            let symbol = try #require(s.machine.symbols.lookup(name: name))
            s.machine.symbols.add(Symbol(name: alias, address: symbol.address, size: symbol.size, type: "T"))
        }
        let capture = try CapturedKprobeEvents(arch)
        for write in capture.writes(inSection: "define probes") {
            let line = write.command
            if line.contains("byaddr") { continue }
            try s.echo(line, "kprobe_events")
        }
        let real = try RealKernelCapture(arch.rawValue)
        #expect(try s.cat("events/kp/open/format") == real.section("events/kp/open/format").joined(separator: "\n") + "\n")
        #expect(try s.cat("events/kp/openret/format") == real.section("events/kp/openret/format").joined(separator: "\n") + "\n")
        let listed = try s.cat("kprobe_events").split(separator: "\n").map(String.init)
        #expect(listed == capture.listing(after: "kprobe_events (read back)").filter { !$0.contains("byaddr") })
    }

    /// The capture's "kretprobe return-address reporting" section: with two kretprobes on a function, the one
    /// registered first returns first and reports the trampoline; the other reports the real caller.
    @Test("two kretprobes on one function: the first registered prints [unknown/kretprobe'd], as captured", arguments: [Architecture.x86_64, .arm64])
    func twoKretprobes(_ arch: Architecture) throws {
        let s = try Session(arch)
        try s.echo("r:solo/a sum_to ret=$retval", "kprobe_events")
        try s.echo("r:solo/b sum_to ret=$retval", "kprobe_events")
        try s.echo("p:solo/entry sum_to", "kprobe_events")
        try s.echo("1", "events/solo/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [3])
        let lines = try s.cat("trace").split(separator: "\n").filter { !$0.hasPrefix("#") }
        try #require(lines.count == 3)
        #expect(lines[0].hasSuffix(" entry: (sum_to+0x0/\(arch == .x86_64 ? "0x30" : "0x34") [loops])"))
        #expect(lines[1].hasSuffix(" a: ([unknown/kretprobe'd] <- sum_to) ret=0x6"))
        #expect(lines[2].contains(" b: (") && !lines[2].contains("unknown") && lines[2].hasSuffix(" <- sum_to) ret=0x6"))
    }

    /// kernel: trace_kprobe.c register_trace_kprobe / append_trace_kprobe, trace_probe.c
    /// trace_probe_compare_arg_type (the caret goes to argv[differing + 1]; DIFF_PROBE_TYPE and SAME_PROBE to 0).
    @Test("a second probe with an event's name joins it; a different kind, different arguments or the same probe are EEXIST")
    func appendToEvent() throws {
        let s = try Session(.x86_64)
        try s.echo("p:kp/multi sum_to a=%di", "kprobe_events")
        try s.echo("p:kp/multi sum_to+0x13 a=%di", "kprobe_events")   // loops.objdump: +0x13 is `add %rax,%rdx`
        #expect(try s.cat("kprobe_events") == "p:kp/multi sum_to a=%di\np:kp/multi sum_to+19 a=%di\n")
        func rejected(_ line: String, _ message: String, caret: Int) throws {
            try s.tracefs.write(Self.root + "error_log", "\n")
            #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: .EEXIST)) { try s.echo(line, "kprobe_events") }
            let log = try s.cat("error_log").split(separator: "\n").map(String.init)
            #expect(log.count == 3 && log[0].hasSuffix("trace_kprobe: error: " + message), "\(line)")
            #expect(log.count == 3 && log[2] == String(repeating: " ", count: 11 + caret) + "^", "\(line)")
        }
        try rejected("r:kp/multi sum_to", "Probe type is different from existing probe", caret: 0)
        // argv = ["p:kp/multi", "sum_to", "b=%di"]: the first argument differs, index 1 + 1 = 2, column 18.
        try rejected("p:kp/multi sum_to b=%di", "Argument type or name is different from existing probe", caret: 18)
        try rejected("p:kp/multi sum_to a=%di", "There is already the exact same probe event", caret: 0)
        try s.echo("1", "events/kp/multi/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [2])
        // One record at entry, then one per loop iteration: the loop adds i and stops after i == n (`cmp %rcx,%rdi`
        // tests the i it just added), so sum_to(2) runs it for i = 0, 1, 2.
        let lines = try s.cat("trace").split(separator: "\n").filter { !$0.hasPrefix("#") }
        try #require(lines.count == 4)
        #expect(lines[0].contains("multi: (sum_to+0x0/0x30 [loops])") && lines[1].contains("multi: (sum_to+0x13/0x30 [loops])"))
        try s.echo("0", "events/kp/multi/enable", append: false)
        try s.echo("-:kp/multi", "kprobe_events")
        #expect(try s.cat("kprobe_events") == "" && s.kprobes.debugfsList() == "")
    }

    @Test("an enabled event cannot be deleted or truncated away; deleting a disabled one clears the buffer")
    func deletion() throws {
        let s = try Session(.x86_64)
        try s.echo("p:kp/sum sum_to", "kprobe_events")
        try s.echo("1", "events/kp/sum/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [1])
        // kernel: dyn_events_release_all refuses at open (O_TRUNC); the capture: "can't create ...: Device or resource busy".
        #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: .EBUSY, stage: .open)) {
            try s.echo("", "kprobe_events", append: false)
        }
        #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: .EBUSY)) { try s.echo("-:kp/sum", "kprobe_events") }
        #expect(try s.cat("trace").contains("1/1"))
        try s.echo("0", "events/kp/sum/enable", append: false)
        // Captured: `-:kprobes/multi2` for an event in group kp is ENOENT; `-:multi2` (any group) works.
        #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: .ENOENT)) { try s.echo("-:kprobes/sum", "kprobe_events") }
        try s.echo("-:sum", "kprobe_events")
        #expect(try s.cat("kprobe_events") == "")
        #expect(try s.cat("trace").contains("0/0"))
        #expect(s.kprobes.debugfsList() == "")
        let sumTo = try #require(s.machine.symbols.lookup(name: "sum_to")).address
        #expect(try s.machine.memory.kernelRead(sumTo, count: 1) == [0xb8])
    }

    /// The registration-stage failures of the capture's "bad lines", on a function given the captured name.
    @Test("registration errors: the captured error_log entries, carets and errnos; deferred address probes")
    func registrationErrors() throws {
        let s = try Session(.x86_64)
        let sumTo = try #require(s.machine.symbols.lookup(name: "sum_to"))
        s.machine.symbols.add(Symbol(name: "do_sys_openat2", address: sumTo.address, size: sumTo.size, type: "T"))
        let capture = try CapturedKprobeEvents(.x86_64)
        // do_sys_openat2+1 is inside `mov $0x186a0,%eax` (5 bytes) in loops.o, as +1 is on the real kernel.
        try s.echo("p:kp/open do_sys_openat2 dfd=$arg1 path=+0($arg2):string", "kprobe_events")
        for (line, errno) in [("p:kp/bad_sym no_such_function_xyz", Errno.ENOENT), ("p:kp/bad_sym2 no_such_function_xyz+4", .ENOENT),
                              ("p:kp/bad_mid do_sys_openat2+1", .EILSEQ),
                              ("p:kp/open do_sys_openat2 dfd=$arg1 path=+0($arg2):string", .EEXIST),
                              ("p:kp/bad_sym_fetch do_sys_openat2 s=@no_such_symbol_xyz", .ENOENT),
                              ("p:kp/bad_neg_ofs do_sys_openat2-4", .EINVAL)] {
            try s.tracefs.write(Self.root + "error_log", "\n")
            #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: errno)) { try s.echo(line, "kprobe_events") }
            let logged = try s.cat("error_log").split(separator: "\n").map(String.init)
            let write = try #require(capture.writes(inSection: "bad lines").first { $0.command == line })
            #expect(write.failure == errno.message)
            let expected = write.errorLog
            // The timestamp differs (simulated time); the message, the command and the caret must not.
            #expect(logged.count == 3 && logged[0].drop { $0 != "]" } == expected[0].drop { $0 != "]" })
            #expect(Array(logged.dropFirst()) == Array(expected.dropFirst()), "\(line)")
        }
        // Address targets in no loaded text are accepted and their registration deferred: the kernel lists a
        // deferred return probe as plain `r` (no maxactive written back), as the capture's final listing shows.
        try s.echo("p:kp/bad_addr 0x1", "kprobe_events")
        try s.echo("r:kp/ret_on_blacklisted_addr 0x1", "kprobe_events")
        let listed = try s.cat("kprobe_events").split(separator: "\n")
        #expect(listed.count == 3 && listed[1].hasPrefix("p:kp/bad_addr 0x") && listed[2].hasPrefix("r:kp/ret_on_blacklisted_addr 0x"))
        try s.echo("1", "events/kp/enable", append: false)
        #expect(try s.cat("events/kp/enable") == "1\n")
    }

    /// kernel: trace_kprobe.c within_notrace_func — on a kernel built with ftrace, a function with no ftrace
    /// location is refused ("Could not probe notrace function", captured in dmesg for asm_exc_divide_error)
    /// with the same error_log entry as the captured `bad_blacklisted` line: "Failed to register probe event".
    @Test("objects built with ftrace: a function without an fentry site cannot be probed through tracefs")
    func notraceFunction() throws {
        let s = try Session(.x86_64, variant: "O2-ftrace")
        let plain = s.machine.allocateText(size: 16)
        try s.machine.memory.kernelWrite(plain, bytes: [0xc3])                      // ret
        s.machine.symbols.add(Symbol(name: "plain_fn", address: plain, size: 16, type: "t"))
        s.machine.symbols.addTextRegion(plain..<(plain + 16))
        #expect(throws: TracefsError(path: Self.root + "kprobe_events", errno: .EINVAL)) { try s.echo("p:kp/x plain_fn", "kprobe_events") }
        let log = try s.cat("error_log").split(separator: "\n").map(String.init)
        #expect(log.count == 3 && log[0].hasSuffix("trace_kprobe: error: Failed to register probe event"))
        #expect(log.count == 3 && log[2] == String(repeating: " ", count: 11 + "p:kp/x ".count) + "^")
        try s.echo("p:kp/y sum_to", "kprobe_events")                                // has an fentry site
        #expect(try s.cat("kprobe_events") == "p:kp/y sum_to\n")
    }

    /// A failed write changes nothing (kernel: each line is parsed and checked before anything is registered,
    /// and a failed registration is undone), whatever the line; the machine keeps running and probing.
    @Test("mutated kprobe_events lines never crash; a failed write leaves every earlier event as it was",
          arguments: [Architecture.x86_64, .arm64])
    func fuzzedWrites(_ arch: Architecture) throws {
        let s = try Session(arch)
        let register = arch == .x86_64 ? "%di" : "%x0"
        try s.echo("p:kp/a sum_to n=\(register):u32 s=+0($stack):x64", "kprobe_events")
        try s.echo("r:kp/b sum_to ret=$retval", "kprobe_events")
        try s.echo("1", "events/kp/a/enable", append: false)
        let seeds = ["p:kp/c sum_to+4 x=%ax:s8 y=+8(\(register)):string z=@sum_to:x8[4]", "r4:kp/d sum_to ret=$retval:s64",
                     "p:grp.e sum_squares_while $arg1 $arg2:b3@2/8 \\\"hi\" $comm", "p sum_to $stack3 -8(+16($stack)):u16"]
        let alphabet = Array("pr-:/.%@$+u()[]\\\"=0123456789xabsting_ \t#")
        var random = SeededGenerator(seed: 0x7472_6163_6566_73)
        var accepted = 0
        for _ in 0..<3000 {
            var chars = Array(seeds[Int(random.next() % UInt64(seeds.count))])
            for _ in 0..<(1 + random.next() % 4) {
                let at = Int(random.next() % UInt64(chars.count + 1))
                switch random.next() % 3 {
                case 0: chars.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                case 1: if at < chars.count { chars.remove(at: at) }
                default: if at < chars.count { chars[at] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
                }
            }
            let line = String(chars)
            let before = try s.cat("kprobe_events")
            do {
                try s.echo(line, "kprobe_events")
                accepted += 1
            } catch {
                #expect(try s.cat("kprobe_events") == before, "\(line)")
            }
        }
        #expect(accepted > 0 && accepted < 3000)
        let events = try s.cat("kprobe_events").split(separator: "\n")
        #expect(events.contains("p:kp/a sum_to n=\(register):u32 s=+0($stack):x64"))
        #expect(try s.cat("events/kp/a/enable") == "1\n")
        try s.echo("", "trace", append: false)
        #expect(try s.machine.call("sum_to", arguments: [3]) == 6)
        #expect(try s.cat("trace").contains(" a: (sum_to+0x0/"))
    }

    /// Hand derivation: a record of `p:kp/loop sum_to+0x13 n=%di` is 8 (common fields) + 8 (__probe_ip) + 8 = 24
    /// bytes, 28 with its ring-buffer header; a 4080-byte page holds 145; buffer_size_kb = 1 still gets the
    /// minimum of 2 pages: 290 events. sum_to(399) hits the loop body 400 times.
    @Test("buffer_size_kb and options/overwrite: a full buffer drops the newest events, or the oldest page when overwriting")
    func bufferSizeAndOverwrite() throws {
        let s = try Session(.x86_64)
        try s.echo("p:kp/loop sum_to+0x13 n=%di", "kprobe_events")
        try s.echo("1", "events/kp/loop/enable", append: false)
        try s.echo("1", "buffer_size_kb", append: false)
        #expect(try s.cat("buffer_size_kb") == "1\n" && s.cat("options/overwrite") == "1\n")
        try s.echo("0", "options/overwrite", append: false)
        _ = try s.machine.call("sum_to", arguments: [399])
        #expect(try s.cat("trace").contains("# entries-in-buffer/entries-written: 290/290   #P:1"))
        try s.echo("", "trace", append: false)
        try s.echo("1", "options/overwrite", append: false)
        _ = try s.machine.call("sum_to", arguments: [399])
        // 290 fill both pages; the 291st drops the oldest page (145 overruns) and the last 110 go to a new one.
        #expect(try s.cat("trace").contains("# entries-in-buffer/entries-written: 255/400   #P:1"))
        #expect(throws: TracefsError(path: Self.root + "buffer_size_kb", errno: .EINVAL)) { try s.echo("0", "buffer_size_kb", append: false) }
        #expect(try s.cat("events/kp/loop/filter") == "none\n")
    }

    @Test("trace_pipe consumes: what it returned is gone from trace, later events still arrive")
    func tracePipe() throws {
        let s = try Session(.x86_64)
        try s.echo("p:kp/sum sum_to n=%di", "kprobe_events")
        try s.echo("1", "events/kp/sum/enable", append: false)
        _ = try s.machine.call("sum_to", arguments: [1])
        _ = try s.machine.call("sum_to", arguments: [2])
        let piped = try s.cat("trace_pipe").split(separator: "\n")
        #expect(piped.count == 2 && piped[0].hasSuffix("n=0x1") && piped[1].hasSuffix("n=0x2"))
        #expect(try s.cat("trace_pipe") == "")
        #expect(try s.cat("trace").split(separator: "\n").allSatisfy { $0.hasPrefix("#") })
        _ = try s.machine.call("sum_to", arguments: [3])
        #expect(try s.cat("trace_pipe").hasSuffix("n=0x3\n"))
    }

    @Test("a file that does not exist is ENOENT at open; a read-only file refuses writes")
    func paths() throws {
        let s = try Session(.arm64)
        #expect(throws: TracefsError(path: Self.root + "events/kp/nope/enable", errno: .ENOENT, stage: .open)) {
            try s.echo("1", "events/kp/nope/enable", append: false)
        }
        try s.echo("p:kp/sum sum_to", "kprobe_events")
        // Mode 0444, but root passes the permission check; the file has no write operation: -EINVAL.
        #expect(throws: TracefsError(path: Self.root + "events/kp/sum/format", errno: .EINVAL)) {
            try s.echo("x", "events/kp/sum/format", append: false)
        }
        #expect(try s.cat("events/kp/sum/id") == "1206\n")
        // kernel: kprobes.c write_enabled_file_bool — 0 disarms every probe, 1 arms them again.
        let enabled = "/sys/kernel/debug/kprobes/enabled"
        #expect(try s.tracefs.read(enabled) == "1\n")
        try s.tracefs.write(enabled, "0\n")
        #expect(try s.tracefs.read(enabled) == "0\n" && s.kprobes.allDisarmed)
        #expect(throws: TracefsError(path: enabled, errno: .EINVAL)) { try s.tracefs.write(enabled, "2\n") }
        try s.tracefs.write(enabled, "1\n")
        #expect(try s.tracefs.read(enabled) == "1\n")
    }
}

extension TracefsSessionTests {
    /// An event whose function is unloaded: its probe is `[GONE]` in debugfs (kill_kprobe), the event stays in
    /// `kprobe_events`, enabling skips the gone probe (__enable_trace_kprobe), and the event can be deleted.
    @Test("an event on an unloaded object: [GONE] in kprobes/list, still listed, deletable", arguments: [Architecture.x86_64, .arm64])
    func goneEvent(_ arch: Architecture) throws {
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        let loops = try Corpus.load("loops", into: machine)
        let kprobes = KprobeManager(machine: machine)
        let tracefs = Tracefs(machine: machine, kprobes: kprobes)
        let root = TracefsSessionTests.root
        try tracefs.write(root + "kprobe_events", "p:kp/sum sum_to\n", append: true)
        try tracefs.write(root + "events/kp/sum/enable", "1\n")
        let address = try #require(machine.symbols.lookup(name: "sum_to")).address
        machine.unload(loops)
        let hex = String(address, radix: 16)
        #expect(try tracefs.read("/sys/kernel/debug/kprobes/list") == "\(hex)  k  0x\(hex) [GONE]\n")
        #expect(try tracefs.read(root + "kprobe_events") == "p:kp/sum sum_to\n")
        try tracefs.write(root + "events/kp/sum/enable", "0\n")
        try tracefs.write(root + "events/kp/sum/enable", "1\n")
        #expect(try tracefs.read(root + "events/kp/sum/enable") == "1\n")
        try tracefs.write(root + "events/kp/sum/enable", "0\n")
        try tracefs.write(root + "kprobe_events", "-:kp/sum\n", append: true)
        #expect(try tracefs.read("/sys/kernel/debug/kprobes/list") == "")
        #expect(try tracefs.read(root + "kprobe_events") == "")
    }
}

extension TracefsSessionTests {
    /// `tracing_on` as captured (`Tests/Fixtures/realkernel/ARCH/tracing-on.txt`): every write's error and
    /// read-back; and, as the capture shows (entries 0/0 while the profile counted 8 hits), hits while it is 0
    /// are counted but not recorded.
    @Test("tracing_on: accepted values as captured; hits while off are counted, not recorded", arguments: [Architecture.x86_64, .arm64])
    func tracingOn(_ arch: Architecture) throws {
        let s = try Session(arch)
        let capture = try RealKernelCapture(arch.rawValue, name: "tracing-on")
        #expect(try s.cat("tracing_on") == capture.rawSection("tracing_on at boot"))
        for title in capture.titles where title.hasPrefix("tracing_on <- ") {
            var shown = ""
            do { try s.echo(String(title.dropFirst(14)), "tracing_on", append: false) } catch {
                shown = "sh: write error: \(error.errno.message)\n"
            }
            shown += try s.cat("tracing_on")
            #expect(shown == capture.rawSection(title), "\(title)")
        }
        try s.echo("p:kp/sum sum_to", "kprobe_events")
        try s.echo("1", "events/kp/sum/enable", append: false)
        try s.echo("0", "tracing_on", append: false)
        for n in [3, 4, 5] as [UInt64] { _ = try s.machine.call("sum_to", arguments: [n]) }
        #expect(try s.cat("trace").contains("# entries-in-buffer/entries-written: 0/0   #P:1"))
        try s.echo("1", "tracing_on", append: false)
        _ = try s.machine.call("sum_to", arguments: [6])
        #expect(try s.cat("trace").contains("# entries-in-buffer/entries-written: 1/1   #P:1"))
        #expect(try s.cat("kprobe_profile").hasPrefix("  sum    ") && s.cat("kprobe_profile").contains(" 4 "))
    }
}

extension TracefsSessionTests {
    /// trace_kprobe_module_callback: a `MOD:SYM` probe defined before its module is deferred, registered when
    /// the module comes, `[GONE]` when it goes, and registered again, armed, at the new address when it comes
    /// back; a probe without the module prefix is not (trace_kprobe_within_module wants `MOD:`).
    @Test("MOD:SYM probes follow their module: deferred, registered on load, GONE on rmmod, back on reload",
          arguments: [Architecture.x86_64, .arm64])
    func moduleReload(_ arch: Architecture) throws {
        let machine = Machine(core: arch == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        let kprobes = KprobeManager(machine: machine)
        let tracefs = Tracefs(machine: machine, kprobes: kprobes)
        let root = TracefsSessionTests.root
        let list = "/sys/kernel/debug/kprobes/list"
        try tracefs.write(root + "kprobe_events", "p:kp/sum loops:sum_to n=$arg1\n", append: true)
        try tracefs.write(root + "events/kp/sum/enable", "1\n")
        #expect(try tracefs.read(list) == "")
        let first = try Corpus.load("loops", into: machine)
        let sumTo = try #require(first.symbol(named: "sum_to")).address
        // Registered on load and armed, since the event is enabled (x86_64 also queues it for optimization);
        // `kp/plain` on plain `sum_to`, added now, aggregates with it and stays at the old address on reload.
        #expect(try tracefs.read(list).contains("  k  sum_to+0x0  loops "))
        try tracefs.write(root + "kprobe_events", "p:kp/plain sum_to\n", append: true)
        _ = try machine.call("sum_to", arguments: [2])
        machine.unload(first)
        // Both probes (kp/sum and the aggregated kp/plain) stay listed at the unloaded address, each [GONE].
        let gone = try tracefs.read(list).split(separator: "\n")
        try #require(gone.count == 2)
        #expect(gone.allSatisfy { $0.hasSuffix("[GONE]") })
        let second = try Corpus.load("loops", into: machine)
        let again = try #require(second.symbol(named: "sum_to")).address
        #expect(again != sumTo)
        let listed = try tracefs.read(list).split(separator: "\n").map(String.init)
        #expect(listed.count == 2)
        #expect(listed.contains { $0.hasPrefix(String(again, radix: 16)) && $0.contains("  k  sum_to+0x0  loops ") })
        #expect(listed.contains { $0.hasPrefix(String(sumTo, radix: 16)) && $0.hasSuffix("[GONE]") })
        _ = try machine.call("sum_to", arguments: [3])
        // Two hits, each with the probe address it was registered at (the first no longer names a symbol: `%pS`
        // prints it bare); kp/plain (disabled) records nothing.
        let lines = try tracefs.read(root + "trace").split(separator: "\n").filter { !$0.hasPrefix("#") }
        try #require(lines.count == 2)
        #expect(lines[0].contains(" sum: (0x\(String(sumTo, radix: 16))) n=0x2"))
        #expect(lines[1].contains(" sum: (sum_to+0x0/") && lines[1].hasSuffix(" [loops]) n=0x3"))
    }
}
