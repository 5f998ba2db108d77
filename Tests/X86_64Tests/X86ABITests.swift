import Testing
import Machine
@testable import X86_64

/// The SysV calling convention and `pt_regs` layout (arch/x86/include/asm/ptrace.h), hand-derived.
@Suite struct X86ABITests {
    /// Eight arguments: six in registers, two on the stack above the return address; a weighted sum shows each
    /// landed in its place: 1*a + 2*b + ... + 8*h.
    @Test func eightArgumentsAndStackAlignment() throws {
        let source = """
            mov %rsp,%rax
            and $0xf,%eax
            cmp $0x8,%eax
            jne misaligned
            lea (%rdi,%rsi,2),%rax
            imul $3,%rdx,%rdx
            add %rdx,%rax
            lea (%rax,%rcx,4),%rax
            imul $5,%r8,%r8
            add %r8,%rax
            imul $6,%r9,%r9
            add %r9,%rax
            mov 0x8(%rsp),%rdx
            imul $7,%rdx,%rdx
            add %rdx,%rax
            mov 0x10(%rsp),%rdx
            shl $3,%rdx
            add %rdx,%rax
            ret
            misaligned: mov $-1,%rax
            ret
            """
        let output = try X86Assembler.assemble(source, origin: Machine(core: X86Core(), cpuCount: 1).allocateText(size: 1)).get()
        let m = try X86TestMachine(output.bytes)
        let args: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]
        // 1 + 20 + 300 + 4000 + 50000 + 600000 + 7000000 + 80000000
        #expect(try m.call(args) == 87_654_321)
    }

    @Test func ptRegsSlotsFollowTheKernel() {
        #expect(X86PtRegs.count == 21)
        #expect(X86PtRegs.slot(named: "r15") == 0 && X86PtRegs.slot(named: "bp") == 4 && X86PtRegs.slot(named: "ax") == 10)
        #expect(X86PtRegs.slot(named: "orig_ax") == 15 && X86PtRegs.slot(named: "ip") == 16 && X86PtRegs.slot(named: "ss") == 20)
        #expect(X86PtRegs.slot(named: "eax") == nil)
        // ModRM numbers 0..15 = rax rcx rdx rbx rsp rbp rsi rdi r8..r15.
        #expect(X86PtRegs.slotOfRegisterNumber == [10, 11, 12, 5, 19, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0])
        let regs = RegisterFile()
        X86Core().resetRegisters(regs)
        #expect(regs[X86PtRegs.cs] == 0x10 && regs[X86PtRegs.ss] == 0x18)
        #expect(regs[X86PtRegs.flags] & 0x202 == 0x202)
    }

    /// regs_get_kernel_argument: arguments 7 and 8 are read from above the return address at entry.
    @Test func kernelArgumentReadsTheStack() throws {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        let stack = machine.allocate(size: 0x100)
        let cpu = machine.cpus[0]
        cpu.registers[X86PtRegs.sp] = stack + 0x100
        try machine.core.setUpCall(cpu, function: 0x1234, arguments: Array(1...8), returnAddress: 0xdead)
        #expect(cpu.registers[X86PtRegs.sp] % 16 == 8)
        #expect((0..<8).map { machine.core.argument(cpu, $0) } == Array(1...8))
        #expect(try machine.memory.kernelRead(cpu.registers[X86PtRegs.sp], size: 8) == 0xdead)
        #expect(cpu.registers[X86PtRegs.ip] == 0x1234)
    }

    /// A host function called from simulated code returns into it (completeHostCall pops the return address).
    @Test func hostFunctionReturnsToCaller() throws {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        let helper = machine.registerHostFunction("double_it") { _, cpu in .returnValue(cpu.registers[X86PtRegs.di] * 2) }
        let text = machine.allocateText(size: 0x100)
        let code = try X86Assembler.assemble("call 0x\(String(helper, radix: 16))\nadd $1,%rax\nret", origin: text).get()
        try machine.memory.kernelWrite(text, bytes: code.bytes)
        #expect(try machine.call(text, arguments: [20]) == 41)
    }
}
