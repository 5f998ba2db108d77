import Kprobes
import Machine

/// One line written to `kprobe_events` (or a kprobe line of `dynamic_events`): a definition, a deletion
/// `-:[GRP/]EVENT`, or nothing (empty line, comment). kernel: kernel/trace/trace.c
/// `trace_parse_run_command` (splits lines, cuts `#` comments), trace_kprobe.c
/// `create_or_delete_trace_kprobe`, trace_dynevent.c `dyn_event_release`, lib/argv_split.c.
public enum KprobeEventCommand: Sendable, Hashable {
    case define(KprobeEventDefinition)
    /// `-:[GRP/]EVENT`; a nil group matches the event in any group.
    case delete(group: String?, event: String)

    /// Parses one line (without its newline); nil for a line with no words after removing the comment.
    public static func parse(_ line: String, architecture: Architecture,
                             profile: KernelProfile) throws(KprobeEventError) -> KprobeEventCommand? {
        let argv = words(line)
        guard let word0 = argv.first else { return nil }
        if word0.hasPrefix("-") {
            guard word0.hasPrefix("-:") else { throw KprobeEventError(.EINVAL) }
            let name = word0.dropFirst(2)
            if let slash = name.utf8.firstIndex(of: UInt8(ascii: "/")) {
                return .delete(group: String(name[..<slash]), event: String(name[name.utf8.index(after: slash)...]))
            }
            if name.isEmpty { throw KprobeEventError(.EINVAL) }
            return .delete(group: nil, event: String(name))
        }
        return .define(try KprobeEventDefinition.parse(argv: argv, architecture: architecture, profile: profile))
    }

    /// The words of a command: `#` starts a comment; lib/argv_split.c splits on isspace().
    static func words(_ line: String) -> [String] {
        let uncommented = line.utf8.split(separator: UInt8(ascii: "#"), maxSplits: 1,
                                          omittingEmptySubsequences: false).first ?? line.utf8[...]
        return uncommented.split(whereSeparator: { [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains($0) })
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
