/// Encodes one AT&T instruction the way GNU as does (shortest immediate and displacement forms, accumulator
/// short forms, `d1` for shifts by one, `90+r` for exchanges with the accumulator).
struct X86InstructionEncoder {
    typealias Operand = X86AsmOperand
    /// Resolves label expressions (0 while unknown in an early layout pass).
    let resolve: (Operand.Expression) -> Int64
    let address: UInt64
    /// Relaxation state of a label branch: rel32 instead of rel8.
    let longBranch: Bool

    /// The pieces of an encoding, assembled in `bytes()`.
    struct Encoding {
        var prefixes: [UInt8] = []
        var rexW = false
        var rex: UInt8 = 0
        var forceRex = false
        var opcode: [UInt8] = []
        var regField = 0
        var rm: Operand?
        var immediate: Int64 = 0
        var immediateSize = 0
        var relative: Int64?
        var relativeSize = 0
    }

    static let conditions = ["o": 0, "no": 1, "b": 2, "c": 2, "nae": 2, "ae": 3, "nb": 3, "nc": 3, "e": 4, "z": 4,
                             "ne": 5, "nz": 5, "be": 6, "na": 6, "a": 7, "nbe": 7, "s": 8, "ns": 9, "p": 10,
                             "pe": 10, "np": 11, "po": 11, "l": 12, "nge": 12, "ge": 13, "nl": 13, "le": 14,
                             "ng": 14, "g": 15, "nle": 15]
    static let alu = ["add": 0, "or": 1, "adc": 2, "sbb": 3, "and": 4, "sub": 5, "xor": 6, "cmp": 7]
    static let shifts = ["rol": 0, "ror": 1, "rcl": 2, "rcr": 3, "shl": 4, "sal": 4, "shr": 5, "sar": 7]
    static let group3 = ["not": 2, "neg": 3, "mul": 4, "div": 6, "idiv": 7]
    static let fixed: [String: [UInt8]] = [
        "ret": [0xc3], "leave": [0xc9], "int3": [0xcc], "nop": [0x90], "hlt": [0xf4], "cli": [0xfa], "sti": [0xfb],
        "cld": [0xfc], "std": [0xfd], "clc": [0xf8], "stc": [0xf9], "cmc": [0xf5], "pushf": [0x9c], "popf": [0x9d],
        "pushfq": [0x9c], "popfq": [0x9d], "ud2": [0x0f, 0x0b], "pause": [0xf3, 0x90], "endbr64": [0xf3, 0x0f, 0x1e, 0xfa],
        "cltq": [0x48, 0x98], "cwtl": [0x98], "cbtw": [0x66, 0x98], "cqto": [0x48, 0x99], "cltd": [0x99],
        "cwtd": [0x66, 0x99], "syscall": [0x0f, 0x05], "cpuid": [0x0f, 0xa2], "int1": [0xf1],
    ]

    static func fits8(_ v: Int64) -> Bool { v >= -128 && v <= 127 }
    static func fits32(_ v: Int64) -> Bool { v >= Int64(Int32.min) && v <= Int64(Int32.max) }

    /// Whether `mnemonic` is a branch whose displacement relaxes (jmp/jcc to a label or address).
    static func isRelaxable(_ mnemonic: String, _ operands: [Operand]) -> Bool {
        guard operands.count == 1, case .target = operands[0] else { return false }
        return mnemonic == "jmp" || (mnemonic.hasPrefix("j") && conditions[String(mnemonic.dropFirst())] != nil)
    }

    struct Failure: Error {
        let message: String
    }

    func encode(_ mnemonic: String, _ operands: [Operand]) -> Result<[UInt8], Failure> {
        var words = mnemonic.split(separator: " ").map(String.init)
        var prefixes: [UInt8] = []
        while words.count > 1 {
            switch words.removeFirst() {
            case "lock": prefixes.append(0xf0)
            case "rep", "repz", "repe": prefixes.append(0xf3)
            case "repnz", "repne": prefixes.append(0xf2)
            case "notrack": prefixes.append(0x3e)
            case let other: return .failure(Failure(message: "unknown prefix '\(other)'"))
            }
        }
        guard var e = encoding(words[0], operands) else {
            return .failure(Failure(message: "unsupported instruction or operands for '\(words[0])'"))
        }
        e.prefixes = prefixes + e.prefixes
        return bytes(e)
    }

