import Machine
@testable import X86_64

/// A one-CPU machine with `code` loaded as kernel text, for executor tests.
struct X86TestMachine {
    let machine: Machine
    let text: UInt64

    init(_ code: [UInt8]) throws {
        machine = Machine(core: X86Core(), cpuCount: 1)
        text = machine.allocateText(size: UInt64(max(code.count, 1)))
        try machine.memory.kernelWrite(text, bytes: code)
    }

    /// Calls the code at `offset` with `arguments`; returns %rax.
    func call(_ arguments: [UInt64] = [], offset: UInt64 = 0) throws -> UInt64 {
        try machine.call(text + offset, arguments: arguments)
    }
}
