/// Why a 32-bit word is not an instruction this decoder knows, naming the word and the problem.
public struct ARM64DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The architecture leaves the encoding unallocated (or `UDF`): executing it is an undefined instruction.
        case unallocated = "unallocated encoding"
        /// A valid encoding from an extension the decoder does not model (SVE, SME, SIMD&FP data processing,
        /// MTE, TME...).
        case unsupported = "unsupported extension"
    }

    public let word: UInt32
    public let group: ARM64EncodingGroup
    public let reason: Reason

    public var description: String {
        "0x" + String(word, radix: 16) + " (\(group)): \(reason.rawValue)"
    }
}
