/// The arm64 `struct pt_regs` of Linux 6.1 (`arch/arm64/include/asm/ptrace.h`), word by word, which is also the
/// layout of the live register file: `regs[0..30]`, `sp`, `pc`, `pstate`, then `orig_x0`, `syscallno`/`unused2`
/// (one word), `sdei_ttbr1`, `pmr_save`, `stackframe[2]`, `lockdep_hardirqs`, `exit_rcu`.
///
/// Slots past the structure hold state the core keeps per CPU (saved with a task's context): the exclusive
/// monitor, `MDSCR_EL1`, and the zero register's read and write slots, so an operand decoded as XZR is a plain
/// register-file access with no branch in the executor.
public enum ARM64PtRegs {
    public static let x0 = 0
    /// `regs[29]`, the frame pointer.
    public static let fp = 29
    /// `regs[30]`, the link register.
    public static let lr = 30
    public static let sp = 31
    public static let pc = 32
    public static let pstate = 33
    public static let origX0 = 34
    /// `s32 syscallno; u32 unused2;` share one little-endian word.
    public static let syscallno = 35
    public static let sdeiTTBR1 = 36
    public static let pmrSave = 37
    public static let stackframe = 38
    public static let lockdepHardirqs = 40
    public static let exitRCU = 41
    /// Words in `struct pt_regs` (336 bytes, a multiple of 16 as the kernel requires).
    public static let count = 42

    /// Executor state beyond `pt_regs`: the exclusive monitor's address and whether it is armed.
    public static let exclusiveAddress = 56
    public static let exclusiveArmed = 57
    /// `MDSCR_EL1` of this CPU (`SS` bit 0, `KDE` bit 13): with `PSTATE.SS` it requests a hardware step.
    public static let mdscr = 58
    /// `SP_EL0` (the kernel keeps `current` there) and `TPIDR_EL1` (the per-CPU offset), for MRS/MSR.
    public static let spEL0 = 59
    public static let tpidrEL1 = 60
    /// Where writes to XZR go (never read) and where reads of XZR come from (always zero).
    public static let zeroWriteSlot = 62
    public static let zeroReadSlot = 63

    /// `PSTATE` bits (`PSR_*` in `arch/arm64/include/uapi/asm/ptrace.h`).
    public static let psrN: UInt64 = 1 << 31
    public static let psrZ: UInt64 = 1 << 30
    public static let psrC: UInt64 = 1 << 29
    public static let psrV: UInt64 = 1 << 28
    public static let psrSS: UInt64 = 1 << 21
    public static let psrPAN: UInt64 = 1 << 22
    public static let psrUAO: UInt64 = 1 << 23
    public static let psrD: UInt64 = 1 << 9
    public static let psrA: UInt64 = 1 << 8
    public static let psrI: UInt64 = 1 << 7
    public static let psrF: UInt64 = 1 << 6
    /// `PSR_MODE_EL1h`: EL1 using SP_EL1, what kernel code runs in.
    public static let modeEL1h: UInt64 = 0x5
    public static let nzcvMask: UInt64 = 0xF000_0000
    public static let daifMask: UInt64 = 0x3C0
    /// `MDSCR_EL1` bits the kernel's `debug-monitors.c` uses.
    public static let mdscrSS: UInt64 = 1 << 0
    public static let mdscrKDE: UInt64 = 1 << 13

    /// Register names the 6.1 `regoffset_table` (`arch/arm64/kernel/ptrace.c`) accepts: `x0`..`x30`, `lr`, `sp`,
    /// `pc`, `pstate`, for `regs_query_register_offset` (tracefs `%reg` fetch arguments). Nil for anything else.
    public static func slot(named name: String) -> Int? {
        switch name {
        case "lr": return lr
        case "sp": return sp
        case "pc": return pc
        case "pstate": return pstate
        default:
            guard name.hasPrefix("x"), name.count <= 3, let n = Int(name.dropFirst()), (0...30).contains(n),
                  String(n) == name.dropFirst() else { return nil }
            return n
        }
    }

    /// `regs_get_kernel_argument(regs, n)`: x0..x7; the kernel returns 0 beyond the register arguments.
    public static func kernelArgument(_ registers: UnsafeMutablePointer<UInt64>, _ n: Int) -> UInt64 {
        (0..<8).contains(n) ? registers[n] : 0
    }

    /// `regs_return_value`: x0.
    public static func returnValue(_ registers: UnsafeMutablePointer<UInt64>) -> UInt64 { registers[x0] }
}
