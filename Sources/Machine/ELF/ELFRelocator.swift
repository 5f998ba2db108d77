/// Computes one relocation's value and patches its field, checking that the value fits: the work of the
/// kernel's `apply_relocate_add` (arch/x86/kernel/module.c, arch/arm64/kernel/module.c), with the formulas of
/// the x86_64 psABI and AAELF64 (`S` symbol value, `A` addend, `P` address of the field).
enum ELFRelocator {
    /// Why a relocation could not be applied; the loader adds the file, section and offset.
    enum Failure: Error {
        case unsupported
        /// The field would run past the end of its section.
        case pastEnd(width: Int)
        /// `value` does not fit `field` (a description such as "a signed 32-bit field").
        case overflow(value: UInt64, field: String)
    }

    /// Bytes the relocation patches, or nil for a type the loader does not apply.
    static func width(of type: ELFRelocationType) -> Int? {
        switch (type.architecture, type.rawValue) {
        case (.x86_64, 0), (.arm64, 0), (.arm64, 256): return 0
        case (.x86_64, 1), (.x86_64, 24): return 8                      // 64, PC64
        case (.x86_64, 2), (.x86_64, 4), (.x86_64, 10), (.x86_64, 11): return 4   // PC32, PLT32, 32, 32S
        case (.arm64, 257), (.arm64, 260): return 8                     // ABS64, PREL64
        case (.arm64, 258), (.arm64, 261): return 4                     // ABS32, PREL32
        case (.arm64, 263...269), (.arm64, 273...280), (.arm64, 282...286), (.arm64, 299): return 4  // instructions
        default: return nil
        }
    }

    /// Applies relocation `type` to the field at `image[at...]`, which must end by `limit` (its section's end).
    static func apply(_ type: ELFRelocationType, symbol: UInt64, addend: Int64, place: UInt64,
                      image: inout [UInt8], at: Int, limit: Int) throws(Failure) {
        guard let width = width(of: type) else { throw .unsupported }
        guard at >= 0, width <= limit - at, limit <= image.count else { throw .pastEnd(width: width) }
        let value = symbol &+ UInt64(bitPattern: addend)          // S + A
        let relative = value &- place                              // S + A - P
        switch type.architecture {
        case .x86_64: try applyX86_64(type.rawValue, value, relative, &image, at)
        case .arm64: try applyAArch64(type.rawValue, value, relative, place, &image, at)
        }
    }

    private static func applyX86_64(_ type: UInt32, _ value: UInt64, _ relative: UInt64,
                                    _ image: inout [UInt8], _ at: Int) throws(Failure) {
        switch type {
        case 1: store(value, width: 8, &image, at)                                   // R_X86_64_64
        case 24: store(relative, width: 8, &image, at)                               // R_X86_64_PC64
        case 2, 4:                                                                   // PC32, PLT32 (no PLT here)
            try checkSigned(relative, bits: 32, "a signed 32-bit PC-relative field")
            store(relative, width: 4, &image, at)
        case 10:                                                                     // R_X86_64_32: zero-extended
            guard value <= UInt64(UInt32.max) else { throw .overflow(value: value, field: "an unsigned 32-bit field") }
            store(value, width: 4, &image, at)
        case 11:                                                                     // R_X86_64_32S: sign-extended
            try checkSigned(value, bits: 32, "a sign-extended 32-bit field")
            store(value, width: 4, &image, at)
        default: break                                                               // R_X86_64_NONE
        }
    }

