// swift-tools-version: 6.0
// kprobesim: Linux kprobe mechanics simulated at the instruction level (x86_64, arm64).
// Layers (arrows point at what a layer may import); see docs/architecture.md:
//   kprobesim -> KprobeSimCLI -> RealKernel -> Tracefs -> Kprobes -> X86_64, ARM64 -> Machine
// No package dependencies: the Swift toolchain only.
import PackageDescription

let package = Package(
    name: "kprobesim",
    products: [
        .executable(name: "kprobesim", targets: ["kprobesim"]),
        .library(name: "Kprobes", targets: ["Kprobes"]),
        .library(name: "Tracefs", targets: ["Tracefs"]),
    ],
    targets: [
        .target(name: "Machine"),
        .target(name: "X86_64", dependencies: ["Machine"]),
        .target(name: "ARM64", dependencies: ["Machine"]),
        .target(name: "Kprobes", dependencies: ["X86_64", "ARM64", "Machine"]),
        .target(name: "Tracefs", dependencies: ["Kprobes", "X86_64", "ARM64", "Machine"]),
        .target(name: "RealKernel", dependencies: ["Tracefs"]),
        .target(name: "KprobeSimCLI",
                dependencies: ["RealKernel", "Tracefs", "Kprobes", "X86_64", "ARM64", "Machine"]),
        .executableTarget(name: "kprobesim", dependencies: ["KprobeSimCLI"]),
        .executableTarget(name: "kprobesim-bench",
                          dependencies: ["KprobeSimCLI", "Kprobes", "X86_64", "ARM64", "Machine"],
                          path: "Benchmarks/kprobesim-bench"),

        // Shared by the test targets: fixture paths, the compiled-C corpus and its expected results.
        .target(name: "TestSupport", dependencies: ["Machine"], path: "Tests/TestSupport"),
        .testTarget(name: "MachineTests", dependencies: ["Machine"]),
        .testTarget(name: "X86_64Tests", dependencies: ["X86_64", "Machine", "TestSupport"]),
        .testTarget(name: "ARM64Tests", dependencies: ["ARM64", "Machine", "TestSupport"]),
        .testTarget(name: "KprobesTests", dependencies: ["Kprobes", "X86_64", "ARM64", "Machine", "TestSupport"]),
        .testTarget(name: "TracefsTests", dependencies: ["Tracefs", "RealKernel", "X86_64", "ARM64", "Machine", "TestSupport"]),
        .testTarget(name: "RealKernelTests", dependencies: ["RealKernel"]),
        .testTarget(name: "KprobeSimCLITests", dependencies: ["KprobeSimCLI", "RealKernel", "Kprobes", "Machine", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
