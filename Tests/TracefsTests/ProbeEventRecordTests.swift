import RealKernel
import Machine
import Testing
@testable import Tracefs

/// `trace` lines rebuilt from the inputs each captured line implies (comm, pid, cpu, flags, timestamp, probed
/// address, fetched values) and compared with the captured line.
@Suite struct ProbeEventRecordTests {
    /// kallsyms as the captured lines show it: each function's size is the distance to the next symbol, so a
    /// marker symbol follows each one.
    static func symbols(_ functions: [(String, UInt64, UInt64)]) -> SymbolTable {
        let table = SymbolTable()
        for (name, address, size) in functions {
            table.add(Symbol(name: name, address: address, size: size, type: "t"))
            table.add(Symbol(name: name + ".end", address: address + size, size: 0, type: "t"))
        }
        return table
    }

    // x86_64: do_sys_openat2 from /proc/kallsyms in the capture; the other addresses are placed by hand, only
    // their offsets and sizes (from the captured lines) show.
    static var x86Symbols: SymbolTable { symbols([("do_sys_openat2", 0xffff_ffff_8136_3fa0, 0x170),
                                     ("vfs_open", 0xffff_ffff_8136_3d40, 0x30),
                                     ("__x64_sys_openat", 0xffff_ffff_8136_5000, 0xa0),
                                     ("path_openat", 0xffff_ffff_8137_0000, 0x1260)]) }
    static let x86Trampoline: UInt64 = 0xffff_ffff_8100_1000
    static var arm64Symbols: SymbolTable {
        symbols([("do_sys_openat2", 0xffff_8000_083a_8ba0, 0x190), ("__arm64_sys_openat", 0xffff_8000_083a_9000, 0xbc)])
    }

    static func x86Line(_ event: ProbeEventFormat, _ comm: String, _ pid: Int32, _ microseconds: UInt64,
                        _ location: ProbeEventRecord.Location, _ values: [ProbeArgValue],
                        flags: TraceEntryFlags = TraceEntryFlags()) -> String {
        ProbeEventRecord(event: event,
                         context: TraceEntryContext(comm: comm, pid: pid, cpu: 0, timestamp: microseconds * 1000,
                                                    flags: flags),
                         location: location, values: values)
            .traceLine(symbols: x86Symbols, kretprobeTrampoline: x86Trampoline)
    }

    static let entry: ProbeEventRecord.Location = .kprobe(ip: 0xffff_ffff_8136_3fa0)

