import Testing
import Machine
@testable import X86_64

/// Hand-encoded functions (bytes checked against objdump in the comments) with hand-derived results.
@Suite struct X86ExecutorSmokeTests {
    /// sum = 0; for (i = n; i != 0; i--) sum += i; return sum;
    ///   31 c0       xor %eax,%eax
    ///   48 01 f8    add %rdi,%rax
    ///   48 ff cf    dec %rdi
    ///   75 f8       jne -8
    ///   c3          ret
    @Test func countedLoopSums() throws {
        let m = try X86TestMachine([0x31, 0xc0, 0x48, 0x01, 0xf8, 0x48, 0xff, 0xcf, 0x75, 0xf8, 0xc3])
        // n(n+1)/2 for n = 100.
        #expect(try m.call([100]) == 5050)
    }

    /// 48 89 f8 mov %rdi,%rax; 48 99 cqo; 48 f7 fe idiv %rsi; c3 ret: signed division -7 / 2 = -3 (truncation).
    @Test func signedDivisionTruncates() throws {
        let m = try X86TestMachine([0x48, 0x89, 0xf8, 0x48, 0x99, 0x48, 0xf7, 0xfe, 0xc3])
        #expect(try m.call([UInt64(bitPattern: -7), 2]) == UInt64(bitPattern: -3))
    }

    /// The same with a zero divisor raises #DE, which nobody handles: the call fails naming a divide error.
    @Test func divisionByZeroTraps() throws {
        let m = try X86TestMachine([0x48, 0x89, 0xf8, 0x48, 0x99, 0x48, 0xf7, 0xfe, 0xc3])
        #expect {
            _ = try m.call([1, 0])
        } throws: { error in
            guard case .unhandledTrap(let trap, _) = error as? SimulationError else { return false }
            return trap.kind == .divideError
        }
    }
}