    /// The operand size a suffix or the register operands give.
    func size(_ name: String, _ operands: [Operand], suffixed: Bool) -> Int? {
        if suffixed, let last = name.last {
            switch last {
            case "b": return 1
            case "w": return 2
            case "l": return 4
            case "q": return 8
            default: break
            }
        }
        for operand in operands.reversed() {
            if case .register(_, let s, _) = operand { return s }
        }
        return nil
    }

    func sizedEncoding(_ e: inout Encoding, _ size: Int) {
        if size == 2 { e.prefixes.append(0x66) }
        if size == 8 { e.rexW = true }
    }

    func encoding(_ full: String, _ ops: [Operand]) -> Encoding? {
        if let bytes = X86InstructionEncoder.fixed[full], ops.isEmpty {
            var e = Encoding()
            e.opcode = bytes
            return e
        }
        // Mnemonics with built-in sizes first, then base names with an optional size suffix.
        if let e = extensionMove(full, ops) { return e }
        if full == "movabs" { return movImmediate(ops, size: 8, forceAbsolute: true) }
        if let e = encodeBase(full, ops, suffixed: false) { return e }
        if full.count > 2, "bwlq".contains(full.last!) { return encodeBase(String(full.dropLast()), ops, suffixed: true, suffix: full.last) }
        return nil
    }

