import Machine
import X86_64

/// The x86_64 kprobe mechanism. kernel: arch/x86/kernel/kprobes/core.c — the int3 single-step of v5.13+ (6.1)
/// and, for the legacy profile, the trap-flag single-step with `resume_execution` of earlier kernels.
///
/// A probe writes `int3` (0xcc) over the first byte, keeping that byte in `opcode`. The whole instruction is
/// copied into a 15-byte slot (its RIP-relative displacement re-targeted) followed by `int3`, or by a `jmp` back
/// when boosted. Jumps, calls, returns, loops and IF modifiers are emulated in the first trap instead (6.1).
final class X86KprobeArch: TrapHandler, KprobeArch {
    /// `MAX_INSN_SIZE`: also the slot size.
    static let maxInsnSize = 15
    static let int3: UInt8 = 0xCC
    // pt_regs slots, as the x86_64 core lays out its register file.
    static let ip = X86PtRegs.ip, flags = X86PtRegs.flags, sp = X86PtRegs.sp, cx = X86PtRegs.cx
    // The trap paths edit TF and IF in the raw `flags` word: the core defers only the six status flags
    // (`RegisterFile`'s deferred flags), so those bits are always current there. Whatever reads or writes status
    // flags (the jcc/pushf/popf emulation) goes through the register file's subscript, which materialises them.
    static let flagIF: UInt64 = 1 << 9, flagTF: UInt64 = 1 << 8
    static let flagCF: UInt64 = 1 << 0, flagPF: UInt64 = 1 << 2, flagZF: UInt64 = 1 << 6
    static let flagSF: UInt64 = 1 << 7, flagOF: UInt64 = 1 << 11

    // Strong `let`s: read from the guaranteed `self` they cost no reference counting, where an unowned(unsafe)
    // reference is retained around every use on the trap path. The machine's trap table holds this back end,
    // which holds the manager, which holds the machine: all live as long as the machine, as they did before.
    let manager: KprobeManager
    let machine: Machine
    /// The profile, read once: the trap path must not copy it (it holds a String) on every hit.
    private let profile: KernelProfile
    private let trapFlagEra: Bool

    init(manager: KprobeManager) {
        self.manager = manager
        self.machine = manager.machine
        self.profile = manager.profile
        self.trapFlagEra = manager.profile.x86SingleStep == .trapFlag
    }

    var breakpoint: [UInt8] { [X86KprobeArch.int3] }

    // MARK: Address and preparation

    /// kernel: arch_adjust_kprobe_addr — a function starting with ENDBR64 is probed after it: `sym+0` becomes
    /// `sym+4`, and both count as the entry.
    func adjustAddress(symbolStart: UInt64, offset: UInt64) throws(Errno) -> (address: UInt64, onFunctionEntry: Bool) {
        guard let head = try? machine.memory.kernelRead(symbolStart, count: 4) else { throw .EINVAL }
        if head == [0xF3, 0x0F, 0x1E, 0xFA] {
            let onEntry = offset == 0 || offset == 4
            return (symbolStart + (onEntry ? 4 : offset), onEntry)
        }
        return (symbolStart + offset, offset == 0)
    }

    /// kernel: arch_prepare_kprobe → can_probe, get_insn_slot, arch_copy_kprobe.
    func prepare(_ p: Kprobe) throws(Errno) {
        guard let address = p.address else { throw .EINVAL }
        guard canProbe(address) else { throw .EILSEQ }
        let slot = manager.slots.allocate()
        do {
            try copy(p, at: address, into: slot)
        } catch {
            manager.slots.free(slot)
            throw error
        }
    }

