import RealKernel
import Machine
import Testing
@testable import Tracefs

@Suite struct TraceBufferTests {
    static let bare = ProbeEventFormat(name: "p_vfs_open_0", id: 1, isReturn: false, fields: [])

    static func record(cpu: Int = 0, microseconds: UInt64, event: ProbeEventFormat = bare,
                       values: [ProbeArgValue] = []) -> ProbeEventRecord {
        ProbeEventRecord(event: event,
                         context: TraceEntryContext(comm: "cat", pid: 160, cpu: cpu, timestamp: microseconds * 1000),
                         location: .kprobe(ip: 0xffff_ffff_8136_3d40), values: values)
    }

    /// The captured header after 319 events on the 1-CPU machine, none lost.
    @Test(arguments: ["x86_64", "arm64"])
    func capturedHeader(architecture: String) throws {
        let trace = try RealKernelCapture(architecture).section("trace")
        var buffer = TraceBuffer(cpuCount: 1)
        for index in 0..<319 { buffer.write(Self.record(microseconds: UInt64(index))) }
        #expect(buffer.header == trace.prefix(12).map { $0 + "\n" }.joined())
    }

    /// Header and lines together, for the captured x86 `cat-160` vfs_open pair.
    @Test func traceFile() throws {
        let trace = try RealKernelCapture("x86_64").section("trace")
        let symbols = SymbolTable()
        symbols.add(Symbol(name: "vfs_open", address: 0xffff_ffff_8136_3d40, size: 0x30, type: "t"))
        var buffer = TraceBuffer(cpuCount: 1)
        buffer.write(Self.record(microseconds: 5_621_349))
        let expectedLine = "             cat-160     [000] .....     5.621349: p_vfs_open_0: (vfs_open+0x0/0x30)"
        #expect(trace.contains(expectedLine))
        let header = trace.prefix(12).map { $0 + "\n" }.joined()
            .replacingOccurrences(of: "319/319", with: "1/1")
        #expect(buffer.trace(symbols: symbols, kretprobeTrampoline: nil) == header + expectedLine + "\n")
    }

    /// By hand: 4 KB per CPU is 2 pages of 4080 bytes; an argument-less kprobe record is 16 bytes, 20 with the
    /// ring-buffer event header, so 204 fit a page and 408 the buffer. The 409th drops the oldest page.
    @Test func overwriteDropsTheOldestPage() {
        var buffer = TraceBuffer(cpuCount: 1, bufferSizeKB: 4)
        for index in 0..<408 { buffer.write(Self.record(microseconds: UInt64(index))) }
        #expect((buffer.entries, buffer.entriesWritten) == (408, 408))
        buffer.write(Self.record(microseconds: 408))
        #expect((buffer.entries, buffer.entriesWritten) == (205, 409))
        #expect(buffer.records.first?.context.timestamp == 204_000)
        #expect(buffer.records.last?.context.timestamp == 408_000)
        buffer.reset()
        #expect((buffer.entries, buffer.entriesWritten) == (0, 0))
        #expect(buffer.header.contains("# entries-in-buffer/entries-written: 0/0   #P:1\n"))
    }

    @Test func fullBufferWithoutOverwriteDropsTheNewEvent() {
        var buffer = TraceBuffer(cpuCount: 1, bufferSizeKB: 4, overwrite: false)
        for index in 0..<409 { buffer.write(Self.record(microseconds: UInt64(index))) }
        #expect((buffer.entries, buffer.entriesWritten) == (408, 408))
        #expect(buffer.records.last?.context.timestamp == 407_000)
    }

    /// Strings add length + 1 bytes; past RB_MAX_SMALL_DATA (112) a length word is added; more than a page
    /// (4080 bytes) is discarded. A 16 + 4-byte record with a 91-character string is 112 bytes (116 on the
    /// page, 35 per page); with 92 characters it is 113 (124 on the page, 32 per page).
    @Test func eventSizes() {
        let event = ProbeEventFormat(name: "s", id: 2, isReturn: false, fields: [ProbeEventField(name: "s", type: .string)])
        func fill(_ characters: Int) -> TraceBuffer {
            var buffer = TraceBuffer(cpuCount: 1, bufferSizeKB: 4)
            for index in 0..<80 {
                buffer.write(Self.record(microseconds: UInt64(index), event: event,
                                         values: [.string(String(repeating: "a", count: characters))]))
            }
            return buffer
        }
        #expect(Self.record(microseconds: 0, event: event, values: [.string(String(repeating: "a", count: 91))]).size == 112)
        #expect((fill(91).entries, fill(91).entriesWritten) == (80 - 35, 80))  // 3rd page needed at 71: drop 35
        #expect((fill(92).entries, fill(92).entriesWritten) == (80 - 32, 80))  // 3rd page needed at 65: drop 32
        var huge = TraceBuffer(cpuCount: 1)
        huge.write(Self.record(microseconds: 0, event: event, values: [.string(String(repeating: "a", count: 5000))]))
        #expect((huge.entries, huge.entriesWritten) == (0, 0))
    }

    /// `trace` merges the CPUs by timestamp; `#P:` counts the CPUs.
    @Test func mergesCPUsByTimestamp() {
        var buffer = TraceBuffer(cpuCount: 2)
        buffer.write(Self.record(cpu: 1, microseconds: 2))
        buffer.write(Self.record(cpu: 0, microseconds: 3))
        buffer.write(Self.record(cpu: 1, microseconds: 4))
        buffer.write(Self.record(cpu: 0, microseconds: 1))
        #expect(buffer.records.map { [$0.context.cpu, Int($0.context.timestamp / 1000)] } == [[0, 1], [1, 2], [0, 3], [1, 4]])
        #expect(buffer.header.contains("# entries-in-buffer/entries-written: 4/4   #P:2\n"))
    }
}