    func encodeBase(_ name: String, _ ops: [Operand], suffixed: Bool, suffix: Character? = nil) -> Encoding? {
        let sizeName = suffixed ? name + String(suffix!) : name
        let s = size(sizeName, ops, suffixed: suffixed)
        var e = Encoding()
        func modrm(_ reg: Int, _ rm: Operand) { e.regField = reg; e.rm = rm }
        func reg(_ o: Operand) -> Int? { if case .register(let n, _, _) = o { return n }; return nil }
        func isRM(_ o: Operand) -> Bool {
            switch o { case .register, .memory: return true; case .target: return true; default: return false }
        }
        func rmOperand(_ o: Operand) -> Operand {
            if case .target(let x) = o { return .memory(.init(displacement: x, hasDisplacement: true)) }
            return o
        }
        func imm(_ o: Operand) -> Int64? { if case .immediate(let x) = o { return resolve(x) }; return nil }
        func isLabelImmediate(_ o: Operand) -> Bool { if case .immediate(let x) = o { return x.label != nil }; return false }

        if let op = X86InstructionEncoder.alu[name], ops.count == 2, let size = s {
            sizedEncoding(&e, size)
            let byte: UInt8 = size == 1 ? 0 : 1
            if let value = imm(ops[0]), isRM(ops[1]) {
                let target = rmOperand(ops[1])
                if size != 1 && X86InstructionEncoder.fits8(value) && !isLabelImmediate(ops[0]) {
                    e.opcode = [0x83]; modrm(op, target); e.immediate = value; e.immediateSize = 1
                } else if reg(ops[1]) == 0, case .register(_, _, false) = ops[1] {
                    e.opcode = [UInt8(op << 3) | 4 | byte]; e.immediate = value; e.immediateSize = size == 1 ? 1 : (size == 2 ? 2 : 4)
                } else {
                    e.opcode = [size == 1 ? 0x80 : 0x81]; modrm(op, target); e.immediate = value; e.immediateSize = size == 1 ? 1 : (size == 2 ? 2 : 4)
                }
                return e
            }
            if let r = reg(ops[0]), isRM(ops[1]) { e.opcode = [UInt8(op << 3) | byte]; modrm(r, rmOperand(ops[1])); return e }
            if let r = reg(ops[1]) { e.opcode = [UInt8(op << 3) | 2 | byte]; modrm(r, rmOperand(ops[0])); return e }
            return nil
        }
        switch (name, ops.count) {
        case ("mov", 2):
            guard let size = s else { return nil }
            if imm(ops[0]) != nil { return movImmediate(ops, size: size, forceAbsolute: false) }
            sizedEncoding(&e, size)
            let byte: UInt8 = size == 1 ? 0 : 1
            if let r = reg(ops[0]), isRM(ops[1]) { e.opcode = [0x88 | byte]; modrm(r, rmOperand(ops[1])); return e }
            if let r = reg(ops[1]) { e.opcode = [0x8a | byte]; modrm(r, rmOperand(ops[0])); return e }
        case ("test", 2):
            guard let size = s else { return nil }
            sizedEncoding(&e, size)
            let byte: UInt8 = size == 1 ? 0 : 1
            if let value = imm(ops[0]) {
                e.immediate = value; e.immediateSize = size == 1 ? 1 : (size == 2 ? 2 : 4)
                if reg(ops[1]) == 0, case .register(_, _, false) = ops[1] { e.opcode = [0xa8 | byte]; return e }
                e.opcode = [0xf6 | byte]; modrm(0, rmOperand(ops[1])); return e
            }
            if let r = reg(ops[0]) { e.opcode = [0x84 | byte]; modrm(r, rmOperand(ops[1])); return e }
        case ("xchg", 2):
            guard let size = s else { return nil }
            sizedEncoding(&e, size)
            if size != 1, let a = reg(ops[0]), let b = reg(ops[1]), a == 0 || b == 0 {
                let other = a == 0 ? b : a
                e.opcode = [0x90 | UInt8(other & 7)]
                if other >= 8 { e.rex |= 1 }
                return e
            }
            let byte: UInt8 = size == 1 ? 0 : 1
            if let r = reg(ops[0]) { e.opcode = [0x86 | byte]; modrm(r, rmOperand(ops[1])); return e }
            if let r = reg(ops[1]) { e.opcode = [0x86 | byte]; modrm(r, rmOperand(ops[0])); return e }
        case ("lea", 2):
            guard let size = s, let r = reg(ops[1]) else { return nil }
            sizedEncoding(&e, size); e.opcode = [0x8d]; modrm(r, rmOperand(ops[0])); return e
        case ("inc", 1), ("dec", 1):
            guard let size = s else { return nil }
            sizedEncoding(&e, size); e.opcode = [size == 1 ? 0xfe : 0xff]; modrm(name == "inc" ? 0 : 1, rmOperand(ops[0])); return e
        case (let n, 1) where X86InstructionEncoder.group3[n] != nil || n == "imul":
            guard let size = s else { return nil }
            sizedEncoding(&e, size); e.opcode = [size == 1 ? 0xf6 : 0xf7]
            modrm(n == "imul" ? 5 : X86InstructionEncoder.group3[n]!, rmOperand(ops[0])); return e
        case ("imul", 2), ("imul", 3):
            guard let size = s, let r = reg(ops[ops.count - 1]) else { return nil }
            sizedEncoding(&e, size)
            if let value = imm(ops[0]) {
                let source = ops.count == 3 ? ops[1] : ops[1]
                e.opcode = [X86InstructionEncoder.fits8(value) ? 0x6b : 0x69]; modrm(r, rmOperand(source))
                e.immediate = value; e.immediateSize = X86InstructionEncoder.fits8(value) ? 1 : (size == 2 ? 2 : 4)
                return e
            }
            guard ops.count == 2 else { return nil }
            e.opcode = [0x0f, 0xaf]; modrm(r, rmOperand(ops[0])); return e
        case (let n, _) where X86InstructionEncoder.shifts[n] != nil:
            guard let size = s else { return nil }
            sizedEncoding(&e, size)
            let byte: UInt8 = size == 1 ? 0 : 1
            let digit = X86InstructionEncoder.shifts[n]!
            if ops.count == 1 { e.opcode = [0xd0 | byte]; modrm(digit, rmOperand(ops[0])); return e }
            guard ops.count == 2 else { return nil }
            if case .register(1, 1, false) = ops[0] { e.opcode = [0xd2 | byte]; modrm(digit, rmOperand(ops[1])); return e }
            guard let value = imm(ops[0]) else { return nil }
            if value == 1 { e.opcode = [0xd0 | byte]; modrm(digit, rmOperand(ops[1])); return e }
            e.opcode = [0xc0 | byte]; modrm(digit, rmOperand(ops[1])); e.immediate = value; e.immediateSize = 1; return e
        case ("shld", 3), ("shrd", 3):
            guard let size = s, let r = reg(ops[1]) else { return nil }
            sizedEncoding(&e, size)
            let base: UInt8 = name == "shld" ? 0xa4 : 0xac
            if case .register(1, 1, false) = ops[0] { e.opcode = [0x0f, base + 1]; modrm(r, rmOperand(ops[2])); return e }
            guard let value = imm(ops[0]) else { return nil }
            e.opcode = [0x0f, base]; modrm(r, rmOperand(ops[2])); e.immediate = value; e.immediateSize = 1; return e
        case ("bt", 2), ("bts", 2), ("btr", 2), ("btc", 2):
            guard let size = s else { return nil }
            sizedEncoding(&e, size)
            let index = ["bt": 0, "bts": 1, "btr": 2, "btc": 3][name]!
            if let value = imm(ops[0]) { e.opcode = [0x0f, 0xba]; modrm(4 + index, rmOperand(ops[1])); e.immediate = value; e.immediateSize = 1; return e }
            guard let r = reg(ops[0]) else { return nil }
            e.opcode = [0x0f, 0xa3 + UInt8(index) * 8]; modrm(r, rmOperand(ops[1])); return e
        case ("bsf", 2), ("bsr", 2), ("tzcnt", 2), ("lzcnt", 2), ("popcnt", 2):
            guard let size = s, let r = reg(ops[1]) else { return nil }
            if name == "tzcnt" || name == "lzcnt" || name == "popcnt" { e.prefixes.append(0xf3) }
            sizedEncoding(&e, size)
            e.opcode = [0x0f, ["bsf": 0xbc, "bsr": 0xbd, "tzcnt": 0xbc, "lzcnt": 0xbd, "popcnt": 0xb8][name]!]
            modrm(r, rmOperand(ops[0])); return e
        case ("cmpxchg", 2), ("xadd", 2):
            guard let size = s, let r = reg(ops[0]) else { return nil }
            sizedEncoding(&e, size)
            e.opcode = [0x0f, (name == "cmpxchg" ? 0xb0 : 0xc0) | (size == 1 ? 0 : 1)]; modrm(r, rmOperand(ops[1])); return e
        case ("bswap", 1):
            guard let size = s, let r = reg(ops[0]) else { return nil }
            sizedEncoding(&e, size); e.opcode = [0x0f, 0xc8 | UInt8(r & 7)]; if r >= 8 { e.rex |= 1 }; return e
        case ("push", 1), ("pop", 1):
            if name == "push", let value = imm(ops[0]) {
                let short = X86InstructionEncoder.fits8(value) && !isLabelImmediate(ops[0])
                e.opcode = [short ? 0x6a : 0x68]; e.immediate = value; e.immediateSize = short ? 1 : 4; return e
            }
            if let r = reg(ops[0]) {
                if case .register(_, 2, _) = ops[0] { e.prefixes.append(0x66) }
                e.opcode = [(name == "push" ? 0x50 : 0x58) | UInt8(r & 7)]; if r >= 8 { e.rex |= 1 }; return e
            }
            if name == "push" { e.opcode = [0xff]; modrm(6, rmOperand(ops[0])) } else { e.opcode = [0x8f]; modrm(0, rmOperand(ops[0])) }
            return e
        case ("call", 1), ("jmp", 1):
            if case .indirect(let inner) = ops[0] { e.opcode = [0xff]; modrm(name == "call" ? 2 : 4, rmOperand(inner)); return e }
            guard case .target(let x) = ops[0] else { return nil }
            let target = resolve(x)
            if name == "call" || longBranch { e.opcode = [name == "call" ? 0xe8 : 0xe9]; e.relative = target; e.relativeSize = 4 }
            else { e.opcode = [0xeb]; e.relative = target; e.relativeSize = 1 }
            return e
        case ("ret", 1):
            guard let value = imm(ops[0]) else { return nil }
            e.opcode = [0xc2]; e.immediate = value; e.immediateSize = 2; return e
        case ("enter", 2):
            guard let a = imm(ops[0]), let b = imm(ops[1]) else { return nil }
            e.opcode = [0xc8]; e.immediate = (a & 0xffff) | ((b & 0xff) << 16) as Int64; e.immediateSize = 3; return e
        case ("loop", 1), ("loope", 1), ("loopne", 1), ("jrcxz", 1):
            guard case .target(let x) = ops[0] else { return nil }
            e.opcode = [["loopne": 0xe0, "loope": 0xe1, "loop": 0xe2, "jrcxz": 0xe3][name]!]; e.relative = resolve(x); e.relativeSize = 1; return e
        case ("movs", 0), ("stos", 0), ("lods", 0), ("scas", 0), ("cmps", 0),
             ("stos", 2), ("lods", 2), ("scas", 2), ("movs", 2), ("cmps", 2):
            // Bare (`stosq`) or explicit (`stos %al,%es:(%rdi)`): the suffix or the accumulator gives the size.
            return stringForm(name, s)
        case ("nop", 1):
            guard let size = s else { return nil }
            sizedEncoding(&e, size); e.opcode = [0x0f, 0x1f]; modrm(0, rmOperand(ops[0])); return e
        default:
            break
        }
        if name.hasPrefix("set"), let cc = X86InstructionEncoder.conditions[String(name.dropFirst(3))], ops.count == 1 {
            e.opcode = [0x0f, 0x90 | UInt8(cc)]; modrm(0, rmOperand(ops[0])); return e
        }
        if name.hasPrefix("cmov"), let cc = X86InstructionEncoder.conditions[String(name.dropFirst(4))], ops.count == 2,
           let size = s, let r = reg(ops[1]) {
            sizedEncoding(&e, size); e.opcode = [0x0f, 0x40 | UInt8(cc)]; modrm(r, rmOperand(ops[0])); return e
        }
        if name.hasPrefix("j"), let cc = X86InstructionEncoder.conditions[String(name.dropFirst())], ops.count == 1,
           case .target(let x) = ops[0] {
            if longBranch { e.opcode = [0x0f, 0x80 | UInt8(cc)]; e.relativeSize = 4 } else { e.opcode = [0x70 | UInt8(cc)]; e.relativeSize = 1 }
            e.relative = resolve(x)
            return e
        }
        return nil
    }

