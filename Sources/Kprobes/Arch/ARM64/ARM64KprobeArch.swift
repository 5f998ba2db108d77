import Machine
import ARM64

/// The arm64 kprobe mechanism. kernel: arch/arm64/kernel/probes/kprobes.c, decode-insn.c, simulate-insn.c (6.1).
///
/// A probe writes `BRK #0x004` over the instruction. Steppable instructions are copied into an 8-byte slot
/// followed by `BRK #0x006`; the CPU runs the copy with all of DAIF masked and the second BRK brings it back.
/// Branches, ADR/ADRP and literal loads are simulated in the first trap; everything else is refused.
/// The legacy profile steps a 4-byte slot with the hardware single-step instead (5.4's kprobes.c:
/// `kernel_enable_single_step`, `kprobe_single_step_handler`), masking only PSTATE.I.
final class ARM64KprobeArch: TrapHandler, KprobeArch {
    /// `MAX_INSN_SIZE`: 2 instructions since the BRK single-step change, 1 before it.
    static func slotSize(_ profile: KernelProfile) -> Int { profile.arm64SingleStep == .brkAfterCopy ? 8 : 4 }
    static let kprobeBRK: UInt32 = 0xD420_0080   // BRK #0x004 (KPROBES_BRK_IMM)
    static let singleStepBRK: UInt32 = 0xD420_00C0 // BRK #0x006 (KPROBES_BRK_SS_IMM)
    static let kprobeImmediate: UInt32 = 0x004
    static let singleStepImmediate: UInt32 = 0x006
    /// `MAX_ATOMIC_CONTEXT_SIZE`: how far back the LDXR..STXR scan looks.
    static let maxAtomicContext: UInt64 = 32
    /// pt_regs slots, as the arm64 core lays out its register file.
    static let pcSlot = ARM64PtRegs.pc, pstateSlot = ARM64PtRegs.pstate
    static let daifMask: UInt64 = 0x3C0

    // Strong `let`s: read from the guaranteed `self` they cost no reference counting, where an unowned(unsafe)
    // reference is retained around every use on the trap path. The machine's trap table holds this back end,
    // which holds the manager, which holds the machine: all live as long as the machine, as they did before.
    private let manager: KprobeManager
    private let machine: Machine
    /// Read once: the trap path must not copy the profile (it holds a String) on every hit.
    private let brkStep: Bool
    private let profile: KernelProfile

    init(manager: KprobeManager) {
        self.manager = manager
        self.machine = manager.machine
        self.profile = manager.profile
        self.brkStep = manager.profile.arm64SingleStep == .brkAfterCopy
    }

    var breakpoint: [UInt8] { le(ARM64KprobeArch.kprobeBRK) }

    /// arm64 has no entry adjustment: `on_func_entry` is offset 0. kernel: kernel/kprobes.c (generic
    /// arch_adjust_kprobe_addr).
    func adjustAddress(symbolStart: UInt64, offset: UInt64) throws(Errno) -> (address: UInt64, onFunctionEntry: Bool) {
        (symbolStart + offset, offset == 0)
    }

    // MARK: Preparation

    /// kernel: arch_prepare_kprobe, arm_kprobe_decode_insn.
    func prepare(_ p: Kprobe) throws(Errno) {
        guard let address = p.address, address & 3 == 0 else { throw .EINVAL }
        guard let word = try? machine.memory.kernelRead(address, size: 4) else { throw .EINVAL }
        let insn = UInt32(truncatingIfNeeded: word)
        p.opcode = le(insn)
        let decoded = decode(insn)
        if case .rejected = decoded { throw .EINVAL }
        if isInsideAtomicSequence(address) { throw .EINVAL }
        switch decoded {
        case .rejected:
            throw .EINVAL
        case .simulate(let simulation):
            p.ainsn = .arm64(ARM64ProbeInsn(instruction: insn, slot: nil, restore: 0, simulation: simulation))
        case .step:
            let slot = manager.slots.allocate()
            let bytes = brkStep ? le(insn) + le(ARM64KprobeArch.singleStepBRK) : le(insn)
            do { try machine.pokeText(slot, bytes: bytes) } catch {
                manager.slots.free(slot)
                throw .ENOMEM
            }
            manager.record(nil, .slotPrepared(address: address, slot: slot, bytes: bytes))
            p.ainsn = .arm64(ARM64ProbeInsn(instruction: insn, slot: slot, restore: address + 4, simulation: nil))
        }
    }

