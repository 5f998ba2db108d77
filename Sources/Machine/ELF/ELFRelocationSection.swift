/// An `SHT_RELA` section: the relocations that apply to one target section.
public struct ELFRelocationSection: Sendable, Hashable {
    /// The `SHT_RELA` section itself.
    public let section: Int
    /// `sh_info`: the section the relocations patch.
    public let target: Int
    public let relocations: [ELFRelocation]
}
