/// What arm64 `arch_prepare_kprobe` keeps per probe (`struct arch_probe_insn`): the slot holding
/// `{insn, BRK #0x006}` for stepped instructions, or the simulation for the others.
struct ARM64ProbeInsn {
    let instruction: UInt32
    /// The XOL slot (`api.insn`), nil when simulated.
    let slot: UInt64?
    /// Where to continue after a step (`api.restore` = addr + 4); 0 for simulated instructions.
    let restore: UInt64
    let simulation: ARM64Simulation?
}
