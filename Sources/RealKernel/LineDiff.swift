/// The shortest edit script between two line lists (Myers' O(ND) algorithm), so a comparison can say which
/// lines agree even when one side has extra or missing lines.
public enum LineDiff {
    public enum Edit: Sendable, Equatable {
        /// The same line on both sides (indices into `a` and `b`).
        case same(Int, Int)
        /// A line only the first list has.
        case onlyA(Int)
        /// A line only the second list has.
        case onlyB(Int)
    }

    /// More differing lines than this and the outputs are unrelated: the search (memory grows with D²) stops
    /// and everything between the common head and tail counts as differing.
    public static let maximumDifferences = 2000

    public static func edits(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count, max = n + m
        guard max > 0 else { return [] }
        var v = [Int](repeating: 0, count: 2 * max + 2)
        // The frontier before step d, diagonals -d...d only (memory grows with D², not D × (N + M)).
        var trace: [[Int]] = []
        search: for d in 0...max {
            guard d <= maximumDifferences else { return unrelated(a, b) }
            trace.append(Array(v[(max - d)...(max + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[max + k - 1] < v[max + k + 1]) ? v[max + k + 1] : v[max + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[max + k] = x
                if x >= n && y >= m { break search }
            }
        }
        // Walk back through the saved frontiers.
        var result: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let frontier = trace[d], k = x - y
            func v(_ k: Int) -> Int { frontier[k + d] }
            let previousK = k == -d || (k != d && v(k - 1) < v(k + 1)) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v(previousK), previousY = previousX - previousK
            while x > previousX && y > previousY { x -= 1; y -= 1; result.append(.same(x, y)) }
            if d > 0 {
                if x == previousX { y -= 1; result.append(.onlyB(y)) } else { x -= 1; result.append(.onlyA(x)) }
            }
        }
        return result.reversed()
    }

    /// The common head and tail as `same`, everything between as differing.
    private static func unrelated(_ a: [String], _ b: [String]) -> [Edit] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        return (0..<head).map { .same($0, $0) } + (head..<(a.count - tail)).map { .onlyA($0) }
            + (head..<(b.count - tail)).map { .onlyB($0) }
            + (0..<tail).reversed().map { .same(a.count - 1 - $0, b.count - 1 - $0) }
    }
}
