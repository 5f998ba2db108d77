/// movs/cmps/stos/lods/scas, with rep/repe/repne. Each iteration updates registers before the next, so a fault
/// mid-way leaves a restartable state (IP still at the instruction, RCX counting what is left), as on hardware.
extension X86Executor {
    mutating func string(_ op: X86Op) throws(X86Fault) {
        let size = op.size
        let kind = X86StringOp(rawValue: op.sub) ?? .movs
        let step = regs[X86PtRegs.flags] & X86Flags.df != 0 ? 0 &- UInt64(size) : UInt64(size)
        let repeated = op.imm2 != 0
        let compares = kind == .cmps || kind == .scas
        while true {
            if repeated && regs[X86PtRegs.cx] == 0 { return }
            let si = regs[X86PtRegs.si], di = regs[X86PtRegs.di]
            switch kind {
            case .movs:
                try store(di, size, try load(si, size))
                regs[X86PtRegs.si] = si &+ step
                regs[X86PtRegs.di] = di &+ step
            case .stos:
                try store(di, size, readRegister(UInt8(X86PtRegs.ax), high: false, size: size))
                regs[X86PtRegs.di] = di &+ step
            case .lods:
                writeRegister(UInt8(X86PtRegs.ax), high: false, size: size, try load(si, size))
                regs[X86PtRegs.si] = si &+ step
            case .cmps:
                let a = try load(si, size), b = try load(di, size)
                flags = X86LazyFlags(.sub, size: size, a: a, b: b, result: (a &- b) & X86Executor.mask(size))
                regs[X86PtRegs.si] = si &+ step
                regs[X86PtRegs.di] = di &+ step
            case .scas:
                let a = readRegister(UInt8(X86PtRegs.ax), high: false, size: size), b = try load(di, size)
                flags = X86LazyFlags(.sub, size: size, a: a, b: b, result: (a &- b) & X86Executor.mask(size))
                regs[X86PtRegs.di] = di &+ step
            }
            guard repeated else { return }
            regs[X86PtRegs.cx] &-= 1
            if compares {
                let equal = flags.a & X86Executor.mask(size) == flags.b & X86Executor.mask(size)
                if op.imm2 == 1 && !equal { return }
                if op.imm2 == 2 && equal { return }
            }
        }
    }
}
