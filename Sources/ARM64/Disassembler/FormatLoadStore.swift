/// Loads and stores in objdump's syntax: decimal offsets, `[xn, #imm]!` pre-index, `[xn], #imm` post-index.
extension ARM64InstructionFormatter {
    /// PRFM operation names (`pldl1keep`...), or the raw number for the unnamed ones.
    func prefetchOperation(_ rt: UInt8) -> String {
        let type = Int(rt >> 3), target = Int(rt >> 1 & 3)
        guard type < 3, target < 3 else { return rt < 16 ? "#0x0" + String(rt, radix: 16) : ARM64InstructionFormatter.hex(UInt64(rt)) }
        return ["pld", "pli", "pst"][type] + "l\(target + 1)" + (rt & 1 == 0 ? "keep" : "strm")
    }

    /// The bracketed address (and post-index immediate) of a load/store.
    func addressOperand() -> String {
        let i = instruction
        let base = r(i.rn, true)
        let offset = Int64(bitPattern: i.immediate)
        switch i.mode {
        case .offset: return offset == 0 ? "[\(base)]" : "[\(base), #\(offset)]"
        case .preIndex: return "[\(base), #\(offset)]!"
        case .postIndex: return "[\(base)], #\(offset)"
        case .register:
            let option = Int(i.shift)
            let index = r(i.rm, option & 1 == 1)
            let scaled = i.rawValue >> 12 & 1 == 1
            if option == 3 { return scaled ? "[\(base), \(index), lsl #\(i.amount)]" : "[\(base), \(index)]" }
            let name = ARM64InstructionFormatter.extendNames[option]
            return scaled ? "[\(base), \(index), \(name) #\(i.amount)]" : "[\(base), \(index), \(name)]"
        }
    }

    func loadStore() -> (String, String) {
        let i = instruction
        let unscaled = i.rawValue >> 24 & 1 == 0 && i.rawValue >> 21 & 1 == 0 && i.rawValue >> 10 & 3 == 0
        if i.operation == .prfm { return (unscaled ? "prfum" : "prfm", prefetchOperation(i.variant) + ", " + addressOperand()) }
        let suffix = ["b", "h", "", ""][Int(i.size)]
        let stem: String
        let is64: Bool
        switch i.operation {
        case .store, .storeUnprivileged:
            stem = "st"
            is64 = i.size == 3
        case .loadSigned:
            stem = "ld"
            is64 = i.is64
        default:
            stem = "ld"
            is64 = i.size == 3 || (i.signExtend && i.is64)
        }
        let signed = i.signExtend ? "s" : ""
        let form = i.operation == .loadUnprivileged || i.operation == .storeUnprivileged ? "tr" : unscaled ? "ur" : "r"
        return (stem + form + signed + (i.size == 2 && i.signExtend ? "w" : suffix), r(i.rd, is64) + ", " + addressOperand())
    }

    func loadStorePair() -> (String, String) {
        let i = instruction
        let nonTemporal = i.rawValue >> 23 & 3 == 0
        let name: String
        switch i.operation {
        case .storePair: name = nonTemporal ? "stnp" : "stp"
        case .loadPair: name = nonTemporal ? "ldnp" : "ldp"
        default: name = "ldpsw"
        }
        let is64 = i.size == 3 || i.operation == .loadPairSigned
        return (name, "\(r(i.rd, is64)), \(r(i.ra, is64)), " + addressOperand())
    }

    func exclusive() -> (String, String) {
        let i = instruction
        let suffix = ["b", "h", "", ""][Int(i.size)]
        let t = r(i.rd, i.size == 3)
        let address = "[\(r(i.rn, true))]"
        let a = i.acquireRelease
        switch i.operation {
        case .loadExclusive: return ((a ? "ldaxr" : "ldxr") + suffix, "\(t), \(address)")
        case .storeExclusive: return ((a ? "stlxr" : "stxr") + suffix, "\(r(i.rm, false)), \(t), \(address)")
        case .loadExclusivePair: return (a ? "ldaxp" : "ldxp", "\(t), \(r(i.ra, i.size == 3)), \(address)")
        case .storeExclusivePair: return (a ? "stlxp" : "stxp", "\(r(i.rm, false)), \(t), \(r(i.ra, i.size == 3)), \(address)")
        case .loadAcquire: return ((a ? "ldar" : "ldlar") + suffix, "\(t), \(address)")
        default: return ((a ? "stlr" : "stllr") + suffix, "\(t), \(address)")
        }
    }
}
