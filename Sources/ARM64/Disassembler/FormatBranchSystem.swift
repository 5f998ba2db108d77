/// Register branches, exception generation, hints, barriers and system instructions.
extension ARM64InstructionFormatter {
    func branchRegister() -> (String, String) {
        let i = instruction
        let key = ARM64PointerAuth(rawValue: i.variant) ?? .none
        let suffix: String
        switch key {
        case .none: suffix = ""
        case .keyA: suffix = "aa"
        case .keyB: suffix = "ab"
        case .keyAZeroModifier: suffix = "aaz"
        case .keyBZeroModifier: suffix = "abz"
        }
        switch i.operation {
        case .eret: return ("eret" + suffix, "")
        case .drps: return ("drps", "")
        case .ret:
            if key != .none || i.rn == 30 { return ("ret" + suffix, "") }
            return ("ret", r(i.rn, true))
        default:
            let name = (i.operation == .br ? "br" : "blr") + suffix
            if key == .keyA || key == .keyB { return (name, "\(r(i.rn, true)), \(r(i.rm, true))") }
            return (name, r(i.rn, true))
        }
    }

    func exception() -> (String, String) {
        let i = instruction
        let value = ARM64InstructionFormatter.hex(i.immediate)
        switch i.operation {
        case .svc: return ("svc", value)
        case .hvc: return ("hvc", value)
        case .smc: return ("smc", value)
        case .brk: return ("brk", value)
        case .hlt: return ("hlt", value)
        default: return ("dcps\(i.variant)", i.immediate == 0 ? "" : value)
        }
    }

    static let hintNames: [Int: String] = [
        0: "nop", 1: "yield", 2: "wfe", 3: "wfi", 4: "sev", 5: "sevl", 6: "dgh", 7: "xpaclri", 8: "pacia1716",
        10: "pacib1716", 12: "autia1716", 14: "autib1716", 16: "esb", 17: "psb\tcsync", 18: "tsb\tcsync",
        20: "csdb", 24: "paciaz", 25: "paciasp", 26: "pacibz", 27: "pacibsp", 28: "autiaz", 29: "autiasp",
        30: "autibz", 31: "autibsp", 32: "bti", 34: "bti\tc", 36: "bti\tj", 38: "bti\tjc",
    ]

    func hint() -> (String, String) {
        let n = Int(instruction.immediate)
        guard let name = ARM64InstructionFormatter.hintNames[n] else { return ("hint", ARM64InstructionFormatter.hex(UInt64(n))) }
        let parts = name.split(separator: "\t")
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    static let barrierOptions = ["#0x0", "oshld", "oshst", "osh", "#0x4", "nshld", "nshst", "nsh",
                                 "#0x8", "ishld", "ishst", "ish", "#0xc", "ld", "st", "sy"]

    func barrier() -> (String, String) {
        let i = instruction
        let crm = Int(i.immediate)
        switch i.variant {
        case 4:
            if crm == 0 { return ("ssbb", "") }
            if crm == 4 { return ("pssbb", "") }
            return ("dsb", ARM64InstructionFormatter.barrierOptions[crm])
        case 5: return ("dmb", ARM64InstructionFormatter.barrierOptions[crm])
        case 6: return crm == 15 ? ("isb", "") : ("isb", ARM64InstructionFormatter.hex(UInt64(crm)))
        default: return ("sb", "")
        }
    }

    /// DC/IC/TLBI/AT operations objdump names (by `op1:CRn:CRm:op2`), for the forms kernel code uses.
    static let systemOperations: [UInt64: (String, String, Bool)] = [
        0x1BA1: ("dc", "zva", true), 0x1BA3: ("dc", "gva", true), 0x1BA4: ("dc", "gzva", true), 0x1BD1: ("dc", "cvac", true), 0x1BD9: ("dc", "cvau", true),
        0x1BF1: ("dc", "civac", true), 0x03B1: ("dc", "ivac", true), 0x1BE1: ("dc", "cvap", true),
        0x03B2: ("dc", "isw", true), 0x03D2: ("dc", "csw", true), 0x03F2: ("dc", "cisw", true),
        0x0388: ("ic", "ialluis", false), 0x03A8: ("ic", "iallu", false), 0x1BA9: ("ic", "ivau", true),
        0x0418: ("tlbi", "vmalle1is", false), 0x0438: ("tlbi", "vmalle1", false), 0x0419: ("tlbi", "vae1is", true),
        0x0439: ("tlbi", "vae1", true), 0x041A: ("tlbi", "aside1is", true), 0x043A: ("tlbi", "aside1", true),
        0x03C0: ("at", "s1e1r", true), 0x03C1: ("at", "s1e1w", true),
    ]

    func system() -> (String, String) {
        let i = instruction
        let rt = i.operation == .sysl ? i.rd : i.rn
        let e = i.immediate
        if i.operation == .sys, let (name, op, takesRegister) = ARM64InstructionFormatter.systemOperations[e] {
            if takesRegister { return (name, op + ", " + r(rt, true)) }
            return (name, op)
        }
        // Cache, TLB and address-translation operations (CRn 7..9) objdump names from a table larger than ours.
        if (7...9).contains(e >> 7 & 15) { return (".inst", "0x" + ARM64Disassembler.hex8(i.rawValue)) }
        let fields = "#\(e >> 11 & 7), C\(e >> 7 & 15), C\(e >> 3 & 15), #\(e & 7)"
        if i.operation == .sysl { return ("sysl", r(rt, true) + ", " + fields) }
        return ("sys", ARM64InstructionFormatter.isZero(rt) ? fields : fields + ", " + r(rt, true))
    }
}
