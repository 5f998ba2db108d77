/// Decodes x86_64 (64-bit mode) instructions: prefixes, opcode maps, ModRM/SIB, displacement and immediate,
/// giving the exact length the CPU (and the kernel's `insn_decoder`) would.
public enum X86Decoder {
    /// The architectural maximum instruction length.
    public static let maximumLength = 15

    /// Decodes the instruction starting at `bytes[0]` (at most the first 15 bytes are examined).
    public static func decode(_ bytes: [UInt8]) -> Result<X86Instruction, X86DecodeError> {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes from raw bytes; `buffer.count` is how many are available.
    public static func decode(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<X86Instruction, X86DecodeError> {
        var cursor = Cursor(buffer: buffer)
        do {
            return .success(try decode(&cursor))
        } catch {
            return .failure(X86DecodeError(error, offset: cursor.position,
                                           bytes: Array(buffer.prefix(min(buffer.count, maximumLength)))))
        }
    }

    /// Reads bytes, failing when they run out or pass the 15-byte limit.
    private struct Cursor {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func next() throws(X86DecodeError.Reason) -> UInt8 {
            guard position < X86Decoder.maximumLength else { throw .tooLong }
            guard position < buffer.count else { throw .truncated }
            defer { position += 1 }
            return buffer[position]
        }

        func peek() -> UInt8? { position < buffer.count ? buffer[position] : nil }

        mutating func little(_ size: Int) throws(X86DecodeError.Reason) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<size { value |= UInt64(try next()) << UInt64(8 * i) }
            return value
        }
    }

    private static func decode(_ c: inout Cursor) throws(X86DecodeError.Reason) -> X86Instruction {
        var insn = X86Instruction()
        var byte = try c.next()
        // Legacy prefixes, then at most one REX that counts only when it comes last.
        while true {
            switch byte {
            case 0x66: insn.prefixes.operandSize = true; insn.prefixes.operandSizeCount += 1
            case 0x67: insn.prefixes.addressSize = true
            case 0xf0: insn.prefixes.lock = true
            case 0xf2: insn.prefixes.repne = true; insn.prefixes.rep = false
            case 0xf3: insn.prefixes.rep = true; insn.prefixes.repne = false
            case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65: insn.prefixes.segment = byte
            case 0x40...0x4f:
                insn.prefixes.rex = byte
                byte = try c.next()
                if isLegacyPrefix(byte) || (0x40...0x4f).contains(byte) { insn.prefixes.rex = 0; continue }
                return try decodeOpcode(byte, &insn, &c)
            default:
                return try decodeOpcode(byte, &insn, &c)
            }
            insn.prefixes.count += 1
            byte = try c.next()
        }
    }

    static func isLegacyPrefix(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65: return true
        default: return false
        }
    }

