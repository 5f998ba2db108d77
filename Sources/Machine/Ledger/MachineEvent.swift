/// What the machine itself records in the ledger.
public enum MachineEvent: LedgerEvent, Hashable {
    /// A trap was raised and offered to the dispatch table.
    case trap(Trap)
    /// `text_poke`: bytes of text changed (old and new contents).
    case textPoke(address: UInt64, old: [UInt8], new: [UInt8])
    /// The scheduler put `to` on a CPU in place of `from` (pids; -1 for idle).
    case contextSwitch(from: Int32, to: Int32)
    case taskBlocked(pid: Int32)
    case taskWoken(pid: Int32)
    case taskExited(pid: Int32, returnValue: UInt64)
    /// Simulated code called a host-implemented function.
    case hostCall(name: String)

    public var description: String {
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        func bytes(_ b: [UInt8]) -> String { b.map { String(format2: $0) }.joined(separator: " ") }
        switch self {
        case .trap(let trap): return "CPU exception: \(trap)"
        case let .textPoke(address, old, new): return "text_poke \(hex(address)): [\(bytes(old))] -> [\(bytes(new))]"
        case let .contextSwitch(from, to): return "switch \(from) -> \(to)"
        case .taskBlocked(let pid): return "block \(pid)"
        case .taskWoken(let pid): return "wake \(pid)"
        case let .taskExited(pid, value): return "exit \(pid) = \(hex(value))"
        case .hostCall(let name): return "host call \(name)"
        }
    }
}

extension String {
    /// Two lowercase hex digits, as objdump and the kernel print bytes.
    public init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// `0x` and 16 lowercase hex digits: the form `kprobesim call` prints a return register in.
    public init(hex16 value: UInt64) {
        let hex = String(value, radix: 16)
        self = "0x" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
