/// arm64 module PLT entries (arch/arm64/kernel/module-plts.c): a `bl`/`b` reaches ±128 MiB, so a branch from
/// loaded code to a symbol outside that reach goes through a small veneer the loader emits at the end of the
/// object's text, and the branch is relocated to the veneer instead (`module_emit_plt_entry`).
///
/// The kernel's veneer is `adrp x16; add x16; br x16`, enough because modules live within 4 GiB of the
/// kernel. The simulator's host functions sit in a page further away, so this veneer builds the full 64-bit
/// address: `movz x16, #a0; movk x16, #a1, lsl 16; movk x16, #a2, lsl 32; movk x16, #a3, lsl 48; br x16`.
/// x16 (IP0) is the intra-procedure-call scratch register the AAPCS64 reserves for exactly this.
enum ModulePLT {
    /// One veneer per distinct branch destination: the symbol and the addend.
    struct Key: Hashable {
        let symbolIndex: Int
        let addend: Int64
    }

    static let entrySize: UInt64 = 20
    static let alignment: UInt64 = 4

    /// Whether relocation `type` is a branch that may need a veneer.
    static func isBranch(_ type: ELFRelocationType) -> Bool {
        type.architecture == .arm64 && (type.rawValue == 282 || type.rawValue == 283)   // JUMP26, CALL26
    }

    /// Only branches to symbols outside the image can be out of range: `ELFLayout` keeps images far smaller
    /// than the branch reach. The kernel counts every branch to another section (`count_plts`); the result
    /// is the same set of veneers actually used.
    static func needsSlot(_ symbol: ELFSymbol) -> Bool {
        symbol.isUndefined || symbol.sectionIndex == ELFSymbol.SHN_ABS
    }

    /// The veneer's bytes for `target`, little-endian.
    static func entry(for target: UInt64) -> [UInt8] {
        let movz: UInt32 = 0xd280_0010, movk: UInt32 = 0xf280_0010, brX16: UInt32 = 0xd61f_0200
        var words: [UInt32] = []
        for group in 0..<4 {
            let imm = UInt32(truncatingIfNeeded: target >> (16 * UInt64(group))) & 0xffff
            words.append((group == 0 ? movz : movk) | UInt32(group) << 21 | imm << 5)
        }
        words.append(brX16)
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }
}
