/// Loads and stores: single registers (unsigned offset, unscaled, pre/post-index, register offset, literal),
/// pairs, exclusives and acquire/release.
extension ARM64Encoder {
    /// (size, opc, transfer register is 64-bit, unscaled-only) per single-register mnemonic.
    static let singleForms: [String: (size: UInt32?, opc: UInt32?, unscaled: Bool)] = [
        "ldr": (nil, 1, false), "str": (nil, 0, false), "ldrb": (0, 1, false), "strb": (0, 0, false),
        "ldrh": (1, 1, false), "strh": (1, 0, false), "ldrsb": (0, nil, false), "ldrsh": (1, nil, false),
        "ldrsw": (2, 2, false), "ldur": (nil, 1, true), "stur": (nil, 0, true), "ldurb": (0, 1, true),
        "sturb": (0, 0, true), "ldurh": (1, 1, true), "sturh": (1, 0, true), "ldursb": (0, nil, true),
        "ldursh": (1, nil, true), "ldursw": (2, 2, true), "prfm": (3, 2, false), "prfum": (3, 2, true),
    ]

    func encodeLoadStore() throws(Problem) -> UInt32? {
        if let form = ARM64Encoder.singleForms[mnemonic] { return try single(form) }
        switch mnemonic {
        case "ldp", "stp", "ldnp", "stnp", "ldpsw": return try pair()
        case "ldxr", "ldxrb", "ldxrh", "ldaxr", "ldaxrb", "ldaxrh", "stxr", "stxrb", "stxrh", "stlxr", "stlxrb",
             "stlxrh", "ldxp", "ldaxp", "stxp", "stlxp", "ldar", "ldarb", "ldarh", "stlr", "stlrb", "stlrh",
             "ldlar", "ldlarb", "ldlarh", "stllr", "stllrb", "stllrh":
            return try exclusive()
        default: return nil
        }
    }

    /// Prefetch operation number of a PRFM name (`pldl1keep`) or `#imm`.
    func prefetchOperation(_ n: Int) throws(Problem) -> UInt32 {
        switch try operand(n) {
        case .immediate(let value): return try checked(value, 0...31, "prefetch operation")
        case .name(let text):
            let kinds = ["pld", "pli", "pst"]
            guard text.count == 9, let kind = kinds.firstIndex(of: String(text.prefix(3))), text.dropFirst(3).hasPrefix("l"),
                  let level = Int(String(text.dropFirst(4).prefix(1))), (1...3).contains(level) else {
                throw fail("unknown prefetch operation '\(text)'")
            }
            let policy = text.suffix(4)
            guard policy == "keep" || policy == "strm" else { throw fail("unknown prefetch policy in '\(text)'") }
            return UInt32(kind) << 3 | UInt32(level - 1) << 1 | (policy == "strm" ? 1 : 0)
        default: throw fail("expected a prefetch operation")
        }
    }

    func single(_ form: (size: UInt32?, opc: UInt32?, unscaled: Bool)) throws(Problem) -> UInt32 {
        try expectCount(2...3)
        let isPrefetch = mnemonic.hasPrefix("prf")
        var rt: UInt32
        var size: UInt32
        var opc: UInt32
        var vector = false
        if isPrefetch {
            rt = try prefetchOperation(0)
            size = 3
            opc = 2
        } else if case .vector(let n, let vectorSize) = try operand(0), mnemonic == "ldr" {
            rt = n
            size = vectorSize
            opc = 1
            vector = true
        } else {
            let t = try register(0)
            guard !t.isSP else { throw fail("the transfer register cannot be sp") }
            rt = t.number
            size = form.size ?? (t.is64 ? 3 : 2)
            opc = form.opc ?? (t.is64 ? 2 : 3)
            if mnemonic == "ldrsw" || mnemonic == "ldursw" { guard t.is64 else { throw fail("ldrsw loads an x register") } }
        }
        // Literal: `ldr x0, label`.
        if case .memory = try operand(1) {} else {
            guard mnemonic == "ldr" || mnemonic == "ldrsw" || mnemonic == "prfm" else { throw fail("expected an address") }
            let literalOpc: UInt32
            if vector {
                guard size >= 2 else { throw fail("literal SIMD loads are s, d or q") }
                literalOpc = size - 2
            } else {
                literalOpc = isPrefetch ? 3 : mnemonic == "ldrsw" ? 2 : size == 3 ? 1 : 0
            }
            return literalOpc << 30 | 0x1800_0000 | (vector ? 1 << 26 : 0) | (try pcOffset(1, bits: 19)) << 5 | rt
        }
        guard case .memory(let inner, let writeback) = try operand(1) else { throw fail("expected an address") }
        guard case .register(let base, true, let baseIsSP) = inner[0], base != 31 || baseIsSP else { throw fail("the base must be an x register or sp") }
        let sizeField = vector ? size & 3 : size
        let opcField = vector ? (size == 4 ? 3 : 1) : opc
        let scale = vector ? size : size
        var word = sizeField << 30 | 0x3800_0000 | (vector ? 1 << 26 : 0) | opcField << 22 | base << 5 | rt
        if operands.count == 3 {
            guard inner.count == 1, !writeback, !form.unscaled else { throw fail("bad post-index form") }
            let imm = try checked(try immediate(2), -256...255, "post-index offset")
            return word | (imm & 0x1FF) << 12 | 1 << 10
        }
        if inner.count >= 2, case .register(let index, let indexIs64, false) = inner[1] {
            guard !form.unscaled, !writeback else { throw fail("register offsets are not unscaled or pre-indexed") }
            var option: UInt32 = 3
            var scaled: UInt32 = 0
            if inner.count == 3 {
                guard case .modifier(let kind, let amount) = inner[2] else { throw fail("expected an extend or lsl") }
                switch kind {
                case "lsl": option = 3
                case "uxtw": option = 2
                case "sxtw": option = 6
                case "sxtx": option = 7
                default: throw fail("bad extend '\(kind)' for an index register")
                }
                if let amount {
                    // An explicit amount equal to the access size sets S (for bytes, `#0` is that amount).
                    guard amount == 0 || amount == Int64(scale) else { throw fail("shift must be 0 or \(scale)") }
                    scaled = amount == Int64(scale) ? 1 : 0
                }
            }
            guard (option & 1 == 1) == indexIs64 else { throw fail("index register width does not match the extend") }
            return word | 1 << 21 | index << 16 | option << 13 | scaled << 12 | 2 << 10
        }
        let offset: Int64
        if inner.count == 2 {
            guard case .immediate(let value) = inner[1] else { throw fail("expected an immediate offset") }
            offset = value
        } else {
            offset = 0
        }
        if writeback {
            guard !form.unscaled else { throw fail("unscaled forms have no writeback") }
            return word | (try checked(offset, -256...255, "pre-index offset") & 0x1FF) << 12 | 3 << 10
        }
        let unit = Int64(1) << Int64(scale)
        if !form.unscaled && offset >= 0 && offset % unit == 0 && offset / unit < 4096 {
            word |= 1 << 24
            return word | UInt32(offset / unit) << 10
        }
        return word | (try checked(offset, -256...255, "unscaled offset") & 0x1FF) << 12
    }

