import Kprobes
import Machine
import Testing
@testable import Tracefs

/// Every failed write of the captures' "bad lines" section: the parser's error must be the captured one
/// (errno text and the exact error_log entry), unless the kernel failed later, at lookup or registration,
/// which this layer does not model.
@Suite struct KprobeEventErrorLogTests {
    /// error_log messages only `register_trace_kprobe` / the event lookup produce (kernel: trace_kprobe.c
    /// `__register_trace_kprobe`, `append_trace_kprobe`, `validate_probe_symbol`).
    static let registrationMessages: Set = [
        "Invalid probed address or symbol", "Probe point is not an instruction boundary",
        "Failed to register probe event", "The symbol is not unique",
        "Argument type or name is different from existing probe", "There is already the exact same probe event",
    ]

    @Test(arguments: Architecture.allCases)
    func capturedFailures(_ architecture: Architecture) throws {
        let capture = try CapturedKprobeEvents(architecture)
        let writes = capture.writes(inSection: "bad lines").filter { $0.failure != nil }
        #expect(writes.count >= 30)
        var parserReported = 0
        for write in writes {
            do {
                let command = try KprobeEventCommand.parse(write.command, architecture: architecture,
                                                           profile: .debian61)
                // Accepted by the parser: the kernel must have failed later.
                if write.errorLog.isEmpty {
                    guard case .delete = command else {
                        Issue.record("\(write.command): parsed, but the kernel failed without an error_log entry")
                        continue
                    }
                    #expect(write.failure == "No such file or directory", "\(write.command)")
                } else {
                    let message = write.errorLog[0].components(separatedBy: "trace_kprobe: error: ").last ?? ""
                    #expect(Self.registrationMessages.contains(message), "\(write.command): parsed, kernel said \(message)")
                }
            } catch {
                parserReported += 1
                #expect(error.errno.message == write.failure, "\(write.command)")
                if write.errorLog.isEmpty {
                    #expect(error.log == nil, "\(write.command)")
                    continue
                }
                let stamp = write.errorLog[0].dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                let parts = stamp.split(separator: ".")
                let rendered = try #require(error.log, "\(write.command)")
                    .render(seconds: UInt64(parts[0])!, microseconds: UInt32(parts[1])!)
                #expect(rendered == write.errorLog.joined(separator: "\n") + "\n", "\(write.command)")
            }
        }
        // Counted by hand in both captures: 25 failures come from parsing (bad_reg, bad_reg2, bad_type,
        // bad_type2, bad_retoff, bad_maxact, bad_maxact2, bad_retval, bad_arg0, bad_var, bad_str, bad_brace,
        // bad_bitfield, 1badname, bad-name, bad_dup, bad_reserved, x:, bad_stack, bad_comm, p:do_sys_openat2,
        // toolong, bad_char, bad_btfarg, bad_neg_ofs); the others from lookup or registration.
        #expect(parserReported == 25)
    }

