/// `kprobe_table`: 64 hash buckets keyed by `hash_ptr(addr, 6)`, newest first in each bucket, which is the order
/// debugfs `kprobes/list` prints. kernel: kernel/kprobes.c KPROBE_HASH_BITS, include/linux/hash.h hash_64.
///
/// The trap path looks probes up through a separate open-addressing index over plain memory, so a hit costs
/// the same with one probe or ten thousand (the kernel's bucket walk would grow with the count). A class over
/// raw storage, so a lookup from the guaranteed manager retains nothing (a struct of arrays was copied out,
/// retaining each array, on every hit); the index holds unmanaged references, the buckets own the probes.
final class KprobeTable {
    static let hashBits: UInt64 = 6
    static let bucketCount = 1 << 6

    private(set) var buckets: [[Kprobe]] = Array(repeating: [], count: KprobeTable.bucketCount)
    @exclusivity(unchecked) private var capacity = 16
    @exclusivity(unchecked) private var keys = KprobeTable.allocateKeys(16)
    @exclusivity(unchecked) private var values = KprobeTable.allocateValues(16)
    private(set) var count = 0

    init() {}

    deinit { release(keys, values, capacity) }

    private static func allocateKeys(_ capacity: Int) -> UnsafeMutablePointer<UInt64> {
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        return keys
    }

    private static func allocateValues(_ capacity: Int) -> UnsafeMutablePointer<Unmanaged<Kprobe>?> {
        let values = UnsafeMutablePointer<Unmanaged<Kprobe>?>.allocate(capacity: capacity)
        values.initialize(repeating: nil, count: capacity)
        return values
    }

    private func release(_ keys: UnsafeMutablePointer<UInt64>, _ values: UnsafeMutablePointer<Unmanaged<Kprobe>?>, _ capacity: Int) {
        keys.deallocate()
        values.deallocate()
    }

    /// `hash_64(addr, 6)` on 64-bit: golden-ratio multiply, top bits. kernel: include/linux/hash.h.
    static func bucket(of address: UInt64) -> Int {
        Int((address &* 0x61C8_8646_80B5_83EB) >> (64 - hashBits))
    }

    /// `get_kprobe`: the probe (or aggregator) registered at exactly `address`.
    @inline(__always)
    func get(_ address: UInt64) -> Kprobe? { lookup(address)?.takeUnretainedValue() }

    /// `get_kprobe` for the trap path: the probe without retaining it. Valid while it stays registered, or while
    /// a CPU handles it (`KprobeManager` keeps an unregistered probe alive until no CPU's `current_kprobe` is it).
    @inline(__always)
    func lookup(_ address: UInt64) -> Unmanaged<Kprobe>? {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while let value = values[i] {
            if keys[i] == address { return value }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Adds at the head of its bucket (`hlist_add_head_rcu`).
    func insert(_ probe: Kprobe, at address: UInt64) {
        buckets[KprobeTable.bucket(of: address)].insert(probe, at: 0)
        if (count + 1) * 2 > capacity { grow() }
        indexInsert(.passUnretained(probe), at: address)
        count += 1
    }

    /// Puts `new` where `old` was, in the bucket and the index (`hlist_replace_rcu`).
    func replace(_ old: Kprobe, with new: Kprobe, at address: UInt64) {
        let b = KprobeTable.bucket(of: address)
        if let i = buckets[b].firstIndex(where: { $0 === old }) { buckets[b][i] = new }
        indexRemove(address)
        indexInsert(.passUnretained(new), at: address)
    }

    func remove(at address: UInt64) {
        let b = KprobeTable.bucket(of: address)
        buckets[b].removeAll { $0.address == address }
        indexRemove(address)
        count -= 1
    }

    /// Every registered entry in `kprobes/list` order: bucket by bucket, newest first.
    var inListOrder: [Kprobe] { buckets.flatMap { $0 } }

    private func indexInsert(_ probe: Unmanaged<Kprobe>, at address: UInt64) {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while values[i] != nil && keys[i] != address { i = (i + 1) & mask }
        keys[i] = address
        values[i] = probe
    }

    /// Backward-shift deletion keeps probe chains unbroken without tombstones.
    private func indexRemove(_ address: UInt64) {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while values[i] != nil && keys[i] != address { i = (i + 1) & mask }
        guard values[i] != nil else { return }
        values[i] = nil
        var j = (i + 1) & mask
        while let moving = values[j] {
            let key = keys[j]
            values[j] = nil
            indexInsert(moving, at: key)
            j = (j + 1) & mask
        }
    }

    private func grow() {
        let (oldKeys, oldValues, oldCapacity) = (keys, values, capacity)
        capacity *= 2
        keys = KprobeTable.allocateKeys(capacity)
        values = KprobeTable.allocateValues(capacity)
        for i in 0..<oldCapacity { if let probe = oldValues[i] { indexInsert(probe, at: oldKeys[i]) } }
        release(oldKeys, oldValues, oldCapacity)
    }
}
