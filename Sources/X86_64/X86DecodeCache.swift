import Machine

/// Pre-decoded instructions, direct-mapped by the low bits of their address with the full address as tag.
/// Registered as a text-poke observer: any change to code bytes drops every cached instruction overlapping it.
final class X86DecodeCache: TextPokeObserver {
    static let entries = 1 << 14
    static let mask = entries - 1
    /// Tag meaning "empty" (no instruction can start at the last byte of the address space and be cached there).
    static let empty = UInt64.max

    let tags: UnsafeMutablePointer<UInt64>
    let ops: UnsafeMutablePointer<X86Op>

    init() {
        tags = .allocate(capacity: X86DecodeCache.entries)
        tags.initialize(repeating: X86DecodeCache.empty, count: X86DecodeCache.entries)
        ops = .allocate(capacity: X86DecodeCache.entries)
        ops.initialize(repeating: X86Op(), count: X86DecodeCache.entries)
    }

    deinit {
        tags.deallocate()
        ops.deallocate()
    }

    /// An instruction starting up to 14 bytes before the change may cover it.
    func textChanged(at address: UInt64, length: Int) {
        if length >= X86DecodeCache.entries {
            tags.update(repeating: X86DecodeCache.empty, count: X86DecodeCache.entries)
            return
        }
        var a = address &- UInt64(X86Decoder.maximumLength - 1)
        let end = address &+ UInt64(length)
        while a != end {
            let slot = Int(truncatingIfNeeded: a) & X86DecodeCache.mask
            if tags[slot] == a { tags[slot] = X86DecodeCache.empty }
            a &+= 1
        }
    }
}
