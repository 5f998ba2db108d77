import ARM64
import Machine

/// Simulated arm64 instructions per second on a loop-heavy function (8 instructions per iteration: ALU, a
/// store and a load on the stack, a flag-setting subtract and a conditional branch), one CPU.
enum ARM64Throughput {
    /// Bytes from aarch64-linux-gnu-as of:
    /// `mov x2, #0; sub sp, sp, #16; 1: add x2, x2, x0; eor x3, x2, x0, lsl #3; str x3, [sp, #8];
    ///  subs x0, x0, #1; ldr x5, [sp, #8]; and x4, x5, #0xff; add x2, x2, x4; b.ne 1b; add sp, sp, #16;
    ///  mov x0, x2; ret`
    static let loop: [UInt32] = [
        0xd280_0002, 0xd100_43ff, 0x8b00_0042, 0xca00_0c43, 0xf900_07e3, 0xf100_0400, 0xf940_07e5,
        0x9240_1ca4, 0x8b04_0042, 0x54ff_ff21, 0x9100_43ff, 0xaa02_03e0, 0xd65f_03c0,
    ]

    /// Runs the loop for `iterations` in one `run` of the core (the executor alone: no scheduler slices) and
    /// returns the instructions retired and the wall time they took.
    static func measure(iterations: UInt64 = 20_000_000) -> (instructions: UInt64, seconds: Double) {
        let core = ARM64Core()
        let machine = Machine(core: core, cpuCount: 1)
        let base = machine.allocateText(size: UInt64(loop.count * 4))
        let bytes = loop.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        let stack = machine.allocate(size: 0x4000)
        let cpu = machine.cpus[0]
        cpu.registers[ARM64PtRegs.sp] = stack + 0x4000
        guard (try? machine.memory.kernelWrite(base, bytes: bytes)) != nil,
              (try? core.setUpCall(cpu, function: base, arguments: [iterations], returnAddress: machine.hostReturnAddress)) != nil
        else { return (0, 0) }
        let before = cpu.instructionsRetired
        let clock = ContinuousClock()
        let start = clock.now
        _ = core.run(cpu, limit: UInt64.max)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (cpu.instructionsRetired - before, seconds)
    }
}
