/// RFLAGS bits (SDM Vol. 1, 3.4.3).
public enum X86Flags {
    public static let cf: UInt64 = 1 << 0
    public static let pf: UInt64 = 1 << 2
    public static let af: UInt64 = 1 << 4
    public static let zf: UInt64 = 1 << 6
    public static let sf: UInt64 = 1 << 7
    /// Trap flag: single-step, #DB after the next instruction.
    public static let tf: UInt64 = 1 << 8
    /// Interrupt enable.
    public static let `if`: UInt64 = 1 << 9
    public static let df: UInt64 = 1 << 10
    public static let of: UInt64 = 1 << 11
    /// The six status flags arithmetic defines.
    public static let status: UInt64 = cf | pf | af | zf | sf | of
    /// Bits `popf` may change at CPL 0 (IOPL/NT/AC/ID included; RF is cleared; VM and VIF/VIP stay).
    public static let popfMask: UInt64 = 0x24_7fd5
    /// Bit 1 always reads as one.
    public static let reserved1: UInt64 = 1 << 1
}
