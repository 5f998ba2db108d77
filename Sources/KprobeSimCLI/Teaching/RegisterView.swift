import Machine
import X86_64
import ARM64

/// The few registers a student needs to see at each handler: the instruction pointer the kernel presents,
/// the stack pointer, the interrupt mask, and the registers the example function works in.
enum RegisterView {
    static func describe(_ cpu: CPU, _ architecture: Architecture, symbols: SymbolTable) -> String {
        let r = cpu.registers
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        switch architecture {
        case .x86_64:
            let flags = r[X86PtRegs.flags]
            return "ip=\(hex(r[X86PtRegs.ip])) (\(symbols.format(r[X86PtRegs.ip]))) sp=\(hex(r[X86PtRegs.sp])) "
                + "flags=\(hex(flags)) IF=\(flags >> 9 & 1) ax=\(hex(r[X86PtRegs.ax])) dx=\(hex(r[X86PtRegs.dx])) di=\(hex(r[X86PtRegs.di]))"
        case .arm64:
            let pstate = r[ARM64PtRegs.pstate]
            return "pc=\(hex(r[ARM64PtRegs.pc])) (\(symbols.format(r[ARM64PtRegs.pc]))) sp=\(hex(r[ARM64PtRegs.sp])) "
                + "pstate=\(hex(pstate)) DAIF=\(String(pstate >> 6 & 0xf, radix: 2)) x0=\(hex(r[0])) x1=\(hex(r[1]))"
        }
    }
}