    /// The caret positions of the kernel's own selftest, tools/testing/selftests/ftrace/test.d/kprobe/
    /// kprobe_syntax_errors.tc as of v6.1 (`^` marks where error_log puts the caret; the error name is the
    /// selftest's comment). The registration-time cases of that file are left out.
    static let selftest: [(String, TraceProbeError)] = [
        ("p^100 vfs_read", .MAXACT_NO_KPROBE),
        ("r^1a111 vfs_read", .BAD_MAXACT),
        ("r^100000 vfs_read", .MAXACT_TOO_BIG),
        ("p ^hoge-fuga", .BAD_PROBE_ADDR),
        ("p ^hoge+1000-1000", .BAD_PROBE_ADDR),
        ("r ^vfs_read+10", .BAD_RETPROBE),
        ("p:^/bar vfs_read", .NO_GROUP_NAME),
        ("p:^12345678901234567890123456789012345678901234567890123456789012345/bar vfs_read", .GROUP_TOO_LONG),
        ("p:^foo.1/bar vfs_read", .BAD_GROUP_NAME),
        ("p:^ vfs_read", .NO_EVENT_NAME),
        ("p:foo/^12345678901234567890123456789012345678901234567890123456789012345 vfs_read", .EVENT_TOO_LONG),
        ("p:foo/^bar.1 vfs_read", .BAD_EVENT_NAME),
        ("p vfs_read ^$retval", .RETVAL_ON_PROBE),
        ("p vfs_read ^$stack10000", .BAD_STACK_NUM),
        ("p vfs_read ^$arg10000", .BAD_ARG_NUM),
        ("p vfs_read ^$none_var", .BAD_VAR),
        ("p vfs_read ^%none_reg", .BAD_REG_NAME),
        ("p vfs_read ^@12345678abcde", .BAD_MEM_ADDR),
        ("p vfs_read ^@+10", .FILE_ON_KPROBE),
        ("p vfs_read arg1=\\^x", .BAD_IMM),
        ("p vfs_read arg1=\\\"abcd^", .IMMSTR_NO_CLOSE),
        ("p vfs_read ^+0@0)", .DEREF_NEED_BRACE),
        ("p vfs_read ^+0ab1(@0)", .BAD_DEREF_OFFS),
        ("p vfs_read +0(+0(@0^)", .DEREF_OPEN_BRACE),
        ("p vfs_read +0(^$comm)", .COMM_CANT_DEREF),
        ("p vfs_read ^&1", .BAD_FETCH_ARG),
        ("p vfs_read +0(^+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(@0))))))))))))))", .TOO_MANY_OPS),
        ("p vfs_read +0(@11):u8[10^", .ARRAY_NO_CLOSE),
        ("p vfs_read +0(@11):u8[10]^a", .BAD_ARRAY_SUFFIX),
        ("p vfs_read +0(@11):u8[^10a]", .BAD_ARRAY_NUM),
        ("p vfs_read +0(@11):u8[^256]", .ARRAY_TOO_BIG),
        ("p vfs_read @11:^unknown_type", .BAD_TYPE),
        ("p vfs_read $stack0:^string", .BAD_STRING),
        ("p vfs_read @11:^b10@a/16", .BAD_BITFIELD),
        ("p vfs_read ^arg123456789012345678901234567890=@11", .ARG_NAME_TOO_LONG),
        ("p vfs_read ^=@11", .NO_ARG_NAME),
        ("p vfs_read ^var.1=@11", .BAD_ARG_NAME),
        ("p vfs_read var1=@11 ^var1=@12", .USED_ARG_NAME),
        ("p vfs_read ^+1234567(+1234567(+1234567(+1234567(+1234567(+1234567(@1234))))))", .ARG_TOO_LONG),
        ("p vfs_read arg1=^", .NO_ARG_BODY),
    ]

    @Test(arguments: selftest)
    func kernelSelftestCaret(_ marked: String, _ expected: TraceProbeError) {
        let caret = marked.distance(from: marked.startIndex, to: marked.firstIndex(of: "^")!)
        let command = marked.replacingOccurrences(of: "^", with: "")
        #expect(throws: KprobeEventError(.EINVAL, log: TracingLogErr(location: "trace_kprobe", error: expected,
                                                                     command: command, position: caret))) {
            try KprobeEventCommand.parse(command, architecture: .x86_64, profile: .debian61)
        }
    }

    /// Rendering as captured: `[   11.942634] trace_kprobe: error: Invalid register name` (x86_64 capture).
    @Test func renderPadsTheTimestamp() {
        let entry = TracingLogErr(location: "trace_kprobe", error: .BAD_REG_NAME, command: "p a %x", position: 4)
        #expect(entry.render(seconds: 11, microseconds: 42634)
                == "[   11.042634] trace_kprobe: error: Invalid register name\n  Command: p a %x\n" + String(repeating: " ", count: 15) + "^\n")
    }
}

/// Errors logged after the last word (registration's DIFF_ARG_TYPE) put the caret one past the command: the
/// x86_64 capture shows `p:kp/open do_sys_openat2` (24 bytes) with the caret in column 25.
@Test func caretPastTheLastWord() throws {
    var log = TraceProbeLog(subsystem: "trace_kprobe", argv: ["p:kp/open", "do_sys_openat2"])
    log.index = 2
    let capture = try CapturedKprobeEvents(.x86_64)
    let write = try #require(capture.writes(inSection: "bad lines").first { $0.command == "p:kp/open do_sys_openat2" })
    let rendered = try #require(log.error(0, .DIFF_ARG_TYPE).log).render(seconds: 12, microseconds: 201204)
    #expect(rendered == write.errorLog.joined(separator: "\n") + "\n")
}
