/// Why bytes do not decode as an x86_64 instruction: a value naming the offending byte, never a crash.
public struct X86DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Error, Sendable, Hashable {
        /// The bytes ended (end of buffer or of executable memory) before the instruction did.
        case truncated
        /// The instruction would be longer than the architectural 15-byte limit (#UD on hardware).
        case tooLong
        /// The opcode (at `offset`) is invalid in 64-bit mode or not an instruction at all.
        case invalidOpcode
    }

    public let reason: Reason
    /// Byte offset inside the instruction where decoding failed.
    public let offset: Int
    /// The bytes that were examined.
    public let bytes: [UInt8]

    public init(_ reason: Reason, offset: Int, bytes: [UInt8]) {
        self.reason = reason
        self.offset = offset
        self.bytes = bytes
    }

    public var description: String {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined(separator: " ")
        switch reason {
        case .truncated: return "instruction bytes [\(hex)] end before the instruction does"
        case .tooLong: return "instruction bytes [\(hex)] exceed the 15-byte instruction limit"
        case .invalidOpcode: return "invalid opcode at byte \(offset) of [\(hex)]"
        }
    }
}
