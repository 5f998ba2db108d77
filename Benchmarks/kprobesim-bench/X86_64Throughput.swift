import Foundation
import Machine
import X86_64

/// Simulated x86_64 instructions per second on one CPU, running code through `X86Core.run` directly (no
/// scheduler slices in the way), so the figure is the core's fetch/decode-cache/execute loop.
enum X86_64Throughput {
    /// A counted loop of a memory load and add/xor/shl/sub/cmp/jne (7 instructions per iteration).
    static let countedLoop = """
            mov %rdi,%rcx
            xor %eax,%eax
            xor %edx,%edx
        1:  mov (%rsp),%r8
            add %rcx,%rax
            xor %r8,%rdx
            shl $3,%rdx
            sub $1,%rcx
            cmp $0,%rcx
            jne 1b
            add %rdx,%rax
            ret
        """

    /// Loads `code` as kernel text, calls it with `arguments` and runs it to its return; reports the instructions
    /// executed and the wall-clock seconds the run took.
    static func measure(code: [UInt8], arguments: [UInt64]) -> (count: UInt64, seconds: Double) {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        let text = machine.allocateText(size: UInt64(code.count))
        guard (try? machine.memory.kernelWrite(text, bytes: code)) != nil else { return (0, 0) }
        return run(machine, function: text, arguments: arguments)
    }

    /// Assembles `source` (AT&T, see `X86Assembler`) and measures a call of it.
    static func measure(assembly source: String, arguments: [UInt64]) -> (count: UInt64, seconds: Double) {
        guard case .success(let output) = X86Assembler.assemble(source) else { return (0, 0) }
        return measure(code: output.bytes, arguments: arguments)
    }

    /// Loads a relocatable object (e.g. the corpus's `x86_64/O2/loops.o`) and measures a call of `function`.
    static func measure(object: [UInt8], function: String, arguments: [UInt64]) -> (count: UInt64, seconds: Double) {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        guard let loaded = try? ELFLoader.load(bytes: object, name: function, into: machine),
              let symbol = loaded.symbol(named: function) else { return (0, 0) }
        return run(machine, function: symbol.address, arguments: arguments)
    }

    private static func run(_ machine: Machine, function: UInt64, arguments: [UInt64]) -> (count: UInt64, seconds: Double) {
        let core = machine.core
        let stack = machine.allocate(size: 0x4000)
        let cpu = machine.cpus[0]
        cpu.registers[core.spIndex] = stack + 0x4000
        guard (try? core.setUpCall(cpu, function: function, arguments: arguments, returnAddress: machine.hostReturnAddress)) != nil
        else { return (0, 0) }
        let before = cpu.instructionsRetired
        let start = ContinuousClock.now
        while case .limitReached = core.run(cpu, limit: 1 << 30) {}
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (cpu.instructionsRetired - before, seconds)
    }

    static func register(_ harness: inout Harness) {
        for (file, function) in [("loops", "bench_loop"), ("checksum", "bench_crc"), ("lists", "bench_list")] {
            guard let object = corpusObject("x86_64/O2/\(file).o") else { continue }
            harness.rate("x86_64: corpus O2 \(function)(1000000)", unit: "M insn/s") {
                measure(object: object, function: function, arguments: [1_000_000])
            }
        }
        harness.rate("x86_64: counted loop (load/add/xor/shl/sub/cmp/jne)", unit: "M insn/s") {
            measure(assembly: countedLoop, arguments: [10_000_000])
        }
    }

    /// A corpus object read from `Tests/Fixtures/corpus` relative to this source file (nil when absent).
    static func corpusObject(_ path: String) -> [UInt8]? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/Fixtures/corpus/\(path)").standardized
        return (try? Data(contentsOf: url)).map { [UInt8]($0) }
    }
}
