import Kprobes

/// A failed write to `kprobe_events`: the errno `write(2)` returns and, when the kernel logged one, the
/// `error_log` entry. Some failures log nothing (e.g. `-ECANCELED` turned into `-EINVAL` for a line that is
/// not a kprobe command, `-E2BIG` for too many arguments, a non-string `$comm`).
public struct KprobeEventError: Error, Sendable, Hashable {
    public var errno: Errno
    public var log: TracingLogErr?

    public init(_ errno: Errno, log: TracingLogErr? = nil) {
        self.errno = errno
        self.log = log
    }
}
