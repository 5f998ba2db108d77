import Machine

/// The x86_64 kernel's `struct pt_regs` (arch/x86/include/asm/ptrace.h), word by word. The register file is
/// stored in this order, so a trap handler's `regs` is the live register file.
public enum X86PtRegs {
    public static let r15 = 0, r14 = 1, r13 = 2, r12 = 3, bp = 4, bx = 5, r11 = 6, r10 = 7, r9 = 8, r8 = 9
    public static let ax = 10, cx = 11, dx = 12, si = 13, di = 14, orig_ax = 15
    public static let ip = 16, cs = 17, flags = 18, sp = 19, ss = 20
    /// Words in `struct pt_regs`.
    public static let count = 21
    /// Scratch words past `pt_regs` where the core leaves its deferred status flags (`X86LazyFlags`) at a trap,
    /// host call or return: `lazyFlags` packs kind and size and is zero while RFLAGS' status bits are current.
    /// Only CF PF AF ZF SF OF are ever deferred; IF, TF and the other system bits of `flags` are always current.
    static let lazyFlags = 21, lazyA = 22, lazyB = 23, lazyResult = 24, lazyCarry = 25

    /// `__KERNEL_CS` and `__KERNEL_DS` of the 64-bit GDT.
    public static let kernelCS: UInt64 = 0x10
    public static let kernelSS: UInt64 = 0x18
    /// Reset RFLAGS: IF (bit 9), the always-one bit 1, and the flags a fresh kernel thread shows (ZF, PF).
    public static let resetFlags: UInt64 = 0x246

    /// ModRM/SIB register number (0 = rax ... 15 = r15, REX bits applied) to its pt_regs slot.
    public static let slotOfRegisterNumber: [Int] = [ax, cx, dx, bx, sp, bp, si, di, r8, r9, r10, r11, r12, r13, r14, r15]

    /// Register names as tracefs fetch args spell them (`%ax`, `%r8`...), to their slots.
    public static func slot(named name: String) -> Int? {
        switch name {
        case "ax": return ax
        case "bx": return bx
        case "cx": return cx
        case "dx": return dx
        case "si": return si
        case "di": return di
        case "bp": return bp
        case "sp": return sp
        case "r8": return r8
        case "r9": return r9
        case "r10": return r10
        case "r11": return r11
        case "r12": return r12
        case "r13": return r13
        case "r14": return r14
        case "r15": return r15
        case "ip": return ip
        case "flags": return flags
        case "cs": return cs
        case "ss": return ss
        case "orig_ax": return orig_ax
        default: return nil
        }
    }

    /// The register-passed arguments of the SysV ABI, in order.
    public static let argumentSlots = [di, si, dx, cx, r8, r9]

    /// `regs_get_kernel_argument(regs, n)`: the six argument registers, then the stack words above the return
    /// address (at function entry). Nil when the stack word cannot be read.
    public static func kernelArgument(_ registers: RegisterFile, _ n: Int, memory: Memory) -> UInt64? {
        if n < argumentSlots.count { return registers[argumentSlots[n]] }
        let address = registers[sp] &+ UInt64(8 * (n - argumentSlots.count + 1))
        return try? memory.kernelRead(address, size: 8)
    }

    /// `regs_return_value(regs)`.
    public static func returnValue(_ registers: RegisterFile) -> UInt64 { registers[ax] }
}
