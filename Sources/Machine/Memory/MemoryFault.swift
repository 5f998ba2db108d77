/// A simulated memory access that the page tables refuse: the value a page fault carries, never a host crash.
public struct MemoryFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the access tried to do.
    public enum Access: String, Sendable, Hashable {
        case read, write, execute
    }

    /// The first address the access could not reach (the kernel's `cr2` / `FAR_EL1`).
    public let address: UInt64
    public let access: Access
    /// True when the page is mapped but lacks the permission; false when nothing is mapped there.
    public let pagePresent: Bool

    public init(address: UInt64, access: Access, pagePresent: Bool) {
        self.address = address
        self.access = access
        self.pagePresent = pagePresent
    }

    public var description: String {
        let hex = "0x" + String(address, radix: 16)
        return pagePresent
            ? "\(access) of \(hex) refused by page permissions"
            : "\(access) of unmapped address \(hex)"
    }
}
