import Testing
@testable import RealKernel

@Suite("ScenarioComparison: counts, accepted events and hunks")
struct ScenarioComparisonTests {
    @Test("agreeing lines, accepted events from the listings, and one hunk per nearby group of differences")
    func counts() {
        let plain = OutputNormaliser(regions: [])
        let kernel = ["p:kpsim/a kpsim_corpus:sum_to", "r10:kpsim/b kpsim_corpus:sum_to", "x", "same 1", "same 2",
                      "same 3", "same 4", "same 5", "same 6", "y"]
        let simulator = ["p:kpsim/a kpsim_corpus:sum_to", "X", "same 1", "same 2", "same 3", "same 4", "same 5",
                         "same 6", "y"]
        let c = ScenarioComparison(scenario: "s", architecture: "x86_64", kernel: kernel, simulator: simulator,
                                   normaliseKernel: plain, normaliseSimulator: plain)
        #expect(c.agreeing == 8 && c.total == 10 && c.disagreements == 2)
        #expect(c.acceptedByKernel == ["kpsim/a", "kpsim/b"] && c.acceptedBySimulator == ["kpsim/a"])
        let hunks = c.hunks(context: 1)
        #expect(hunks.count == 1)
        #expect(hunks.first?.hasPrefix("@@ kernel line 1, simulator line 1\n") == true)
        #expect(hunks.first?.contains("-r10:kpsim/b kpsim_corpus:sum_to\n-x\n+X\n") == true)
    }
}
