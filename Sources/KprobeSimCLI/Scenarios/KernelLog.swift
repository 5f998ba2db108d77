import Machine

/// What the scenarios print, as `dmesg` shows `printk` output: `[seconds.micros] text`, stamped with the
/// simulated clock of the CPU that printed. Pointers print in full (`%px`): the kernel's `%p` hashes them with
/// a per-boot secret that no simulation can reproduce.
final class KernelLog {
    private(set) var lines: [String] = []
    let machine: Machine

    init(machine: Machine) { self.machine = machine }

    func printk(_ text: String, cpu: CPU? = nil) {
        let ns = machine.costModel.nanoseconds(cpu?.cycles ?? machine.cpus[0].cycles)
        let seconds = String(ns / 1_000_000_000)
        let micros = String((ns / 1_000) % 1_000_000)
        let stamp = String(repeating: " ", count: max(0, 5 - seconds.count)) + seconds + "."
            + String(repeating: "0", count: 6 - micros.count) + micros
        lines.append("[\(stamp)] \(text)")
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}