    private static func decodeOpcode(_ first: UInt8, _ insn: inout X86Instruction, _ c: inout Cursor)
        throws(X86DecodeError.Reason) -> X86Instruction {
        var opcode = first
        switch first {
        case 0x0f:
            opcode = try c.next()
            switch opcode {
            case 0x38: insn.map = .map0F38; opcode = try c.next()
            case 0x3a: insn.map = .map0F3A; opcode = try c.next()
            default: insn.map = .map0F
            }
        case 0xc5:
            // Two-byte VEX: R vvvv L pp, map 0F.
            let p = try c.next()
            insn.encoding = .vex
            insn.map = .map0F
            insn.prefixes.rex = 0x40 | (p & 0x80 == 0 ? 4 : 0)
            insn.vexV = (~p >> 3) & 15
            insn.vexL = (p >> 2) & 1
            insn.vexPP = p & 3
            opcode = try c.next()
        case 0xc4, 0x8f:
            // Three-byte VEX (C4), or AMD XOP (8F with a map >= 8; 8F /0 is `pop`).
            if first == 0x8f, let next = c.peek(), next & 0x1f < 8 { break }
            let p0 = try c.next()
            let p1 = try c.next()
            insn.encoding = first == 0xc4 ? .vex : .xop
            switch (first, p0 & 0x1f) {
            case (0xc4, 1): insn.map = .map0F
            case (0xc4, 2): insn.map = .map0F38
            case (0xc4, 3): insn.map = .map0F3A
            case (0x8f, 8): insn.map = .xop8
            case (0x8f, 9): insn.map = .xop9
            case (0x8f, 10): insn.map = .xopA
            default: c.position -= 2; throw .invalidOpcode
            }
            insn.prefixes.rex = 0x40 | ((~p0 >> 5) & 7) | (p1 & 0x80 != 0 ? 8 : 0)
            insn.vexW = p1 & 0x80 != 0
            insn.vexV = (~p1 >> 3) & 15
            insn.vexL = (p1 >> 2) & 1
            insn.vexPP = p1 & 3
            opcode = try c.next()
        case 0x62:
            // EVEX (always, in 64-bit mode): P0 = R X B R' 0 m m m, P1 = W vvvv 1 pp, P2 = z L'L b V' aaa.
            let p0 = try c.next()
            let p1 = try c.next()
            let p2 = try c.next()
            insn.encoding = .evex
            switch p0 & 7 {
            case 1: insn.map = .map0F
            case 2: insn.map = .map0F38
            case 3: insn.map = .map0F3A
            case 5: insn.map = .evexMap5
            case 6: insn.map = .evexMap6
            default: c.position -= 3; throw .invalidOpcode
            }
            guard p0 & 0x08 == 0, p1 & 0x04 != 0 else { c.position -= 3; throw .invalidOpcode }
            insn.prefixes.rex = 0x40 | ((~p0 >> 5) & 7) | (p1 & 0x80 != 0 ? 8 : 0)
            insn.vexW = p1 & 0x80 != 0
            insn.vexV = ((~p1 >> 3) & 15) | (p2 & 8 == 0 ? 16 : 0)
            insn.vexL = (p2 >> 5) & 3
            insn.vexPP = p1 & 3
            opcode = try c.next()
        default:
            break
        }
        insn.opcode = opcode
        let entry = X86OpcodeTables.table(insn.map, insn.encoding)[Int(opcode)]
        guard entry.valid else { c.position -= 1; throw .invalidOpcode }
        if entry.modrm || insn.encoding == .evex {
            try decodeModRM(&insn, &c)
            guard isValidGroupMember(insn) else { c.position = insn.prefixes.count + (insn.prefixes.rex != 0 ? 1 : 0); throw .invalidOpcode }
        }
        try decodeImmediate(entry.immediate, &insn, &c)
        insn.length = c.position
        return insn
    }

    /// One-byte opcode groups whose ModRM `reg` field selects an undefined member (SDM Table A-6).
    private static func isValidGroupMember(_ insn: X86Instruction) -> Bool {
        guard insn.encoding == .legacy, insn.map == .primary else { return true }
        switch insn.opcode {
        case 0xc6, 0xc7: return insn.reg == 0 || insn.modrm == 0xf8
        case 0xfe: return insn.reg < 2
        case 0xff: return insn.reg != 7
        case 0x8f: return insn.reg == 0
        default: return true
        }
    }

    private static func decodeModRM(_ insn: inout X86Instruction, _ c: inout Cursor) throws(X86DecodeError.Reason) {
        let modrm = try c.next()
        insn.modrm = modrm
        let mod = modrm >> 6, rm = modrm & 7
        guard mod != 3, !insn.modrmIsAlwaysRegister else { return }
        var dispSize = mod == 1 ? 1 : (mod == 2 ? 4 : 0)
        if rm == 4 {
            let sib = try c.next()
            insn.sib = sib
            if mod == 0 && sib & 7 == 5 { dispSize = 4 }
        } else if mod == 0 && rm == 5 {
            dispSize = 4
        }
        guard dispSize > 0 else { return }
        insn.displacementOffset = c.position
        insn.displacementSize = dispSize
        let raw = try c.little(dispSize)
        insn.displacement = dispSize == 1 ? Int64(Int8(truncatingIfNeeded: raw)) : Int64(Int32(truncatingIfNeeded: raw))
    }

    private static func decodeImmediate(_ kind: X86OpcodeTables.Immediate, _ insn: inout X86Instruction,
                                        _ c: inout Cursor) throws(X86DecodeError.Reason) {
        let size: Int
        switch kind {
        case .none: return
        case .byte: size = 1
        case .word: size = 2
        case .z: size = insn.prefixes.operandSize && insn.encoding == .legacy ? 2 : 4
        case .v: size = insn.prefixes.rexW ? 8 : (insn.prefixes.operandSize ? 2 : 4)
        case .moffs: size = insn.prefixes.addressSize ? 4 : 8
        case .enter: size = 2
        case .testGroup:
            guard insn.reg < 2 else { return }
            size = insn.opcode == 0xf6 ? 1 : (insn.prefixes.operandSize ? 2 : 4)
        }
        insn.immediateOffset = c.position
        insn.immediateSize = size
        insn.immediate = try c.little(size)
        if kind == .enter { insn.immediate2 = try c.next() }
    }
}
