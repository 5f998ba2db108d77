/// A small benchmark harness: warm-up, N timed runs, median/min/max per operation, and A/B comparisons whose
/// variants are run alternately in one process so machine noise hits both alike.
struct Harness {
    var runs = 11
    var warmups = 2
    /// `--case TEXT`: only cases whose name contains TEXT run (to profile one path; the others are still set up).
    var only: String?
    private(set) var results: [Result] = []

    struct Result {
        let name: String
        let unit: String
        /// Per-operation cost of each run, in nanoseconds (or the unit given).
        let samples: [Double]
        /// For comparisons: median of this variant over the baseline's median.
        var ratio: Double?
        var note: String = ""

        var median: Double { samples.sorted()[samples.count / 2] }
        var min: Double { samples.min() ?? 0 }
        var max: Double { samples.max() ?? 0 }
    }

    /// Times `body`, which performs and returns a number of operations; records ns per operation.
    mutating func measure(_ name: String, note: String = "", _ body: () -> Int) {
        guard wanted(name) else { return }
        results.append(Result(name: name, unit: "ns/op", samples: samples(body), note: note))
    }

    /// Times `baseline` and `variant` alternately; records both and the variant's ratio to the baseline.
    mutating func compare(_ baselineName: String, _ baseline: () -> Int, _ variantName: String, _ variant: () -> Int, note: String = "") {
        guard wanted(baselineName) || wanted(variantName) else { return }
        for _ in 0..<warmups { _ = baseline(); _ = variant() }
        var a: [Double] = [], b: [Double] = []
        for _ in 0..<runs {
            a.append(time(baseline))
            b.append(time(variant))
        }
        let first = Result(name: baselineName, unit: "ns/op", samples: a, note: note)
        var second = Result(name: variantName, unit: "ns/op", samples: b, note: note)
        second.ratio = second.median / first.median
        results.append(first)
        results.append(second)
    }

    /// Times `baseline` and `variant` alternately (each performing `operations` units, e.g. loop iterations) and
    /// records both plus the cost the variant adds per `eventsPerRun` events (e.g. probe hits), from the paired
    /// samples: (variant - baseline) * operations / events.
    mutating func added(_ name: String, baseline: () -> Int, variant: () -> Int, eventsPerRun: Int, note: String = "") {
        guard wanted(name) else { return }
        for _ in 0..<warmups { _ = baseline(); _ = variant() }
        var a: [Double] = [], b: [Double] = [], added: [Double] = []
        for _ in 0..<runs {
            let base = time(baseline)
            let probed = time(variant)
            let operations = Double(Swift.max(variant(), 1))
            a.append(base)
            b.append(probed)
            added.append((probed - base) * operations / Double(eventsPerRun))
        }
        results.append(Result(name: name + ": unprobed", unit: "ns/iter", samples: a, note: note))
        var probed = Result(name: name + ": probed", unit: "ns/iter", samples: b, note: note)
        probed.ratio = probed.median / Result(name: "", unit: "", samples: a).median
        results.append(probed)
        results.append(Result(name: name + ": cost per hit", unit: "ns/hit", samples: added, note: note))
    }

    /// Records a rate (e.g. simulated instructions per second) measured by `body` as (count, seconds).
    mutating func rate(_ name: String, unit: String, note: String = "", _ body: () -> (count: UInt64, seconds: Double)) {
        guard wanted(name) else { return }
        for _ in 0..<warmups { _ = body() }
        var samples: [Double] = []
        for _ in 0..<runs {
            let (count, seconds) = body()
            samples.append(Double(count) / seconds / 1e6)
        }
        results.append(Result(name: name, unit: unit, samples: samples, note: note))
    }

    private func wanted(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

    private func samples(_ body: () -> Int) -> [Double] {
        for _ in 0..<warmups { _ = body() }
        return (0..<runs).map { _ in time(body) }
    }

    private func time(_ body: () -> Int) -> Double {
        let clock = ContinuousClock()
        var operations = 0
        let elapsed = clock.measure { operations = body() }
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        return ns / Double(Swift.max(operations, 1))
    }

    func table() -> String {
        var lines = ["benchmark                                         median         min         max  unit         ratio"]
        for r in results {
            let ratio = r.ratio.map { fixed($0, 3) + "x" } ?? ""
            lines.append(pad(r.name, 44) + lpad(fixed(r.median, 2), 12) + lpad(fixed(r.min, 2), 12)
                + lpad(fixed(r.max, 2), 12) + "  " + pad(r.unit, 10) + lpad(ratio, 9)
                + (r.note.isEmpty ? "" : "   " + r.note))
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let items = results.map { r in
            "{\"name\":\"\(r.name)\",\"unit\":\"\(r.unit)\",\"median\":\(r.median),\"min\":\(r.min),\"max\":\(r.max)"
                + (r.ratio.map { ",\"ratio\":\($0)" } ?? "") + ",\"runs\":\(r.samples.count)}"
        }
        return "[" + items.joined(separator: ",\n ") + "]"
    }
}

private func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}

private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

/// Keeps a value alive so the optimiser cannot delete the work that produced it.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
