// The kprobe layer: arch-neutral policy (kernel/kprobes.c) and the x86_64/arm64 mechanism back ends.
// Filled by the kprobes issue; the target exists so the layering is fixed.
import Machine
import X86_64
import ARM64
