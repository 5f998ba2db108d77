import X86_64

/// The kernel insn decoder's view of an instruction (`struct insn`), as the kprobe code asks it.
/// kernel: arch/x86/include/asm/insn.h, arch/x86/lib/insn.c.
extension X86Instruction {
    /// Legacy-encoded (not VEX/EVEX/XOP): only these are emulated or boosted.
    var isLegacyEncoded: Bool { encoding == .legacy }

    /// A one-byte-map opcode, legacy encoded.
    func isPrimary(_ byte: UInt8) -> Bool { isLegacyEncoded && map == .primary && opcode == byte }

    /// `insn->addr_bytes`: 8 in 64-bit mode, 4 with the `67` prefix.
    var addressBytes: Int { prefixes.addressSize ? 4 : 8 }

    /// INT3, INT n, INTO, INT1, UD0, UD1, UD2 (what later kernels' can_probe refuses).
    var isTrapInstruction: Bool {
        guard isLegacyEncoded else { return false }
        switch map {
        case .primary: return [0xCC, 0xCD, 0xCE, 0xF1].contains(opcode)
        case .map0F: return [0x0B, 0xB9, 0xFF].contains(opcode)
        default: return false
        }
    }

    /// `mov ss` (8e /2) and `pop ss` (17) hold off exceptions for one instruction, so they cannot be stepped.
    /// kernel: insn_masking_exception.
    var masksExceptions: Bool { isPrimary(0x17) || (isPrimary(0x8E) && reg == 2) }

    /// cli, sti, iret, popf. kernel: is_IF_modifier.
    var modifiesInterruptFlag: Bool { [0xFA, 0xFB, 0xCF, 0x9D].contains { isPrimary($0) } }
}

extension X86Instruction {
    /// The kernel's `insn_decode_kernel` (6.1) where it is more lenient than the CPU: one-byte opcodes its
    /// x86-opcode-map.txt marks `(i64)` (invalid in 64-bit mode) still decode — the superscript only stopped
    /// decoding in 2025 ("x86: Stop decoding i64 instructions in x86-64 mode at opcode"), and even then without an
    /// error — and `d6` (an empty map line, attribute 0) decodes as a one-byte instruction. So 6.1 accepts a probe
    /// on `06` (PUSH ES), which then raises #UD when its copy is stepped. Everything else is the CPU decoder's
    /// answer (X86Decoder; its VEX maps are length-only, so it accepts some VEX forms the kernel's refuses). Only an
    /// unprefixed opcode is widened: besides the one-byte ones, `82` (Grp1 Eb,Ib, the `80` alias) and `9a`/`ea`
    /// (far CALL/JMP Ap: ptr16:32, seven bytes), which `prepare_emulation` then refuses with -EOPNOTSUPP.
    /// kernel: arch/x86/lib/insn.c insn_get_opcode, arch/x86/lib/x86-opcode-map.txt.
    static func kernelDecode(_ bytes: [UInt8]) -> X86Instruction? {
        switch X86Decoder.decode(bytes) {
        case .success(let insn): return insn
        case .failure(let error):
            guard error.reason == .invalidOpcode, error.offset == 0, let first = bytes.first else { return nil }
            let length: Int
            switch first {
            // PUSH/POP ES, PUSH CS, PUSH/POP SS, PUSH/POP DS, DAA, DAS, AAA, AAS, PUSHA, POPA, INTO; d6 (empty line).
            case 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xce, 0xd6: length = 1
            case 0xd4, 0xd5: length = 2 // AAM Ib, AAD Ib
            case 0x9a, 0xea: length = 7 // CALLF/JMPF Ap: offset32 and selector16
            case 0x82:
                // Grp1 Eb,Ib: laid out as 80 (ModRM, SIB, displacement, imm8).
                guard case .success(var alias) = X86Decoder.decode([0x80] + bytes.dropFirst()) else { return nil }
                alias.opcode = first
                return alias
            default: return nil
            }
            guard bytes.count >= length else { return nil }
            var insn = X86Instruction()
            insn.opcode = first
            insn.length = length
            if length == 2 { insn.immediate = UInt64(bytes[1]); insn.immediateOffset = 1; insn.immediateSize = 1 }
            return insn
        }
    }
}
