import Kprobes
import Machine

/// A `p`/`r` line of `kprobe_events` / `dynamic_events`, parsed as the kernel's `__trace_kprobe_create`
/// (kernel/trace/trace_kprobe.c) parses it, before anything is looked up or registered:
/// `p[:[GRP/|GRP.][EVENT]] [MOD:]SYM[+|-OFFS][%return]|MEMADDR [FETCHARGS]` and
/// `r[MAXACTIVE][:[GRP/|GRP.][EVENT]] [MOD:]SYM[+0]|MEMADDR [FETCHARGS]`.
public struct KprobeEventDefinition: Sendable, Hashable {
    /// Where the probe goes: `SYM[+OFFS]` (`MOD:SYM` kept whole) or an address.
    public enum Target: Sendable, Hashable {
        case symbol(String, offset: UInt64)
        case address(UInt64)

        var isAddress: Bool {
            if case .address = self { return true }
            return false
        }
    }

    public var isReturn: Bool
    /// `r<N>`; nil when not given (registration then uses the default, see `kprobeEventsLine`).
    public var maxactive: UInt32?
    public var group: String
    /// The event name, or nil for the default `p_SYM_OFFS` / `p_0x<%p>` (see `eventName(pointerHash:)`).
    public var event: String?
    public var target: Target
    public var args: [ProbeArg]

    /// `KPROBE_EVENT_SYSTEM`, `MAX_EVENT_NAME_LEN`, `KRETPROBE_MAXACTIVE_MAX`, `MAX_TRACE_ARGS`.
    public static let defaultGroup = "kprobes"
    static let maxEventNameLength = 64, maxactiveMax: UInt64 = 4096, maxTraceArgs = 128

    /// `__trace_kprobe_create(argc, argv)`. `-ECANCELED` (not a kprobe line) is reported as -EINVAL without an
    /// error_log entry, as `create_or_delete_trace_kprobe` does.
    static func parse(argv: [String], architecture: Architecture,
                      profile: KernelProfile) throws(KprobeEventError) -> KprobeEventDefinition {
        let word0 = Array(argv[0].utf8)
        var isReturn: Bool
        switch word0.first {
        case UInt8(ascii: "r"): isReturn = true
        case UInt8(ascii: "p"): isReturn = false
        default: throw KprobeEventError(.EINVAL)
        }
        guard argv.count >= 2 else { throw KprobeEventError(.EINVAL) }
        var log = TraceProbeLog(subsystem: "trace_kprobe", argv: argv)

        let colon = word0.dropFirst().firstIndex(of: UInt8(ascii: ":"))
        var maxactive: UInt32?
        if word0.count > 1, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(word0[1]) {
            if !isReturn { throw log.error(1, .MAXACT_NO_KPROBE) }
            let digits = word0[1..<(colon ?? word0.count)]
            if digits.count > maxEventNameLength - 1 { throw log.error(1, .BAD_MAXACT) }
            guard let n = KernelNumber.kstrtoull(String(decoding: digits, as: UTF8.self), base: 0),
                  n != 0, n <= UInt64(UInt32.max) else { throw log.error(1, .BAD_MAXACT) }
            if n > maxactiveMax { throw log.error(1, .MAXACT_TOO_BIG) }
            maxactive = UInt32(n)
        }

        let target: Target
        // TPARG_FL_RETURN and TPARG_FL_FENTRY are only set for symbol targets: an address kretprobe
        // cannot fetch $retval in v6.1.
        var returnFlag = false, isFunctionEntry = false
        if let address = KernelNumber.kstrtoull(argv[1], base: 0) {
            target = .address(address)
        } else {
            log.index = 1
            // A uprobe line (PATH:OFFS) is not ours: -ECANCELED.
            if argv[1].utf8.contains(UInt8(ascii: "/")) && argv[1].utf8.contains(UInt8(ascii: ":")) {
                throw KprobeEventError(.EINVAL)
            }
            var symbol = argv[1]
            if let percent = symbol.utf8.firstIndex(of: UInt8(ascii: "%")) {
                guard symbol.utf8[percent...].elementsEqual("%return".utf8) else {
                    throw log.error(symbol.utf8.distance(from: symbol.startIndex, to: percent), .BAD_ADDR_SUFFIX)
                }
                symbol = String(symbol[..<percent])
                isReturn = true
            }
            // kernel: traceprobe_split_symbol_offset, then `offset < 0 || offset > UINT_MAX`.
            var offset: Int64 = 0
            if let sign = symbol.utf8.firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
                guard let parsed = KernelNumber.kstrtoll(symbol[sign...], base: 0), parsed >= 0,
                      parsed <= Int64(UInt32.max) else { throw log.error(0, .BAD_PROBE_ADDR) }
                offset = parsed
                symbol = String(symbol[..<sign])
            }
            // kprobe_on_func_entry: only offset 0 is the entry; a return probe elsewhere is BAD_RETPROBE.
            returnFlag = isReturn
            isFunctionEntry = offset == 0
            if isReturn, !isFunctionEntry { throw log.error(0, .BAD_RETPROBE) }
            target = .symbol(symbol, offset: UInt64(offset))
        }

