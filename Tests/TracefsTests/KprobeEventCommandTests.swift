import Kprobes
import Machine
import Testing
@testable import Tracefs

@Suite struct KprobeEventCommandTests {
    /// `%p` values seen in the captures' listings for the addresses written (the kernel hashes pointers).
    static let capturedPointerHashes: [Architecture: [UInt64: UInt64]] = [
        .x86_64: [0xffff_ffff_8136_3fa0: 0x4d5e_46de, 0x1: 0x47c4_c350, 10: 0xe0c7_433b],
        .arm64: [0xffff_8000_083a_8ba0: 0xeb18_d8af, 0x1: 0xe57f_d21c, 10: 0x219f_8ae2],
    ]

    static func definitions(_ text: String, _ architecture: Architecture) throws -> [KprobeEventDefinition] {
        try text.split(separator: "\n").compactMap { line in
            guard case let .define(definition)? = try KprobeEventCommand.parse(String(line), architecture: architecture,
                                                                               profile: .debian61) else { return nil }
            return definition
        }
    }

    /// The "define probes" writes read back as the captured `kprobe_events` (one CPU: `r` lists as `r10`).
    @Test(arguments: Architecture.allCases)
    func readBackEqualsCapture(_ architecture: Architecture) throws {
        let capture = try CapturedKprobeEvents(architecture)
        let writes = capture.writes(inSection: "define probes")
        #expect(writes.allSatisfy { $0.failure == nil })
        let hashes = try #require(Self.capturedPointerHashes[architecture])
        let lines = try writes.flatMap { try Self.definitions($0.command, architecture) }.map {
            $0.kprobeEventsLine(profile: .debian61, possibleCPUs: 1) { hashes[$0]! }
        }
        #expect(lines.count == 15)
        #expect(lines == capture.listing(after: "kprobe_events (read back)"))
    }

    /// The accepted writes of the "bad lines" section appear in the final listing; `r:... 0x1` stays `r:`
    /// there because its registration is deferred (no text at 0x1).
    @Test(arguments: Architecture.allCases)
    func acceptedBadLinesReadBack(_ architecture: Architecture) throws {
        let capture = try CapturedKprobeEvents(architecture)
        let final = Set(capture.listing(after: "final kprobe_events"))
        let hashes = try #require(Self.capturedPointerHashes[architecture])
        let accepted = capture.writes(inSection: "bad lines").filter { $0.failure == nil && !$0.command.isEmpty }
        #expect(accepted.count >= 8)
        for write in accepted {
            for definition in try Self.definitions(write.command, architecture) {
                let deferred = definition.target == .address(1) || definition.target == .address(10)
                let line = definition.kprobeEventsLine(profile: .debian61, possibleCPUs: 1,
                                                       registered: !deferred) { hashes[$0]! }
                #expect(final.contains(line), "\(write.command) -> \(line)")
            }
        }
    }

