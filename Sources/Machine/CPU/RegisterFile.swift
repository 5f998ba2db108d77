/// A CPU's registers, stored word for word in the order of the architecture's `struct pt_regs`.
///
/// Keeping the live register file in `pt_regs` order means a trap handler's "regs" is the register file itself:
/// no copy on the trap path, and a handler that changes `regs->ip` changes where the CPU resumes, as in the
/// kernel. The architecture targets name the slots (`X86PtRegs`, `ARM64PtRegs`).
public final class RegisterFile {
    /// Room for the largest `pt_regs` either architecture has, plus scratch words an executor may keep.
    public static let capacity = 64
    public let words: UnsafeMutablePointer<UInt64>

    public init() {
        words = .allocate(capacity: RegisterFile.capacity)
        words.initialize(repeating: 0, count: RegisterFile.capacity)
    }

    deinit { words.deallocate() }

    @inline(__always)
    public subscript(index: Int) -> UInt64 {
        get { words[index] }
        set { words[index] = newValue }
    }

    /// A copy of the first `count` words (saving a task's context, a property test's "final registers").
    public func snapshot(count: Int = RegisterFile.capacity) -> [UInt64] {
        Array(UnsafeBufferPointer(start: words, count: count))
    }

    /// Restores words saved by `snapshot`.
    public func restore(_ saved: [UInt64]) {
        for (i, value) in saved.enumerated() where i < RegisterFile.capacity { words[i] = value }
    }
}
