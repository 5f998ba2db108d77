import Testing
import Machine
import Kprobes
import TestSupport
import RealKernel
@testable import Tracefs

/// Event filters (`events/GRP/EVENT/filter`) against the real 6.1 kernel: every expression of the captured
/// session (`Tests/Fixtures/realkernel/ARCH/filters.txt`, made by `scripts/realkernel/payloads/filters.sh`)
/// gives the same write error, `filter` file and `error_log`, and the captured workload keeps the same hits.
@Suite("tracefs: event filters, as the captured 6.1 kernel parses and applies them")
struct EventFilterTests {
    /// The captured event, defined on a corpus function given the real one's name (`select_mix` takes the three
    /// arguments in the same registers and only compares them).
    static func session(_ arch: Architecture) throws -> TracefsSessionTests.Session {
        let s = try TracefsSessionTests.Session(arch, object: "compare")
        let target = try #require(s.machine.symbols.lookup(name: "select_mix"))
        s.machine.symbols.add(Symbol(name: "do_sys_openat2", address: target.address, size: target.size, type: "T"))
        try s.echo("p:test/open do_sys_openat2 dfd=$arg1:s32 fname=+0($arg2):ustring flags=+0($arg3):x64", "kprobe_events")
        return s
    }

    /// What `echo EXPR > filter` printed, and `cat filter` after it, as the capture sections hold them.
    static func attempt(_ s: TracefsSessionTests.Session, _ expression: String) throws -> String {
        setFilter(s, expression) + (try s.cat("events/test/open/filter"))
    }

    /// `echo EXPR > filter`: what the shell prints (nothing, or its write error).
    static func setFilter(_ s: TracefsSessionTests.Session, _ expression: String) -> String {
        do {
            try s.echo(expression, "events/test/open/filter", append: false)
            return ""
        } catch {
            return "sh: write error: \(error.errno.message)\n"
        }
    }

