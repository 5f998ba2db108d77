/// Told whenever bytes that may be cached as decoded instructions change: a text poke, or a write by
/// simulated code into a page that is both writable and executable. Decode caches conform to this.
public protocol TextPokeObserver: AnyObject {
    /// `length` bytes starting at `address` changed; cached decodes overlapping them are stale.
    func textChanged(at address: UInt64, length: Int)
}
