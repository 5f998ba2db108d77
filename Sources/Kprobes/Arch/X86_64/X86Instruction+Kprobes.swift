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
