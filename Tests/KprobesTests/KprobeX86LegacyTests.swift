import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// x86_64 differences between the legacy (5.4, trap-flag) profile and 6.1: what arch_prepare_kprobe refuses, and
/// how TF and IF are handled around the out-of-line step and a fault in it; plus the 6.1 fault paths (IF after a
/// fault in the slot, a fault while REENTER).
@Suite("kprobes: x86_64 legacy refusals, TF/IF around the step, faults in the slot")
struct KprobeX86LegacyTests {
    /// Bytes checked with `x86_64-linux-gnu-objdump -D -b binary -mi386:x86-64` (binutils 2.40):
    ///   cc int3 · 8e d0 mov %eax,%ss · ff 1c 24 lcall *(%rsp) · ff 2c 24 ljmp *(%rsp) · ff 24 24 jmp *(%rsp) ·
    ///   ff 14 24 call *(%rsp) · 48 cf iretq · 0f 01 c1 vmcall.
    ///
    /// Legacy, kernel (5.4) arch/x86/kernel/kprobes/core.c: arch_prepare_kprobe → can_probe (boundary only) →
    /// arch_copy_kprobe → __copy_instruction, which fails (-EINVAL) only for someone else's breakpoint
    /// (`insn->opcode.bytes[0] == BREAKPOINT_INSTRUCTION`) and `insn_masking_exception` (mov/pop %ss); there is no
    /// prepare_emulation, so far and memory-indirect calls/jumps, iret and VMX instructions are single-stepped
    /// with TF like anything else. 6.1 (prepare_emulation, v5.13+) refuses those with -EOPNOTSUPP; the RFC
    /// ("x86/kprobes: Use int3 instead of debug trap for single-step") lists them as no longer probeable.
    static let refusalCases: [([UInt8], Errno?, Errno?)] = [
        ([0xcc], .EINVAL, .EINVAL),
        ([0x8e, 0xd0], .EINVAL, .EINVAL),
        ([0xff, 0x1c, 0x24], nil, .EOPNOTSUPP),
        ([0xff, 0x2c, 0x24], nil, .EOPNOTSUPP),
        ([0xff, 0x24, 0x24], nil, .EOPNOTSUPP),
        ([0xff, 0x14, 0x24], nil, .EOPNOTSUPP),
        ([0x48, 0xcf], nil, .EOPNOTSUPP),
        ([0x0f, 0x01, 0xc1], nil, .EOPNOTSUPP),
    ]

    @Test("legacy arms (copy in a slot for a TF step, no emulation) what 6.1 refuses with -EOPNOTSUPP; int3 and mov %ss are -EINVAL in both",
          arguments: refusalCases)
    func refusalsByProfile(bytes: [UInt8], legacy: Errno?, debian61: Errno?) throws {
        for (profile, errno) in [(KernelProfile.legacy, legacy), (.debian61, debian61)] {
            let lab = try KprobeLab(.x86_64, profile: profile)
            let address = try lab.define("insn", bytes: bytes + [0xc3])
            let probe = Kprobe(symbolName: "insn", postHandler: { _ in })
            if let errno {
                #expect(throws: errno, "\(profile)") { try lab.kprobes.register(probe) }
                #expect(try lab.bytes(address, bytes.count) == bytes)
            } else {
                try lab.kprobes.register(probe)
                // Armed, and the copy in the slot (followed by nothing or, when can_boost allows, a jmp back: never
                // an int3), to be stepped with TF.
                #expect(try lab.bytes(address, 1) == [0xcc])
                let slot = try #require(probe.slotAddress)
                #expect(try lab.bytes(slot, bytes.count) == bytes)
                #expect(probe.opcode == [bytes[0]])
                guard case .x86(let insn) = probe.ainsn else { Issue.record("not an x86 probe"); continue }
                #expect(insn.emulation == nil)
            }
        }
    }

