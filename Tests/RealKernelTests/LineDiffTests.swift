import Testing
@testable import RealKernel

@Suite("LineDiff: the shortest edit script")
struct LineDiffTests {
    @Test("equal, inserted, deleted and replaced lines")
    func edits() {
        #expect(LineDiff.edits([], []) == [])
        #expect(LineDiff.edits(["a", "b"], ["a", "b"]) == [.same(0, 0), .same(1, 1)])
        #expect(LineDiff.edits(["a", "c"], ["a", "b", "c"]) == [.same(0, 0), .onlyB(1), .same(1, 2)])
        #expect(LineDiff.edits(["a", "b", "c"], ["a", "c"]) == [.same(0, 0), .onlyA(1), .same(2, 1)])
        #expect(LineDiff.edits(["x"], ["y"]).count == 2)
        #expect(LineDiff.edits([], ["y"]) == [.onlyB(0)])
    }

    @Test("unrelated outputs: the search stops, the common head and tail stay, the rest differs")
    func unrelated() {
        let n = LineDiff.maximumDifferences + 10
        let a = ["head"] + (0..<n).map { "a\($0)" } + ["tail"], b = ["head"] + (0..<n).map { "b\($0)" } + ["tail"]
        let edits = LineDiff.edits(a, b)
        #expect(edits.first == .same(0, 0) && edits.last == .same(n + 1, n + 1))
        #expect(edits.count == 2 + 2 * n)
        #expect(edits[1] == .onlyA(1) && edits[n + 1] == .onlyB(1))
    }

    @Test("the common lines found are a longest common subsequence, in order")
    func longest() {
        // Myers' paper: "abcabba" and "cbabac" have a longest common subsequence of length 4.
        let a = "abcabba".map(String.init), b = "cbabac".map(String.init)
        let edits = LineDiff.edits(a, b)
        #expect(edits.count { if case .same = $0 { true } else { false } } == 4)
        var ia = 0, ib = 0
        for edit in edits {
            switch edit {
            case let .same(x, y):
                #expect(x == ia && y == ib && a[x] == b[y])
                ia += 1
                ib += 1
            case .onlyA(let x):
                #expect(x == ia)
                ia += 1
            case .onlyB(let y):
                #expect(y == ib)
                ib += 1
            }
        }
        #expect(ia == a.count && ib == b.count)
    }
}