    /// The bytes at `address` as they were before any kprobe wrote its int3 there. kernel: recover_probed_instruction.
    /// Reads up to 15 bytes, stopping at the end of mapped memory (an instruction at the end of text).
    func recoveredBytes(at address: UInt64) -> [UInt8]? {
        var bytes: [UInt8] = []
        for i in 0..<X86KprobeArch.maxInsnSize {
            guard let byte = try? machine.memory.kernelRead(address + UInt64(i), count: 1) else { break }
            bytes += byte
        }
        guard !bytes.isEmpty else { return nil }
        // __recover_optprobed_insn: bytes under an optimized jump are the int3 probe's opcode and the saved 4.
        for back in 0..<UInt64(X86KprobeArch.maxOptimizedLength) where back <= address {
            guard let entry = manager.get(address - back), let opt = entry.optinsn, opt.jumpWritten else { continue }
            let base = address - back
            for i in 0..<bytes.count {
                let at = address + UInt64(i)
                if at == base, let first = entry.opcode.first { bytes[i] = first }
                if at > base && at < base + 5 { bytes[i] = opt.copiedInsn[Int(at - base - 1)] }
            }
        }
        // __recover_probed_insn: an ftrace site is known to hold the ideal 5-byte NOP, whatever it holds now.
        if machine.ftraceLocations.contains(address) {
            for (i, byte) in FtraceSites.nop5.enumerated() where i < bytes.count { bytes[i] = byte }
        } else if let probe = manager.get(address), let first = probe.opcode.first {
            bytes[0] = first
        }
        return bytes
    }

    /// kernel: can_probe — decode from the containing symbol's start, one instruction at a time (recovering
    /// bytes under other probes), and the probe address must be exactly on a boundary. An `int3` found on the
    /// way is someone's breakpoint only in kernels before v6.0 (`x86CanProbeStopsAtInt3`); the simulator has no
    /// kgdb, the one owner later kernels still stop for.
    private func canProbe(_ address: UInt64) -> Bool {
        guard let hit = machine.symbols.lookup(containing: address) else { return false }
        var at = hit.symbol.address
        while at < address {
            guard let bytes = recoveredBytes(at: at), let insn = X86Instruction.kernelDecode(bytes) else { return false }
            if profile.x86CanProbeStopsAtInt3 && insn.isPrimary(X86KprobeArch.int3) { return false }
            at += UInt64(insn.length)
        }
        guard at == address else { return false }
        if profile.x86CanProbeRejectsTrapInstructions,
           let bytes = recoveredBytes(at: address), let insn = X86Instruction.kernelDecode(bytes), insn.isTrapInstruction {
            return false
        }
        return true
    }

