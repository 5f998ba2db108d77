import Testing
@testable import X86_64
import Machine

/// Seeded random-byte fuzzing of the x86_64 decoder, disassembler and core (the arm64 counterpart is
/// ARM64DecoderTests.randomWordsNeverCrash): whatever the bytes, the answer is an instruction or a typed error,
/// never a trap in the host.
@Suite("x86_64 random bytes never crash")
struct X86DecoderFuzzTests {
    static let seed = UInt64(0x7838_365f_6675_7a7a)

    static func randomBytes(_ generator: inout SeededGenerator, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    @Test("random 1-15 byte inputs decode to an instruction within the bytes or to a typed error; disassembly never crashes")
    func randomBytesNeverCrash() throws {
        print("x86_64 random decode seed: 0x\(String(Self.seed, radix: 16))")
        var generator = SeededGenerator(seed: Self.seed)
        var decoded = 0
        var reasons: [X86DecodeError.Reason: Int] = [:]
        for _ in 0..<300_000 {
            let count = Int(generator.next() % 15) + 1
            let bytes = Self.randomBytes(&generator, count: count)
            switch X86Decoder.decode(bytes) {
            case .success(let insn):
                decoded += 1
                #expect(insn.length >= 1 && insn.length <= count && insn.length <= X86Decoder.maximumLength,
                        "length \(insn.length) for \(bytes)")
                // Decoding only the instruction's own bytes gives the same instruction; one byte fewer is truncated.
                #expect(try X86Decoder.decode(Array(bytes[0..<insn.length])).get() == insn, "\(bytes)")
                if insn.length > 1, case .failure(let shorter) = X86Decoder.decode(Array(bytes[0..<(insn.length - 1)])) {
                    #expect(shorter.reason == .truncated, "\(bytes): \(shorter)")
                } else if insn.length > 1 {
                    Issue.record("\(bytes): a strict prefix of a \(insn.length)-byte instruction decoded")
                }
                _ = X86Disassembler.text(insn, address: 0xffff_ffff_8100_0000)
            case .failure(let error):
                reasons[error.reason, default: 0] += 1
                #expect(error.offset >= 0 && error.offset <= count, "\(bytes): \(error)")
                #expect(!error.description.isEmpty)
            }
        }
        #expect(decoded > 0)
        // Every kind of failure turns up: random bytes run off their end, stack prefixes past 15 bytes and hit
        // opcodes invalid in 64-bit mode.
        #expect(reasons[.truncated, default: 0] > 0 && reasons[.invalidOpcode, default: 0] > 0)
    }

    @Test("fifteen prefixes and an opcode exceed the 15-byte limit: tooLong, not a crash")
    func tooLongIsTyped() {
        // Hand-derived: 15 operand-size prefixes leave no room for the opcode (SDM vol. 2, 2.3.11: 15 bytes max).
        let bytes = [UInt8](repeating: 0x66, count: 15) + [0x90]
        guard case .failure(let error) = X86Decoder.decode(bytes) else { Issue.record("decoded \(bytes)"); return }
        #expect(error.reason == .tooLong)
    }

    @Test("random bytes run as code end in a typed error or return; never a host crash")
    func randomCodeNeverCrashes() throws {
        var generator = SeededGenerator(seed: Self.seed ^ 0x636f_6465)
        var outcomes: [String: Int] = [:]
        for _ in 0..<2_000 {
            let machine = Machine(core: X86Core(), cpuCount: 1)
            machine.instructionBudget = 2_000
            let text = machine.allocateText(size: 64)
            let count = Int(generator.next() % 15) + 1
            try machine.memory.kernelWrite(text, bytes: Self.randomBytes(&generator, count: count))
            do {
                _ = try machine.call(text, arguments: [generator.next(), generator.next()])
                outcomes["returned", default: 0] += 1
            } catch {
                switch error {
                case .unhandledTrap: outcomes["trap", default: 0] += 1
                case .budgetExhausted: outcomes["budget", default: 0] += 1
                case .stackOverflow: outcomes["overflow", default: 0] += 1
                default: outcomes["\(error)".prefix(40).description, default: 0] += 1
                }
                #expect(!error.description.isEmpty)
            }
        }
        print("x86_64 random code outcomes: \(outcomes)")
        #expect(outcomes["trap", default: 0] > 0)
    }
}
