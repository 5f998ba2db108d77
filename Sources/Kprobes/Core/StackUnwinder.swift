import Machine
import X86_64
import ARM64

/// A stack trace of the task running on a CPU, as the kernel's unwinders produce it, either raw (a return address
/// swapped by a kretprobe shows as the trampoline, the classic "stack trace shows kretprobe_trampoline"
/// confusion) or trampoline-aware (each trampoline replaced by the real return address its instance saved).
///
/// arm64 walks the frame-pointer chain (`[x29]` = caller's x29, `[x29 + 8]` = return address), as
/// arch/arm64/kernel/stacktrace.c does. x86_64 kernels unwind with ORC metadata, which loaded objects here do not
/// carry, so this scans the stack for words that point into text, as arch/x86/kernel/unwind_guess.c does (the
/// kernel prints such entries with `?`). The trampoline-aware form is the kernel's kretprobe_find_ret_addr /
/// rethook_find_ret_addr: instances are matched by the frame they belong to.
public enum StackUnwinder {
    public enum Mode: Sendable { case raw, trampolineAware }

    public static func trace(_ cpu: CPU, machine: Machine, kprobes: KprobeManager? = nil, mode: Mode = .trampolineAware,
                             maxDepth: Int = 64) -> [UInt64] {
        let memory = machine.memory
        var out: [UInt64] = [cpu.registers[machine.pcIndex]]
        let newest = KprobeManager.newestInstance(cpu.currentProbeState)
        let trampoline = kprobes?.trampoline
        func resolve(_ address: UInt64, frame: UInt64) -> UInt64 {
            guard mode == .trampolineAware, address == trampoline else { return address }
            var cursor = newest
            while let instance = cursor?.takeUnretainedValue() {
                if instance.frame == frame && instance.returnAddress != trampoline { return instance.returnAddress }
                cursor = instance.next
            }
            return address
        }
        func isText(_ a: UInt64) -> Bool {
            memory.permissions(at: a)?.contains(.execute) == true && machine.symbols.lookup(containing: a) != nil
        }
        switch machine.architecture {
        case .arm64:
            var fp = cpu.registers[ARM64PtRegs.fp]
            while fp != 0, out.count < maxDepth, let next = try? memory.read64(fp), let ret = try? memory.read64(fp + 8) {
                // The frame record's fp is what arch_prepare_kretprobe saw in x29 when that call was entered.
                out.append(resolve(ret, frame: next))
                fp = next
            }
        case .x86_64:
            var slot = cpu.registers[X86PtRegs.sp]
            let top = cpu.currentTask?.stackTop ?? slot
            while slot < top, out.count < maxDepth {
                if let word = try? memory.read64(slot), isText(word) { out.append(resolve(word, frame: slot)) }
                slot += 8
            }
        }
        return out
    }
}
