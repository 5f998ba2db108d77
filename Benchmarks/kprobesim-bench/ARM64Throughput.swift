import ARM64
import Foundation
import Machine

/// Simulated arm64 instructions per second, one CPU, measured on one `run` of the core (the executor alone, no
/// scheduler slices).
enum ARM64Throughput {
    enum Workload {
        /// A function of the compiled-C corpus (`Tests/Fixtures/corpus/arm64/O2/<file>.o`), called with one argument.
        case compiled(file: String, function: String, argument: UInt64)
        /// A hand-assembled loop (`assembledLoop`), `iterations` times round.
        case assembledLoop(iterations: UInt64)
    }

    /// `bench_loop(1000000)` of loops.c at -O2: xorshift and arithmetic, ~15 instructions per iteration.
    static let standard = Workload.compiled(file: "loops", function: "bench_loop", argument: 1_000_000)

    /// Bytes from aarch64-linux-gnu-as of:
    /// `mov x2, #0; sub sp, sp, #16; 1: add x2, x2, x0; eor x3, x2, x0, lsl #3; str x3, [sp, #8];
    ///  subs x0, x0, #1; ldr x5, [sp, #8]; and x4, x5, #0xff; add x2, x2, x4; b.ne 1b; add sp, sp, #16;
    ///  mov x0, x2; ret`
    static let assembledLoop: [UInt32] = [
        0xd280_0002, 0xd100_43ff, 0x8b00_0042, 0xca00_0c43, 0xf900_07e3, 0xf100_0400, 0xf940_07e5,
        0x9240_1ca4, 0x8b04_0042, 0x54ff_ff21, 0x9100_43ff, 0xaa02_03e0, 0xd65f_03c0,
    ]

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Tests/Fixtures/corpus/arm64/O2").standardized

    /// Runs the workload and returns the instructions retired and the wall time they took (0 instructions if
    /// the workload could not be set up or did not return).
    static func measure(_ workload: Workload = standard) -> (count: UInt64, seconds: Double) {
        let core = ARM64Core()
        let machine = Machine(core: core, cpuCount: 1)
        let cpu = machine.cpus[0]
        let stack = machine.allocate(size: 0x4000)
        cpu.registers[ARM64PtRegs.sp] = stack + 0x4000
        let entry: UInt64
        let argument: UInt64
        switch workload {
        case .compiled(let file, let function, let value):
            guard let bytes = try? Data(contentsOf: corpus.appendingPathComponent("\(file).o")),
                  let object = try? ELFLoader.load(bytes: [UInt8](bytes), name: "\(file).o", into: machine, module: file),
                  let symbol = object.symbol(named: function) else { return (0, 0) }
            entry = symbol.address
            argument = value
        case .assembledLoop(let iterations):
            entry = machine.allocateText(size: UInt64(assembledLoop.count * 4))
            let bytes = assembledLoop.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
            guard (try? machine.memory.kernelWrite(entry, bytes: bytes)) != nil else { return (0, 0) }
            argument = iterations
        }
        guard (try? core.setUpCall(cpu, function: entry, arguments: [argument], returnAddress: machine.hostReturnAddress)) != nil
        else { return (0, 0) }
        let clock = ContinuousClock()
        let start = clock.now
        let stop = core.run(cpu, limit: UInt64.max)
        let elapsed = clock.now - start
        guard case .returnedToHost = stop else { return (0, 0) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (cpu.instructionsRetired, seconds)
    }

    static func register(_ harness: inout Harness) {
        for (file, function) in [("loops", "bench_loop"), ("checksum", "bench_crc"), ("lists", "bench_list")] {
            harness.rate("arm64: corpus O2 \(function)(1000000)", unit: "M insn/s") {
                measure(.compiled(file: file, function: function, argument: 1_000_000))
            }
        }
        harness.rate("arm64: assembled loop (ALU, store, load, subs, b.ne)", unit: "M insn/s") {
            measure(.assembledLoop(iterations: 5_000_000))
        }
    }
}
