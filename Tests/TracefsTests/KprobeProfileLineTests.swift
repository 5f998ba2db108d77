import RealKernel
import Testing
@testable import Tracefs

@Suite struct KprobeProfileLineTests {
    /// The captured `kprobe_profile` (same counts on both architectures): hits from the capture, no misses.
    @Test(arguments: ["x86_64", "arm64"])
    func capturedProfile(architecture: String) throws {
        let capture = try RealKernelCapture(architecture)
        let counts: [(String, UInt64, Bool)] = [
            ("myprobe", 20, false), ("open", 22, false), ("openreg", 22, false), ("openret", 22, true),
            ("openret32", 22, true), ("types", 22, false), ("p_vfs_open_0", 41, false), ("r_vfs_open_0", 41, true),
            ("p_do_sys_openat2_0", 20, false), ("byaddr", 22, false), ("peek", 43, false), ("arr", 22, false),
        ]
        let text = counts.map { event, hits, isReturn in
            KprobeProfileLine(event: event, hits: hits, kprobeMissed: 0, kretprobeMissed: isReturn ? 0 : nil).text
        }.joined()
        #expect(text == capture.section("kprobe_profile").map { $0 + "\n" }.joined())
    }

    /// A return probe reports kp.nmissed + rp.nmissed; a 45-character name pushes the columns right.
    @Test func missesAndLongNames() {
        #expect(KprobeProfileLine(event: "r", hits: 7, kprobeMissed: 2, kretprobeMissed: 3).text
                == "  r" + String(repeating: " ", count: 43) + "               7               5\n")
        let long = String(repeating: "e", count: 45)
        #expect(KprobeProfileLine(event: long, hits: 1, kprobeMissed: 4).text
                == "  " + long + "               1               4\n")
    }
}