    /// Captured: `p do_sys_openat2+16` lists as `p:kprobes/p_do_sys_openat2_16 do_sys_openat2+16`.
    @Test func defaultNameOfAnOffsetProbe() throws {
        let definition = try #require(try Self.definitions("p do_sys_openat2+16", .x86_64).first)
        #expect(definition.kprobeEventsLine(profile: .debian61, possibleCPUs: 1) { $0 }
                == "p:kprobes/p_do_sys_openat2_16 do_sys_openat2+16")
    }

    /// kernel: trace_kprobe.c `__trace_kprobe_create`: default names `%c_%s_%ld` (then `sanitize_event_name`)
    /// and `%c_0x%p`; `GRP.EVENT` when there is no `/`; `%return` makes a return probe.
    @Test func grammar() throws {
        let d = try Self.definitions("p:grp.ev mod:sym+0x10 \\-1 $stack", .x86_64)[0]
        #expect(d.group == "grp" && d.event == "ev")
        #expect(d.target == .symbol("mod:sym", offset: 16))
        #expect(d.args.map(\.fetch) == [.immediate(UInt64(bitPattern: -1)), .stackPointer])
        #expect(d.args.map(\.name) == ["arg1", "arg2"])
        #expect(d.args.allSatisfy { $0.type.name == "x64" })

        let r = try Self.definitions("p vfs_read%return r=$retval:s32", .arm64)[0]
        #expect(r.isReturn && r.eventName { $0 } == "r_vfs_read_0")
        #expect(r.args[0].fetch == .retval && r.args[0].type.name == "s32")

        let m = try Self.definitions("r0x20:g/ 0x1000 +8(-u4(%x1)):b3@2/16[2]", .arm64)[0]
        #expect(m.maxactive == 32 && m.group == "g" && m.event == nil)
        #expect(m.eventName { $0 &+ 1 } == "r_0x0000000000001001")
        #expect(m.args[0].fetch == .dereference(offset: 8, user: false, .dereference(offset: -4, user: true, .register("x1"))))
        #expect(m.args[0].type.bitfield == ProbeArgType.Bitfield(width: 3, offset: 2) && m.args[0].count == 2)
        #expect(m.kprobeEventsLine(profile: .debian61, possibleCPUs: 4) { $0 }
                == "r32:g/r_0x0000000000001000 0x0000000000001000 arg1=+8(-u4(%x1)):b3@2/16[2]")
        // Without MAXACTIVE: kernel/kprobes.c register_kretprobe's default, here on 4 CPUs, non-preemptible.
        let plain = try Self.definitions("r vfs_read", .x86_64)[0]
        #expect(plain.kprobeEventsLine(profile: .legacy, possibleCPUs: 4) { $0 } == "r4:kprobes/r_vfs_read_0 vfs_read")
    }

    /// kernel: trace.c `trace_parse_run_command` cuts `#` comments; trace_dynevent.c `dyn_event_release`.
    @Test func deletionCommentsAndEmptyLines() throws {
        func parse(_ s: String) throws -> KprobeEventCommand? {
            try KprobeEventCommand.parse(s, architecture: .x86_64, profile: .debian61)
        }
        #expect(try parse("") == nil)
        #expect(try parse("   # p:x vfs_read") == nil)
        #expect(try parse("-:kp/multi1") == .delete(group: "kp", event: "multi1"))
        #expect(try parse("-:r0") == .delete(group: nil, event: "r0"))
        #expect(throws: KprobeEventError(.EINVAL)) { try parse("-x") }
        #expect(throws: KprobeEventError(.EINVAL)) { try parse("-:") }
        guard case let .define(d)? = try parse("p:a vfs_read x=%ax # comment") else { Issue.record(); return }
        #expect(d.args.count == 1)
    }

    /// `char` is a v6.2 type (kernel: trace_probe.c probe_fetch_types); 6.1 rejects it, as captured.
    @Test func charTypeFollowsTheProfile() throws {
        var profile = KernelProfile.debian61
        #expect(throws: KprobeEventError.self) {
            try KprobeEventCommand.parse("p vfs_read c=+0(%si):char", architecture: .x86_64, profile: profile)
        }
        profile.probeFetchTypeChar = true
        #expect(try KprobeEventCommand.parse("p vfs_read c=+0(%si):char", architecture: .x86_64, profile: profile) != nil)
    }

    /// kernel: trace_kprobe.c `MAX_TRACE_ARGS` (128): more is -E2BIG without an error_log entry.
    @Test func tooManyArguments() throws {
        let line = "p vfs_read " + (0...128).map { "a\($0)=%ax" }.joined(separator: " ")
        #expect(throws: KprobeEventError(.E2BIG)) {
            try KprobeEventCommand.parse(line, architecture: .x86_64, profile: .debian61)
        }
    }

    /// Register names: arch/x86/kernel/ptrace.c and arch/arm64/kernel/ptrace.c `regoffset_table`.
    @Test func registerNames() throws {
        for (arch, good, bad) in [(Architecture.x86_64, ["ax", "orig_ax", "r15", "flags", "ss"], ["rax", "eax", "x0"]),
                                  (.arm64, ["x0", "x30", "lr", "sp", "pc", "pstate"], ["fp", "w0", "x31", "di"])] {
            for name in good {
                #expect(try KprobeEventCommand.parse("p f a=%\(name)", architecture: arch, profile: .debian61) != nil)
            }
            for name in bad {
                #expect(throws: KprobeEventError.self) {
                    try KprobeEventCommand.parse("p f a=%\(name)", architecture: arch, profile: .debian61)
                }
            }
        }
    }
}