    private static func applyAArch64(_ type: UInt32, _ value: UInt64, _ relative: UInt64, _ place: UInt64,
                                     _ image: inout [UInt8], _ at: Int) throws(Failure) {
        /// Replaces `mask << shift` of the instruction with `field`.
        func patch(_ field: UInt64, mask: UInt32, shift: UInt32) {
            let insn = UInt32(truncatingIfNeeded: load32(image, at))
            let updated = insn & ~(mask << shift) | (UInt32(truncatingIfNeeded: field) & mask) << shift
            store(UInt64(updated), width: 4, &image, at)
        }
        /// ADR/ADRP immediate: immlo in bits 29-30, immhi in bits 5-23.
        func patchADR(_ imm: UInt64) {
            patch(imm & 3, mask: 0x3, shift: 29)
            patch(imm >> 2, mask: 0x7ffff, shift: 5)
        }
        switch type {
        case 257: store(value, width: 8, &image, at)                                 // ABS64
        case 260: store(relative, width: 8, &image, at)                              // PREL64
        case 258, 261:                                                               // ABS32, PREL32
            // AAELF64: the value may be read as signed or unsigned, so -2^31 <= X < 2^32.
            let x = type == 258 ? value : relative
            let signed = Int64(bitPattern: x)
            guard signed >= Int64(Int32.min) && signed <= Int64(UInt32.max) else {
                throw .overflow(value: x, field: "a 32-bit field (-2^31 <= X < 2^32)")
            }
            store(x, width: 4, &image, at)
        case 282, 283:                                                               // JUMP26, CALL26
            try checkSigned(relative, bits: 28, "a 26-bit word branch offset (±128 MiB)")
            patch(relative >> 2, mask: 0x3ff_ffff, shift: 0)
        case 280, 273:                                                               // CONDBR19, LD_PREL_LO19
            try checkSigned(relative, bits: 21, "a 19-bit word offset (±1 MiB)")
            patch(relative >> 2, mask: 0x7ffff, shift: 5)
        case 279:                                                                    // TSTBR14
            try checkSigned(relative, bits: 16, "a 14-bit word branch offset (±32 KiB)")
            patch(relative >> 2, mask: 0x3fff, shift: 5)
        case 274:                                                                    // ADR_PREL_LO21
            try checkSigned(relative, bits: 21, "a 21-bit ADR offset (±1 MiB)")
            patchADR(relative)
        case 275, 276:                                                               // ADR_PREL_PG_HI21[_NC]
            let pages = (value & ~0xfff) &- (place & ~0xfff)
            if type == 275 { try checkSigned(pages, bits: 33, "a 21-bit ADRP page offset (±4 GiB)") }
            patchADR(pages >> 12)
        case 277, 278: patch(value, mask: 0xfff, shift: 10)                          // ADD_ABS_LO12_NC, LDST8
        case 284: patch((value & 0xfff) >> 1, mask: 0xfff, shift: 10)                // LDST16_ABS_LO12_NC
        case 285: patch((value & 0xfff) >> 2, mask: 0xfff, shift: 10)                // LDST32_ABS_LO12_NC
        case 286: patch((value & 0xfff) >> 3, mask: 0xfff, shift: 10)                // LDST64_ABS_LO12_NC
        case 299: patch((value & 0xfff) >> 4, mask: 0xfff, shift: 10)                // LDST128_ABS_LO12_NC
        case 263...269:                                                              // MOVW_UABS_G0...G3
            let group = UInt64((type - 263) / 2)                                     // G0, G0_NC, G1... → 0, 0, 1...
            let checked = (type - 263) % 2 == 0 && type != 269
            if checked && (value >> (16 * (group + 1))) != 0 {
                throw .overflow(value: value, field: "an unsigned \(16 * (group + 1))-bit MOVW group \(group) value")
            }
            patch(value >> (16 * group), mask: 0xffff, shift: 5)
        default: break                                                               // NONE
        }
    }

    /// Whether `x`, read as signed, fits in `bits` bits.
    private static func checkSigned(_ x: UInt64, bits: UInt64, _ field: String) throws(Failure) {
        let signed = Int64(bitPattern: x)
        let limit = Int64(1) << (bits - 1)
        guard signed >= -limit && signed < limit else { throw .overflow(value: x, field: field) }
    }

    private static func load32(_ image: [UInt8], _ at: Int) -> UInt64 {
        (0..<4).reduce(0) { $0 | UInt64(image[at + $1]) << (8 * UInt64($1)) }
    }

    private static func store(_ value: UInt64, width: Int, _ image: inout [UInt8], _ at: Int) {
        for i in 0..<width { image[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}
