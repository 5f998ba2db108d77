import Kprobes

/// A failed `open(2)` or `write(2)` on a tracefs file: the path and the errno, which a shell reports as
/// `sh: can't create PATH: ...` or `sh: write error: Invalid argument`.
public struct TracefsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where it failed: opening (no such file; `O_TRUNC` of `kprobe_events` with an event enabled) or writing.
    public enum Stage: Sendable, Hashable {
        case open, write
    }

    public var path: String
    public var errno: Errno
    public var stage: Stage

    public init(path: String, errno: Errno, stage: Stage = .write) {
        self.path = path
        self.errno = errno
        self.stage = stage
    }

    public var description: String { "\(path): \(errno.message)" }
}
