import Foundation

/// Standard output or standard error as a `TextOutputStream`, so commands write through `inout` streams and
/// tests can capture them in strings.
public struct StandardStream: TextOutputStream {
    private let handle: FileHandle

    public static var output: StandardStream { StandardStream(handle: .standardOutput) }
    public static var error: StandardStream { StandardStream(handle: .standardError) }

    public mutating func write(_ string: String) {
        handle.write(Data(string.utf8))
    }
}
