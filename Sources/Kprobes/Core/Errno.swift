/// A kernel error number, as `register_kprobe` and friends return it negated: the number, the kernel's name
/// for it, and the text `strerror` gives (what a shell prints after `write error:`).
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public let name: String
    public let message: String

    public init(_ rawValue: Int32, _ name: String, _ message: String) {
        self.rawValue = rawValue
        self.name = name
        self.message = message
    }

    /// `-EINVAL (Invalid argument)`: how the kernel's return value reads.
    public var description: String { "-\(name) (\(message))" }

    public static let EPERM = Errno(1, "EPERM", "Operation not permitted")
    public static let ENOENT = Errno(2, "ENOENT", "No such file or directory")
    public static let ESRCH = Errno(3, "ESRCH", "No such process")
    public static let E2BIG = Errno(7, "E2BIG", "Argument list too long")
    public static let ENOMEM = Errno(12, "ENOMEM", "Cannot allocate memory")
    public static let EBUSY = Errno(16, "EBUSY", "Device or resource busy")
    public static let EEXIST = Errno(17, "EEXIST", "File exists")
    public static let ENODEV = Errno(19, "ENODEV", "No such device")
    public static let EINVAL = Errno(22, "EINVAL", "Invalid argument")
    public static let ENOSPC = Errno(28, "ENOSPC", "No space left on device")
    public static let ERANGE = Errno(34, "ERANGE", "Numerical result out of range")
    public static let EILSEQ = Errno(84, "EILSEQ", "Invalid or incomplete multibyte or wide character")
    public static let EOPNOTSUPP = Errno(95, "EOPNOTSUPP", "Operation not supported")
}