/// kernel: trace_probe.c traceprobe_parse_event_name after "tracing: Consider the NULL character when
/// validating the event length" (`len >= MAX_EVENT_NAME_LEN`, MAX_EVENT_NAME_LEN = 64): 63 bytes fit, 64 do not.
@Test func eventNameLengthLimit() throws {
    let fits = String(repeating: "e", count: 63), tooLong = String(repeating: "e", count: 64)
    #expect(try KprobeEventCommand.parse("p:\(fits) vfs_read", architecture: .x86_64, profile: .debian61) != nil)
    #expect(throws: KprobeEventError(.EINVAL, log: TracingLogErr(location: "trace_kprobe", error: .EVENT_TOO_LONG,
                                                                 command: "p:\(tooLong) vfs_read", position: 2))) {
        try KprobeEventCommand.parse("p:\(tooLong) vfs_read", architecture: .x86_64, profile: .debian61)
    }
}

/// kernel: trace_probe.c parse_probe_vars (v6.1): `$argN` needs `(flags & TPARG_FL_MASK) ==
/// (TPARG_FL_KERNEL | TPARG_FL_FENTRY)`, so neither a kretprobe nor a probe past the entry has it: BAD_VAR.
@Test(arguments: ["r vfs_read a=$arg1", "p vfs_read+4 a=$arg1", "p 0x1000 a=$arg1"])
func argumentsOnlyOnEntryKprobes(_ line: String) throws {
    let position = line.utf8.count - "$arg1".utf8.count
    #expect(throws: KprobeEventError(.EINVAL, log: TracingLogErr(location: "trace_kprobe", error: .BAD_VAR,
                                                                 command: line, position: position))) {
        try KprobeEventCommand.parse(line, architecture: .arm64, profile: .debian61)
    }
}

/// kernel: trace_kprobe.c __trace_kprobe_create (v6.1) sets TPARG_FL_RETURN only in the symbol branch, so
/// `$retval` on an address kretprobe is RETVAL_ON_PROBE while the symbol form accepts it.
@Test func retvalNeedsASymbolKretprobe() throws {
    #expect(try KprobeEventCommand.parse("r vfs_read v=$retval", architecture: .x86_64, profile: .debian61) != nil)
    let line = "r 0x1000 v=$retval"
    #expect(throws: KprobeEventError(.EINVAL, log: TracingLogErr(location: "trace_kprobe", error: .RETVAL_ON_PROBE,
                                                                 command: line, position: 11))) {
        try KprobeEventCommand.parse(line, architecture: .x86_64, profile: .debian61)
    }
}

/// kernel: trace_probe.c traceprobe_parse_probe_arg_body: `$comm`, `$COMM` and `\"..."` only take `string`
/// and no array; the failure is -EINVAL without error_log (captured for `s=$comm:u32`).
@Test(arguments: ["p vfs_read s=$COMM:u32", "p vfs_read s=$comm:string[2]", "p vfs_read s=\\\"ab\":x8"])
func commAndImmediateStringsAreStrings(_ line: String) {
    #expect(throws: KprobeEventError(.EINVAL)) {
        try KprobeEventCommand.parse(line, architecture: .x86_64, profile: .debian61)
    }
}
