import Machine

/// The built-in scenario's code: `sum_to` from `Tests/Fixtures/corpus/src/loops.c`, exactly as gcc 12 compiled
/// it for each architecture at -O2 with the kernel's flags (`corpus/*/O2/loops.o`; see `Tests/Fixtures/README.md`).
/// Both versions are position independent, so they can be placed anywhere in kernel text.
public enum BuiltinProgram {
    static let name = "sum_to"
    static let source = "u64 sum_to(u64 n): the sum 0 + 1 + ... + n (n capped at 100000), from Tests/Fixtures/corpus/src/loops.c"

    public static func bytes(_ architecture: Architecture) -> [UInt8] {
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

    /// Places the code in kernel text and names it in the symbol table, followed by `sum_caller`, a function
    /// that calls `sum_to(n)` and returns its result, so a return probe has a real caller to return to:
    /// x86_64 `e8 rel32 (call sum_to); c3 (ret)`; arm64 `stp x29, x30, [sp, #-16]!; mov x29, sp; bl sum_to;
    /// ldp x29, x30, [sp], #16; ret` (a9bf7bfd 910003fd 94xxxxxx a8c17bfd d65f03c0).
    static func load(into machine: Machine) throws -> UInt64 {
        let code = bytes(machine.architecture)
        let address = machine.allocateText(size: UInt64(code.count) + 32)
        try machine.memory.kernelWrite(address, bytes: code)
        machine.symbols.add(Symbol(name: name, address: address, size: UInt64(code.count), type: "T"))
        let caller = (address + UInt64(code.count) + 15) & ~15
        let callerCode: [UInt8]
        switch machine.architecture {
        case .x86_64:
            let rel = UInt32(truncatingIfNeeded: Int64(bitPattern: address) - Int64(bitPattern: caller + 5))
            callerCode = [0xe8] + (0..<4).map { UInt8(truncatingIfNeeded: rel >> (8 * UInt32($0))) } + [0xc3]
        case .arm64:
            let bl = 0x9400_0000 | (UInt32(truncatingIfNeeded: (Int64(bitPattern: address) - Int64(bitPattern: caller + 8)) >> 2) & 0x03ff_ffff)
            callerCode = [0xa9bf_7bfd, 0x9100_03fd, bl, 0xa8c1_7bfd, 0xd65f_03c0]
                .flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
        }
        try machine.memory.kernelWrite(caller, bytes: callerCode)
        machine.symbols.add(Symbol(name: callerName, address: caller, size: UInt64(callerCode.count), type: "T"))
        machine.symbols.addTextRegion(address..<(caller + UInt64(callerCode.count)))
        return address
    }

    static let callerName = "sum_caller"
}
