import Testing
import X86_64

/// Decoder fields the kprobe layer depends on, checked against hand-decoded bytes (SDM Vol. 2 encodings).
@Suite struct X86DecoderTests {
    /// `48 8b 05 d1 ba 0f 00  mov 0xfbad1(%rip),%rax`: disp32 at offset 3.
    @Test func ripRelativeDisplacementOffset() throws {
        let insn = try X86Decoder.decode([0x48, 0x8b, 0x05, 0xd1, 0xba, 0x0f, 0x00]).get()
        #expect(insn.length == 7 && insn.isRIPRelative && insn.ripDisplacementOffset == 3 && insn.displacement == 0xfbad1)
        #expect(insn.map == .primary && insn.opcode == 0x8b && insn.mod == 0 && insn.reg == 0 && insn.rm == 5)
    }

    /// `83 3d b5 b4 0f 00 ff  cmpl $-1,0xfb4b5(%rip)`: disp32 at 2, imm8 at 6.
    @Test func ripRelativeWithImmediate() throws {
        let insn = try X86Decoder.decode([0x83, 0x3d, 0xb5, 0xb4, 0x0f, 0x00, 0xff]).get()
        #expect(insn.ripDisplacementOffset == 2 && insn.immediateOffset == 6 && insn.immediateSize == 1 && insn.signedImmediate == -1)
    }

    /// `65 48 8b 04 25 28 00 00 00  mov %gs:0x28,%rax`: SIB with no base is absolute, not RIP-relative.
    @Test func sibAbsoluteIsNotRIPRelative() throws {
        let insn = try X86Decoder.decode([0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0]).get()
        #expect(insn.length == 9 && !insn.isRIPRelative && insn.sib == 0x25 && insn.prefixes.segment == 0x65)
    }

    /// Immediate sizes: `66 b8 iw`, `48 b8 io`, `a1 moffs64`, `67 a1 moffs32`, `c8 iw ib`, `f7 /0 id` vs `f7 /2`.
    @Test func immediateSizeRules() throws {
        #expect(try X86Decoder.decode([0x66, 0xb8, 1, 2]).get().length == 4)
        #expect(try X86Decoder.decode([0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8]).get().length == 10)
        #expect(try X86Decoder.decode([0xa1, 1, 2, 3, 4, 5, 6, 7, 8]).get().length == 9)
        #expect(try X86Decoder.decode([0x67, 0xa1, 1, 2, 3, 4]).get().length == 6)
        let enter = try X86Decoder.decode([0xc8, 0x10, 0x00, 0x01]).get()
        #expect(enter.length == 4 && enter.immediate == 0x10 && enter.immediate2 == 1)
        #expect(try X86Decoder.decode([0xf7, 0xc1, 1, 0, 0, 0]).get().length == 6)
        #expect(try X86Decoder.decode([0xf7, 0xd1]).get().length == 2)
        #expect(try X86Decoder.decode([0x66, 0xe9, 1, 2]).get().length == 4)
    }

    /// 15 bytes is the limit: 14 prefixes + nop decodes, 15 prefixes + nop does not.
    @Test func fifteenByteLimit() throws {
        #expect(try X86Decoder.decode([UInt8](repeating: 0x66, count: 14) + [0x90]).get().length == 15)
        guard case .failure(let error) = X86Decoder.decode([UInt8](repeating: 0x66, count: 15) + [0x90]) else {
            Issue.record("16-byte instruction accepted")
            return
        }
        #expect(error.reason == .tooLong)
    }

    @Test func truncatedAndInvalidBytesAreErrors() {
        guard case .failure(let truncated) = X86Decoder.decode([0x48, 0x8b, 0x05, 0xd1]) else {
            Issue.record("truncated instruction accepted")
            return
        }
        #expect(truncated.reason == .truncated)
        guard case .failure(let invalid) = X86Decoder.decode([0x0f, 0x04]) else {
            Issue.record("0f 04 accepted")
            return
        }
        #expect(invalid.reason == .invalidOpcode)
        guard case .failure(let empty) = X86Decoder.decode([]) else {
            Issue.record("empty input accepted")
            return
        }
        #expect(empty.reason == .truncated)
    }

    /// VEX (`c5 fd 74 0f  vpcmpeqb (%rdi),%ymm0,%ymm1`) and EVEX (`62 b1 fe 28 6f 04 0a vmovdqu64 ...`) lengths.
    @Test func vexAndEvexLengths() throws {
        let vex = try X86Decoder.decode([0xc5, 0xfd, 0x74, 0x0f]).get()
        #expect(vex.encoding == .vex && vex.map == .map0F && vex.opcode == 0x74 && vex.length == 4)
        let evex = try X86Decoder.decode([0x62, 0xb1, 0xfe, 0x28, 0x6f, 0x04, 0x0a]).get()
        #expect(evex.encoding == .evex && evex.length == 7)
    }
}
