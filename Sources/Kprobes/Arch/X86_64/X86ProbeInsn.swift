/// What x86 `arch_prepare_kprobe` keeps per probe (`struct arch_specific_insn`).
struct X86ProbeInsn {
    /// The slot holding the (displacement-adjusted) copy, followed by `int3` or, when boosted, a `jmp` back.
    let slot: UInt64
    /// Length of the original instruction (`ainsn.size`).
    let length: Int
    /// Bytes written into the slot (`ainsn.tp_len`).
    let slotLength: Int
    let emulation: X86Emulation?
    /// The copy ends in a `jmp` back: no second trap and no post_handler (non-preemptible kernels only).
    var boostable: Bool
    /// cli/sti/popf/iret change IF: the saved IF must not be restored over them (trap-flag era).
    let ifModifier: Bool
    /// The first opcode byte after prefixes (the trap-flag era's `resume_execution` switches on it).
    let opcodeByte: UInt8
    let modrm: UInt8?
}
