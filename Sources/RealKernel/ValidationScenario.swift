/// A differential scenario: one tracefs script (`ARCH/NAME.script` under the real-kernel fixtures), run by a
/// real kernel through `scripts/realkernel/payloads/script.sh` (the capture `ARCH/NAME.txt`) and by the
/// simulator, whose outputs are then compared line for line.
public struct ValidationScenario: Sendable, Equatable {
    public let name: String
    public let architecture: String

    /// The script, relative to the real-kernel fixture directory (`Tests/Fixtures/realkernel`): per arch
    /// (`ARCH/NAME.script`) when it names registers, shared (`NAME.script`) when it does not.
    public let script: String
    /// The module the script loads (`ARCH/NAME.ko`, built by scripts/realkernel/build-module.sh).
    public let module: String

    public static let all: [ValidationScenario] = ["x86_64", "arm64"].flatMap { arch in [
        ValidationScenario(name: "boundaries", architecture: arch, script: "\(arch)/boundaries.script",
                           module: "\(arch)/kpsim_corpus.ko"),
        ValidationScenario(name: "registrations", architecture: arch, script: "registrations.script",
                           module: "\(arch)/kpsim_corpus.ko"),
        ValidationScenario(name: "blocking", architecture: arch, script: "blocking.script", module: "\(arch)/kpsim_sleep.ko"),
    ] }

    public static func scenarios(for architecture: String) -> [ValidationScenario] {
        all.filter { $0.architecture == architecture }
    }

    /// The capture, relative to the real-kernel fixture directory.
    public var capture: String { "\(architecture)/\(name).txt" }

    /// Guest addresses that are not the module's and differ from the simulator's by nature, as regions:
    /// - `stack`: task stacks (VMAP_STACK) in vmalloc space: x86_64 with 5-level paging (QEMU `-cpu max` has
    ///   LA57; kernel: Documentation/x86/x86_64/mm.rst), arm64 past the kernel image (whose text ends at
    ///   `_einittext` = 0xffff8000096d5f98 in this build; kernel: arch/arm64/include/asm/memory.h VMALLOC_START);
    /// - `current`: arm64's linear map, where `current`'s task_struct lives (SP_EL0, read by the stack
    ///   protector); the only linear-map pointer corpus code holds.
    public static let guestRegions: [String: [OutputNormaliser.Region]] = [
        "x86_64": [.init(name: "stack", range: 0xffa0_0000_0000_0000..<0xffd2_0000_0000_0000, keepsOffset: false)],
        "arm64": [.init(name: "stack", range: 0xffff_8000_0a00_0000..<0xffff_fbff_fe00_0000, keepsOffset: false),
                  .init(name: "current", range: 0xffff_0000_0000_0000..<0xffff_8000_0000_0000, keepsOffset: false)],
    ]

    /// The kernel's side of a capture: the script's output and the normaliser for it. Module sections are placed
    /// at the addresses the capture's `module sections` lists, with `sizes` (the same module's, from the
    /// simulator's load).
    public func kernelSide(_ capture: RealKernelCapture, sizes: [String: UInt64]) -> (lines: [String], normaliser: OutputNormaliser) {
        var regions: [OutputNormaliser.Region] = []
        for line in capture.section("module sections") {
            let words = line.split(separator: " ")
            guard words.count == 2, let size = sizes[String(words[0])], words[1].hasPrefix("0x"),
                  let start = UInt64(words[1].dropFirst(2), radix: 16) else { continue }
            regions.append(.init(name: String(words[0]), range: start..<(start + size)))
        }
        regions += Self.guestRegions[architecture] ?? []
        return (capture.section("script output"), OutputNormaliser(regions: regions))
    }

    /// The agreement table's header and one row per comparison.
    public static func table(_ comparisons: [ScenarioComparison]) -> String {
        var out = "| scenario | arch | lines (kernel / simulator) | agreeing | agreement | events accepted (kernel / simulator / both) | module .text bytes (equal / in relocated fields / other) |\n"
        out += "|---|---|---|---|---|---|---|\n"
        for c in comparisons {
            let k = c.acceptedByKernel, s = c.acceptedBySimulator
            let percent = c.total == 0 ? 100.0 : Double(c.agreeing) * 100 / Double(c.total)
            let rounded = (percent * 10).rounded(.down) / 10
            let text = c.text.map { "\($0.equal) / \($0.differingRelocated) / \($0.differingElsewhere.count)" } ?? "not captured"
            out += "| \(c.scenario) | \(c.architecture) | \(c.kernel.count) / \(c.simulator.count) | \(c.agreeing) | \(rounded)% | \(k.count) / \(s.count) / \(k.intersection(s).count) | \(text) |\n"
        }
        return out
    }
}
