import Machine

extension KprobeManager: ModuleObserver {
    /// MODULE_STATE_GOING: every probe in the object's sections is killed, not unregistered. It stays in the
    /// table and in debugfs `kprobes/list` as `[GONE]` (its address no longer names a symbol), can never be
    /// enabled again, and its slot is freed; nothing is written back, since the text is about to be freed.
    /// kernel: kernel/kprobes.c kprobes_module_callback, kill_kprobe (v6.1). Ftrace-based probes are not
    /// detached there either: kill_kprobe tests `!kprobe_disabled(p)` after setting GONE, which makes it false.
    public func moduleGoing(_ object: LoadedObject, machine: Machine) {
        let ranges = object.sections.map { $0.address..<($0.address + $0.size) }
        for entry in table.inListOrder {
            guard let address = entry.address, ranges.contains(where: { $0.contains(address) }) else { continue }
            entry.flags.insert(.gone)
            for child in entry.children ?? [] { child.flags.insert(.gone) }
            // kill_optimized_kprobe: off the optimizer's queue; the detour goes with arch_remove_kprobe.
            entry.flags.remove(.optimized)
            optimizing.removeAll { $0 === entry }
            remove(entry)
            record(nil, .killed(address: address))
        }
    }
}