    func pair() throws(Problem) -> UInt32 {
        try expectCount(3...4)
        let t1 = try register(0), t2 = try register(1)
        guard !t1.isSP, !t2.isSP, t1.is64 == t2.is64 else { throw fail("pair registers must be general registers of one width") }
        let signed = mnemonic == "ldpsw"
        guard !signed || t1.is64 else { throw fail("ldpsw loads x registers") }
        let opc: UInt32 = signed ? 1 : t1.is64 ? 2 : 0
        let scale: Int64 = signed ? 4 : t1.is64 ? 8 : 4
        let load: UInt32 = mnemonic.hasPrefix("ld") ? 1 : 0
        guard case .memory(let inner, let writeback) = try operand(2),
              case .register(let base, true, let baseIsSP) = inner[0], base != 31 || baseIsSP else { throw fail("expected [xn...]") }
        var mode: UInt32 = mnemonic.hasSuffix("np") ? 0 : 2
        var offset: Int64 = 0
        if operands.count == 4 {
            mode = 1
            offset = try immediate(3)
        } else {
            if inner.count == 2, case .immediate(let value) = inner[1] { offset = value }
            if writeback { mode = 3 }
        }
        guard offset % scale == 0 else { throw fail("pair offset must be a multiple of \(scale)") }
        let imm7 = try checked(offset / scale, -64...63, "pair offset")
        return opc << 30 | 0x2800_0000 | mode << 23 | load << 22 | (imm7 & 0x7F) << 15 | t2.number << 10 | base << 5 | t1.number
    }

    /// (o2, L, o1, o0, has a status register) of each exclusive/ordered mnemonic without its b/h suffix.
    static let exclusiveForms: [String: (o2: UInt32, load: UInt32, o1: UInt32, o0: UInt32, status: Bool)] = [
        "ldxr": (0, 1, 0, 0, false), "ldaxr": (0, 1, 0, 1, false), "stxr": (0, 0, 0, 0, true), "stlxr": (0, 0, 0, 1, true),
        "ldxp": (0, 1, 1, 0, false), "ldaxp": (0, 1, 1, 1, false), "stxp": (0, 0, 1, 0, true), "stlxp": (0, 0, 1, 1, true),
        "ldar": (1, 1, 0, 1, false), "ldlar": (1, 1, 0, 0, false), "stlr": (1, 0, 0, 1, false), "stllr": (1, 0, 0, 0, false),
    ]

    func exclusive() throws(Problem) -> UInt32 {
        let suffix = mnemonic.last == "b" ? UInt32(0) : mnemonic.last == "h" ? 1 : nil
        let stem = suffix == nil ? mnemonic : String(mnemonic.dropLast())
        guard let form = ARM64Encoder.exclusiveForms[stem] else { throw fail("unknown mnemonic '\(mnemonic)'") }
        let pairForm = form.o1 == 1
        var index = 0
        var rs: UInt32 = 31
        if form.status {
            rs = try gpr(0, false)
            index = 1
        }
        let t = try register(index)
        guard !t.isSP, suffix == nil || !t.is64 else { throw fail("bad transfer register") }
        var rt2: UInt32 = 31
        if pairForm {
            let second = try register(index + 1)
            guard second.is64 == t.is64, !second.isSP else { throw fail("pair registers must match") }
            rt2 = second.number
        }
        guard case .memory(let inner, false) = try operand(index + (pairForm ? 2 : 1)),
              case .register(let base, true, let baseIsSP) = inner[0], base != 31 || baseIsSP else { throw fail("expected [xn]") }
        if inner.count == 2 {
            guard case .immediate(0) = inner[1] else { throw fail("only a zero offset is allowed") }
        }
        let size = suffix ?? (t.is64 ? 3 : 2)
        return size << 30 | 0x0800_0000 | form.o2 << 23 | form.load << 22 | form.o1 << 21 | rs << 16 | form.o0 << 15
            | rt2 << 10 | base << 5 | t.number
    }
}
