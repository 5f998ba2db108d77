/// Per-opcode length facts for each opcode map: whether a ModRM byte follows and what immediate does.
/// Built once from the SDM's opcode maps (Vol. 2, Appendix A); the decoder indexes them by opcode byte.
enum X86OpcodeTables {
    /// The immediate an opcode carries.
    enum Immediate: UInt8 {
        case none, byte, word
        /// 16 bits with `66`, else 32 (sign-extended to 64 under REX.W).
        case z
        /// `B8+r`: 16, 32 or (REX.W) 64 bits.
        case v
        /// `A0`-`A3` absolute offset: 64 bits, or 32 with `67`.
        case moffs
        /// `enter`: imm16 then imm8.
        case enter
        /// `F6`/`F7`: `test` (`/0`, `/1`) has an immediate, the other group members do not.
        case testGroup
    }

    struct Entry {
        var valid = true
        var modrm = false
        var immediate = Immediate.none
    }

    static let primary: [Entry] = {
        var t = [Entry](repeating: Entry(), count: 256)
        // ALU blocks 00-3F: r/m forms, AL/eAX immediates.
        for block in stride(from: 0, to: 0x40, by: 8) {
            for i in 0..<4 { t[block + i].modrm = true }
            t[block + 4].immediate = .byte
            t[block + 5].immediate = .z
        }
        for op in [0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82, 0x9a,
                   0xce, 0xd4, 0xd5, 0xd6, 0xea] { t[op].valid = false }
        t[0x63].modrm = true
        t[0x68].immediate = .z
        t[0x69] = Entry(modrm: true, immediate: .z)
        t[0x6a].immediate = .byte
        t[0x6b] = Entry(modrm: true, immediate: .byte)
        for op in 0x70...0x7f { t[op].immediate = .byte }
        t[0x80] = Entry(modrm: true, immediate: .byte)
        t[0x81] = Entry(modrm: true, immediate: .z)
        t[0x83] = Entry(modrm: true, immediate: .byte)
        for op in 0x84...0x8f { t[op].modrm = true }
        for op in 0xa0...0xa3 { t[op].immediate = .moffs }
        t[0xa8].immediate = .byte
        t[0xa9].immediate = .z
        for op in 0xb0...0xb7 { t[op].immediate = .byte }
        for op in 0xb8...0xbf { t[op].immediate = .v }
        t[0xc0] = Entry(modrm: true, immediate: .byte)
        t[0xc1] = Entry(modrm: true, immediate: .byte)
        t[0xc2].immediate = .word
        t[0xc6] = Entry(modrm: true, immediate: .byte)
        t[0xc7] = Entry(modrm: true, immediate: .z)
        t[0xc8].immediate = .enter
        t[0xca].immediate = .word
        t[0xcd].immediate = .byte
        for op in 0xd0...0xd3 { t[op].modrm = true }
        for op in 0xd8...0xdf { t[op].modrm = true }
        for op in 0xe0...0xe7 { t[op].immediate = .byte }
        t[0xe8].immediate = .z
        t[0xe9].immediate = .z
        t[0xeb].immediate = .byte
        t[0xf6] = Entry(modrm: true, immediate: .testGroup)
        t[0xf7] = Entry(modrm: true, immediate: .testGroup)
        t[0xfe].modrm = true
        t[0xff].modrm = true
        return t
    }()

    static let map0F: [Entry] = {
        var t = [Entry](repeating: Entry(modrm: true), count: 256)
        for op in [0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x7a, 0x7b,
                   0xa6, 0xa7] { t[op].valid = false }
        for op in [0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77,
                   0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa] { t[op].modrm = false }
        for op in 0xc8...0xcf { t[op].modrm = false }
        for op in 0x80...0x8f { t[op] = Entry(modrm: false, immediate: .z) }
        for op in [0x0f, 0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6] { t[op].immediate = .byte }
        return t
    }()

    static let map0F38 = [Entry](repeating: Entry(modrm: true), count: 256)
    static let map0F3A = [Entry](repeating: Entry(modrm: true, immediate: .byte), count: 256)

    /// VEX/EVEX map 1 (`0F`): ModRM everywhere except `vzeroupper`/`vzeroall`; imm8 on the shuffle/compare ops.
    static let vexMap0F: [Entry] = {
        var t = [Entry](repeating: Entry(modrm: true), count: 256)
        t[0x77].modrm = false
        for op in [0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6] { t[op].immediate = .byte }
        return t
    }()

    /// XOP map 8 carries imm8, map 10 imm32.
    static let xop8 = [Entry](repeating: Entry(modrm: true, immediate: .byte), count: 256)
    static let xopA = [Entry](repeating: Entry(modrm: true, immediate: .z), count: 256)

    static func table(_ map: X86OpcodeMap, _ encoding: X86Encoding) -> [Entry] {
        switch map {
        case .primary: return primary
        case .map0F: return encoding == .legacy ? map0F : vexMap0F
        case .map0F38, .evexMap5, .evexMap6, .xop9: return map0F38
        case .map0F3A: return map0F3A
        case .xop8: return xop8
        case .xopA: return xopA
        }
    }
}
