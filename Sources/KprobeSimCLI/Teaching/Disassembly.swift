import Machine
import X86_64
import ARM64

/// One instruction as objdump would list it: address, bytes, text.
enum Disassembly {
    static func line(_ machine: Machine, at address: UInt64, bytesOverride: [UInt8]? = nil) -> String {
        let (bytes, text) = instruction(machine, at: address, bytesOverride: bytesOverride)
        let hex = bytes.map { String(format2: $0) }.joined(separator: " ")
        return String(address, radix: 16) + ":  " + hex.padding(toLength: 21, withPad: " ", startingAt: 0) + " " + text
    }

    /// The bytes and text of the instruction at `address` (or of `bytesOverride`, read as if it were there).
    static func instruction(_ machine: Machine, at address: UInt64, bytesOverride: [UInt8]? = nil) -> ([UInt8], String) {
        switch machine.architecture {
        case .x86_64:
            var raw = bytesOverride ?? []
            if raw.isEmpty {
                for i in 0..<15 {
                    guard let b = try? machine.memory.kernelRead(address + UInt64(i), count: 1) else { break }
                    raw += b
                }
            }
            guard case .success(let insn) = X86Decoder.decode(raw) else { return (Array(raw.prefix(1)), "(bad)") }
            let text = X86Disassembler.text(insn, address: address) { machine.symbols.objdumpName($0) }
            return (Array(raw.prefix(insn.length)), text)
        case .arm64:
            let raw = bytesOverride ?? ((try? machine.memory.kernelRead(address, count: 4)) ?? [0, 0, 0, 0])
            let word = raw.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return (Array(raw.prefix(4)), ARM64Disassembler.disassemble(word, at: address) { machine.symbols.objdumpName($0) })
        }
    }
}
