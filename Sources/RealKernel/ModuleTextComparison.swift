/// The module's `.text` as the guest kernel left it after loading (`/proc/kcore`, the capture's `module text`)
/// against the simulator's loaded bytes: they must be equal except in relocation fields that point outside
/// `.text` (kernel imports, other sections), which hold addresses of two different layouts. Where the kernel
/// patched the text at load (ftrace NOPs, `ret; int3` over return thunks, arm64 `mov x9, x30`) the bytes are
/// compared like any other.
public struct ModuleTextComparison: Sendable {
    /// Bytes compared (the shorter of the two).
    public let compared: Int
    public let equal: Int
    /// Differing bytes inside relocation fields that point outside `.text`.
    public let differingRelocated: Int
    /// Offsets of differing bytes anywhere else: simulator disagreements.
    public let differingElsewhere: [Int]

    public init(kernel: [UInt8], simulator: [UInt8], relocatedFields: [Range<Int>]) {
        compared = min(kernel.count, simulator.count)
        var relocated = [Bool](repeating: false, count: compared)
        for field in relocatedFields {
            for offset in field where offset >= 0 && offset < compared { relocated[offset] = true }
        }
        var equal = 0, inFields = 0
        var elsewhere: [Int] = []
        for offset in 0..<compared {
            if kernel[offset] == simulator[offset] {
                equal += 1
            } else if relocated[offset] {
                inFields += 1
            } else {
                elsewhere.append(offset)
            }
        }
        self.equal = equal
        differingRelocated = inFields
        differingElsewhere = elsewhere
    }

    /// The capture's `module text` section: hex bytes, as `od -An -v -tx1` printed them.
    public static func kernelBytes(_ capture: RealKernelCapture) -> [UInt8] {
        capture.section("module text").flatMap { $0.split(separator: " ").compactMap { UInt8($0, radix: 16) } }
    }
}
