/// A relocation type number together with its architecture, so it can be named as binutils' `readelf` does
/// (`R_X86_64_GOTPCREL (9)`) in messages, whether or not the loader applies it.
public struct ELFRelocationType: Sendable, Hashable, CustomStringConvertible {
    public let architecture: Architecture
    public let rawValue: UInt32

    public init(_ rawValue: UInt32, architecture: Architecture) {
        self.rawValue = rawValue
        self.architecture = architecture
    }

    /// The `<elf.h>` name, or `unknown` for numbers it does not define.
    /// Bytes the relocation patches; nil for a type the loader does not apply.
    public var fieldWidth: Int? { ELFRelocator.width(of: self) }

    public var name: String {
        switch architecture {
        case .x86_64:
            return Int(rawValue) < ELFRelocationType.x86_64Names.count
                ? ELFRelocationType.x86_64Names[Int(rawValue)] : "unknown"
        case .arm64:
            return ELFRelocationType.aarch64Name(rawValue)
        }
    }

    /// `R_X86_64_PC32 (2)`.
    public var description: String { "\(name) (\(rawValue))" }

    /// x86_64 psABI, table "Relocation Types", by number.
    private static let x86_64Names = [
        "R_X86_64_NONE", "R_X86_64_64", "R_X86_64_PC32", "R_X86_64_GOT32", "R_X86_64_PLT32", "R_X86_64_COPY",
        "R_X86_64_GLOB_DAT", "R_X86_64_JUMP_SLOT", "R_X86_64_RELATIVE", "R_X86_64_GOTPCREL", "R_X86_64_32",
        "R_X86_64_32S", "R_X86_64_16", "R_X86_64_PC16", "R_X86_64_8", "R_X86_64_PC8", "R_X86_64_DTPMOD64",
        "R_X86_64_DTPOFF64", "R_X86_64_TPOFF64", "R_X86_64_TLSGD", "R_X86_64_TLSLD", "R_X86_64_DTPOFF32",
        "R_X86_64_GOTTPOFF", "R_X86_64_TPOFF32", "R_X86_64_PC64", "R_X86_64_GOTOFF64", "R_X86_64_GOTPC32",
        "R_X86_64_GOT64", "R_X86_64_GOTPCREL64", "R_X86_64_GOTPC64", "R_X86_64_GOTPLT64", "R_X86_64_PLTOFF64",
        "R_X86_64_SIZE32", "R_X86_64_SIZE64", "R_X86_64_GOTPC32_TLSDESC", "R_X86_64_TLSDESC_CALL",
        "R_X86_64_TLSDESC", "R_X86_64_IRELATIVE", "R_X86_64_RELATIVE64", "R_X86_64_PC32_BND",
        "R_X86_64_PLT32_BND", "R_X86_64_GOTPCRELX", "R_X86_64_REX_GOTPCRELX",
    ]

    /// ELF for the Arm 64-bit Architecture (AAELF64), section "Relocation codes".
    private static func aarch64Name(_ type: UInt32) -> String {
        switch type {
        case 0, 256: return "R_AARCH64_NONE"
        case 257: return "R_AARCH64_ABS64"
        case 258: return "R_AARCH64_ABS32"
        case 259: return "R_AARCH64_ABS16"
        case 260: return "R_AARCH64_PREL64"
        case 261: return "R_AARCH64_PREL32"
        case 262: return "R_AARCH64_PREL16"
        case 263: return "R_AARCH64_MOVW_UABS_G0"
        case 264: return "R_AARCH64_MOVW_UABS_G0_NC"
        case 265: return "R_AARCH64_MOVW_UABS_G1"
        case 266: return "R_AARCH64_MOVW_UABS_G1_NC"
        case 267: return "R_AARCH64_MOVW_UABS_G2"
        case 268: return "R_AARCH64_MOVW_UABS_G2_NC"
        case 269: return "R_AARCH64_MOVW_UABS_G3"
        case 270: return "R_AARCH64_MOVW_SABS_G0"
        case 271: return "R_AARCH64_MOVW_SABS_G1"
        case 272: return "R_AARCH64_MOVW_SABS_G2"
        case 273: return "R_AARCH64_LD_PREL_LO19"
        case 274: return "R_AARCH64_ADR_PREL_LO21"
        case 275: return "R_AARCH64_ADR_PREL_PG_HI21"
        case 276: return "R_AARCH64_ADR_PREL_PG_HI21_NC"
        case 277: return "R_AARCH64_ADD_ABS_LO12_NC"
        case 278: return "R_AARCH64_LDST8_ABS_LO12_NC"
        case 279: return "R_AARCH64_TSTBR14"
        case 280: return "R_AARCH64_CONDBR19"
        case 282: return "R_AARCH64_JUMP26"
        case 283: return "R_AARCH64_CALL26"
        case 284: return "R_AARCH64_LDST16_ABS_LO12_NC"
        case 285: return "R_AARCH64_LDST32_ABS_LO12_NC"
        case 286: return "R_AARCH64_LDST64_ABS_LO12_NC"
        case 287: return "R_AARCH64_MOVW_PREL_G0"
        case 288: return "R_AARCH64_MOVW_PREL_G0_NC"
        case 289: return "R_AARCH64_MOVW_PREL_G1"
        case 290: return "R_AARCH64_MOVW_PREL_G1_NC"
        case 291: return "R_AARCH64_MOVW_PREL_G2"
        case 292: return "R_AARCH64_MOVW_PREL_G2_NC"
        case 293: return "R_AARCH64_MOVW_PREL_G3"
        case 299: return "R_AARCH64_LDST128_ABS_LO12_NC"
        case 307: return "R_AARCH64_GOTREL64"
        case 308: return "R_AARCH64_GOTREL32"
        case 309: return "R_AARCH64_GOT_LD_PREL19"
        case 311: return "R_AARCH64_ADR_GOT_PAGE"
        case 312: return "R_AARCH64_LD64_GOT_LO12_NC"
        case 313: return "R_AARCH64_LD64_GOTPAGE_LO15"
        case 1024: return "R_AARCH64_COPY"
        case 1025: return "R_AARCH64_GLOB_DAT"
        case 1026: return "R_AARCH64_JUMP_SLOT"
        case 1027: return "R_AARCH64_RELATIVE"
        case 1028: return "R_AARCH64_TLS_DTPMOD"
        case 1029: return "R_AARCH64_TLS_DTPREL"
        case 1030: return "R_AARCH64_TLS_TPREL"
        case 1031: return "R_AARCH64_TLSDESC"
        case 1032: return "R_AARCH64_IRELATIVE"
        default: return "unknown"
        }
    }
}
