import Testing
import Machine
import Kprobes
@testable import Tracefs

/// The filter compiler's pieces, each against an independent derivation: the branch program against a plain
/// recursive evaluator of the same expression, the string tests against hand-worked cases of the kernel's
/// match functions, numbers against lib/kstrtox.c's rules, and the record bytes against the `format` offsets.
@Suite("tracefs: event filter programs, patterns and numbers")
struct EventFilterProgramTests {
    static let format = ProbeEventFormat(name: "e", id: 1338, isReturn: false,
                                         fields: [ProbeEventField(name: "a", type: .s32), ProbeEventField(name: "b", type: .x64),
                                                  ProbeEventField(name: "s", type: .string)])

    static func record(a: Int32, b: UInt64, s: String?, pid: Int32 = 7) -> [UInt8] {
        ProbeEventRecord(event: format, context: TraceEntryContext(comm: "t", pid: pid, cpu: 0, timestamp: 0),
                         location: .kprobe(ip: 0xffff_ffff_8100_0000),
                         values: [.scalar(UInt64(UInt32(bitPattern: a))), .scalar(b), .string(s)]).bytes
    }

    /// A random expression and its meaning, evaluated the textbook way: `!` and parentheses bind tightest,
    /// then `&&`, then `||`.
    indirect enum Expression {
        case atom(String, (Int32, UInt64) -> Bool)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)

        var text: String {
            switch self {
            case .atom(let text, _): text
            case .not(let e): "!(\(e.text))"
            case let .and(l, r): "\(l.parenthesizedForAnd) && \(r.parenthesizedForAnd)"
            case let .or(l, r): "\(l.text) || \(r.text)"
            }
        }
        /// An `||` under `&&` needs parentheses; everything else relies on precedence.
        var parenthesizedForAnd: String {
            if case .or = self { return "(\(text))" }
            return text
        }
        func value(_ a: Int32, _ b: UInt64) -> Bool {
            switch self {
            case .atom(_, let f): f(a, b)
            case .not(let e): !e.value(a, b)
            case let .and(l, r): l.value(a, b) && r.value(a, b)
            case let .or(l, r): l.value(a, b) || r.value(a, b)
            }
        }

