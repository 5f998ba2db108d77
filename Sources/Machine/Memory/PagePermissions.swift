/// Per-page access rights, as a page-table entry would grant them.
public struct PagePermissions: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = PagePermissions(rawValue: 1)
    public static let write = PagePermissions(rawValue: 2)
    public static let execute = PagePermissions(rawValue: 4)

    /// Kernel text: `r-x`.
    public static let text: PagePermissions = [.read, .execute]
    /// Kernel data and stacks: `rw-`.
    public static let data: PagePermissions = [.read, .write]
    /// Read-only data: `r--`.
    public static let rodata: PagePermissions = [.read]

    public var description: String {
        (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-") + (contains(.execute) ? "x" : "-")
    }
}
