import Machine

/// Pre-decoded instructions, direct-mapped by `(pc >> 2) & mask` with the full address as tag (arm64 is
/// fixed-width, so one slot per word). Registered as a `TextPokeObserver`: any change to executable bytes
/// (text poke, a write to a writable+executable page) empties the slots of the changed words.
final class ARM64DecodeCache: TextPokeObserver {
    static let entryCount = 1 << 15
    static let mask = entryCount - 1
    /// An impossible tag (instruction addresses are 4-aligned).
    static let emptyTag: UInt64 = 1

    /// The tag of a cached `BRK`: its address with bit 1 set, never a fetched address (nor `emptyTag`), so the
    /// run loop's hit test fails and the miss path raises the exception from the entry without a thrown error
    /// (and without a branch for it on every instruction).
    @inline(__always)
    static func breakpointTag(_ address: UInt64) -> UInt64 { address | 2 }

    let tags: UnsafeMutablePointer<UInt64>
    let entries: UnsafeMutablePointer<ARM64Instruction>

    init() {
        tags = .allocate(capacity: ARM64DecodeCache.entryCount)
        tags.initialize(repeating: ARM64DecodeCache.emptyTag, count: ARM64DecodeCache.entryCount)
        entries = .allocate(capacity: ARM64DecodeCache.entryCount)
        entries.initialize(repeating: ARM64Instruction(rawValue: 0xD503_201F, operation: .hint), count: ARM64DecodeCache.entryCount)
    }

    deinit {
        tags.deallocate()
        entries.deinitialize(count: ARM64DecodeCache.entryCount)
        entries.deallocate()
    }

    func textChanged(at address: UInt64, length: Int) {
        guard length > 0 else { return }
        if length / 4 >= ARM64DecodeCache.entryCount {
            tags.update(repeating: ARM64DecodeCache.emptyTag, count: ARM64DecodeCache.entryCount)
            return
        }
        var word = address & ~3
        let end = address &+ UInt64(length)
        while word < end {
            let slot = Int(truncatingIfNeeded: word >> 2) & ARM64DecodeCache.mask
            if tags[slot] == word || tags[slot] == ARM64DecodeCache.breakpointTag(word) { tags[slot] = ARM64DecodeCache.emptyTag }
            word &+= 4
        }
    }
}
