/// ADD/SUB (immediate), logical (immediate), move wide, bitfield and extract.
extension ARM64Executor {
    @inline(__always)
    func addSubImmediate(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        addSub(i, x[Int(i.rn)], i.immediate, &nzcv)
    }

    @inline(__always)
    func logicalImmediate(_ i: ARM64Instruction, _ nzcv: inout UInt64) {
        let a = x[Int(i.rn)]
        let result: UInt64
        switch i.variant {
        case 0, 3: result = a & i.immediate
        case 1: result = a | i.immediate
        default: result = a ^ i.immediate
        }
        if i.setsFlags { nzcv = ARM64Executor.logicalFlags(result, i.is64) }
        write(i.rd, result, i.is64)
    }

    @inline(__always)
    func moveWide(_ i: ARM64Instruction) {
        let shifted = i.immediate &<< UInt64(i.amount)
        switch i.operation {
        case .movz: write(i.rd, shifted, i.is64)
        case .movn: write(i.rd, ~shifted, i.is64)
        default: write(i.rd, (x[Int(i.rd)] & ~(0xFFFF &<< UInt64(i.amount))) | shifted, i.is64)
        }
    }

    /// SBFM/BFM/UBFM with the masks `DecodeBitMasks` gave the decoder (`immediate` = wmask, `immediate2` = tmask).
    @inline(__always)
    func bitfield(_ i: ARM64Instruction) {
        let source = x[Int(i.rn)]
        let r = UInt64(i.amount)
        let rotated = shifted(source, 3, r, i.is64)
        let wmask = i.immediate, tmask = i.immediate2
        let result: UInt64
        switch i.operation {
        case .ubfm:
            result = rotated & wmask & tmask
        case .sbfm:
            let top: UInt64 = (source >> UInt64(i.variant)) & 1 != 0 ? ~0 : 0
            result = (top & ~tmask) | (rotated & wmask & tmask)
        default:
            let destination = x[Int(i.rd)]
            let bottom = (destination & ~wmask) | (rotated & wmask)
            result = (destination & ~tmask) | (bottom & tmask)
        }
        write(i.rd, result, i.is64)
    }

    @inline(__always)
    func extract(_ i: ARM64Instruction) {
        let high = x[Int(i.rn)], low = x[Int(i.rm)]
        let lsb = UInt64(i.amount)
        if i.is64 {
            write(i.rd, lsb == 0 ? low : (low &>> lsb) | (high &<< (64 - lsb)), true)
        } else {
            let concatenated = (high & 0xFFFF_FFFF) << 32 | (low & 0xFFFF_FFFF)
            write(i.rd, concatenated &>> lsb, false)
        }
    }
}
