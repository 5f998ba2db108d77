/// An exception raised by a simulated CPU, delivered as a value to the machine's trap dispatch
/// (the simulator's `do_int3`, `do_debug`, `do_page_fault`, arm64 `brk_handler`...).
public struct Trap: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// x86 `int3` (#BP, vector 3); arm64 `BRK #imm` (the immediate is in `detail`).
        case breakpoint
        /// x86 #DB after a trap-flag single step; arm64 hardware step (the legacy kernel profile uses these).
        case debug
        /// A memory access refused by the page tables (`fault` says which).
        case pageFault
        /// x86 #UD (`ud2`, or an instruction the executor does not implement); arm64 undefined instruction.
        case undefinedInstruction
        /// x86 #DE (division by zero or quotient overflow).
        case divideError
        /// x86 #GP and other faults the executors raise for privileged misuse.
        case generalProtection
    }

    public let kind: Kind
    /// The address of the instruction that trapped. Note the register file follows the hardware: after x86
    /// `int3`, `ip` already points past it (`address + 1`); after arm64 `BRK`, `pc` is still `address`.
    public let address: UInt64
    /// arm64 `BRK` immediate (`0x004` kprobe, `0x006` single-step, `0x007` kretprobe); 0 otherwise.
    public let detail: UInt32
    /// For page faults: the refused access.
    public let fault: MemoryFault?
    /// For undefined instructions: the bytes or mnemonic, so the error can name the instruction.
    public var instruction: String? { text == 0 ? nil : TrapText.text(text) }
    /// `instruction` as interned by `TrapText` (0: none), which keeps a trap a trivial value.
    @usableFromInline let text: UInt32

    /// A trap without text: what the cores raise on every breakpoint, so it is small enough to inline there.
    @inlinable
    public init(kind: Kind, address: UInt64, detail: UInt32 = 0, fault: MemoryFault? = nil) {
        self.init(kind: kind, address: address, detail: detail, fault: fault, text: 0)
    }

    /// A trap naming the instruction that raised it (undefined instructions).
    public init(kind: Kind, address: UInt64, instruction: String) {
        self.init(kind: kind, address: address, detail: 0, fault: nil, text: TrapText.intern(instruction))
    }

    @usableFromInline
    init(kind: Kind, address: UInt64, detail: UInt32, fault: MemoryFault?, text: UInt32) {
        self.kind = kind
        self.address = address
        self.detail = detail
        self.fault = fault
        self.text = text
    }

    public var description: String {
        var text = "\(kind) at 0x\(String(address, radix: 16))"
        if kind == .breakpoint && detail != 0 { text += " (imm 0x\(String(detail, radix: 16)))" }
        if let fault { text += ": \(fault)" }
        if let instruction { text += ": \(instruction)" }
        return text
    }
}
