import Machine

/// A deliberately tiny instruction set, used only to test the machine's scheduler, traps, budget and stack
/// guard in isolation from the real cores (which have their own suites). Register file: 0 acc, 1 counter,
/// 2 sp, 3 pc, 4 flags (bit 9 = interrupts enabled, as x86's IF).
///
/// Encoding (1-byte opcodes, little-endian operands):
///   00 nop · 01 ii: acc += ii · 02 aaaaaaaa_aaaaaaaa: [a] += 1 (64-bit) · 03 rr: counter -= 1, jump back rr bytes
///   if non-zero · 04 aaaaaaaa_aaaaaaaa: call a · 05 rr: jump back rr bytes · c3 ret · cc int3 · fa cli · fb sti
final class ToyCore: InstructionCore {
    let architecture = Architecture.x86_64
    let ptRegsWords = 5
    let pcIndex = 3
    let spIndex = 2
    private unowned var machine: Machine!

    func attach(to machine: Machine) { self.machine = machine }
    func resetRegisters(_ registers: RegisterFile) { registers[4] = 1 << 9 }
    /// No single-step state to clear: this core has no trap flag.
    func clearSingleStep(_ registers: RegisterFile) {}
    func returnValue(_ cpu: CPU) -> UInt64 { cpu.registers[0] }
    func argument(_ cpu: CPU, _ n: Int) -> UInt64 { n < 2 ? cpu.registers[n] : 0 }
    func interruptsEnabled(_ cpu: CPU) -> Bool { cpu.registers[4] & (1 << 9) != 0 }

    func setUpCall(_ cpu: CPU, function: UInt64, arguments: [UInt64], returnAddress: UInt64) throws(MemoryFault) {
        let r = cpu.registers
        r[0] = arguments.count > 0 ? arguments[0] : 0
        r[1] = arguments.count > 1 ? arguments[1] : 0
        try push(cpu, returnAddress)
        r[3] = function
    }

    func completeHostCall(_ cpu: CPU, value: UInt64) throws(MemoryFault) {
        cpu.registers[0] = value
        cpu.registers[3] = try machine.memory.read64(cpu.registers[2])
        cpu.registers[2] &+= 8
    }

    private func push(_ cpu: CPU, _ value: UInt64) throws(MemoryFault) {
        cpu.registers[2] &-= 8
        try machine.memory.write64(cpu.registers[2], value)
    }

    func run(_ cpu: CPU, limit: UInt64) -> RunStop {
        let r = cpu.registers
        let memory = machine.memory
        var executed: UInt64 = 0
        var retired: UInt64 = 0
        /// Reports instructions executed since the last report (before traps, host calls and returning).
        func flush() { cpu.retire(executed - retired); retired = executed }
        defer { flush() }
        while executed < limit {
            let pc = r[3]
            let opcode: UInt8
            do { opcode = try memory.fetch32Byte(pc) } catch {
                flush()
                switch machine.hostCall(at: pc, on: cpu) {
                case .resume: continue
                case .stop(let stop): return stop
                case .notHost:
                    if case .fatal(let e) = machine.raise(Trap(kind: .pageFault, address: pc, fault: error), on: cpu) { return .failed(e) }
                    continue
                }
            }
            cpu.noteExecuted(pc)
            executed += 1
            do {
                switch opcode {
                case 0x00: r[3] = pc + 1
                case 0x01: r[0] &+= UInt64(try memory.read8Text(pc + 1)); r[3] = pc + 2
                case 0x02:
                    let a = try memory.read64Text(pc + 1)
                    try memory.write64(a, try memory.read64(a) &+ 1)
                    r[3] = pc + 9
                case 0x03:
                    r[1] &-= 1
                    r[3] = r[1] != 0 ? pc - UInt64(try memory.read8Text(pc + 1)) : pc + 2
                case 0x04:
                    let target = try memory.read64Text(pc + 1)
                    try push(cpu, pc + 9)
                    r[3] = target
                case 0x05: r[3] = pc - UInt64(try memory.read8Text(pc + 1))
                case 0xc3:
                    r[3] = try memory.read64(r[2])
                    r[2] &+= 8
                case 0xcc:
                    r[3] = pc + 1
                    flush()
                    if case .fatal(let e) = machine.raise(Trap(kind: .breakpoint, address: pc), on: cpu) { return .failed(e) }
                case 0xfa: r[4] &= ~(1 << 9); r[3] = pc + 1
                case 0xfb: r[4] |= 1 << 9; r[3] = pc + 1
                default:
                    flush()
                    if case .fatal(let e) = machine.raise(Trap(kind: .undefinedInstruction, address: pc, instruction: "toy opcode \(opcode)"), on: cpu) { return .failed(e) }
                }
            } catch {
                r[3] = pc
                flush()
                if case .fatal(let e) = machine.raise(Trap(kind: .pageFault, address: pc, fault: error), on: cpu) { return .failed(e) }
            }
        }
        return .limitReached
    }
}

private extension Memory {
    func fetch32Byte(_ a: UInt64) throws(MemoryFault) -> UInt8 {
        var byte: UInt8 = 0
        _ = try withUnsafeMutablePointer(to: &byte) { p throws(MemoryFault) in try fetch(a, into: p, count: 1) }
        return byte
    }
    func read8Text(_ a: UInt64) throws(MemoryFault) -> UInt8 { try kernelRead(a, count: 1)[0] }
    func read64Text(_ a: UInt64) throws(MemoryFault) -> UInt64 { try kernelRead(a, size: 8) }
}

/// Little helpers to lay out toy programs.
enum Toy {
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    /// Places `code` in fresh text and returns its address.
    static func load(_ code: [UInt8], into machine: Machine) throws -> UInt64 {
        let address = machine.allocateText(size: UInt64(code.count))
        try machine.memory.kernelWrite(address, bytes: code)
        return address
    }
}
