/// One program header (`Elf64_Phdr`) of an executable. For `PT_LOAD` the file range was checked against the
/// file and `fileSize <= memorySize`.
public struct ELFProgramHeader: Sendable, Hashable {
    public static let PT_LOAD: UInt32 = 1
    public static let PF_X: UInt32 = 1
    public static let PF_W: UInt32 = 2
    public static let PF_R: UInt32 = 4

    public let index: Int
    public let type: UInt32
    public let flags: UInt32
    public let offset: UInt64
    public let virtualAddress: UInt64
    public let fileSize: UInt64
    public let memorySize: UInt64
    public let alignment: UInt64

    public var isLoad: Bool { type == ELFProgramHeader.PT_LOAD }

    /// `p_flags` as page permissions.
    public var permissions: PagePermissions {
        var permissions: PagePermissions = []
        if flags & ELFProgramHeader.PF_R != 0 { permissions.insert(.read) }
        if flags & ELFProgramHeader.PF_W != 0 { permissions.insert(.write) }
        if flags & ELFProgramHeader.PF_X != 0 { permissions.insert(.execute) }
        return permissions
    }

    /// How messages name it: `program header 2 (PT_LOAD)`.
    public var label: String { "program header \(index)" + (isLoad ? " (PT_LOAD)" : "") }
}