    /// kernel: __copy_instruction — the recovered instruction at `address`, refused if it is someone else's
    /// int3 or masks exceptions (`mov ss`, `pop ss`), with a RIP-relative displacement re-targeted so the copy
    /// reaches the same byte when it runs at `real`.
    func copyInstruction(at address: UInt64, runningAt real: UInt64) throws(Errno) -> (bytes: [UInt8], insn: X86Instruction) {
        guard var buffer = recoveredBytes(at: address), let insn = X86Instruction.kernelDecode(buffer) else {
            throw .EINVAL
        }
        guard !insn.isPrimary(X86KprobeArch.int3), !insn.masksExceptions else { throw .EINVAL }
        buffer = Array(buffer[0..<insn.length])
        if let offset = insn.ripDisplacementOffset {
            let target = Int64(bitPattern: address) &+ insn.displacement
            let newDisplacement = target &- Int64(bitPattern: real)
            guard newDisplacement == Int64(Int32(truncatingIfNeeded: newDisplacement)) else { throw .EINVAL }
            let d = UInt32(bitPattern: Int32(truncatingIfNeeded: newDisplacement))
            for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: d >> (8 * UInt32(i))) }
        }
        return (buffer, insn)
    }

    /// kernel: arch_copy_kprobe (+ __copy_instruction, prepare_emulation, prepare_singlestep / prepare_boost).
    private func copy(_ p: Kprobe, at address: UInt64, into slot: UInt64) throws(Errno) {
        var (buffer, insn) = try copyInstruction(at: address, runningAt: slot)
        let emulation: X86Emulation?
        switch profile.x86SingleStep {
        case .int3AfterCopy: emulation = try prepareEmulation(insn)
        case .trapFlag: emulation = nil
        }
        let boostable = wantsBoost(p, insn, address: address)
        if boostable {
            // synthesize_reljump: jmp rel32 from the end of the copy back to the next original instruction.
            let from = Int64(bitPattern: slot) + Int64(insn.length) + 5
            let rel = Int64(bitPattern: address) + Int64(insn.length) - from
            buffer += [0xE9] + (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: Int32(truncatingIfNeeded: rel)) >> (8 * UInt32($0))) }
        } else if !trapFlagEra {
            guard buffer.count < X86KprobeArch.maxInsnSize else { throw .ENOSPC }
            buffer.append(X86KprobeArch.int3)
        }
        p.opcode = [buffer[0]]
        do { try machine.pokeText(slot, bytes: buffer) } catch { throw .ENOMEM }
        manager.record(nil, .slotPrepared(address: address, slot: slot, bytes: buffer))
        p.ainsn = .x86(X86ProbeInsn(
            slot: slot, length: insn.length, slotLength: buffer.count, emulation: emulation, boostable: boostable,
            ifModifier: insn.modifiesInterruptFlag, opcodeByte: insn.map == .primary ? insn.opcode : 0x0F,
            modrm: insn.modrm))
    }

    /// Boosting exists only without CONFIG_PREEMPTION. 6.1-era rule (prepare_singlestep): no post_handler at
    /// prepare time and `can_boost`; the trap-flag era boosted whatever `can_boost` allowed and checked the
    /// post_handler at hit time.
    private func wantsBoost(_ p: Kprobe, _ insn: X86Instruction, address: UInt64) -> Bool {
        guard !profile.preemptible, X86KprobeArch.maxInsnSize - insn.length >= 5, canBoost(insn) else { return false }
        switch profile.x86SingleStep {
        case .int3AfterCopy: return p.postHandler == nil
        case .trapFlag: return true
        }
    }

    /// kernel: can_boost. The int3 era (6.x) refuses the CS-override and address-size prefixes and judges group
    /// opcodes by their ModRM.reg; the trap-flag era used the coarser switch below. In 6.1 (preemptible, so never
    /// boosting) only jump optimization asks.
    func canBoost(_ insn: X86Instruction) -> Bool {
        guard insn.isLegacyEncoded else { return false }
        if insn.map == .map0F { return X86KprobeArch.twoByteBoostable[Int(insn.opcode)] }
        guard insn.map == .primary, !insn.prefixes.addressSize else { return false }
        let op = insn.opcode
        if !trapFlagEra {
            if insn.prefixes.segment == 0x2E { return false }
            switch op {
            case 0x62, 0x70...0x7F, 0x9A, 0xCC...0xCE, 0xD6, 0xD8...0xDF, 0xE0...0xE3, 0xE8, 0xE9, 0xEB, 0xF0...0xF4:
                return false
            case 0xC0, 0xC1, 0xD0...0xD3: return insn.reg != 6
            case 0xF6, 0xF7: return insn.reg != 1
            case 0xFE: return insn.reg <= 1
            case 0xFF: return [0, 1, 4].contains(insn.reg)
            default: return true
            }
        }
        switch op & 0xF0 {
        case 0x60: return op != 0x62
        case 0x70: return false
        case 0x90: return op != 0x9A
        case 0xC0: return (0xC1 < op && op < 0xCC) || op == 0xCF
        case 0xD0: return op == 0xD4 || op == 0xD5 || op == 0xD7
        case 0xE0: return op & 0x04 != 0 || op == 0xEA
        case 0xF0: return op == 0xF5 || (0xF7 < op && op < 0xFE)
        default: return op != 0x2E && op != 0x9A
        }
    }

    /// kernel: twobyte_is_boostable (rows 0x00..0xf0, bit per second opcode byte).
    static let twoByteBoostable: [Bool] = {
        let rows: [[UInt8]] = [
            [0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1], [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            [1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1],
            [1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1],
            [0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1], [0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0],
        ]
        return rows.flatMap { $0.map { $0 == 1 } }
    }()

    /// kernel: prepare_emulation (v5.13+). Throws -EOPNOTSUPP for what the kernel refuses to emulate.
    private func prepareEmulation(_ insn: X86Instruction) throws(Errno) -> X86Emulation? {
        guard insn.isLegacyEncoded else { return nil }
        if insn.map == .map0F {
            if insn.opcode & 0xF0 == 0x80 { return .jcc(type: insn.opcode & 0xF, rel32: insn.signedImmediate) }
            if insn.opcode == 0x01 && insn.reg == 0 && insn.mod == 3 { throw .EOPNOTSUPP }
            return nil
        }
        guard insn.map == .primary else { return nil }
        let op = insn.opcode
        switch op {
        case 0xFA: return .cli
        case 0xFB: return .sti
        case 0x9C: return .pushf
        case 0x9D: return .popf
        case 0xC2, 0xC3, 0xCA, 0xCB: return .ret
        case 0x9A, 0xEA, 0xCC, 0xCF: throw .EOPNOTSUPP
        case 0xE8: return .call(rel32: insn.signedImmediate)
        case 0xEB, 0xE9: return .jmp(rel32: insn.signedImmediate)
        case 0x70...0x7F: return .jcc(type: op & 0xF, rel32: insn.signedImmediate)
        case 0xE0...0xE3:
            return .loop(type: op & 3, addressBits: insn.addressBytes * 8, rel32: insn.signedImmediate)
        case 0xFF:
            let reg = insn.reg
            if reg == 3 || reg == 5 { throw .EOPNOTSUPP }
            guard reg == 2 || reg == 4 else { return nil }
            guard insn.addressBytes == 8, insn.mod == 3 else { throw .EOPNOTSUPP }
            let register = UInt8(insn.rmNumber)
            return reg == 2 ? .callIndirect(register: register) : .jmpIndirect(register: register)
        default:
            return nil
        }
    }

    // MARK: Traps

    /// `do_int3` / `do_debug` / `do_page_fault` reaching kprobes: first the trampolines of ftrace-based probes and
    /// kretprobes (policy, in the manager), then the arch handlers.
    override func handleTrap(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        switch trap.kind {
        case .breakpoint:
            if let ftrace = manager.ftrace, trap.address == ftrace.trampoline {
                return manager.ftraceTrampoline(cpu: cpu, ftrace: ftrace, arch: self)
            }
            // The `ret` into the kretprobe trampoline popped the swapped slot: the frame is the slot below `sp`.
            if trap.address == manager.trampoline {
                return manager.kretprobeReturn(cpu: cpu, frame: cpu.registers.words[X86KprobeArch.sp] &- 8, arch: self)
            }
            return int3Handler(cpu: cpu)
        case .debug: return debugHandler(cpu: cpu)
        case .pageFault: return faultHandler(cpu: cpu, trap: trap)
        default: return .notHandled
        }
    }

    /// kernel: kprobe_int3_handler. `regs->ip` is one past the int3. The probe is used as a guaranteed reference
    /// (no retain): the table or, once it is `current_kprobe`, the manager keeps it alive for the hit.
    @inline(__always)
    private func int3Handler(cpu: CPU) -> TrapResult {
        let r = cpu.registers.words
        let address = r[X86KprobeArch.ip] &- 1
        let kcb = manager.controlBlock(cpu)
        if let probe = manager.table.lookup(address) {
            return probe._withUnsafeGuaranteedRef { p in
                manager.record(cpu, .trap(address: address, ip: r[X86KprobeArch.ip]))
                if !kcb.isIdle {
                    // reenter_kprobe: x86 tolerates a hit while stepping; only a hit in REENTER is fatal.
                    switch kcb.status {
                    case .hitSSDone, .hitActive, .hitSS:
                        manager.incrementMissed(p, cpu: cpu)
                        setupSingleStep(p, cpu: cpu, kcb: kcb, reenter: true)
                        return .handled
                    default:
                        return manager.bug("Unrecoverable kprobe detected.", address: address, cpu: cpu)
                    }
                }
                setCurrent(p, cpu: cpu, kcb: kcb)
                return manager.handleHit(p, cpu: cpu, kcb: kcb, arch: self) {
                    setupSingleStep($0, cpu: cpu, kcb: kcb, reenter: false)
                    return .handled
                }
            }
        }
        if !trapFlagEra, kcb.status == .hitSS || kcb.status == .reenter, let current = kcb.currentHandle {
            let resumed = current._withUnsafeGuaranteedRef { current in
                guard case .x86(let insn) = current.ainsn,
                      insn.slot < r[X86KprobeArch.ip], r[X86KprobeArch.ip] < insn.slot + UInt64(X86KprobeArch.maxInsnSize) else { return false }
                // The int3 after the copy: back to original coordinates, then post-process.
                resumeSingleStep(current, slot: insn.slot, cpu: cpu, kcb: kcb)
                manager.finishHit(current, cpu: cpu, kcb: kcb)
                return true
            }
            if resumed { return .handled }
        }
        // The trap at the start of a detour buffer: a jump-optimized probe was hit.
        if let entry = manager.detours.get(address), let opt = entry.optinsn, opt.detour == address {
            return optimizedCallback(entry, opt, cpu: cpu)
        }
        if profile.x86RecoversVanishedInt3,
           let byte = try? machine.memory.kernelRead(address, count: 1), byte[0] != X86KprobeArch.int3 {
            // The breakpoint was removed right after it was hit: run the original instruction.
            r[X86KprobeArch.ip] = address
            return .handled
        }
        return .notHandled
    }

    /// kernel: set_current_kprobe — remembers TF and IF, and for IF modifiers drops IF from what is restored.
    private func setCurrent(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock) {
        kcb.current = p
        let saved = cpu.registers.words[X86KprobeArch.flags] & (X86KprobeArch.flagTF | X86KprobeArch.flagIF)
        kcb.oldFlags = saved
        kcb.savedFlags = saved
        if case .x86(let insn) = p.ainsn, insn.ifModifier { kcb.savedFlags &= ~X86KprobeArch.flagIF }
    }

    /// kernel: setup_singlestep (both eras).
    @inline(__always)
    private func setupSingleStep(_ p: Kprobe, cpu: CPU, kcb: KprobeControlBlock, reenter: Bool) {
        let r = cpu.registers.words
        // setup_detour_execution: an int3 hit on a probe being optimized runs the detour's copies instead of a
        // single step (no post_handler: optimized probes have none).
        if p.isOptimized, let opt = p.optinsn {
            r[X86KprobeArch.ip] = opt.copies
            if !reenter { kcb.current = nil }
            manager.record(cpu, .slotStep(address: p.address ?? 0, slot: opt.copies, kind: .detour))
            return
        }
        guard case .x86(let insn) = p.ainsn else { return }
        let boosted = !trapFlagEra ? insn.boostable : insn.boostable && !manager.hasPostHandler(p)
        if !profile.preemptible && boosted {
            // Boost: run the copy directly; its jmp returns to the next instruction. No post_handler, one trap.
            if !reenter { kcb.current = nil }
            r[X86KprobeArch.ip] = insn.slot
            manager.record(cpu, .slotStep(address: p.address ?? 0, slot: insn.slot, kind: .boosted))
            return
        }
        if reenter {
            kcb.savePrevious()
            setCurrent(p, cpu: cpu, kcb: kcb)
            manager.setStatus(kcb, .reenter, cpu: cpu)
        } else {
            manager.setStatus(kcb, .hitSS, cpu: cpu)
        }
        switch profile.x86SingleStep {
        case .int3AfterCopy:
            if let emulation = insn.emulation {
                emulate(emulation, length: insn.length, cpu: cpu)
                manager.record(cpu, .emulated(address: p.address ?? 0, instruction: emulation.name, resumeAt: r[X86KprobeArch.ip]))
                manager.finishHit(p, cpu: cpu, kcb: kcb)
                return
            }
            r[X86KprobeArch.flags] &= ~X86KprobeArch.flagIF
            r[X86KprobeArch.ip] = insn.slot
        case .trapFlag:
            r[X86KprobeArch.flags] |= X86KprobeArch.flagTF
            r[X86KprobeArch.flags] &= ~X86KprobeArch.flagIF
            // An int3 is single-stepped in place.
            r[X86KprobeArch.ip] = p.opcode.first == X86KprobeArch.int3 ? (p.address ?? 0) : insn.slot
        }
        manager.record(cpu, .slotStep(address: p.address ?? 0, slot: insn.slot, kind: .singleStep))
    }

    /// kernel: resume_singlestep — IF back, and the IP after the slot's int3 moved to original coordinates.
    /// Takes the slot, not the whole `X86ProbeInsn`, so the caller's copy of it need not outlive the match.
    private func resumeSingleStep(_ p: Kprobe, slot: UInt64, cpu: CPU, kcb: KprobeControlBlock) {
        let r = cpu.registers.words
        r[X86KprobeArch.flags] |= kcb.savedFlags
        r[X86KprobeArch.ip] = r[X86KprobeArch.ip] &+ ((p.address ?? 0) &- slot) &- 1
        manager.record(cpu, .slotReturn(address: p.address ?? 0, resumeAt: r[X86KprobeArch.ip]))
    }

    /// kernel: kprobe_debug_handler + resume_execution (trap-flag era): fix the IP and the return address for the
    /// instructions that ran relative to the slot, then the post_handler.
    private func debugHandler(cpu: CPU) -> TrapResult {
        guard trapFlagEra else { return .notHandled }
        let kcb = manager.controlBlock(cpu)
        guard let current = kcb.current, case .x86(var insn) = current.ainsn else { return .notHandled }
        let r = cpu.registers.words
        let original = current.address ?? 0
        r[X86KprobeArch.flags] &= ~X86KprobeArch.flagTF
        var adjustIP = true
        let tos = r[X86KprobeArch.sp]
        switch insn.opcodeByte {
        case 0x9C:
            // pushf pushed the stepping flags: put the caller's TF and IF back in the saved word.
            if let word = try? machine.memory.read64(tos) {
                try? machine.memory.write64(tos, (word & ~(X86KprobeArch.flagTF | X86KprobeArch.flagIF)) | kcb.oldFlags)
            }
        case 0xC2, 0xC3, 0xCA, 0xCB, 0xCF, 0xEA:
            insn.boostable = true
            adjustIP = false
        case 0xE8:
            if let word = try? machine.memory.read64(tos) { try? machine.memory.write64(tos, original &+ (word &- insn.slot)) }
        case 0xFF:
            let modrm = insn.modrm ?? 0
            if modrm & 0x30 == 0x10 {
                if let word = try? machine.memory.read64(tos) { try? machine.memory.write64(tos, original &+ (word &- insn.slot)) }
                adjustIP = false
            } else if modrm & 0x31 == 0x20 || modrm & 0x31 == 0x21 {
                insn.boostable = true
                adjustIP = false
            }
        default:
            break
        }
        current.ainsn = .x86(insn)
        if adjustIP { r[X86KprobeArch.ip] = r[X86KprobeArch.ip] &+ (original &- insn.slot) }
        manager.record(cpu, .slotReturn(address: original, resumeAt: r[X86KprobeArch.ip]))
        r[X86KprobeArch.flags] |= kcb.savedFlags
        if kcb.status != .reenter && manager.hasPostHandler(current) {
            manager.setStatus(kcb, .hitSSDone, cpu: cpu)
            manager.runPostHandler(current, cpu: cpu)
        }
        if kcb.status == .reenter { kcb.restorePrevious() } else { kcb.current = nil }
        // Someone else was single-stepping across the probe: the debug trap is theirs too.
        return r[X86KprobeArch.flags] & X86KprobeArch.flagTF != 0 ? .notHandled : .handled
    }

    /// kernel: kprobe_fault_handler — a fault by the copy in the slot rewinds to the probe address (which holds
    /// the int3 again, so the probe fires again once the fault is fixed); in the legacy profile a fault inside a
    /// handler counts as missed and goes to the user's fault_handler first.
    private func faultHandler(cpu: CPU, trap: Trap) -> TrapResult {
        let kcb = manager.controlBlock(cpu)
        guard let current = kcb.current, case .x86(let insn) = current.ainsn else { return .notHandled }
        let r = cpu.registers.words
        if r[X86KprobeArch.ip] == insn.slot {
            manager.record(cpu, .faultInSlot(address: current.address ?? 0, faultAddress: trap.fault?.address ?? 0))
            r[X86KprobeArch.ip] = current.address ?? 0
            r[X86KprobeArch.flags] &= ~X86KprobeArch.flagTF
            r[X86KprobeArch.flags] |= kcb.oldFlags
            if kcb.status == .reenter { kcb.restorePrevious() } else { kcb.current = nil }
        } else if profile.hasFaultHandler && (kcb.status == .hitActive || kcb.status == .hitSSDone) {
            manager.incrementMissed(current, cpu: cpu)
            // cur->fault_handler, aggr_fault_handler for an aggregator; trapnr 14 is X86_TRAP_PF.
            if manager.callUserFaultHandler(current, cpu: cpu, trapnr: 14) { return .handled }
        }
        return .notHandled
    }

    // MARK: Jump-optimized probes

    /// kernel: optimized_callback — a hit while another kprobe runs is missed; otherwise every enabled pre_handler
    /// runs with `ip = addr + 1`, and execution continues in the detour whatever they returned or set.
    func optimizedCallback(_ entry: Kprobe, _ opt: X86OptimizedInsn, cpu: CPU) -> TrapResult {
        let r = cpu.registers.words
        let kcb = manager.controlBlock(cpu)
        let address = entry.address ?? 0
        if !entry.isDisabled {
            if !kcb.isIdle {
                manager.incrementMissed(entry, cpu: cpu)
            } else {
                r[X86KprobeArch.ip] = address + 1
                manager.record(cpu, .optimizedCallback(address: address, ip: address + 1))
                kcb.current = entry
                manager.setStatus(kcb, .hitActive, cpu: cpu)
                manager.runOptimizedPreHandlers(entry, cpu: cpu, arch: self)
                kcb.current = nil
                kcb.status = .idle
            }
        }
        r[X86KprobeArch.ip] = opt.copies
        return .handled
    }

    // MARK: kretprobes (rethook)

    /// The simulator's `arch_rethook_trampoline` is one `int3`: returning into it traps into the return path.
    /// The kernel's trampoline instead pushes the registers to build `pt_regs` and calls
    /// `arch_rethook_trampoline_callback`; what the handlers observe (ip = the real return address, ax = the
    /// return value, sp just past the popped slot) is the same.
    var kretprobeTrampoline: [UInt8] { [X86KprobeArch.int3] }

    /// kernel: arch_rethook_prepare — the return address is the word at `sp` on function entry.
    func prepareKretprobe(_ instance: KretprobeInstance, cpu: CPU, trampoline: UInt64) {
        let sp = cpu.registers.words[X86KprobeArch.sp]
        instance.returnAddress = (try? machine.memory.read64(sp)) ?? 0
        instance.frame = sp
        try? machine.memory.write64(sp, trampoline)
    }

    func resumeAfterKretprobe(cpu: CPU, returnAddress: UInt64) {
        cpu.registers.words[X86KprobeArch.ip] = returnAddress
    }

    /// kernel: kernel/trace/rethook.c rethook_trampoline_handler.
    var kretprobeLostMessage: String { "rethook: Return address not found! Maybe there is a bug in the kernel." }

    // MARK: Emulation (v5.13+)

    /// kernel: jcc_mask — the flags each pair of condition codes (o/no, b/nb, z/nz, be/nbe, s/ns, p/np) tests;
    /// a switch, not an array, so an emulated jcc allocates nothing.
    @inline(__always)
    private static func jccMask(_ pair: UInt8) -> UInt64 {
        switch pair {
        case 0: return flagOF
        case 1: return flagCF
        case 2: return flagZF
        case 3: return flagCF | flagZF
        case 4: return flagSF
        default: return flagPF
        }
    }

    /// kernel: kprobe_emulate_* — `regs->ip` is one past the int3 on entry. Takes the length, not the whole
    /// `X86ProbeInsn`: passing that kept every hit's copy of the prepared instruction alive across
    /// `setupSingleStep`'s calls (about 30 host instructions per stepped hit).
    private func emulate(_ emulation: X86Emulation, length: Int, cpu: CPU) {
        let r = cpu.registers.words
        let next = r[X86KprobeArch.ip] &- 1 &+ UInt64(length)
        func push(_ value: UInt64) {
            r[X86KprobeArch.sp] &-= 8
            try? machine.memory.write64(r[X86KprobeArch.sp], value)
        }
        func pop() -> UInt64 {
            let value = (try? machine.memory.read64(r[X86KprobeArch.sp])) ?? 0
            r[X86KprobeArch.sp] &+= 8
            return value
        }
        func jump(_ taken: Bool, _ rel: Int64) {
            r[X86KprobeArch.ip] = taken ? next &+ UInt64(bitPattern: rel) : next
        }
        switch emulation {
        case .cli: r[X86KprobeArch.flags] &= ~X86KprobeArch.flagIF; r[X86KprobeArch.ip] = next
        case .sti: r[X86KprobeArch.flags] |= X86KprobeArch.flagIF; r[X86KprobeArch.ip] = next
        case .pushf: push(cpu.registers[X86KprobeArch.flags]); r[X86KprobeArch.ip] = next
        case .popf: cpu.registers[X86KprobeArch.flags] = pop(); r[X86KprobeArch.ip] = next
        case .ret: r[X86KprobeArch.ip] = pop()
        case .call(let rel):
            // int3_emulate_call pushes ip - 1 + CALL_INSN_SIZE (5).
            push(r[X86KprobeArch.ip] &- 1 &+ 5)
            r[X86KprobeArch.ip] = next &+ UInt64(bitPattern: rel)
        case .jmp(let rel): jump(true, rel)
        case .jcc(let type, let rel):
            let flags = cpu.registers[X86KprobeArch.flags]
            var match: Bool
            if type < 0xC {
                match = flags & X86KprobeArch.jccMask(type >> 1) != 0
            } else {
                match = (flags & X86KprobeArch.flagSF != 0) != (flags & X86KprobeArch.flagOF != 0)
                if type >= 0xE { match = match || flags & X86KprobeArch.flagZF != 0 }
            }
            let invert = type & 1 != 0
            jump(match != invert, rel)
        case .loop(let type, let bits, let rel):
            // The kernel tests the counter *before* decrementing it: `(cx--) != 0` (architecturally LOOP
            // decrements first). Reproduced as the kernel does it.
            let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
            let cx = r[X86KprobeArch.cx]
            var match: Bool
            if type != 3 {
                match = cx & mask != 0
                r[X86KprobeArch.cx] = (cx & ~mask) | ((cx &- 1) & mask)
            } else {
                match = cx & mask == 0
            }
            if type <= 1 {
                let zf = cpu.registers[X86KprobeArch.flags] & X86KprobeArch.flagZF != 0
                match = match && zf == (type == 1)
            }
            jump(match, rel)
        case .callIndirect(let register):
            let target = r[X86PtRegs.slotOfRegisterNumber[Int(register)]]
            push(profile.x86IndirectCallReturnsToNextInstruction ? next : r[X86KprobeArch.ip] &- 1 &+ 5)
            r[X86KprobeArch.ip] = target
        case .jmpIndirect(let register):
            r[X86KprobeArch.ip] = r[X86PtRegs.slotOfRegisterNumber[Int(register)]]
        }
    }
}
