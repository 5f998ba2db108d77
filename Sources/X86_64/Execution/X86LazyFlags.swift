/// The last flag-setting operation, kept instead of RFLAGS' status bits: most results are never tested, so the
/// six flags are only computed when something reads them (jcc/setcc/cmov/adc/pushf, or a reader of the register
/// file).
///
/// Architecturally undefined flags (the SDM documents no hardware behaviour; Intel and AMD differ, and
/// `flags.txt` compares only defined bits): AF is cleared by logic ops, shifts and multiplies; multiplies set
/// SF/ZF/PF from the low half of the product; divides leave all flags as they were; shifts by more than one
/// compute OF with the count-of-one formula; bt/bts/btr/btc change only CF; bsf/bsr change only ZF (and leave the
/// destination unchanged for a zero source, as both vendors' hardware does); tzcnt/lzcnt change only CF and ZF.
///
/// The record outlives a run: at traps, host calls and returns the core leaves it in the register file's scratch
/// words (`X86PtRegs.lazyFlags`...), so RFLAGS is computed only if a handler, the kprobe back end, tracefs or a
/// context switch reads it (through `RegisterFile`'s deferred flags), not at every trap.
struct X86LazyFlags {
    enum Kind: UInt8 {
        /// RFLAGS in the register file is up to date.
        case none
        /// `a + b` (add), `a - b` (sub/cmp), a logic result, inc/dec (CF preserved in `carry`).
        case add, sub, logic, inc, dec
    }

    var kind = Kind.none
    var size: UInt8 = 8
    var a: UInt64 = 0
    var b: UInt64 = 0
    var result: UInt64 = 0
    /// inc/dec leave CF alone: the CF before them.
    var carry: UInt64 = 0

    @inline(__always)
    init() {}

    @inline(__always)
    init(_ kind: Kind, size: UInt8, a: UInt64, b: UInt64, result: UInt64, carry: UInt64 = 0) {
        self.kind = kind
        self.size = size
        self.a = a
        self.b = b
        self.result = result
        self.carry = carry
    }

    /// The record a run left in the register file (`.none` if RFLAGS there is current).
    @inline(__always)
    init(from regs: UnsafeMutablePointer<UInt64>) {
        let packed = regs[X86PtRegs.lazyFlags]
        kind = Kind(rawValue: UInt8(truncatingIfNeeded: packed)) ?? .none
        size = UInt8(truncatingIfNeeded: packed >> 8)
        a = regs[X86PtRegs.lazyA]
        b = regs[X86PtRegs.lazyB]
        result = regs[X86PtRegs.lazyResult]
        carry = regs[X86PtRegs.lazyCarry]
    }

    /// Leaves the record in the register file; a `.none` record packs to zero, so nothing is pending.
    @inline(__always)
    func store(to regs: UnsafeMutablePointer<UInt64>) {
        regs[X86PtRegs.lazyFlags] = kind == .none ? 0 : UInt64(kind.rawValue) | UInt64(size) << 8
        regs[X86PtRegs.lazyA] = a
        regs[X86PtRegs.lazyB] = b
        regs[X86PtRegs.lazyResult] = result
        regs[X86PtRegs.lazyCarry] = carry
    }

    /// `RegisterFile`'s materialiser for x86_64: computes RFLAGS from the record the register file holds.
    static let materializeRegisterFile: @convention(c) (UnsafeMutablePointer<UInt64>) -> Void = { regs in
        regs[X86PtRegs.flags] = X86LazyFlags(from: regs).materialize(regs[X86PtRegs.flags])
        regs[X86PtRegs.lazyFlags] = 0
    }

    /// CF only (what adc/sbb/inc/dec/rcl need), without materialising the rest.
    @inline(__always)
    func carryFlag(_ rflags: UInt64) -> UInt64 {
        let m = X86Executor.mask(size)
        switch kind {
        case .none: return rflags & X86Flags.cf
        case .add: return (result & m) < (a & m) ? 1 : 0
        case .sub: return (a & m) < (b & m) ? 1 : 0
        case .logic: return 0
        case .inc, .dec: return carry
        }
    }

    /// RFLAGS with the status flags computed from the recorded operation.
    func materialize(_ rflags: UInt64) -> UInt64 {
        guard kind != .none else { return rflags }
        let m = X86Executor.mask(size)
        let sign: UInt64 = 1 << (UInt64(size) * 8 - 1)
        let r = result & m
        var f = X86LazyFlags.zeroSignParity(r, sign: sign)
        switch kind {
        case .none: break
        case .add, .inc:
            if kind == .add { if r < (a & m) { f |= X86Flags.cf } } else { f |= carry }
            if (a ^ r) & (b ^ r) & sign != 0 { f |= X86Flags.of }
            f |= (a ^ b ^ r) & X86Flags.af
        case .sub, .dec:
            if kind == .sub { if (a & m) < (b & m) { f |= X86Flags.cf } } else { f |= carry }
            if (a ^ b) & (a ^ r) & sign != 0 { f |= X86Flags.of }
            f |= (a ^ b ^ r) & X86Flags.af
        case .logic: break
        }
        return (rflags & ~X86Flags.status) | f
    }

    /// ZF, SF and PF of a (masked) result: what every arithmetic and logic instruction sets alike.
    @inline(__always)
    static func zeroSignParity(_ r: UInt64, sign: UInt64) -> UInt64 {
        var f: UInt64 = r == 0 ? X86Flags.zf : 0
        if r & sign != 0 { f |= X86Flags.sf }
        if (r & 0xff).nonzeroBitCount & 1 == 0 { f |= X86Flags.pf }
        return f
    }
}