    /// `cc` (int3) then `31 c0 xor %eax,%eax`, `c3 ret`. kernel (5.4) can_probe stops at an int3 met while
    /// decoding from the symbol start ("Another debugging subsystem might insert this breakpoint") → -EILSEQ;
    /// since v6.0 (2304d14db659 "x86/kprobes: Fix kprobes instruction boudary check with CONFIG_RETHUNK") only a
    /// kgdb breakpoint does, so 6.1 accepts the xor.
    @Test("an int3 before the probe point: -EILSEQ on legacy, accepted on 6.1")
    func int3BeforeProbe() throws {
        for profile in [KernelProfile.legacy, .debian61] {
            let lab = try KprobeLab(.x86_64, profile: profile)
            try lab.define("after_int3", bytes: [0xcc, 0x31, 0xc0, 0xc3])
            let probe = Kprobe(symbolName: "after_int3", offset: 1)
            if profile == .legacy {
                #expect(throws: Errno.EILSEQ) { try lab.kprobes.register(probe) }
            } else {
                try lab.kprobes.register(probe)
                #expect(probe.address == (try lab.address("after_int3", 1)))
            }
        }
    }

    /// kernel (5.4) setup_singlestep: `regs->flags |= X86_EFLAGS_TF; regs->flags &= ~X86_EFLAGS_IF;` (IF stays
    /// clear through the step, so no interrupt lands between the copy and the debug exception);
    /// resume_execution / kprobe_debug_handler: `regs->flags &= ~X86_EFLAGS_TF`, then
    /// `regs->flags |= kcb->kprobe_saved_flags` (IF back) before the post_handler.
    /// sum_to+0x13 `48 01 c2 add %rax,%rdx` (loops.objdump, O2), hit 11 times for n = 10.
    @Test("legacy: during the TF step IF is clear and TF set; the post_handler sees IF back and TF clear")
    func trapFlagStepMasksInterrupts() throws {
        let lab = try KprobeLab(.x86_64, profile: .legacy)
        var postFlags: [UInt64] = []
        let probe = Kprobe(symbolName: "sum_to", offset: 0x13, postHandler: { ctx in postFlags.append(ctx.regs[X86PtRegs.flags]) })
        try lab.kprobes.register(probe)
        final class Observer: TrapHandler {
            var flags: [UInt64] = []
            override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
                flags.append(cpu.registers[X86PtRegs.flags])
                return .notHandled
            }
        }
        let observer = Observer()
        lab.machine.traps.register(observer, for: .debug, priority: Int.max)
        #expect(try lab.call("sum_to", [10]) == 55)
        #expect(observer.flags.count == 11)
        #expect(observer.flags.allSatisfy { $0 & X86Flags.tf != 0 && $0 & X86Flags.if == 0 })
        #expect(postFlags.count == 11)
        #expect(postFlags.allSatisfy { $0 & X86Flags.tf == 0 && $0 & X86Flags.if != 0 })
        #expect(lab.machine.cpus[0].registers[X86PtRegs.flags] & (X86Flags.tf | X86Flags.if) == X86Flags.if)
    }

    /// inet_bind+5 `66 83 3e 02 cmpw $0x2,(%rsi)` (lists.objdump, O2) with %rsi = 0x10 faults in the slot.
    /// kernel kprobe_fault_handler, both eras: `regs->ip = cur->addr`, `regs->flags |= kcb->kprobe_old_flags`
    /// (IF as it was before the hit) and reset_current_kprobe; the legacy one first clears TF
    /// (`regs->flags &= ~X86_EFLAGS_TF`: "Trap flag (TF) has been set here because this fault happened where the
    /// single stepping will be done"). A post_handler keeps the legacy probe from being boosted.
    @Test("a fault in the slot: ip back at the probe, IF restored, TF clear, no current kprobe",
          arguments: [KernelProfile.legacy, .debian61])
    func faultInSlotRestoresFlags(profile: KernelProfile) throws {
        let lab = try KprobeLab(.x86_64, profile: profile, files: ["lists"])
        let address = try lab.address("inet_bind", 5)
        let probe = Kprobe(symbolName: "inet_bind", offset: 5, postHandler: { _ in })
        try lab.kprobes.register(probe)
        final class Observer: TrapHandler {
            var flags: UInt64?
            override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
                if flags == nil { flags = cpu.registers[X86PtRegs.flags] }
                return .notHandled
            }
        }
        let observer = Observer()
        lab.machine.traps.register(observer, for: .pageFault, priority: Int.max)
        lab.machine.ledger.isRecording = true
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("inet_bind", [0, 0x10, 16]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault && trap.fault?.address == 0x10)
        // At the fault, the step's masking was in force: IF clear (and TF set on legacy).
        let during = try #require(observer.flags)
        #expect(during & X86Flags.if == 0)
        #expect((during & X86Flags.tf != 0) == (profile == .legacy))
        let flags = lab.machine.cpus[0].registers[X86PtRegs.flags]
        #expect(flags & X86Flags.if != 0 && flags & X86Flags.tf == 0)
        #expect(lab.machine.cpus[0].registers[lab.pc] == address)
        #expect(lab.kprobes.controlBlock(lab.machine.cpus[0]).current == nil)
        #expect(lab.events().contains(.faultInSlot(address: address, faultAddress: 0x10)))
    }

    /// A fault by the copy of a probe stepped in REENTER: the outer probe's pre_handler (digit_count+0) calls
    /// inet_bind with %rsi = 0x10; its probe at +5 is hit while the outer one is active (reenter_kprobe: missed,
    /// stepped with status KPROBE_REENTER) and the copy faults. kernel (6.1) kprobe_fault_handler:
    /// `regs->ip = cur->addr; regs->flags |= kcb->kprobe_old_flags;` then
    /// `if (kcb->kprobe_status == KPROBE_REENTER) restore_previous_kprobe(kcb); else reset_current_kprobe();`
    /// so the outer probe is current again, KPROBE_HIT_ACTIVE. The unfixed fault then oopses (the run throws).
    @Test("6.1: a fault in the slot while REENTER restores the previous kprobe (restore_previous_kprobe)")
    func faultWhileReentered() throws {
        let lab = try KprobeLab(.x86_64, files: ["loops", "lists"])
        lab.kprobes.optimizationEnabled = false
        let inetBind = try lab.address("inet_bind")
        let nestedAddress = inetBind + 5
        let nested = Kprobe(address: nestedAddress, postHandler: { _ in })
        try lab.kprobes.register(nested)
        let kcb = lab.kprobes.controlBlock(lab.machine.cpus[0])
        var afterNested: (current: Kprobe?, status: KprobeStatus)?
        let outer = Kprobe(symbolName: "digit_count", preHandler: { ctx in
            _ = try? ctx.call(inetBind, arguments: [0, 0x10, 16])
            afterNested = (kcb.current, kcb.status)
            return 0
        })
        try lab.kprobes.register(outer)
        /// Runs after the kprobe fault handler (lower priority): the registers as kprobes left them for the
        /// page-fault code.
        final class After: TrapHandler {
            var ip: UInt64?, flags: UInt64?
            override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
                if ip == nil { ip = cpu.registers[X86PtRegs.ip]; flags = cpu.registers[X86PtRegs.flags] }
                return .notHandled
            }
        }
        let after = After()
        lab.machine.traps.register(after, for: .pageFault, priority: 0)
        lab.machine.ledger.isRecording = true
        let error = #expect(throws: SimulationError.self) { _ = try lab.call("digit_count", [5]) }
        guard case .unhandledTrap(let trap, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(trap.kind == .pageFault && trap.fault?.address == 0x10)
        #expect(nested.nmissed == 1)
        #expect(after.ip == nestedAddress)
        #expect(try #require(after.flags) & X86Flags.if != 0)
        let state = try #require(afterNested)
        #expect(state.current === outer && state.status == .hitActive)
        let events = lab.events()
        let reentered = try #require(events.firstIndex(of: .statusChange(cpu: 0, from: .hitActive, to: .reenter)))
        let fault = try #require(events.firstIndex(of: .faultInSlot(address: nestedAddress, faultAddress: 0x10)))
        #expect(reentered < fault)
    }
}