        log.index = 0
        var group = defaultGroup
        var event: String?
        if let colon {
            (group, event) = try parseEventName(String(decoding: word0[(colon + 1)...], as: UTF8.self),
                                                offset: colon + 1, log: log)
        }

        let words = argv.dropFirst(2)
        if words.count > maxTraceArgs { throw KprobeEventError(.E2BIG) }
        let context = ProbeArg.Context(architecture: architecture, profile: profile, isReturn: returnFlag,
                                       isFunctionEntry: isFunctionEntry)
        var args: [ProbeArg] = []
        for (i, word) in words.enumerated() {
            log.index = i + 2
            args.append(try ProbeArg.parse(word, position: i, previous: args, context: context, log: log))
        }
        return KprobeEventDefinition(isReturn: isReturn, maxactive: maxactive, group: group, event: event,
                                     target: target, args: args)
    }

    /// `traceprobe_parse_event_name(&event, &group, buf, offset)` (kernel/trace/trace_probe.c): `GRP/EVENT`,
    /// `GRP.EVENT` or `EVENT`; `GRP/` alone leaves the event to the default name.
    static func parseEventName(_ text: String, offset: Int,
                               log: TraceProbeLog) throws(KprobeEventError) -> (String, String?) {
        var group = defaultGroup
        var event = text[...]
        var offset = offset
        let slash = text.utf8.firstIndex(of: UInt8(ascii: "/")) ?? text.utf8.firstIndex(of: UInt8(ascii: "."))
        if let slash {
            let length = text.utf8.distance(from: text.startIndex, to: slash)
            if length == 0 { throw log.error(offset, .NO_GROUP_NAME) }
            if length + 1 > maxEventNameLength { throw log.error(offset, .GROUP_TOO_LONG) }
            group = String(text[..<slash])
            if !isGoodName(group) { throw log.error(offset, .BAD_GROUP_NAME) }
            event = text[text.utf8.index(after: slash)...]
            offset += length + 1
        }
        if event.isEmpty {
            if slash != nil { return (group, nil) }
            throw log.error(offset, .NO_EVENT_NAME)
        }
        // `len >= MAX_EVENT_NAME_LEN` since "tracing: Consider the NULL character when validating the event
        // length" (2024, Fixes: dec65d79fd26, so in the 6.1 stable series; v6.1.0 had `>`). The captured
        // 90-byte name does not tell the two apart.
        if event.utf8.count >= maxEventNameLength { throw log.error(offset, .EVENT_TOO_LONG) }
        if !isGoodName(event) { throw log.error(offset, .BAD_EVENT_NAME) }
        return (group, String(event))
    }

    /// `is_good_name` (kernel/trace/trace_probe.h): a C identifier.
    static func isGoodName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isAlpha(first) else { return false }
        return name.utf8.dropFirst().allSatisfy { $0 == UInt8(ascii: "_") || isAlpha($0) || isDigit($0) }
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The event name: the explicit one, or the kernel's default `p_SYM_OFFS` / `r_SYM_OFFS` (decimal
    /// offset) or `p_0x<%p>`, cut to `MAX_EVENT_NAME_LEN - 1` and with every non-alphanumeric byte turned
    /// into `_` (`sanitize_event_name`). `%p` prints a hashed pointer; `pointerHash` supplies it.
    public func eventName(pointerHash: (UInt64) -> UInt64) -> String {
        if let event { return event }
        let kind = isReturn ? "r" : "p"
        let raw: String
        switch target {
        case let .symbol(symbol, offset): raw = "\(kind)_\(symbol)_\(offset)"
        case let .address(address): raw = "\(kind)_0x\(Self.pointer(pointerHash(address)))"
        }
        let bytes = Array(raw.utf8.prefix(Self.maxEventNameLength - 1)).map {
            Self.isAlpha($0) || Self.isDigit($0) ? $0 : UInt8(ascii: "_")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The line `kprobe_events` shows for the event. kernel: trace_kprobe.c `trace_kprobe_show`.
    /// `register_kretprobe` writes its default `maxactive` back, so a return probe created without one lists
    /// with `KernelProfile.defaultMaxactive(possibleCPUs:)` once registered, and as plain `r` while its
    /// registration is deferred (`registered` false, e.g. an address not yet in any loaded text).
    public func kprobeEventsLine(profile: KernelProfile, possibleCPUs: Int, registered: Bool = true,
                                 pointerHash: (UInt64) -> UInt64) -> String {
        var line = isReturn ? "r" : "p"
        if isReturn, let n = maxactive.map(Int.init)
            ?? (registered ? profile.defaultMaxactive(possibleCPUs: possibleCPUs) : nil) {
            line += String(n)
        }
        line += ":\(group)/\(eventName(pointerHash: pointerHash))"
        switch target {
        case let .address(address): line += " 0x" + Self.pointer(pointerHash(address))
        case let .symbol(symbol, 0): line += " " + symbol
        case let .symbol(symbol, offset): line += " \(symbol)+\(offset)"
        }
        for arg in args { line += " \(arg.name)=\(arg.comm)" }
        return line
    }

    /// `%p` on a 64-bit kernel: 16 hex digits, zero-padded.
    private static func pointer(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
