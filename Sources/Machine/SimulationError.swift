/// Why a simulation run stopped abnormally. Always a value with a message naming the input and the problem;
/// the machine's state (memory, ledger) stays as it was at the stop.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    /// A trap no handler took (an oops): e.g. `ud2`, an unmapped access, an unimplemented instruction.
    case unhandledTrap(Trap, cpu: Int)
    /// The kernel would `BUG()` here; carries the kernel's message (e.g. "Unrecoverable kprobe detected.").
    case kernelBug(message: String, address: UInt64, cpu: Int)
    /// The instruction budget ran out: probably a runaway loop. Names the last addresses executed.
    case budgetExhausted(budget: UInt64, recent: [UInt64], cpu: Int)
    /// A task ran off the bottom of its kernel stack into the guard page.
    case stackOverflow(pid: Int32, comm: String, address: UInt64)
    /// Every remaining task is blocked and nothing will wake one.
    case deadlock(blocked: [Int32])
    /// Bytes at `address` do not decode as an instruction.
    case undecodable(address: UInt64, bytes: [UInt8], reason: String)
    /// The machine was asked something it cannot do (unknown symbol, bad argument count...).
    case invalidRequest(String)

    public var description: String {
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        switch self {
        case let .unhandledTrap(trap, cpu): return "unhandled \(trap) on CPU \(cpu)"
        case let .kernelBug(message, address, cpu):
            return "kernel BUG at \(hex(address)) on CPU \(cpu): \(message)"
        case let .budgetExhausted(budget, recent, cpu):
            return "instruction budget of \(budget) exhausted on CPU \(cpu) (runaway loop?); last addresses: "
                + recent.map(hex).joined(separator: " ")
        case let .stackOverflow(pid, comm, address):
            return "kernel stack overflow in \(comm)[\(pid)]: access at \(hex(address)) hit the stack guard page"
        case .deadlock(let blocked):
            return "deadlock: every task is blocked (pids \(blocked.map(String.init).joined(separator: ", "))) and none can be woken"
        case let .undecodable(address, bytes, reason):
            return "cannot decode instruction at \(hex(address)) [\(bytes.map { String(format2: $0) }.joined(separator: " "))]: \(reason)"
        case .invalidRequest(let message): return message
        }
    }
}
