/// Branches. Pointer authentication is not modelled (no keys, pointers are never signed), so BRAA/BLRAA/RETAA
/// and friends branch exactly like BR/BLR/RET: what a CPU without `FEAT_PAuth` enabled keys would do with
/// unsigned pointers.
extension ARM64Executor {
    @inline(__always)
    func branchImmediate(_ i: ARM64Instruction, at address: UInt64, nzcv: UInt64, pc: inout UInt64) {
        let taken: Bool
        switch i.operation {
        case .b: taken = true
        case .bl:
            x[ARM64PtRegs.lr] = address &+ 4
            taken = true
        case .bCond: taken = ARM64Executor.conditionHolds(i.condition, nzcv)
        case .cbz, .cbnz:
            let value = i.is64 ? x[Int(i.rn)] : x[Int(i.rn)] & 0xFFFF_FFFF
            taken = (value == 0) == (i.operation == .cbz)
        default:
            let set = (x[Int(i.rn)] >> UInt64(i.amount)) & 1 != 0
            taken = set == (i.operation == .tbnz)
        }
        if taken { pc = address &+ i.immediate }
    }

    @inline(__always)
    func branchRegister(_ i: ARM64Instruction, at address: UInt64, pc: inout UInt64) {
        let target = x[Int(i.rn)]
        if i.operation == .blr { x[ARM64PtRegs.lr] = address &+ 4 }
        pc = target
    }
}
