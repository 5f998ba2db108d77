import Testing
import Machine
@testable import X86_64

/// Records every trap and resumes as a kprobe handler would (at the IP it sets, or skipping `ud2`).
final class RecordingHandler: TrapHandler {
    var traps: [(trap: Trap, ip: UInt64, flags: UInt64)] = []
    var onTrap: ((Trap, CPU) -> Void)?

    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        traps.append((trap, cpu.registers[X86PtRegs.ip], cpu.registers[X86PtRegs.flags]))
        onTrap?(trap, cpu)
        return .handled
    }
}

/// Exceptions as the architecture defines them (SDM Vol. 3, 6.15): where IP points, what the trap carries.
@Suite struct X86TrapTests {
    static func machine(_ source: String) throws -> (X86TestMachine, X86Assembler.Output) {
        let probe = Machine(core: X86Core(), cpuCount: 1)
        let origin = probe.allocateText(size: 0x1000)
        let output = try X86Assembler.assemble(source, origin: origin).get()
        // X86TestMachine allocates the first text page of a fresh machine: the same address.
        let m = try X86TestMachine(output.bytes)
        #expect(m.text == origin)
        return (m, output)
    }

    /// int3 is a trap: the handler sees IP = address + 1 (what kprobes' `regs->ip - 1` relies on).
    @Test func int3ReportsIPAfterIt() throws {
        let (m, out) = try Self.machine("mov $7,%eax\nbp: int3\nadd $1,%eax\nret")
        let handler = RecordingHandler()
        m.machine.traps.register(handler, for: .breakpoint)
        #expect(try m.call() == 8)
        let bp = try #require(out.labels["bp"])
        try #require(handler.traps.count == 1)
        #expect(handler.traps[0].trap.address == bp)
        #expect(handler.traps[0].ip == bp + 1)
    }

    /// A handler that moves IP is obeyed (the kprobe's "skip to slot" path).
    @Test func handlerChangesWhereExecutionResumes() throws {
        let (m, out) = try Self.machine("int3\nmov $1,%eax\nret\nother: mov $2,%eax\nret")
        let handler = RecordingHandler()
        let other = try #require(out.labels["other"])
        handler.onTrap = { _, cpu in cpu.registers[X86PtRegs.ip] = other }
        m.machine.traps.register(handler, for: .breakpoint)
        #expect(try m.call() == 2)
    }

    /// TF set by popf: #DB after each following instruction with IP at the next one, until TF is cleared.
    @Test func trapFlagSingleSteps() throws {
        let source = """
            pushf
            orq $0x100,(%rsp)
            popf
            a: mov $1,%eax
            b: add $2,%eax
            pushf
            andq $0xfffffffffffffeff,(%rsp)
            popf
            c: ret
            """
        let (m, out) = try Self.machine(source)
        let handler = RecordingHandler()
        m.machine.traps.register(handler, for: .debug)
        #expect(try m.call() == 3)
        let a = try #require(out.labels["a"]), b = try #require(out.labels["b"]), c = try #require(out.labels["c"])
        // popf (setting TF) itself does not trap; mov, add, pushf, andq and the clearing popf do.
        #expect(handler.traps.count == 5)
        #expect(handler.traps.first?.trap.address == a)
        #expect(handler.traps.first?.ip == b)
        #expect(handler.traps.last?.ip == c)
        #expect(handler.traps.allSatisfy { $0.flags & X86Flags.tf != 0 || $0.ip == c })
    }

    @Test func ud2IsUndefinedInstructionNamedInTheError() throws {
        let (m, _) = try Self.machine("ud2")
        #expect { _ = try m.call() } throws: { error in
            guard case .unhandledTrap(let trap, _) = error as? SimulationError else { return false }
            return trap.kind == .undefinedInstruction && (trap.instruction ?? "").contains("ud2")
        }
    }

    /// An instruction outside the executed subset raises #UD whose text is its disassembly and bytes.
    @Test func unimplementedInstructionIsNamed() throws {
        let (m, _) = try Self.machine("cpuid\nret")
        #expect { _ = try m.call() } throws: { error in
            guard case .unhandledTrap(let trap, _) = error as? SimulationError else { return false }
            return trap.kind == .undefinedInstruction && (trap.instruction ?? "").contains("cpuid")
                && (trap.instruction ?? "").contains("0f a2")
        }
    }

    /// Undecodable bytes (`06` is invalid in 64-bit mode) are #UD with the decoder's reason, not a crash.
    @Test func undecodableBytesTrap() throws {
        let m = try X86TestMachine([0x06])
        #expect { _ = try m.call() } throws: { error in
            guard case .unhandledTrap(let trap, _) = error as? SimulationError else { return false }
            return trap.kind == .undefinedInstruction && trap.address == m.text
        }
    }

    /// An instruction that runs off the end of executable memory faults on the next page (a #PF for the fetch,
    /// with the first unfetchable address), not #UD: `48 b8` + 8-byte immediate with only 4 bytes left in the page.
    @Test func instructionCrossingIntoUnmappedPageFaults() throws {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        let text = machine.allocateText(size: Memory.pageSize)
        let start = text + Memory.pageSize - 6
        try machine.memory.kernelWrite(start, bytes: [0x48, 0xb8, 1, 2, 3, 4])
        #expect { _ = try machine.call(start) } throws: { error in
            guard case .unhandledTrap(let trap, _) = error as? SimulationError else { return false }
            return trap.kind == .pageFault && trap.address == start && trap.fault?.address == text + Memory.pageSize
                && trap.fault?.access == .execute
        }
    }

    /// A load from an unmapped address: #PF carrying the fault, IP still at the faulting instruction.
    @Test func pageFaultCarriesTheAccess() throws {
        let (m, _) = try Self.machine("mov $0x1000,%rax\nf: mov (%rax),%rcx\nret")
        let handler = RecordingHandler()
        handler.onTrap = { _, cpu in cpu.registers[X86PtRegs.ip] = cpu.registers[X86PtRegs.ip] + 3 }
        m.machine.traps.register(handler, for: .pageFault)
        _ = try m.call()
        let fault = try #require(handler.traps.first?.trap.fault)
        #expect(fault.address == 0x1000 && fault.access == .read && !fault.pagePresent)
        #expect(handler.traps.first?.ip == m.text + 7)
    }

    /// cli/sti/pushf/popf: IF is modelled and visible to the scheduler.
    @Test func interruptFlagIsModelled() throws {
        let (m, _) = try Self.machine("cli\npushf\npop %rax\nsti\nret")
        let value = try m.call()
        #expect(value & X86Flags.if == 0)
        #expect(value & 2 != 0)
        #expect(m.machine.core.interruptsEnabled(m.machine.cpus[0]))
    }

    /// Rewriting code that already ran (a text poke) is seen on the next execution: the decode cache drops it.
    @Test func textPokeInvalidatesTheDecodeCache() throws {
        let (m, out) = try Self.machine("f: mov $1,%eax\nret")
        #expect(try m.call() == 1)
        let f = try #require(out.labels["f"])
        // b8 01 00 00 00 -> b8 05 00 00 00 (poke the immediate, one byte inside the instruction).
        try m.machine.pokeText(f + 1, bytes: [5])
        #expect(try m.call() == 5)
    }
}
