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

    /// The tag of a cached `int3`: never equal to its own address (the low bits differ), so the run loop's
    /// hit test fails and it leaves the loop through the miss path, which raises #BP from the entry without a
    /// thrown error (and without a branch for it on every instruction).
    @inline(__always)
    static func breakpointTag(_ ip: UInt64) -> UInt64 { ip ^ 1 }

    /// Caches `op` decoded at `ip` (an `int3` under its breakpoint tag).
    func store(_ op: X86Op, at ip: UInt64, slot: Int) {
        ops[slot] = op
        tags[slot] = op.kind == .int3 ? X86DecodeCache.breakpointTag(ip) : ip
    }

    /// Whether the entry for `ip` is a cached `int3` (the address whose breakpoint tag is `empty` is never
    /// cached as one).
    @inline(__always)
    func holdsBreakpoint(at ip: UInt64, slot: Int) -> Bool {
        let tag = X86DecodeCache.breakpointTag(ip)
        return tags[slot] == tag && tag != X86DecodeCache.empty
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
            if tags[slot] == a || tags[slot] == X86DecodeCache.breakpointTag(a) { tags[slot] = X86DecodeCache.empty }
            a &+= 1
        }
    }
}
