import Machine

/// Register names `%REG` accepts, per architecture. kernel: `regs_query_register_offset` over
/// `regoffset_table` in arch/x86/kernel/ptrace.c (x86_64 part) and arch/arm64/kernel/ptrace.c.
enum ProbeRegisterTable {
    static func names(_ architecture: Architecture) -> [String] {
        switch architecture {
        case .x86_64:
            ["r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "bx", "cx", "dx", "si", "di", "bp", "ax",
             "orig_ax", "ip", "cs", "flags", "sp", "ss"]
        case .arm64:
            (0...30).map { "x\($0)" } + ["lr", "sp", "pc", "pstate"]
        }
    }
}