    @Test func x86KprobeLines() throws {
        let trace = try RealKernelCapture("x86_64").section("trace")
        let arr = ProbeEventFormat(name: "arr", id: 1, isReturn: false,
                                   fields: [ProbeEventField(name: "fnb", type: .u8, count: 8),
                                            ProbeEventField(name: "fnx", type: .x8, count: 4)])
        let path = Array("/sys/kernel".utf8).map { ProbeArgValue.scalar(UInt64($0)) }
        let lines = [
            Self.x86Line(arr, "sh", 89, 3_604_118, Self.entry, [.array(Array(path[0..<8])), .array(Array(path[0..<4]))]),
            Self.x86Line(ProbeEventFormat(name: "byaddr", id: 2, isReturn: false, fields: []), "od", 163, 5_650_203,
                         Self.entry, []),
            Self.x86Line(ProbeEventFormat(name: "types", id: 3, isReturn: false, fields: ProbeEventFormatTests.types),
                         "sh", 89, 3_604_955, Self.entry,
                         [.scalar(0xffff_ff9c), .scalar(0xffff_ff9c), .scalar(0xffff_ff9c), .scalar(12),
                          .scalar(0xffff_ffff_8136_3fa1), .scalar(0xffff_ffff_8136_3fa1),
                          .scalar(0xffa0_0000_0059_bb68), .scalar(0xffff_ffff_8136_469a), .scalar(0x8241),
                          .string("sh"), .string("sh")]),
            Self.x86Line(ProbeEventFormat(name: "open", id: 4, isReturn: false, fields: ProbeEventFormatTests.open),
                         "sh", 89, 3_605_986, Self.entry,
                         [.scalar(0xffff_ff9c), .string("/sys/kernel/tracing/events/kprobes/enable")],
                         flags: TraceEntryFlags(needResched: true, preemptResched: true)),
            Self.x86Line(ProbeEventFormat(name: "peek", id: 5, isReturn: false,
                                          fields: [ProbeEventField(name: "code", type: .x8, count: 16),
                                                   ProbeEventField(name: "code64", type: .x64)]),
                         "cat", 160, 5_621_204, .kprobe(ip: 0xffff_ffff_8136_3d40),
                         [.array([0xe8, 0x5b, 0xd0, 0xe9, 0x3e, 0x41, 0x54, 0x49, 0x89, 0xf4, 0x55, 0x89, 0xfd, 0x48,
                                  0x89, 0xd7].map { .scalar($0) }), .scalar(0x4954_413e_e9d0_5be8)]),
        ]
        #expect(lines == [
            "              sh-89      [000] .....     3.604118: arr: (do_sys_openat2+0x0/0x170) fnb={47,115,121,115,47,107,101,114} fnx={0x2f,0x73,0x79,0x73}",
            "              od-163     [000] .....     5.650203: byaddr: (do_sys_openat2+0x0/0x170)",
            "              sh-89      [000] .....     3.604955: types: (do_sys_openat2+0x0/0x170) a=-100 b=0xff9c c=156 bf=12 ip=0xffffffff81363fa1 sym=do_sys_openat2+0x1/0x170 sp=0xffa000000059bb68 st0=0xffffffff8136469a st1=0x8241 comm=\"sh\" cm=\"sh\"",
            "              sh-89      [000] .N...     3.605986: open: (do_sys_openat2+0x0/0x170) dfd=0xffffff9c path=\"/sys/kernel/tracing/events/kprobes/enable\"",
            "             cat-160     [000] .....     5.621204: peek: (vfs_open+0x0/0x30) code={0xe8,0x5b,0xd0,0xe9,0x3e,0x41,0x54,0x49,0x89,0xf4,0x55,0x89,0xfd,0x48,0x89,0xd7} code64=0x4954413ee9d05be8",
        ])
        for line in lines { #expect(trace.contains(line)) }
    }

    @Test func x86KretprobeLines() throws {
        let trace = try RealKernelCapture("x86_64").section("trace")
        let openret = ProbeEventFormat(name: "openret", id: 1, isReturn: true, fields: ProbeEventFormatTests.openret)
        let openret32 = ProbeEventFormat(name: "openret32", id: 2, isReturn: true,
                                         fields: [ProbeEventField(name: "ret", type: .s32)])
        let function: UInt64 = 0xffff_ffff_8136_3fa0
        let lines = [
            // The first of two kretprobes on one function sees the return address already replaced.
            Self.x86Line(openret, "sh", 89, 3_606_822, .kretprobe(function: function, returnAddress: Self.x86Trampoline),
                         [.scalar(3)]),
            Self.x86Line(openret32, "sh", 89, 3_606_910,
                         .kretprobe(function: function, returnAddress: 0xffff_ffff_8136_506a), [.scalar(3)]),
            Self.x86Line(openret32, "cat", 188, 5_838_082,
                         .kretprobe(function: function, returnAddress: 0xffff_ffff_8136_506a),
                         [.scalar(0xffff_ffff_ffff_fffe)], flags: TraceEntryFlags(needResched: true, preemptResched: true)),
            Self.x86Line(ProbeEventFormat(name: "r_vfs_open_0", id: 3, isReturn: true, fields: []), "exe", 159, 3_610_978,
                         .kretprobe(function: 0xffff_ffff_8136_3d40, returnAddress: 0xffff_ffff_8137_0b7d), []),
        ]
        #expect(lines == [
            "              sh-89      [000] .....     3.606822: openret: ([unknown/kretprobe'd] <- do_sys_openat2) ret=0x3",
            "              sh-89      [000] .....     3.606910: openret32: (__x64_sys_openat+0x6a/0xa0 <- do_sys_openat2) ret=3",
            "             cat-188     [000] .N...     5.838082: openret32: (__x64_sys_openat+0x6a/0xa0 <- do_sys_openat2) ret=-2",
            "             exe-159     [000] .....     3.610978: r_vfs_open_0: (path_openat+0xb7d/0x1260 <- vfs_open)",
        ])
        for line in lines { #expect(trace.contains(line)) }
    }

    /// arm64 kprobes fire from a BRK exception with interrupts masked: `d....`.
    @Test func arm64KprobeLine() throws {
        let capture = try RealKernelCapture("arm64")
        let o8 = ProbeEventFormat(name: "o8", id: 1, isReturn: false,
                                  fields: [ProbeEventField(name: "ip", type: .x64), ProbeEventField(name: "sym", type: .symbol)])
        let ip: UInt64 = 0xffff_8000_083a_8ba8
        let line = ProbeEventRecord(event: o8,
                                    context: TraceEntryContext(comm: "cat", pid: 265, cpu: 0, timestamp: 8_069_928_000,
                                                               flags: TraceEntryFlags(irqsOff: true)),
                                    location: .kprobe(ip: ip), values: [.scalar(ip), .scalar(ip)])
            .traceLine(symbols: Self.arm64Symbols, kretprobeTrampoline: nil)
        let expected = "             cat-265     [000] d....     8.069928: o8: (do_sys_openat2+0x8/0x190) ip=0xffff8000083a8ba8 sym=do_sys_openat2+0x8/0x190"
        #expect(line == expected)
        #expect(capture.text.contains(expected + "\n"))
    }

    /// arm64 `$arg1` is the whole x0 (an int -100 sign-extended); the return probe runs with interrupts on.
    @Test func arm64OpenregAndKretprobeLines() throws {
        let trace = try RealKernelCapture("arm64").section("trace")
        let openreg = ProbeEventFormat(name: "openreg", id: 1, isReturn: false, fields: [
            ProbeEventField(name: "dfd", type: .x64), ProbeEventField(name: "fn", type: .x64),
            ProbeEventField(name: "how", type: .x64), ProbeEventField(name: "upath", type: .ustring),
            ProbeEventField(name: "upath2", type: .string), ProbeEventField(name: "flags", type: .x64),
            ProbeEventField(name: "mode", type: .x64),
        ])
        let openret32 = ProbeEventFormat(name: "openret32", id: 2, isReturn: true,
                                         fields: [ProbeEventField(name: "ret", type: .s32)])
        let path = "/sys/kernel/tracing/events/kprobes/enable"
        let lines = [
            ProbeEventRecord(event: openreg,
                             context: TraceEntryContext(comm: "sh", pid: 88, cpu: 0, timestamp: 3_021_596_000,
                                                        flags: TraceEntryFlags(irqsOff: true)),
                             location: .kprobe(ip: 0xffff_8000_083a_8ba0),
                             values: [.scalar(0xffff_ffff_ffff_ff9c), .scalar(0x2b11_4960), .scalar(0xffff_8000_0a2d_bc98),
                                      .string(path), .string(path), .scalar(0x20241), .scalar(0x1b6)]),
            ProbeEventRecord(event: openret32,
                             context: TraceEntryContext(comm: "sh", pid: 88, cpu: 0, timestamp: 3_022_535_000),
                             location: .kretprobe(function: 0xffff_8000_083a_8ba0, returnAddress: 0xffff_8000_083a_9070),
                             values: [.scalar(3)]),
        ].map { $0.traceLine(symbols: Self.arm64Symbols, kretprobeTrampoline: nil) }
        #expect(lines == [
            "              sh-88      [000] d....     3.021596: openreg: (do_sys_openat2+0x0/0x190) dfd=0xffffffffffffff9c fn=0x2b114960 how=0xffff80000a2dbc98 upath=\"/sys/kernel/tracing/events/kprobes/enable\" upath2=\"/sys/kernel/tracing/events/kprobes/enable\" flags=0x20241 mode=0x1b6",
            "              sh-88      [000] .....     3.022535: openret32: (__arm64_sys_openat+0x70/0xbc <- do_sys_openat2) ret=3",
        ])
        for line in lines { #expect(trace.contains(line)) }
    }

    /// Not in the capture; from the kernel: ns2usecs rounds to the nearest microsecond, a zero-length string
    /// prints `(fault)`, the flags column per trace_print_lat_fmt, `%16s` never truncates a longer comm.
    @Test func roundingFaultsAndFlags() {
        let event = ProbeEventFormat(name: "e", id: 1, isReturn: false, fields: [ProbeEventField(name: "s", type: .string)])
        func line(_ ns: UInt64, _ flags: TraceEntryFlags, comm: String = "sh") -> String {
            ProbeEventRecord(event: event, context: TraceEntryContext(comm: comm, pid: 1234567, cpu: 12, timestamp: ns,
                                                                      flags: flags),
                             location: .kprobe(ip: 0), values: [.string(nil)])
                .traceLine(symbols: SymbolTable(), kretprobeTrampoline: nil)
        }
        #expect(line(12_345_678_999_499, TraceEntryFlags())
                == "              sh-1234567 [012] ..... 12345.678999: e: (0) s=(fault)")
        #expect(line(999_500, TraceEntryFlags(irqsOff: true, bhOff: true, hardirq: true, softirq: true,
                                               preemptDepth: 2, migrateDisable: 1), comm: "a-very-long-comm!")
                == "a-very-long-comm!-1234567 [012] D.H21     0.001000: e: (0) s=(fault)")
        #expect(TraceEntryFlags(bhOff: true, preemptResched: true, nmi: true).column == "bpz..")
        #expect(TraceEntryFlags(needResched: true, hardirq: true, nmi: true, preemptDepth: 11).column == ".nZb.")
        #expect(TraceEntryFlags(softirq: true).column == "..s..")
        #expect(TraceEntryFlags(irqsOff: true, hardirq: true).column == "d.h..")
    }
}