        static func random(depth: Int, _ rng: inout SeededGenerator) -> Expression {
            if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 {
                let k = Int32.random(in: -3...3, using: &rng)
                let m = UInt64.random(in: 0...7, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: return .atom("a == \(k)") { a, _ in a == k }
                case 1: return .atom("a != \(k)") { a, _ in a != k }
                case 2: return .atom("a < \(k)") { a, _ in a < k }
                case 3: return .atom("a >= \(k)") { a, _ in a >= k }
                default: return .atom("b & \(m)") { _, b in b & m != 0 }
                }
            }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .not(random(depth: depth - 1, &rng))
            case 1: return .and(random(depth: depth - 1, &rng), random(depth: depth - 1, &rng))
            default: return .or(random(depth: depth - 1, &rng), random(depth: depth - 1, &rng))
            }
        }
    }

    @Test("the branch program agrees with a recursive evaluator on random expressions (seeds 1...300)")
    func programMatchesEvaluator() throws {
        for seed in UInt64(1)...300 {
            var rng = SeededGenerator(seed: seed)
            let expression = Expression.random(depth: 4, &rng)
            let filter = try EventFilter(expression.text, format: Self.format)
            for a in Int32(-4)...4 {
                for b in UInt64(0)...7 {
                    #expect(filter.matches(record: Self.record(a: a, b: b, s: "x"), cpu: 0, comm: "t")
                            == expression.value(a, b), "seed \(seed): \(expression.text) at a=\(a) b=\(b)")
                }
            }
        }
    }

    /// Bad input never crashes: random strings over the filter grammar's characters either compile (and then
    /// match or not) or fail with one of the kernel's errnos.
    /// Random strings alone never compile (seeds 1...4000: all 4000 refused), so valid expressions with up to
    /// three random character edits (seeds 1...2000) are added: those compile or fail near the grammar's edges.
    @Test("fuzz: random strings and mutated expressions compile or fail cleanly (seeds 1...4000, 1...2000)")
    func fuzz() {
        let alphabet = Array("ab s=!<>&|~()\"'*?[]-0123456789x_cpuCOMMcommon_pid ")
        let errnos: Set<Int32> = [Errno.EINVAL.rawValue, Errno.EPERM.rawValue, Errno.ENOENT.rawValue, Errno.ESRCH.rawValue]
        let record = Self.record(a: 1, b: 2, s: "ab")
        // Both outcomes must occur, or the loop checks nothing: blank-free compiled filters and refusals.
        var compiled = 0, failed = 0
        let randomTexts: [(String, String)] = (UInt64(1)...4000).map { seed in
            var rng = SeededGenerator(seed: seed)
            return ("seed \(seed)", String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        var mutated: [(String, String)] = []
        for seed in UInt64(1)...2000 {
            var rng = SeededGenerator(seed: seed)
            var text = Array(Expression.random(depth: 3, &rng).text)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let at = Int.random(in: 0...text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: text.insert(alphabet.randomElement(using: &rng)!, at: at)
                case 1 where at < text.count: text.remove(at: at)
                default: if at < text.count { text[at] = alphabet.randomElement(using: &rng)! }
                }
            }
            mutated.append(("mutation seed \(seed)", String(text)))
        }
        for (seed, text) in randomTexts + mutated {
            do {
                let filter = try EventFilter(text, format: Self.format)
                _ = filter.matches(record: record, cpu: 0, comm: "t")
                if !text.allSatisfy(\.isWhitespace) { compiled += 1 }
            } catch {
                failed += 1
                #expect(errnos.contains(error.errno.rawValue), "\(seed): \(text)")
            }
        }
        #expect(compiled > 0)
        #expect(failed > 0)
    }

    /// Hand derivation of regex_match_* on a `__data_loc` string, `comm` (a 16-byte buffer) and the CPU.
    @Test("string, comm and CPU predicates")
    func stringsCommAndCPU() throws {
        let bytes = Self.record(a: 0, b: 0, s: "/proc/version")
        func match(_ expression: String, comm: String = "cat", cpu: Int = 0) throws -> Bool {
            try EventFilter(expression, format: Self.format).matches(record: bytes, cpu: cpu, comm: comm)
        }
        #expect(try match(#"s == "/proc/version""#))
        #expect(try !match(#"s == "/proc/versio""#))
        #expect(try match(#"s != "/proc""#))
        #expect(try match(#"s ~ "/proc/*""#))          // prefix
        #expect(try match(#"s ~ "*version""#))         // suffix, within the string's length
        #expect(try match(#"s ~ "*oc/v*""#))           // substring
        #expect(try match(#"s ~ "/p?oc/[uv]*n""#))     // glob
        #expect(try !match(#"s ~ "/p?oc/[!v]*""#))
        #expect(try match(#"s ~ "!*cmdline""#))        // `!` negates a `~` pattern
        #expect(try match(#"comm == "cat""#))
        // comm's suffix test looks at the end of the 16-byte buffer, not of the name: "*at" fails on "cat".
        #expect(try !match(#"comm ~ "*at""#))
        #expect(try match(#"comm ~ "c*""#) && match(#"comm ~ "*a*""#))
        #expect(try match("CPU == 1 && cpu > 0 && common_cpu != 2", cpu: 1))
        #expect(try !match("cpu & 1", cpu: 1))         // no `&` for the CPU field: never true
        #expect(try match("common_pid == 7 && common_type == 1338 && __probe_ip == 0xffffffff81000000"))
        // A faulted string is stored with length 0 and never matches a non-empty pattern.
        let faulted = Self.record(a: 0, b: 0, s: nil)
        #expect(!(try EventFilter(#"s ~ "*""#, format: Self.format).matches(record: faulted, cpu: 0, comm: "t")))
        #expect(try EventFilter(#"s == """#, format: Self.format).matches(record: faulted, cpu: 0, comm: "t"))
    }

    /// lib/kstrtox.c: base 0 means `0x` hex, leading `0` octal, else decimal; the whole token must parse.
    @Test("numbers: kstrtoull and kstrtoll with base 0")
    func numbers() {
        typealias P = EventFilter.Parser
        #expect(P.kstrtoull(Array("0x1F".utf8)) == 31)
        #expect(P.kstrtoull(Array("017".utf8)) == 15)
        #expect(P.kstrtoull(Array("09".utf8)) == nil)
        #expect(P.kstrtoull(Array("0x".utf8)) == nil)
        #expect(P.kstrtoull(Array("18446744073709551615".utf8)) == .max)
        #expect(P.kstrtoull(Array("18446744073709551616".utf8)) == nil)
        #expect(P.kstrtoull(Array("-1".utf8)) == nil)
        #expect(P.kstrtoll(Array("-1".utf8)) == .max)
        #expect(P.kstrtoll(Array("-9223372036854775808".utf8)) == 1 << 63)
        #expect(P.kstrtoll(Array("-9223372036854775809".utf8)) == nil)
        #expect(P.kstrtoll(Array("9223372036854775808".utf8)) == nil)
    }

    /// The record layout the predicates read: the `format` offsets, the `__data_loc` word (length << 16 |
    /// offset) and the string after the fixed part.
    @Test("record bytes follow the format file")
    func recordBytes() {
        let bytes = Self.record(a: -2, b: 0x1122, s: "ab", pid: 0x42)
        #expect(Self.format.fieldOffsets == [16, 20, 28])
        #expect(Array(bytes[0..<2]) == [0x3a, 0x05])                       // common_type 1338
        #expect(Array(bytes[4..<8]) == [0x42, 0, 0, 0])                    // common_pid
        #expect(Array(bytes[16..<20]) == [0xfe, 0xff, 0xff, 0xff])         // a = -2
        #expect(Array(bytes[20..<22]) == [0x22, 0x11])                     // b
        #expect(Array(bytes[28..<32]) == [32, 0, 3, 0])                    // s: offset 32, length 3
        #expect(Array(bytes[32...]) == [0x61, 0x62, 0])
    }
}
