import Machine
import X86_64

/// What x86 jump optimization keeps per optimized address (`struct arch_optimized_insn`).
struct X86OptimizedInsn {
    /// The detour buffer (`optinsn.insn`): `[trap][relocated copies of the replaced instructions][jmp back]`.
    let detour: UInt64
    /// Bytes of whole instructions replaced, at least the 5 of the jump (`optinsn.size`).
    let size: Int
    /// The 4 bytes after the int3, saved when the jump is written (`optinsn.copied_insn`).
    var copiedInsn: [UInt8] = []
    /// The jump is in the text (the optimizer ran); before that the probe is only queued.
    var jumpWritten = false

    /// Where execution continues in the detour (`TMPL_END_IDX`): after its callback trap.
    var copies: UInt64 { detour + 1 }

    /// Whether `address` lies in the bytes this optimization replaced, after the first.
    func covers(_ address: UInt64, from base: UInt64) -> Bool { address > base && address < base + UInt64(size) }
}

/// x86_64 jump optimization. kernel: arch/x86/kernel/kprobes/opt.c (6.1): can_optimize,
/// copy_optimized_instructions, arch_prepare_optimized_kprobe, arch_check_optimized_kprobe,
/// arch_optimize_kprobes, arch_unoptimize_kprobe, optimized_callback, setup_detour_execution.
///
/// The kernel's detour starts with a template that saves the registers, calls `optimized_callback` and restores
/// them; the simulator's starts with one `int3` whose trap runs the callback (same register view: `ip` =
/// addr + 1, handler return values and ip changes ignored). Then come the relocated instructions and the jump back.
extension X86KprobeArch {
    static let jmp32: UInt8 = 0xE9
    /// `MAX_OPTIMIZED_LENGTH`: `MAX_INSN_SIZE + RELATIVE_ADDR_SIZE`.
    static let maxOptimizedLength = 19
    static let detourSize = 1 + X86KprobeArch.maxInsnSize + 4 + 5

    /// kernel: can_optimize — the containing function decodes to its end, leaves room for the 5-byte jump, has
    /// no indirect jump and no relative jump into the bytes the jump replaces (addr+1 .. addr+5).
    func canOptimize(_ address: UInt64) -> Bool {
        guard let hit = machine.symbols.lookup(containing: address), hit.size - hit.offset >= 5 else { return false }
        var at = hit.symbol.address
        let end = hit.symbol.address + hit.size
        while at < end {
            guard let bytes = recoveredBytes(at: at), let insn = try? X86Decoder.decode(bytes).get() else { return false }
            if insn.isIndirectJump || insn.jumpsInto(address + 1...address + 5, from: at) { return false }
            at += UInt64(insn.length)
        }
        return true
    }

    /// kernel: arch_prepare_optimized_kprobe + copy_optimized_instructions — copies whole instructions covering
    /// the 5 bytes (each copyable and boostable, none an ftrace site), and builds the detour. nil when the kernel
    /// would leave the probe an int3 probe.
    func prepareOptimized(at address: UInt64, detour: UInt64) -> X86OptimizedInsn? {
        guard canOptimize(address) else { return nil }
        var copies: [UInt8] = []
        while copies.count < 5 {
            let at = address + UInt64(copies.count)
            guard let (bytes, insn) = try? copyInstruction(at: at, runningAt: detour + 1 + UInt64(copies.count)),
                  canBoost(insn), !machine.ftraceLocations.contains(at) else { return nil }
            copies += bytes
        }
        let back = Int64(bitPattern: address) + Int64(copies.count) - Int64(bitPattern: detour + 1 + UInt64(copies.count) + 5)
        let code = [X86KprobeArch.int3] + copies + [X86KprobeArch.jmp32] + le32(Int32(truncatingIfNeeded: back))
        guard (try? machine.pokeText(detour, bytes: code)) != nil else { return nil }
        return X86OptimizedInsn(detour: detour, size: copies.count)
    }

    /// kernel: arch_optimize_kprobes — save the 4 bytes after the int3 and write `jmp rel32` to the detour over the
    /// site. Bytes of the replaced instructions past the jump are left as they were (stale, never executed).
    func writeJump(at address: UInt64, _ opt: inout X86OptimizedInsn) -> [UInt8]? {
        guard let saved = try? machine.memory.kernelRead(address + 1, count: 4) else { return nil }
        let jump = [X86KprobeArch.jmp32] + le32(Int32(truncatingIfNeeded: Int64(bitPattern: opt.detour) - Int64(bitPattern: address + 5)))
        guard (try? machine.pokeText(address, bytes: jump)) != nil else { return nil }
        opt.copiedInsn = saved
        opt.jumpWritten = true
        return jump
    }

    /// kernel: arch_unoptimize_kprobe — int3 back over the first byte, then the saved 4 bytes.
    func removeJump(at address: UInt64, _ opt: inout X86OptimizedInsn) {
        guard opt.jumpWritten else { return }
        try? machine.pokeText(address, bytes: [X86KprobeArch.int3])
        try? machine.pokeText(address + 1, bytes: opt.copiedInsn)
        opt.jumpWritten = false
    }

    private func le32(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) }
    }
}

extension X86Instruction {
    /// kernel: __insn_is_indirect_jump — `jmp *` near or far (FF /4, FF /5) and `jmp far` (EA).
    var isIndirectJump: Bool {
        isLegacyEncoded && map == .primary && ((opcode == 0xFF && reg & 6 == 4) || opcode == 0xEA)
    }

    /// kernel: insn_jump_into_range — a relative jmp/jcc/loop/jcxz whose target lies in `range`.
    func jumpsInto(_ range: ClosedRange<UInt64>, from address: UInt64) -> Bool {
        guard isLegacyEncoded else { return false }
        switch (map, opcode) {
        case (.primary, 0xE0...0xE3), (.primary, 0xE9), (.primary, 0xEB), (.primary, 0x70...0x7F), (.map0F, 0x80...0x8F):
            let target = UInt64(bitPattern: Int64(bitPattern: address + UInt64(length)) &+ signedImmediate)
            return range.contains(target)
        default:
            return false
        }
    }
}
