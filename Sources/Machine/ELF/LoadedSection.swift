/// A section as the loader placed it in simulated memory.
public struct LoadedSection: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let address: UInt64
    public let size: UInt64
    public let permissions: PagePermissions

    public var description: String {
        "\(name) \(ELFError.hex(address)) size \(ELFError.hex(size)) \(permissions)"
    }
}