    /// `stos %al,%es:(%rdi)` and friends: the accumulator operand or the suffix gives the size.
    func stringForm(_ name: String, _ size: Int?) -> Encoding? {
        var e = Encoding()
        guard let size else { return nil }
        sizedEncoding(&e, size)
        let base: UInt8 = ["movs": 0xa4, "cmps": 0xa6, "stos": 0xaa, "lods": 0xac, "scas": 0xae][name]!
        e.opcode = [base | (size == 1 ? 0 : 1)]
        return e
    }

    /// movzx/movsx spelled with both sizes (`movzbl`, `movslq`...).
    func extensionMove(_ name: String, _ ops: [Operand]) -> Encoding? {
        guard name.count == 6, name.hasPrefix("movz") || name.hasPrefix("movs"), ops.count == 2,
              case .register(let r, _, _) = ops[1] else { return nil }
        let sizes: [Character: Int] = ["b": 1, "w": 2, "l": 4, "q": 8]
        let chars = Array(name)
        guard let from = sizes[chars[4]], let to = sizes[chars[5]], from < to else { return nil }
        var e = Encoding()
        sizedEncoding(&e, to)
        e.regField = r
        e.rm = ops[0]
        if from == 4 {
            guard chars[3] == "s" else { return nil }
            e.opcode = [0x63]
        } else {
            e.opcode = [0x0f, (chars[3] == "z" ? 0xb6 : 0xbe) | (from == 2 ? 1 : 0)]
        }
        return e
    }