    enum Decoded { case step, simulate(ARM64Simulation), rejected }

    /// `arm_kprobe_decode_insn` + `arm_probe_decode_insn`: literal loads first, then steppable, then the
    /// simulated branch and ADR forms; anything else is rejected.
    func decode(_ insn: UInt32) -> Decoded {
        typealias M = ARM64InsnMask
        if M.isLDRLiteral(insn) { return .simulate(.ldrLiteral) }
        if M.isLDRSWLiteral(insn) { return .simulate(.ldrswLiteral) }
        if profile.arm64SimulatesNop && M.isNOP(insn) { return .simulate(.nop) }
        if isSteppable(insn) { return .step }
        if M.isBcond(insn) { return .simulate(.bCond) }
        if M.isCBZ(insn) || M.isCBNZ(insn) { return .simulate(.cbzCbnz) }
        if M.isTBZ(insn) || M.isTBNZ(insn) { return .simulate(.tbzTbnz) }
        if M.isADR(insn) || M.isADRP(insn) { return .simulate(.adrAdrp) }
        if M.isB(insn) || M.isBL(insn) { return .simulate(.bBl) }
        if M.isBR(insn) || M.isBLR(insn) || M.isRET(insn) { return .simulate(.brBlrRet) }
        return .rejected
    }

    /// kernel: aarch64_insn_is_steppable (decode-insn.c).
    private func isSteppable(_ insn: UInt32) -> Bool {
        typealias M = ARM64InsnMask
        if M.isClassBranchSys(insn) {
            if M.isBranch(insn) || M.isMSRImmediate(insn) || M.isMSRRegister(insn) || M.isException(insn)
                || M.isERET(insn) || M.isERETAuth(insn) { return false }
            // MRS is steppable except for reading DAIF (its value would be the masked one in the slot).
            if M.isMRS(insn) { return M.systemRegister(insn) != M.daifRegister }
            if M.isHint(insn) { return M.isSteppableHint(insn) }
            return true
        }
        return !(M.usesLiteral(insn) || M.isExclusive(insn))
    }

    /// kernel: is_probed_address_atomic — scanning back from the instruction before the probe, at most 32
    /// instructions or to the symbol start, a load-exclusive before any store-exclusive means the probe would sit
    /// inside an LL/SC sequence. Reads recover the original words of other probes' breakpoints.
    private func isInsideAtomicSequence(_ address: UInt64) -> Bool {
        guard let hit = machine.symbols.lookup(containing: address) else { return false }
        let limit = min(hit.offset / 4, ARM64KprobeArch.maxAtomicContext)
        var distance: UInt64 = 1
        while distance <= limit {
            let at = address - 4 * distance
            let word: UInt32
            if let other = manager.get(at), other.opcode.count == 4 {
                word = UInt32(other.opcode[0]) | UInt32(other.opcode[1]) << 8 | UInt32(other.opcode[2]) << 16
                    | UInt32(other.opcode[3]) << 24
            } else if let raw = try? machine.memory.kernelRead(at, size: 4) {
                word = UInt32(truncatingIfNeeded: raw)
            } else {
                return false
            }
            if ARM64InsnMask.isStoreExclusive(word) { return false }
            if ARM64InsnMask.isLoadExclusive(word) { return true }
            distance += 1
        }
        return false
    }

    // MARK: Traps

