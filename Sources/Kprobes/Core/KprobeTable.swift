/// `kprobe_table`: 64 hash buckets keyed by `hash_ptr(addr, 6)`, newest first in each bucket, which is the order
/// debugfs `kprobes/list` prints. kernel: kernel/kprobes.c KPROBE_HASH_BITS, include/linux/hash.h hash_64.
///
/// The trap path looks probes up through a separate open-addressing index over a plain array, so a hit costs
/// the same with one probe or ten thousand (the kernel's bucket walk would grow with the count).
struct KprobeTable {
    static let hashBits: UInt64 = 6
    static let bucketCount = 1 << 6

    private(set) var buckets: [[Kprobe]] = Array(repeating: [], count: KprobeTable.bucketCount)
    private var keys: [UInt64] = Array(repeating: 0, count: 16)
    private var values: [Kprobe?] = Array(repeating: nil, count: 16)
    private(set) var count = 0

    /// `hash_64(addr, 6)` on 64-bit: golden-ratio multiply, top bits. kernel: include/linux/hash.h.
    static func bucket(of address: UInt64) -> Int {
        Int((address &* 0x61C8_8646_80B5_83EB) >> (64 - hashBits))
    }

    /// `get_kprobe`: the probe (or aggregator) registered at exactly `address`.
    @inline(__always)
    func get(_ address: UInt64) -> Kprobe? {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while let probe = values[i] {
            if keys[i] == address { return probe }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Adds at the head of its bucket (`hlist_add_head_rcu`).
    mutating func insert(_ probe: Kprobe, at address: UInt64) {
        buckets[KprobeTable.bucket(of: address)].insert(probe, at: 0)
        if (count + 1) * 2 > keys.count { grow() }
        indexInsert(probe, at: address)
        count += 1
    }

    /// Puts `new` where `old` was, in the bucket and the index (`hlist_replace_rcu`).
    mutating func replace(_ old: Kprobe, with new: Kprobe, at address: UInt64) {
        let b = KprobeTable.bucket(of: address)
        if let i = buckets[b].firstIndex(where: { $0 === old }) { buckets[b][i] = new }
        indexRemove(address)
        indexInsert(new, at: address)
    }

    mutating func remove(at address: UInt64) {
        let b = KprobeTable.bucket(of: address)
        buckets[b].removeAll { $0.address == address }
        indexRemove(address)
        count -= 1
    }

    /// Every registered entry in `kprobes/list` order: bucket by bucket, newest first.
    var inListOrder: [Kprobe] { buckets.flatMap { $0 } }

    private mutating func indexInsert(_ probe: Kprobe, at address: UInt64) {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (address &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while values[i] != nil && keys[i] != address { i = (i + 1) & mask }
        keys[i] = address
        values[i] = probe
    }

    /// Backward-shift deletion keeps probe chains unbroken without tombstones.
    private mutating func indexRemove(_ address: UInt64) {
        let mask = keys.count - 1
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

    private mutating func grow() {
        let entries = zip(keys, values).compactMap { key, value in value.map { (key, $0) } }
        keys = Array(repeating: 0, count: keys.count * 2)
        values = Array(repeating: nil, count: keys.count)
        for (key, probe) in entries { indexInsert(probe, at: key) }
    }
}
