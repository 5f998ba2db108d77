/// The two instruction sets kprobesim simulates, with the facts about each that the machine itself needs.
public enum Architecture: String, Sendable, CaseIterable, CustomStringConvertible {
    case x86_64
    case arm64

    public var description: String { rawValue }

    /// ELF `e_machine` value (`EM_X86_64` = 62, `EM_AARCH64` = 183).
    public var elfMachine: UInt16 {
        switch self {
        case .x86_64: return 62
        case .arm64: return 183
        }
    }

    /// Where loaded kernel text starts: the x86_64 kernel maps its image at `__START_KERNEL_map + 0x1000000`
    /// (`0xffffffff81000000`); arm64's 6.1 kernel image starts at `KIMAGE_VADDR` (`0xffff800008000000`).
    public var kernelTextBase: UInt64 {
        switch self {
        case .x86_64: return 0xffff_ffff_8100_0000
        case .arm64: return 0xffff_8000_0800_0000
        }
    }

    /// `ftrace_call_adjust`: where the ftrace call site is, given what the object records. x86_64's
    /// `__mcount_loc` points at the 5-byte NOP itself; arm64's `__patchable_function_entries` points at the first
    /// of the two NOPs, and with DYNAMIC_FTRACE_WITH_REGS the call site is the second one (entry + 4).
    /// kernel: arch/arm64/include/asm/ftrace.h ftrace_call_adjust (6.1).
    public func ftraceCallSite(recorded address: UInt64) -> UInt64 {
        switch self {
        case .x86_64: return address
        case .arm64: return address + 4
        }
    }

    /// Parses the names users type (`x86_64`, `amd64`, `arm64`, `aarch64`).
    public init?(name: String) {
        switch name.lowercased() {
        case "x86_64", "x86-64", "amd64", "x64": self = .x86_64
        case "arm64", "aarch64": self = .arm64
        default: return nil
        }
    }
}
