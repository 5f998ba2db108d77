/// One scenario's kernel output against the simulator's, both normalised: how many lines agree, which differ,
/// and how the probe registrations came out on each side.
public struct ScenarioComparison: Sendable {
    public let scenario: String
    public let architecture: String
    public let kernel: [String]
    public let simulator: [String]
    public let edits: [LineDiff.Edit]
    /// The module's live `.text` on both sides, when the capture has it.
    public var text: ModuleTextComparison?

    public init(scenario: String, architecture: String, kernel: [String], simulator: [String],
                normaliseKernel: OutputNormaliser, normaliseSimulator: OutputNormaliser) {
        self.scenario = scenario
        self.architecture = architecture
        self.kernel = normaliseKernel.normalise(lines: kernel)
        self.simulator = normaliseSimulator.normalise(lines: simulator)
        edits = LineDiff.edits(self.kernel, self.simulator)
    }

    /// Lines that are the same on both sides, in order.
    public var agreeing: Int { edits.count { if case .same = $0 { true } else { false } } }
    /// Lines of the longer side: the denominator of the agreement figure.
    public var total: Int { max(kernel.count, simulator.count) }
    public var disagreements: Int { total - agreeing }

    /// Probe events each side listed in `kprobe_events` (`p:GRP/NAME`, `r10:GRP/NAME`), i.e. accepted.
    public var acceptedByKernel: Set<String> { Self.events(kernel) }
    public var acceptedBySimulator: Set<String> { Self.events(simulator) }

    private static func events(_ lines: [String]) -> Set<String> {
        Set(lines.compactMap { line in line.firstMatch(of: #/^[pr]\d*:(\S+) /#).map { String($0.1) } })
    }

    /// The differing lines as `-kernel` / `+simulator` hunks with `context` agreeing lines around them, each
    /// hunk headed by its line numbers (1-based, in the normalised outputs) and ending in a newline.
    public func hunks(context: Int = 2) -> [String] {
        var hunks: [String] = []
        var index = 0
        while index < edits.count {
            guard let start = edits[index...].firstIndex(where: { if case .same = $0 { false } else { true } }) else { break }
            var end = start
            // Hunks closer than 2 × context lines merge.
            while let next = edits[(end + 1)...].firstIndex(where: { if case .same = $0 { false } else { true } }),
                  next - end <= 2 * context + 1 {
                end = next
            }
            let from = max(start - context, index), to = min(end + context, edits.count - 1)
            let (k, s) = position(of: from)
            var out = "@@ kernel line \(k + 1), simulator line \(s + 1)\n"
            for edit in edits[from...to] {
                switch edit {
                case .same(let a, _): out += " " + kernel[a] + "\n"
                case .onlyA(let a): out += "-" + kernel[a] + "\n"
                case .onlyB(let b): out += "+" + simulator[b] + "\n"
                }
            }
            hunks.append(out)
            index = to + 1
        }
        return hunks
    }

    /// The kernel and simulator line indices at edit `index`.
    private func position(of index: Int) -> (Int, Int) {
        var k = 0, s = 0
        for edit in edits[..<index] {
            switch edit {
            case .same: k += 1; s += 1
            case .onlyA: k += 1
            case .onlyB: s += 1
            }
        }
        return (k, s)
    }
}
