import Machine

/// The part of ftrace kprobes use on x86_64: attaching to a function's fentry site turns its 5-byte NOP into a
/// `call` to an ftrace trampoline, detaching writes the NOP back. kernel: kernel/trace/ftrace.c
/// (ftrace_set_filter_ip, ftrace_replace_code), arch/x86/kernel/ftrace.c (ftrace_make_call, ftrace_make_nop).
///
/// The simulator's trampoline (`ftrace_regs_caller`) is one `int3` whose trap runs the kprobe ftrace handler;
/// the kernel's saves the registers and calls `kprobe_ftrace_handler`. What the handler observes is the same:
/// `regs` as at function entry (sp pointing at the return address), `ip` being the call's return address.
final class FtraceSites {
    /// `ideal_nops[NOP_ATOMIC5]`: `nopl 0x0(%rax,%rax,1)`.
    static let nop5: [UInt8] = [0x0f, 0x1f, 0x44, 0x00, 0x00]
    static let mcountInsnSize: UInt64 = 5

    private unowned(unsafe) let machine: Machine
    /// The trampoline's address, placed when the first site is attached. Read on every breakpoint trap (x86_64).
    @exclusivity(unchecked) private(set) var trampoline: UInt64?
    /// Per-CPU `ftrace_test_recursion_trylock` bit (one context: the simulator has no interrupt contexts).
    @exclusivity(unchecked) var recursion: [Bool]

    init(machine: Machine) {
        self.machine = machine
        recursion = Array(repeating: false, count: machine.cpus.count)
    }

    /// `ftrace_make_call`: the NOP at `site` becomes `call ftrace_regs_caller`.
    func attach(_ site: UInt64, blacklist: inout Blacklist) throws(Errno) {
        let target = placeTrampoline(blacklist: &blacklist)
        let rel = UInt32(truncatingIfNeeded: Int64(bitPattern: target) - Int64(bitPattern: site + FtraceSites.mcountInsnSize))
        let call: [UInt8] = [0xe8] + (0..<4).map { UInt8(truncatingIfNeeded: rel >> (8 * UInt32($0))) }
        do { try machine.pokeText(site, bytes: call) } catch { throw .EINVAL }
    }

    /// `ftrace_make_nop`: the site becomes the 5-byte NOP again.
    func detach(_ site: UInt64) {
        try? machine.pokeText(site, bytes: FtraceSites.nop5)
    }

    private func placeTrampoline(blacklist: inout Blacklist) -> UInt64 {
        if let trampoline { return trampoline }
        let address = machine.allocateText(size: 1)
        try? machine.memory.kernelWrite(address, bytes: [0xcc])
        machine.symbols.add(Symbol(name: "ftrace_regs_caller", address: address, size: 1, type: "t"))
        machine.symbols.addTextRegion(address..<(address + 1))
        blacklist.add(range: address, end: address + 1, symbol: "ftrace_regs_caller")
        trampoline = address
        return address
    }
}
