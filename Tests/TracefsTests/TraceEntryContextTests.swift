import RealKernel
import Testing
@testable import Tracefs

@Suite struct TraceEntryContextTests {
    /// Every line of both captured `trace` files: the context read back from the line's columns (comm, pid,
    /// cpu, flags, microseconds) prints the same prefix. Only `.`, `d` (irqs off) and `N` (need-resched with the
    /// preempt-count bit) occur in the captures.
    @Test(arguments: ["x86_64", "arm64"])
    func capturedPrefixes(architecture: String) throws {
        let lines = try RealKernelCapture(architecture).section("trace").dropFirst(12)
        #expect(lines.count == 319)
        for line in lines {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            let task = columns[0], cpu = columns[1], flags = columns[2], time = columns[3]
            let dash = task.lastIndex(of: "-")!
            let seconds = time.dropLast().split(separator: ".")
            let context = TraceEntryContext(
                comm: String(task[..<dash]), pid: Int32(task[task.index(after: dash)...])!,
                cpu: Int(cpu.dropFirst().dropLast())!,
                timestamp: UInt64(seconds[0])! * 1_000_000_000 + UInt64(seconds[1])! * 1000,
                flags: TraceEntryFlags(irqsOff: flags.first == "d", needResched: flags.dropFirst().first == "N",
                                       preemptResched: flags.dropFirst().first == "N"))
            let prefixEnd = line.range(of: time + " ")!.upperBound
            #expect(context.prefix == String(line[..<prefixEnd]), "\(line)")
        }
    }
}