    /// mov $imm: `b8+r` imm32 for 32-bit registers, `c7 /0` sign-extended imm32 for 64-bit when it fits, else movabs.
    func movImmediate(_ ops: [Operand], size: Int, forceAbsolute: Bool) -> Encoding? {
        guard ops.count == 2, case .immediate(let x) = ops[0] else { return nil }
        let value = resolve(x)
        var e = Encoding()
        sizedEncoding(&e, size)
        if case .register(let r, _, _) = ops[1] {
            if size == 8 && !forceAbsolute && X86InstructionEncoder.fits32(value) && x.label == nil {
                e.opcode = [0xc7]; e.regField = 0; e.rm = ops[1]; e.immediate = value; e.immediateSize = 4
                return e
            }
            e.opcode = [(size == 1 ? 0xb0 : 0xb8) | UInt8(r & 7)]
            if r >= 8 { e.rex |= 1 }
            if size == 1, r >= 4, case .register(_, _, false) = ops[1] { e.forceRex = true }
            e.immediate = value; e.immediateSize = size == 2 ? 2 : (size == 1 ? 1 : (size == 8 ? 8 : 4))
            return e
        }
        guard !forceAbsolute else { return nil }
        e.opcode = [size == 1 ? 0xc6 : 0xc7]
        e.regField = 0
        if case .target(let t) = ops[1] { e.rm = .memory(.init(displacement: t, hasDisplacement: true)) } else { e.rm = ops[1] }
        e.immediate = value
        e.immediateSize = size == 1 ? 1 : (size == 2 ? 2 : 4)
        return e
    }

