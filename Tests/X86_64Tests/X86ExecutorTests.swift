import Testing
import Machine
@testable import X86_64

/// Assembled programs with results derived by hand in each test (SDM semantics).
@Suite struct X86ExecutorTests {
    /// Assembles at the address `X86TestMachine` will load at, runs with `arguments` (or those `setUp` returns
    /// after preparing memory), returns %rax.
    static func run(_ source: String, _ arguments: [UInt64] = [], setUp: ((X86TestMachine) throws -> [UInt64])? = nil) throws -> UInt64 {
        let origin = Machine(core: X86Core(), cpuCount: 1).allocateText(size: 1)
        let m = try X86TestMachine(try X86Assembler.assemble(source, origin: origin).get().bytes)
        return try m.call(try setUp?(m) ?? arguments)
    }

    /// strlen by `repnz scasb`: %rcx counts down from -1 past the terminator: len = ~rcx - 1.
    @Test func repnzScasMeasuresAString() throws {
        let source = "mov $-1,%rcx\nxor %eax,%eax\nrepnz scas %es:(%rdi),%al\nnot %rcx\nlea -0x1(%rcx),%rax\nret"
        let value = try Self.run(source) { m in
            let buffer = m.machine.allocate(size: 64)
            try m.machine.memory.kernelWrite(buffer, bytes: Array("kprobes".utf8) + [0])
            return [buffer]
        }
        #expect(value == 7)
    }

    /// rep stosq fills 4 quadwords, rep movsb copies 32 bytes, repz cmpsb finds them equal (ZF set, rcx = 0).
    @Test func repeatedStringMoves() throws {
        let source = """
            mov %rdi,%r8
            mov $0x4,%ecx
            mov $0x0101010101010101,%rax
            rep stos %rax,%es:(%rdi)
            mov %r8,%rsi
            lea 0x40(%r8),%rdi
            mov $0x20,%ecx
            rep movsb %ds:(%rsi),%es:(%rdi)
            mov %r8,%rsi
            lea 0x40(%r8),%rdi
            mov $0x20,%ecx
            repz cmpsb %es:(%rdi),%ds:(%rsi)
            sete %al
            movzbl %al,%eax
            add %rcx,%rax
            add 0x58(%r8),%rax
            ret
            """
        let value = try Self.run(source) { m in [m.machine.allocate(size: 0x100)] }
        // sete → 1, rcx → 0, the copied quadword at +0x58 = 0x0101010101010101.
        #expect(value == 0x0101_0101_0101_0102)
    }

    /// 8-bit division uses AX: 1000 / 7 = 142 r 6 → AL = 0x8e, AH = 6 → AX = 0x068e.
    @Test func byteDivisionUsesAHAndAL() throws {
        #expect(try Self.run("mov $0x3e8,%eax\nmov $0x7,%cl\ndiv %cl\nmovzwl %ax,%eax\nret") == 0x068e)
    }

    /// High-byte registers and 16-bit merges: rax = 0x1122334455667788; mov %al,%ah → ...8888;
    /// mov $0xbeef,%ax → ...beef (upper 48 bits kept); a 32-bit write zero-extends.
    @Test func partialRegisterWrites() throws {
        #expect(try Self.run("movabs $0x1122334455667788,%rax\nmov %al,%ah\nret") == 0x1122_3344_5566_8888)
        #expect(try Self.run("movabs $0x1122334455667788,%rax\nmov $0xbeef,%ax\nret") == 0x1122_3344_5566_beef)
        #expect(try Self.run("movabs $0x1122334455667788,%rax\nadd $0x0,%eax\nret") == 0x5566_7788)
    }

    /// enter $16,$0 then leave restores rsp/rbp; loop runs rcx times (5 + 4 + ... + 1 = 15).
    @Test func enterLeaveAndLoop() throws {
        let source = """
            mov %rsp,%rdx
            enter $0x10,$0x0
            leave
            sub %rsp,%rdx
            mov $0x5,%ecx
            xor %eax,%eax
            again: add %rcx,%rax
            loop again
            add %rdx,%rax
            ret
            """
        #expect(try Self.run(source) == 15)
    }

    /// bt with a register bit offset on memory addresses bits beyond the operand: bit 70 of a buffer whose
    /// byte 8 is 0x40 (bit 6 of the second quadword = bit 70) is set → CF = 1.
    @Test func bitTestBeyondTheOperand() throws {
        let source = "mov $70,%ecx\nbt %rcx,(%rdi)\nsetb %al\nmovzbl %al,%eax\nret"
        let value = try Self.run(source) { m in
            let buffer = m.machine.allocate(size: 16)
            try m.machine.memory.kernelWrite(buffer + 8, bytes: [0x40])
            return [buffer]
        }
        #expect(value == 1)
    }

    /// A jump table through memory: index 2 of [a, b, c] jumps to c, which returns 30.
    @Test func jumpTableThroughMemory() throws {
        let source = """
            jmp *table(,%rdi,8)
            a: mov $10,%eax
            ret
            b: mov $20,%eax
            ret
            c: mov $30,%eax
            ret
            table: .quad a, b, c
            """
        #expect(try Self.run(source, [2]) == 30)
    }

    /// lock cmpxchg succeeds when the accumulator matches (memory takes the new value, ZF set) and otherwise
    /// loads the memory value into the accumulator (ZF clear).
    @Test func cmpxchgBothOutcomes() throws {
        let source = """
            movq $5,(%rdi)
            mov $5,%eax
            mov $9,%ecx
            lock cmpxchg %rcx,(%rdi)
            sete %dl
            mov $7,%eax
            lock cmpxchg %rcx,(%rdi)
            setne %dh
            shl $8,%rax
            add (%rdi),%rax
            shl $16,%rax
            movzwl %dx,%edx
            add %rdx,%rax
            ret
            """
        let value = try Self.run(source) { m in [m.machine.allocate(size: 8)] }
        // rax = 9 (loaded on failure) → (9 << 8) + 9 = 0x909 → << 16 = 0x9090000; dl = 1, dh = 1 → + 0x101.
        #expect(value == 0x0909_0101)
    }
}
