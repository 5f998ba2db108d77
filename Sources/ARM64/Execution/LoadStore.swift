import Machine

/// Loads and stores: single registers in every addressing mode, pairs, literals, exclusives (with a simple
/// exclusive monitor: LDXR arms it for the address, STXR succeeds only when armed for that address, CLREX and
/// any STXR disarm it) and load-acquire/store-release (ordinary accesses on one in-order CPU).
extension ARM64Executor {
    @inline(__always)
    func read(_ address: UInt64, _ size: UInt8) throws(ARM64Exception) -> UInt64 {
        do { return try memory.read(address, size: 1 << Int(size)) } catch { throw .pageFault(error) }
    }

    @inline(__always)
    func store(_ address: UInt64, _ size: UInt8, _ value: UInt64) throws(ARM64Exception) {
        do { try memory.write(address, size: 1 << Int(size), value: value) } catch { throw .pageFault(error) }
    }

    /// Sign-extends a loaded value of `size` (log2 bytes) to 64 bits.
    @inline(__always)
    static func signExtended(_ value: UInt64, _ size: UInt8) -> UInt64 {
        let shift = 64 - (8 << UInt64(size))
        return UInt64(bitPattern: Int64(bitPattern: value << shift) >> Int64(shift))
    }

    @inline(__always)
    func loadStore(_ i: ARM64Instruction) throws(ARM64Exception) {
        let base = x[Int(i.rn)]
        let address: UInt64
        switch i.mode {
        case .offset, .preIndex: address = base &+ i.immediate
        case .postIndex: address = base
        case .register: address = base &+ extended(x[Int(i.rm)], i.shift, i.amount)
        }
        switch i.operation {
        case .store:
            try store(address, i.size, x[Int(i.rd)])
            writeBack(i, base)
        case .load:
            let value = try read(address, i.size)
            writeBack(i, base)
            x[Int(i.rd)] = value
        default:
            let value = ARM64Executor.signExtended(try read(address, i.size), i.size)
            writeBack(i, base)
            write(i.rd, value, i.is64)
        }
    }

    @inline(__always)
    func writeBack(_ i: ARM64Instruction, _ base: UInt64) {
        if i.mode == .preIndex || i.mode == .postIndex { x[Int(i.rn)] = base &+ i.immediate }
    }

    @inline(__always)
    func loadStorePair(_ i: ARM64Instruction) throws(ARM64Exception) {
        let base = x[Int(i.rn)]
        let address = i.mode == .postIndex ? base : base &+ i.immediate
        let second = address &+ (1 << UInt64(i.size))
        switch i.operation {
        case .storePair:
            try store(address, i.size, x[Int(i.rd)])
            try store(second, i.size, x[Int(i.ra)])
            writeBack(i, base)
        case .loadPair:
            let first = try read(address, i.size)
            let other = try read(second, i.size)
            writeBack(i, base)
            x[Int(i.rd)] = first
            x[Int(i.ra)] = other
        default:
            let first = ARM64Executor.signExtended(try read(address, 2), 2)
            let other = ARM64Executor.signExtended(try read(second, 2), 2)
            writeBack(i, base)
            x[Int(i.rd)] = first
            x[Int(i.ra)] = other
        }
    }

    @inline(__always)
    func loadLiteral(_ i: ARM64Instruction, at address: UInt64) throws(ARM64Exception) {
        let value = try read(address &+ i.immediate, i.size)
        x[Int(i.rd)] = i.signExtend ? ARM64Executor.signExtended(value, i.size) : value
    }

    func exclusive(_ i: ARM64Instruction) throws(ARM64Exception) {
        let address = x[Int(i.rn)]
        let second = address &+ (1 << UInt64(i.size))
        switch i.operation {
        case .loadExclusive, .loadExclusivePair:
            let first = try read(address, i.size)
            let other = i.operation == .loadExclusivePair ? try read(second, i.size) : 0
            x[ARM64PtRegs.exclusiveAddress] = address
            x[ARM64PtRegs.exclusiveArmed] = 1
            x[Int(i.rd)] = first
            if i.operation == .loadExclusivePair { x[Int(i.ra)] = other }
        default:
            let armed = x[ARM64PtRegs.exclusiveArmed] != 0 && x[ARM64PtRegs.exclusiveAddress] == address
            if armed {
                try store(address, i.size, x[Int(i.rd)])
                if i.operation == .storeExclusivePair { try store(second, i.size, x[Int(i.ra)]) }
            }
            x[ARM64PtRegs.exclusiveArmed] = 0
            x[Int(i.rm)] = armed ? 0 : 1
        }
    }

    func acquireRelease(_ i: ARM64Instruction) throws(ARM64Exception) {
        let address = x[Int(i.rn)]
        if i.operation == .loadAcquire {
            x[Int(i.rd)] = try read(address, i.size)
        } else {
            try store(address, i.size, x[Int(i.rd)])
        }
    }
}
