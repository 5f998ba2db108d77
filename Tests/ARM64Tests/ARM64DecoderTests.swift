import Testing
@testable import ARM64
import Machine

@Suite("ARM64 decoder")
struct ARM64DecoderTests {
    /// Every word decodes to an instruction or a decode error without trapping; the seed is printed so a
    /// failure can be replayed.
    @Test func randomWordsNeverCrash() throws {
        let seed = UInt64(0x6b70_726f_6265_7369)
        print("ARM64 random decode seed: 0x\(String(seed, radix: 16))")
        var generator = SeededGenerator(seed: seed)
        var decoded = 0, errors = 0
        for _ in 0..<2_000_000 {
            let word = UInt32(truncatingIfNeeded: generator.next())
            do {
                let instruction = try ARM64Decoder.decode(word)
                #expect(instruction.rawValue == word)
                decoded += 1
            } catch {
                #expect(error.word == word)
                errors += 1
            }
        }
        #expect(decoded > 0 && errors > 0)
    }
}
