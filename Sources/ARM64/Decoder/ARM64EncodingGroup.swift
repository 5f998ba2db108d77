/// The Arm ARM's top-level A64 encoding groups, selected by `op0` (bits 28..25) of every instruction word.
public enum ARM64EncodingGroup: UInt8, Sendable, Hashable, CaseIterable {
    /// `op0 = 0000` with bit 31 clear (`UDF` lives here).
    case reserved
    /// `op0 = 0000` with bit 31 set: Scalable Matrix Extension.
    case sme
    /// `op0 = 0010`: Scalable Vector Extension.
    case sve
    /// `op0 = 0001` and `0011`.
    case unallocated
    /// `op0 = 100x`.
    case dataProcessingImmediate
    /// `op0 = 101x`: branches, exception generation and system instructions.
    case branchExceptionSystem
    /// `op0 = x1x0`.
    case loadStore
    /// `op0 = x101`.
    case dataProcessingRegister
    /// `op0 = x111`: scalar floating point and Advanced SIMD.
    case simdFP

    public init(word: UInt32) {
        let op0 = (word >> 25) & 0xF
        switch op0 {
        case 0b0000: self = word >> 31 == 0 ? .reserved : .sme
        case 0b0010: self = .sve
        case 0b0001, 0b0011: self = .unallocated
        case 0b1000, 0b1001: self = .dataProcessingImmediate
        case 0b1010, 0b1011: self = .branchExceptionSystem
        case 0b0101, 0b1101: self = .dataProcessingRegister
        case 0b0111, 0b1111: self = .simdFP
        default: self = .loadStore
        }
    }
}
