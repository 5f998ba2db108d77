import Machine

/// The built-in scenario's code: `sum_to` from `Tests/Fixtures/corpus/src/loops.c`, exactly as gcc 12 compiled
/// it for each architecture at -O2 with the kernel's flags (`corpus/*/O2/loops.o`; see `Tests/Fixtures/README.md`).
/// Both versions are position independent, so they can be placed anywhere in kernel text.
enum BuiltinProgram {
    static let name = "sum_to"
    static let source = "u64 sum_to(u64 n): the sum 0 + 1 + ... + n (n capped at 100000), from Tests/Fixtures/corpus/src/loops.c"

    static func bytes(_ architecture: Architecture) -> [UInt8] {
        switch architecture {
        case .x86_64:
            return [0xb8, 0xa0, 0x86, 0x01, 0x00, 0x48, 0x39, 0xc7, 0x48, 0x0f, 0x47, 0xf8, 0x31, 0xc0, 0x31, 0xd2,
                    0x48, 0x89, 0xc1, 0x48, 0x01, 0xc2, 0x48, 0x83, 0xc0, 0x01, 0x48, 0x39, 0xcf, 0x75, 0xf1, 0x48,
                    0x89, 0xd0, 0xc3]
        case .arm64:
            let words: [UInt32] = [0xd290d402, 0xaa0003e3, 0xf2a00022, 0xeb02001f, 0x9a829063, 0xd2800001,
                                   0xd2800000, 0xd503201f, 0x8b010000, 0xeb01007f, 0x91000421, 0x54ffffa1, 0xd65f03c0]
            return words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
        }
    }

    /// The loop body's add, which is single-stepped out of line: x86_64 `48 01 c2 add %rax,%rdx` at +0x13,
    /// arm64 `8b010000 add x0, x0, x1` at +0x20.
    static func defaultOffset(_ architecture: Architecture) -> UInt64 { architecture == .x86_64 ? 0x13 : 0x20 }

    /// Places the code in kernel text and names it in the symbol table.
    static func load(into machine: Machine) throws -> UInt64 {
        let code = bytes(machine.architecture)
        let address = machine.allocateText(size: UInt64(code.count))
        try machine.memory.kernelWrite(address, bytes: code)
        machine.symbols.add(Symbol(name: name, address: address, size: UInt64(code.count), type: "T"))
        machine.symbols.addTextRegion(address..<(address + UInt64(code.count)))
        return address
    }
}
