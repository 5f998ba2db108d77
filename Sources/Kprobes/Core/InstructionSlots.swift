import Machine

/// Executable pages of instruction slots, like the kernel's `kprobe_insn_slots`: fixed-size slots (x86_64: 15
/// bytes, 273 per page; arm64: 2 instructions = 8 bytes, 512 per page), first-fit over pages, newest page first,
/// pages mapped read-only and executable and written only through text poking.
/// kernel: kernel/kprobes.c __get_insn_slot, __free_insn_slot; arch/x86/include/asm/insn.h MAX_INSN_SIZE.
final class InstructionSlots {
    let slotSize: Int
    /// The kallsyms name of the pages (`kprobe_insn_page`, `kprobe_optinsn_page`).
    let pageName: String
    private var pages: [(base: UInt64, used: [Bool])] = []
    private unowned let machine: Machine

    init(machine: Machine, slotSize: Int, pageName: String = "kprobe_insn_page") {
        self.machine = machine
        self.slotSize = slotSize
        self.pageName = pageName
    }

    var slotsPerPage: Int { Int(Memory.pageSize) / slotSize }

    /// `get_insn_slot`. The page is placed in the kernel image region so RIP-relative copies stay in range.
    func allocate() -> UInt64 {
        for index in pages.indices.reversed() {
            if let free = pages[index].used.firstIndex(of: false) {
                pages[index].used[free] = true
                return pages[index].base + UInt64(free * slotSize)
            }
        }
        let base = machine.allocateText(size: Memory.pageSize)
        machine.symbols.add(Symbol(name: pageName, address: base, size: Memory.pageSize, type: "t",
                                  module: KprobeManager.slotModuleName))
        var used = Array(repeating: false, count: slotsPerPage)
        used[0] = true
        pages.append((base, used))
        return base
    }

    /// `free_insn_slot`.
    func free(_ slot: UInt64) {
        for index in pages.indices where slot >= pages[index].base && slot < pages[index].base + Memory.pageSize {
            pages[index].used[Int(slot - pages[index].base) / slotSize] = false
        }
    }

    /// Whether `address` lies in any slot page (the kernel's `is_kprobe_insn_slot`).
    func contains(_ address: UInt64) -> Bool {
        pages.contains { address >= $0.base && address < $0.base + Memory.pageSize }
    }
}
