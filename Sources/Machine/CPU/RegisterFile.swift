/// A CPU's registers, stored word for word in the order of the architecture's `struct pt_regs`.
///
/// Keeping the live register file in `pt_regs` order means a trap handler's "regs" is the register file itself:
/// no copy on the trap path, and a handler that changes `regs->ip` changes where the CPU resumes, as in the
/// kernel. The architecture targets name the slots (`X86PtRegs`, `ARM64PtRegs`).
///
/// Deferred status flags: a core may leave the arithmetic status bits of its flags word stale and keep, in
/// scratch words, what computes them (x86_64 does, so a trap does not pay for RFLAGS nobody reads). While the
/// `pending` word is nonzero only those bits are stale; every other bit of the flags word is current. The
/// subscript, `snapshot` and `restore` settle this themselves; code that reads the flags word through `words`
/// calls `materializeFlags()` first, unless it reads only bits that are never deferred.
public final class RegisterFile {
    /// Room for the largest `pt_regs` either architecture has, plus scratch words an executor may keep.
    public static let capacity = 64
    public let words: UnsafeMutablePointer<UInt64>

    /// Where a core defers status flags, and how they are computed. In memory of its own, not stored
    /// properties: read on every subscript access, from other modules too, without an exclusivity check.
    @usableFromInline struct DeferredFlags {
        /// The flags word's slot; -1 while no core defers flags here (every slot then reads as stored).
        @usableFromInline var slot = -1
        /// The scratch word that is nonzero while the flags word's status bits are stale.
        @usableFromInline var pending = 0
        /// Writes the status bits into the flags word and clears the pending word.
        @usableFromInline var materialize: (@convention(c) (UnsafeMutablePointer<UInt64>) -> Void)?
    }
    @usableFromInline let deferred: UnsafeMutablePointer<DeferredFlags>

    public init() {
        words = .allocate(capacity: RegisterFile.capacity)
        words.initialize(repeating: 0, count: RegisterFile.capacity)
        deferred = .allocate(capacity: 1)
        deferred.initialize(to: DeferredFlags())
    }

    deinit {
        words.deallocate()
        deferred.deallocate()
    }

    /// Called by a core that keeps the status bits of `slot` deferred while the scratch word `pending` is
    /// nonzero; `materialize` computes them into `slot` and zeroes `pending`.
    public func deferFlags(slot: Int, pending: Int, materialize: @escaping @convention(c) (UnsafeMutablePointer<UInt64>) -> Void) {
        deferred.pointee = DeferredFlags(slot: slot, pending: pending, materialize: materialize)
    }

    /// Makes the flags word's status bits current (for readers of `words`).
    @inlinable @inline(__always)
    public func materializeFlags() {
        if deferred.pointee.slot >= 0 && words[deferred.pointee.pending] != 0 { deferred.pointee.materialize?(words) }
    }

    /// A read of the flags slot sees current status bits; a write of it replaces them, so nothing is pending after.
    @inlinable @inline(__always)
    public subscript(index: Int) -> UInt64 {
        get {
            if index == deferred.pointee.slot { materializeFlags() }
            return words[index]
        }
        set {
            if index == deferred.pointee.slot { words[deferred.pointee.pending] = 0 }
            words[index] = newValue
        }
    }

    /// A copy of the first `count` words (saving a task's context, a property test's "final registers"), with the
    /// status flags current.
    public func snapshot(count: Int = RegisterFile.capacity) -> [UInt64] {
        materializeFlags()
        return Array(UnsafeBufferPointer(start: words, count: count))
    }

    /// Restores words saved by `snapshot`, whose flags are current: nothing is pending afterwards.
    public func restore(_ saved: [UInt64]) {
        for (i, value) in saved.enumerated() where i < RegisterFile.capacity { words[i] = value }
        if deferred.pointee.slot >= 0 { words[deferred.pointee.pending] = 0 }
    }
}