    /// `brk_handler` / `do_debug_exception` / `do_page_fault` reaching kprobes: the kretprobe trampoline's BRK goes
    /// to the return path (policy, in the manager), the rest to the arch handlers.
    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        switch trap.kind {
        case .breakpoint where trap.detail == ARM64KprobeArch.kretprobeImmediate && trap.address == manager.trampoline:
            return manager.kretprobeReturn(cpu: cpu, frame: cpu.registers.words[ARM64PtRegs.fp], arch: self)
        case .breakpoint where trap.detail == ARM64KprobeArch.kprobeImmediate:
            return breakpointHandler(cpu: cpu)
        case .breakpoint where trap.detail == ARM64KprobeArch.singleStepImmediate
                && brkStep:
            return singleStepHandler(cpu: cpu)
        case .debug where !brkStep:
            return singleStepHandler(cpu: cpu)
        case .pageFault:
            return faultHandler(cpu: cpu, trap: trap)
        default:
            return .notHandled
        }
    }

    /// kernel: kprobe_breakpoint_handler → kprobe_handler. The BRK leaves `pc` at the probed address. The probe
    /// is used as a guaranteed reference (no retain): the table or, once it is `current_kprobe`, the manager keeps
    /// it alive for the hit.
    @inline(__always)
    private func breakpointHandler(cpu: CPU) -> TrapResult {
        let r = cpu.registers.words
        let address = r[ARM64KprobeArch.pcSlot]
        let kcb = manager.controlBlock(cpu)
        guard let probe = manager.table.lookup(address) else {
            // The breakpoint was removed right after it was hit: return to the original instruction.
            return .handled
        }
        return probe._withUnsafeGuaranteedRef { p in
            manager.record(cpu, .trap(address: address, ip: address))
            if !kcb.isIdle {
                // reenter_kprobe: only HIT_ACTIVE and HIT_SSDONE can nest; a hit while stepping is fatal on arm64.
                switch kcb.status {
                case .hitActive, .hitSSDone:
                    manager.incrementMissed(p, cpu: cpu)
                    return setupSingleStep(p, cpu: cpu, kcb: kcb, reenter: true)
                default:
                    // The message changed with the BRK single-step rework; the hardware-step era printed the older one.
                    let message = brkStep
                        ? "Failed to recover from reentered kprobes." : "Unrecoverable kprobe detected."
                    return manager.bug(message, address: address, cpu: cpu)
                }
            }
            kcb.current = p
            return manager.handleHit(p, cpu: cpu, kcb: kcb, arch: self) { setupSingleStep($0, cpu: cpu, kcb: kcb, reenter: false) }
        }
    }

    /// kernel: setup_singlestep — with a slot, save and mask DAIF and send the CPU to the slot; without one,
    /// simulate and post-process at once. A simulated literal load that faults is the kernel's own access in the
    /// BRK handler, which nothing fixes up: the oops ("Unable to handle kernel paging request").
    @inline(__always)
    private func setupSingleStep(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock, reenter: Bool) -> TrapResult {
        if reenter {
            kcb.savePrevious()
            kcb.current = p
            manager.setStatus(kcb, .reenter, cpu: cpu)
        } else {
            manager.setStatus(kcb, .hitSS, cpu: cpu)
        }
        guard case .arm64(let insn) = p.ainsn else { return .handled }
        let r = cpu.registers.words
        if let slot = insn.slot {
            switch profile.arm64SingleStep {
            case .brkAfterCopy:
                kcb.savedFlags = r[ARM64KprobeArch.pstateSlot] & ARM64KprobeArch.daifMask
                r[ARM64KprobeArch.pstateSlot] |= ARM64KprobeArch.daifMask
            case .hardwareStep:
                // kprobes_save_local_irqflag (5.4): IRQs off; kernel_enable_single_step: MDSCR.SS and PSTATE.SS.
                kcb.savedFlags = r[ARM64KprobeArch.pstateSlot]
                r[ARM64KprobeArch.pstateSlot] |= ARM64PtRegs.psrI | ARM64PtRegs.psrSS
                r[ARM64PtRegs.mdscr] |= ARM64PtRegs.mdscrSS
            }
            r[ARM64KprobeArch.pcSlot] = slot
            manager.record(cpu, .slotStep(address: p.address ?? 0, slot: slot, kind: .singleStep))
        } else if let simulation = insn.simulation {
            if let fault = simulate(simulation, insn.instruction, at: p.address ?? 0, cpu: cpu) {
                return .fatal(.unhandledTrap(Trap(kind: .pageFault, address: p.address ?? 0, fault: fault), cpu: cpu.id))
            }
            manager.record(cpu, .simulated(address: p.address ?? 0, instruction: simulation.name, resumeAt: r[ARM64KprobeArch.pcSlot]))
            postKprobeHandler(p, cpu: cpu, kcb: kcb)
        }
        return .handled
    }

    /// kernel: kprobe_breakpoint_ss_handler — ours only if a probe is stepping and the BRK is its slot's second
    /// word; the hardware-step era's kprobe_single_step_handler matches the same address (slot + 4) and turns
    /// the step off again.
    @inline(__always)
    private func singleStepHandler(cpu: CPU) -> TrapResult {
        let r = cpu.registers.words
        let kcb = manager.controlBlock(cpu)
        guard let handle = kcb.currentHandle, kcb.status == .hitSS || kcb.status == .reenter else { return .notHandled }
        return handle._withUnsafeGuaranteedRef { current in
            guard let slot = current.ainsn.slot, slot + 4 == r[ARM64KprobeArch.pcSlot] else { return .notHandled }
            if !brkStep { r[ARM64PtRegs.mdscr] &= ~ARM64PtRegs.mdscrSS }
            restoreInterruptFlags(kcb, cpu: cpu)
            postKprobeHandler(current, cpu: cpu, kcb: kcb)
            return .handled
        }
    }

    /// kernel: post_kprobe_handler.
    @inline(__always)
    private func postKprobeHandler(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock) {
        let r = cpu.registers.words
        if case .arm64(let insn) = p.ainsn, insn.restore != 0 {
            r[ARM64KprobeArch.pcSlot] = insn.restore
            manager.record(cpu, .slotReturn(address: p.address ?? 0, resumeAt: insn.restore))
        }
        manager.finishHit(p, cpu: cpu, kcb: kcb)
    }

    /// kernel: kprobe_fault_handler — a fault raised by the copy in the slot: back to the probe address, the
    /// hardware step off (legacy), state restored, and the fault continues as a normal fault. 6.0/6.1 restore
    /// the saved DAIF for HIT_SS (kprobes_restore_local_irqflag); 5.4 does not (PSTATE stays as masked for the
    /// step: `KernelProfile.arm64FaultInSlotRestoresInterruptMask`). REENTER only restores the previous kprobe.
    /// With a user fault_handler (legacy profile), a fault inside a pre/post handler counts as missed and goes
    /// to that handler first, with the fault's ESR as `trapnr` (5.4: `cur->fault_handler(cur, regs, fsr)`, fsr
    /// being do_page_fault's `esr`).
    private func faultHandler(cpu: CPU, trap: Trap) -> TrapResult {
        let kcb = manager.controlBlock(cpu)
        guard let current = kcb.current, let address = current.address else { return .notHandled }
        let r = cpu.registers.words
        switch kcb.status {
        case .hitSS, .reenter:
            // The faulting data address (FAR_EL1), as x86 records cr2.
            manager.record(cpu, .faultInSlot(address: address, faultAddress: trap.fault?.address ?? 0))
            r[ARM64KprobeArch.pcSlot] = address
            if !brkStep { r[ARM64PtRegs.mdscr] &= ~ARM64PtRegs.mdscrSS }   // kernel_disable_single_step (5.4)
            if kcb.status == .reenter {
                kcb.restorePrevious()
            } else {
                if profile.arm64FaultInSlotRestoresInterruptMask { restoreInterruptFlags(kcb, cpu: cpu) }
                kcb.current = nil
                kcb.status = .idle
            }
        case .hitActive where profile.hasFaultHandler, .hitSSDone where profile.hasFaultHandler:
            manager.incrementMissed(current, cpu: cpu)
            let esr = ARM64KprobeArch.syndrome(of: trap.fault)
            if manager.callUserFaultHandler(current, cpu: cpu, trapnr: Int32(bitPattern: esr)) { return .handled }
        default:
            break
        }
        return .notHandled
    }

    /// The ESR_EL1 value of a fault taken from EL1 (Arm ARM D13.2.37 ESR_ELx, "ISS encoding for an exception
    /// from a Data Abort" / "from an Instruction Abort"):
    ///   EC  [31:26] 0x25 data abort without a change in exception level (0x21 instruction abort)
    ///   IL  [25]    1, a 32-bit instruction
    ///   ISV [24]    0, no instruction syndrome (the architecture only guarantees it for stage 2 aborts)
    ///   WnR [6]     1 for a write (data aborts only)
    ///   DFSC/IFSC [5:0] 0b000111 translation fault, level 3 (nothing mapped); 0b001111 permission fault,
    ///               level 3 (mapped without the access). The simulator's page map is one level, so it reports
    ///               the level of a page entry; a real kernel may report a lower level for an address with no
    ///               table at all.
    /// So a read of an unmapped address is 0x96000007, a write 0x96000047; permission faults 0x9600000f and
    /// 0x9600004f; fetches 0x86000007 / 0x8600000f.
    static func syndrome(of fault: MemoryFault?) -> UInt32 {
        guard let fault else { return 0 }
        let ec: UInt32 = fault.access == .execute ? 0x21 : 0x25
        let il: UInt32 = 1 << 25
        let wnr: UInt32 = fault.access == .write ? 1 << 6 : 0
        let status: UInt32 = fault.pagePresent ? 0b00_1111 : 0b00_0111
        return ec << 26 | il | wnr | status
    }

    /// kernel: kprobes_restore_local_irqflag — all of DAIF since the BRK rework, only PSTATE.I before it.
    private func restoreInterruptFlags(_ kcb: KprobeControlBlock, cpu: CPU) {
        let r = cpu.registers.words
        let mask = brkStep ? ARM64KprobeArch.daifMask : ARM64PtRegs.psrI
        r[ARM64KprobeArch.pstateSlot] = (r[ARM64KprobeArch.pstateSlot] & ~mask) | (kcb.savedFlags & mask)
    }

    // MARK: kretprobes

    static let kretprobeImmediate: UInt32 = 0x007

    /// `__kretprobe_trampoline` as `BRK #0x007` (KRETPROBES_BRK_IMM), the trampoline of later kernels; 6.1's
    /// saves the registers in assembly and calls trampoline_probe_handler, with the same register view.
    var kretprobeTrampoline: [UInt8] { le(0xD420_0000 | ARM64KprobeArch.kretprobeImmediate << 5) }

    /// kernel: arch_prepare_kretprobe — the return address is the link register, the frame the frame pointer.
    func prepareKretprobe(_ instance: KretprobeInstance, cpu: CPU, trampoline: UInt64) {
        let r = cpu.registers.words
        instance.returnAddress = r[ARM64PtRegs.lr]
        instance.frame = r[ARM64PtRegs.fp]
        r[ARM64PtRegs.lr] = trampoline
    }

    /// The trampoline returns with `lr` = the real return address too (kprobes_trampoline.S: `mov lr, x0`).
    func resumeAfterKretprobe(cpu: CPU, returnAddress: UInt64) {
        cpu.registers.words[ARM64KprobeArch.pcSlot] = returnAddress
        cpu.registers.words[ARM64PtRegs.lr] = returnAddress
    }

    /// kernel: kernel/kprobes.c __kretprobe_trampoline_handler.
    var kretprobeLostMessage: String {
        "kretprobe: Return address not found, not execute handler. Maybe there is a bug in the kernel."
    }

    // MARK: Simulation

    /// kernel: simulate-insn.c. `address` is the probe address (where the instruction really is). Returns the fault
    /// of a literal load whose target cannot be read (nil otherwise).
    private func simulate(_ simulation: ARM64Simulation, _ insn: UInt32, at address: UInt64, cpu: CPU) -> MemoryFault? {
        let r = cpu.registers.words
        let pc = ARM64KprobeArch.pcSlot
        func read(_ n: UInt32) -> UInt64 { n == 31 ? 0 : r[Int(n)] }   // pt_regs_read_reg: 31 reads as zero
        func write(_ n: UInt32, _ v: UInt64) { if n != 31 { r[Int(n)] = v } }
        func signExtend(_ value: UInt32, bits: UInt32) -> Int64 {
            Int64(Int32(bitPattern: value << (32 - bits)) >> (32 - bits))
        }
        let rt = insn & 0x1F
        switch simulation {
        case .nop:
            r[pc] = address + 4
        case .adrAdrp:
            let imm = signExtend(((insn >> 3) & 0x1F_FFFC) | ((insn >> 29) & 0x3), bits: 21)
            let value = insn & 0x8000_0000 != 0
                ? UInt64(bitPattern: imm << 12) &+ (address & ~0xFFF)
                : UInt64(bitPattern: imm) &+ address
            write(rt, value)
            r[pc] = r[pc] &+ 4
        case .bBl:
            let displacement = signExtend((insn & 0x3FF_FFFF) << 2, bits: 28)
            if insn & 0x8000_0000 != 0 { write(30, address + 4) }
            r[pc] = address &+ UInt64(bitPattern: displacement)
        case .bCond:
            let taken = ARM64KprobeArch.conditionHolds(insn & 0xF, pstate: r[ARM64KprobeArch.pstateSlot])
            r[pc] = address &+ (taken ? UInt64(bitPattern: signExtend(((insn >> 5) & 0x7FFFF) << 2, bits: 21)) : 4)
        case .brBlrRet:
            // The PC is written first, so `blr x30` jumps to the old x30.
            r[pc] = read((insn >> 5) & 0x1F)
            if (insn >> 21) & 0x3 == 1 { write(30, address + 4) }
        case .cbzCbnz:
            let value = insn & 0x8000_0000 != 0 ? read(rt) : read(rt) & 0xFFFF_FFFF
            let taken = insn & (1 << 24) != 0 ? value != 0 : value == 0
            r[pc] = address &+ (taken ? UInt64(bitPattern: signExtend(((insn >> 5) & 0x7FFFF) << 2, bits: 21)) : 4)
        case .tbzTbnz:
            let bit = ((insn & 0x8000_0000) >> 26) | ((insn >> 19) & 0x1F)
            let set = (read(rt) >> UInt64(bit)) & 1 != 0
            let taken = insn & (1 << 24) != 0 ? set : !set
            r[pc] = address &+ (taken ? UInt64(bitPattern: signExtend(((insn >> 5) & 0x3FFF) << 2, bits: 16)) : 4)
        case .ldrLiteral:
            // kernel: simulate-insn.c simulate_ldr_literal. X form: eight bytes. W form: four bytes
            // (READ_ONCE(*(u32 *)), 6.1 stable with 50f813e57601), or eight bytes truncated by set_w_reg before
            // that fix (`KernelProfile.arm64LiteralWLoadReadsDoubleword`).
            let target = address &+ UInt64(bitPattern: signExtend(((insn >> 5) & 0x7FFFF) << 2, bits: 21))
            let value: UInt64
            do {
                if insn & (1 << 30) != 0 || profile.arm64LiteralWLoadReadsDoubleword {
                    value = try machine.memory.read64(target)
                } else {
                    value = UInt64(try machine.memory.read32(target))
                }
            } catch { return error }
            write(rt, insn & (1 << 30) != 0 ? value : value & 0xFFFF_FFFF)
            r[pc] = r[pc] &+ 4
        case .ldrswLiteral:
            // kernel: simulate-insn.c simulate_ldrsw_literal: four bytes as s32, sign-extended by set_x_reg.
            let target = address &+ UInt64(bitPattern: signExtend(((insn >> 5) & 0x7FFFF) << 2, bits: 21))
            let value: UInt32
            do { value = try machine.memory.read32(target) } catch { return error }
            write(rt, UInt64(bitPattern: Int64(Int32(bitPattern: value))))
            r[pc] = r[pc] &+ 4
        }
        return nil
    }

    /// The A64 condition codes over PSTATE.NZCV. kernel: arch/arm64/kernel/armv8_deprecated.c /
    /// arch/arm64/kernel/insn.c aarch32_opcode_cond_checks (AL and NV both always true).
    static func conditionHolds(_ cond: UInt32, pstate: UInt64) -> Bool {
        let n = pstate & (1 << 31) != 0, z = pstate & (1 << 30) != 0
        let c = pstate & (1 << 29) != 0, v = pstate & (1 << 28) != 0
        switch cond {
        case 0x0: return z
        case 0x1: return !z
        case 0x2: return c
        case 0x3: return !c
        case 0x4: return n
        case 0x5: return !n
        case 0x6: return v
        case 0x7: return !v
        case 0x8: return c && !z
        case 0x9: return !c || z
        case 0xA: return n == v
        case 0xB: return n != v
        case 0xC: return !z && n == v
        case 0xD: return z || n != v
        default: return true
        }
    }

    private func le(_ word: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
}