    /// Lays out prefixes, REX, opcode, ModRM/SIB/displacement, immediate and branch displacement.
    func bytes(_ e: Encoding) -> Result<[UInt8], Failure> {
        var rex = e.rex | (e.rexW ? 8 : 0)
        var forceRex = e.forceRex
        var modrmBytes: [UInt8] = []
        var displacement: (value: Int64, size: Int, ripTarget: Int64?) = (0, 0, nil)
        var segment: UInt8 = 0
        if let rm = e.rm {
            if e.regField >= 8 { rex |= 4 }
            let reg = UInt8(e.regField & 7) << 3
            switch rm {
            case .register(let n, let size, _):
                if n >= 8 { rex |= 1 }
                if size == 1 && n >= 4 && n < 8, case .register(_, _, false) = rm { forceRex = true }
                modrmBytes = [0xc0 | reg | UInt8(n & 7)]
            case .memory(let m):
                segment = m.segment
                let disp = m.hasDisplacement ? resolve(m.displacement) : 0
                let labelled = m.displacement.label != nil
                if m.ripRelative {
                    modrmBytes = [reg | 5]
                    displacement = (0, 4, disp)
                } else if m.base == nil {
                    let index = m.index ?? 4
                    if index >= 8 { rex |= 2 }
                    modrmBytes = [reg | 4, UInt8(scaleBits(m.scale) << 6) | UInt8(index & 7) << 3 | 5]
                    displacement = (disp, 4, nil)
                } else {
                    let base = m.base!
                    if base >= 8 { rex |= 1 }
                    let needsDisp = disp != 0 || labelled || base & 7 == 5
                    let mod: UInt8 = !needsDisp ? 0 : (X86InstructionEncoder.fits8(disp) && !labelled ? 1 : 2)
                    if m.index != nil || base & 7 == 4 {
                        let index = m.index ?? 4
                        if index >= 8 { rex |= 2 }
                        modrmBytes = [mod << 6 | reg | 4, UInt8(scaleBits(m.scale) << 6) | UInt8(index & 7) << 3 | UInt8(base & 7)]
                    } else {
                        modrmBytes = [mod << 6 | reg | UInt8(base & 7)]
                    }
                    displacement = (disp, mod == 0 ? 0 : (mod == 1 ? 1 : 4), nil)
                }
            default:
                return .failure(Failure(message: "operand cannot be encoded in ModRM"))
            }
        }
        var out: [UInt8] = (segment != 0 ? [segment] : []) + e.prefixes
        if rex != 0 || forceRex { out.append(0x40 | rex) }
        out += e.opcode + modrmBytes
        let displacementAt = out.count
        out += [UInt8](repeating: 0, count: displacement.size)
        out += little(e.immediate, e.immediateSize)
        if let target = e.relative {
            let end = Int64(bitPattern: address) &+ Int64(out.count + e.relativeSize)
            let delta = target &- end
            if e.relativeSize == 1 && !X86InstructionEncoder.fits8(delta) { return .failure(Failure(message: "branch target out of rel8 range")) }
            out += little(delta, e.relativeSize)
        }
        if let ripTarget = displacement.ripTarget {
            let delta = ripTarget &- (Int64(bitPattern: address) &+ Int64(out.count))
            guard X86InstructionEncoder.fits32(delta) else { return .failure(Failure(message: "RIP-relative target out of range")) }
            out.replaceSubrange(displacementAt..<displacementAt + 4, with: little(delta, 4))
        } else if displacement.size > 0 {
            if displacement.size == 4 && !X86InstructionEncoder.fits32(displacement.value) { return .failure(Failure(message: "displacement out of range")) }
            out.replaceSubrange(displacementAt..<displacementAt + displacement.size, with: little(displacement.value, displacement.size))
        }
        return .success(out)
    }

    func scaleBits(_ scale: Int) -> Int { [1: 0, 2: 1, 4: 2, 8: 3][scale] ?? 0 }

    func little(_ value: Int64, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * Int64($0))) }
    }
}