    @Test("each captured expression: the write error, the filter file, and error_log equal the capture",
          arguments: [Architecture.x86_64, .arm64])
    func capturedExpressions(_ arch: Architecture) throws {
        let s = try Self.session(arch)
        let capture = try RealKernelCapture(arch.rawValue, name: "filters")
        #expect(try s.cat("events/test/open/format") == capture.rawSection("format"))
        #expect(try s.cat("events/test/open/filter") == capture.rawSection("filter before any write"))
        let tries = capture.titles.filter { $0.hasPrefix("try: ") }
        #expect(tries.count == 37)
        for title in tries {
            let expression = String(title.dropFirst(5))
            #expect(try Self.attempt(s, expression) == capture.rawSection(title), "\(expression)")
        }
        // error_log keeps the last eight; timestamps are simulated time.
        #expect(Self.withoutTimestamps(try s.cat("error_log"))
                == Self.withoutTimestamps(try #require(capture.rawSection("error_log"))))
    }

    /// The capture's subsystem section: three events of group `grp` (two with a `dfd` field, one with an
    /// `fname` too); each expression written to `events/grp/filter` gives the captured group and event files.
    @Test("group filters: each event takes the expression or shows the subsystem error, as captured",
          arguments: [Architecture.x86_64, .arm64])
    func capturedSubsystem(_ arch: Architecture) throws {
        let s = try Self.session(arch)
        let capture = try RealKernelCapture(arch.rawValue, name: "filters")
        for line in ["p:grp/open do_sys_openat2 dfd=$arg1:s32 fname=+0($arg2):ustring",
                     "p:grp/open2 do_sys_openat2 dfd=$arg1:s32", "p:grp/other do_sys_openat2 x=$arg1:s32"] {
            try s.echo(line, "kprobe_events")
        }
        try s.echo("", "error_log", append: false)
        let tries = capture.titles.filter { $0.hasPrefix("subsystem try: ") }
        #expect(tries.count == 5)
        for title in tries {
            var shown = ""
            do { try s.echo(String(title.dropFirst(15)), "events/grp/filter", append: false) } catch {
                shown = "sh: write error: \(error.errno.message)\n"
            }
            shown += "-- grp/filter\n" + (try s.cat("events/grp/filter"))
            for event in ["open", "open2", "other"] { shown += "-- \(event)/filter\n" + (try s.cat("events/grp/\(event)/filter")) }
            #expect(shown == capture.rawSection(title), "\(title)")
        }
        #expect(Self.withoutTimestamps(try s.cat("error_log"))
                == Self.withoutTimestamps(try #require(capture.rawSection("subsystem error_log"))))
    }

    /// trace_events.c event_filter_write / subsystem_filter_write: `if (cnt >= PAGE_SIZE) return -EINVAL`, before
    /// anything is parsed, so the filter in place stays.
    @Test("a filter of a page or more is refused at once, the filter in place kept")
    func pageSizedFilter() throws {
        let s = try Self.session(.x86_64)
        try s.echo("dfd == 1", "events/test/open/filter", append: false)
        let long = "dfd == 1" + String(repeating: " ", count: 4086)   // 4095 bytes with echo's newline: accepted
        try s.echo(long, "events/test/open/filter", append: false)
        for file in ["events/test/open/filter", "events/test/filter"] {
            #expect(throws: TracefsError.self) { try s.echo(long + " ", file, append: false) }
        }
        #expect(try s.cat("events/test/open/filter") == "dfd == 1\n")
        #expect(try s.cat("error_log") == "")
    }

    /// `error_log` with the `[seconds.micros]` stamps cut (the simulator's clock is simulated time).
    static func withoutTimestamps(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("[") ? String($0.drop { $0 != "]" }) : String($0) }.joined(separator: "\n")
    }

    /// The captured workload (seven opens: the shell's redirections to /dev/null and the enable file, three
    /// `cat`s) replayed as calls with the same comm and arguments, under each captured filter: the kept lines
    /// (task and arguments), the entry counts and the profile equal the capture's.
    @Test("the captured workload under each filter keeps the captured hits", arguments: [Architecture.x86_64, .arm64])
    func capturedHits(_ arch: Architecture) throws {
        let s = try Self.session(arch)
        let capture = try RealKernelCapture(arch.rawValue, name: "filters")
        let workload = try #require(capture.rawSection("hits none: trace")).split(separator: "\n").map(Self.parse)
        #expect(workload.count == 7)
        let phases = [("none", "0"), ("glob", #"fname ~ "/proc/*""#),
                      ("exact", #"fname == "/proc/cmdline" && comm == "cat""#),
                      ("negated", #"!(fname ~ "*version") && dfd == -100 && comm != "sh""#), ("bad", "foo == 1")]
        let function = try #require(s.machine.symbols.lookup(name: "do_sys_openat2")).address
        for (phase, expression) in phases {
            #expect(Self.setFilter(s, expression) == capture.rawSection("hits \(phase): set filter"))
            try s.echo("", "trace", append: false)
            try s.echo("1", "events/test/open/enable", append: false)
            for call in workload {
                let name = s.machine.allocate(size: UInt64(call.fname.utf8.count + 1))
                try s.machine.memory.kernelWrite(name, bytes: Array(call.fname.utf8) + [0])
                let how = s.machine.allocate(size: 8)
                try s.machine.memory.kernelWrite(how, bytes: (0..<8).map { UInt8(truncatingIfNeeded: call.flags >> (8 * $0)) })
                _ = try s.machine.call(function, arguments: [UInt64(bitPattern: call.dfd), name, how], comm: call.comm)
            }
            try s.echo("0", "events/test/open/enable", append: false)
            #expect(try s.cat("events/test/open/filter") == capture.rawSection("hits \(phase): filter"))
            let kept = try s.cat("trace").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(Self.parse)
            let expected = try #require(capture.rawSection("hits \(phase): trace")).split(separator: "\n").map(Self.parse)
            #expect(kept == expected, "\(phase)")
            let entries = try s.cat("trace").split(separator: "\n").first { $0.hasPrefix("# entries-in-buffer") }
            #expect(entries.map { String($0) + "\n" } == capture.rawSection("hits \(phase): entries"))
            #expect(try s.cat("kprobe_profile") == capture.rawSection("hits \(phase): kprobe_profile"))
        }
    }

    /// One `open` trace line reduced to what the simulator must reproduce: the task name and the arguments.
    struct Open: Equatable {
        var comm: String
        var dfd: Int64
        var fname: String
        var flags: UInt64
    }

    static func parse(_ line: Substring) -> Open {
        let task = line.split(separator: " ", omittingEmptySubsequences: true)[0]
        let comm = String(task[..<(task.lastIndex(of: "-") ?? task.endIndex)])
        let args = line[(line.range(of: ") dfd=")?.upperBound ?? line.endIndex)...]
        let dfd = Int64(args.prefix { $0 != " " }) ?? 0
        let fname = args.range(of: "fname=\"").map { args[$0.upperBound...].prefix { $0 != "\"" } } ?? ""
        let flags = args.range(of: "flags=0x").map { UInt64(args[$0.upperBound...], radix: 16) ?? 0 } ?? 0
        return Open(comm: comm, dfd: dfd, fname: String(fname), flags: flags)
    }
}
