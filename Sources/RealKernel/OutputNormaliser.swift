/// Rewrites what must differ between a real kernel's output and the simulator's for the same script into one
/// spelling on both sides, so everything else can be compared line for line:
/// - an `error_log` entry's timestamp (`[<time>]`), and the PID and comm of a `wait` line (`[<task>] RESULT`);
/// - a trace line's task, PID and timestamp (`<task>`, `<time>`) and its need-resched letter (`N`, `n`, `p`):
///   the guest's timer tick marks the calling shell for rescheduling whenever another task became runnable
///   during a long call under TCG, which the simulator, with no competing tasks, never does; CPU and the other
///   irq-info letters are kept;
/// - the return site in a kretprobe line, `(CALLER <- FUNC)`: the kernel's caller is the module's debugfs
///   trigger, the simulator's is its own call harness (`<caller>`);
/// - the order of `kprobes/list` lines: the kernel walks its kprobe hash table, bucket by bucket
///   (kernel: kernel/kprobes.c show_kprobe_addr, hash_ptr(addr, KPROBE_HASH_BITS)), so the order follows the
///   load address; each run of list lines is sorted;
/// - addresses inside a named region (module sections, kernel stacks) as `<REGION+0xOFFSET>`: the kernel and
///   the simulator load the module at different addresses, and their stacks live in different places.
public struct OutputNormaliser: Sendable {
    /// A named address range, e.g. `.text` of the module, or `stack`.
    public struct Region: Sendable, Equatable {
        public let name: String
        public let range: Range<UInt64>
        /// Whether the offset into the region is kept: yes for module sections (same layout on both sides), no
        /// for stacks (different depths below different callers).
        public let keepsOffset: Bool
        public init(name: String, range: Range<UInt64>, keepsOffset: Bool = true) {
            self.name = name
            self.range = range
            self.keepsOffset = keepsOffset
        }
    }

    public let regions: [Region]

    public init(regions: [Region]) { self.regions = regions }

    /// Every line normalised, then each run of `kprobes/list` lines sorted.
    public func normalise(lines: [String]) -> [String] {
        var result = lines.map(normalise)
        var start = 0
        while start < result.count {
            guard Self.isListLine(result[start]) else { start += 1; continue }
            var end = start
            while end < result.count && Self.isListLine(result[end]) { end += 1 }
            result[start..<end].sort()
            start = end
        }
        return result
    }

    /// `ADDRESS  TYPE  SYMBOL+OFFSET ...` as `kprobes/list` prints it (address already normalised or not).
    private static func isListLine(_ line: String) -> Bool {
        line.firstMatch(of: #/^(<[^>]+>|[0-9a-f]{16})  [kr]  \S/#) != nil
    }

    public func normalise(_ line: String) -> String {
        var text = line
        if let match = text.wholeMatch(of: /\s*.+-\d+\s+(\[\d{3}\]) (\S{5})\s+\d+\.\d{6}: (.*)/) {
            var rest = String(match.3)
            if let ret = rest.wholeMatch(of: /(\S+: )\((.+) <- (\S+)\)(.*)/) {
                rest = "\(ret.1)(<caller> <- \(ret.3))\(ret.4)"
            }
            var flags = Array(match.2)
            flags[1] = "."
            text = "<task> \(match.1) \(String(flags)) <time>: \(rest)"
        } else if let match = text.wholeMatch(of: /\[\s*\d+\.\d{6}\] (.*)/) {
            text = "[<time>] \(match.1)"
        } else if let match = text.wholeMatch(of: /\[\d+\] \S+ (0x[0-9a-f]{16})/) {
            text = "[<task>] \(match.1)"
        }
        return rewriteAddresses(text)
    }

    /// `0x…` numbers and bare 16-digit hex words (`kprobes/list` addresses) inside a region.
    private func rewriteAddresses(_ text: String) -> String {
        text.replacing(/0x([0-9a-f]{1,16})\b|\b([0-9a-f]{16})\b/) { match in
            guard let digits = match.1 ?? match.2, let value = UInt64(digits, radix: 16),
                  let region = regions.first(where: { $0.range.contains(value) }) else { return String(match.0) }
            guard region.keepsOffset else { return "<\(region.name)>" }
            return "<\(region.name)+0x\(String(value - region.range.lowerBound, radix: 16))>"
        }
    }
}
