import RealKernel
import Testing
@testable import Tracefs

/// `events/<GRP>/<EVENT>/format` against the captured files; the inputs are the events' definitions in the
/// capture's "define probes" section (ids from the capture).
@Suite struct ProbeEventFormatTests {
    static let open = [ProbeEventField(name: "dfd", type: .x64), ProbeEventField(name: "path", type: .string)]
    static let openret = [ProbeEventField(name: "ret", type: .x64)]
    // p:kp/types ... a=$arg1:s32 b=$arg1:x16 c=$arg1:u8 bf=$arg1:b4@0/32 ip=%ip sym=%ip:symbol sp=%sp
    //   st0=$stack0 st1=$stack1 comm=$comm cm=$comm:string   (untyped args are x64; a b4@0/32 bitfield is a u32)
    static let types = [
        ProbeEventField(name: "a", type: .s32), ProbeEventField(name: "b", type: .x16),
        ProbeEventField(name: "c", type: .u8), ProbeEventField(name: "bf", type: .u32),
        ProbeEventField(name: "ip", type: .x64), ProbeEventField(name: "sym", type: .symbol),
        ProbeEventField(name: "sp", type: .x64), ProbeEventField(name: "st0", type: .x64),
        ProbeEventField(name: "st1", type: .x64), ProbeEventField(name: "comm", type: .string),
        ProbeEventField(name: "cm", type: .string),
    ]

    @Test(arguments: [("x86_64", 1339, 1341), ("arm64", 1207, 1209)])
    func kprobeAndKretprobeFormatFiles(architecture: String, openID: Int, openretID: Int) throws {
        let capture = try RealKernelCapture(architecture)
        let open = ProbeEventFormat(name: "open", id: openID, isReturn: false, fields: Self.open)
        #expect(open.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                == capture.section("events/kp/open/format"))
        let openret = ProbeEventFormat(name: "openret", id: openretID, isReturn: true, fields: Self.openret)
        #expect(openret.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                == capture.section("events/kp/openret/format"))
    }

    /// The capture keeps only the `field:` lines of kp/types (packed offsets 16, 20, 22, 23, 27, ...).
    @Test(arguments: ["x86_64", "arm64"])
    func packedFieldOffsets(architecture: String) throws {
        let capture = try RealKernelCapture(architecture)
        let format = ProbeEventFormat(name: "types", id: 0, isReturn: false, fields: Self.types)
        let fieldLines = format.text.split(separator: "\n").filter { $0.hasPrefix("\tfield:") }.map(String.init)
        #expect(fieldLines == capture.section("events/kp/types/format (fields only)"))
    }

    /// Arrays (not in the capture): kernel trace_probe.c __set_print_fmt expands `{fmt,fmt}` and `REC->NAME[i]`;
    /// f_show prints the `u8[2]` field type as `u8 NAME[2]` but leaves `__data_loc char[][2]` whole; the size is
    /// element size × count.
    @Test func arrayFieldAndPrintFormat() {
        let format = ProbeEventFormat(name: "arr", id: 7, isReturn: false,
                                      fields: [ProbeEventField(name: "fnb", type: .u8, count: 2),
                                               ProbeEventField(name: "s", type: .string),
                                               ProbeEventField(name: "ss", type: .string, count: 2)])
        #expect(format.text.contains("\tfield:u8 fnb[2];\toffset:16;\tsize:2;\tsigned:0;\n"))
        #expect(format.text.contains("\tfield:__data_loc char[] s;\toffset:18;\tsize:4;\tsigned:1;\n"))
        #expect(format.text.contains("\tfield:__data_loc char[][2] ss;\toffset:22;\tsize:8;\tsigned:1;\n"))
        #expect(format.printFormat == #""(%lx) fnb={%u,%u} s=\"%s\" ss={\"%s\",\"%s\"}", REC->__probe_ip, REC->fnb[0], REC->fnb[1], __get_str(s), __get_str(ss[0]), __get_str(ss[1])"#)
    }
}
