/// Bounds-checked little-endian reads from an ELF file's bytes. Offsets and sizes come from the file itself, so
/// every read is checked (without overflow) and answers nil instead of trapping.
struct ELFByteReader: Sendable {
    let bytes: [UInt8]

    var count: UInt64 { UInt64(bytes.count) }

    /// Whether `[offset, offset + size)` lies inside the file.
    func contains(offset: UInt64, size: UInt64) -> Bool {
        offset <= count && size <= count - offset
    }

    /// The little-endian value of `size` bytes at `offset`, or nil past the end.
    func integer(at offset: UInt64, size: Int) -> UInt64? {
        guard contains(offset: offset, size: UInt64(size)) else { return nil }
        let start = Int(offset)
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        return value
    }

    func u8(_ offset: UInt64) -> UInt8? { integer(at: offset, size: 1).map { UInt8($0) } }
    func u16(_ offset: UInt64) -> UInt16? { integer(at: offset, size: 2).map { UInt16($0) } }
    func u32(_ offset: UInt64) -> UInt32? { integer(at: offset, size: 4).map { UInt32($0) } }
    func u64(_ offset: UInt64) -> UInt64? { integer(at: offset, size: 8) }

    /// The bytes of `[offset, offset + size)`, or nil when the range leaves the file.
    func slice(offset: UInt64, size: UInt64) -> ArraySlice<UInt8>? {
        guard contains(offset: offset, size: size) else { return nil }
        return bytes[Int(offset)..<Int(offset + size)]
    }

    /// The NUL-terminated string at `index` inside a string table occupying `table`, or nil when the index is
    /// outside the table or the string runs off its end (a string table must end in NUL).
    func string(in table: Range<Int>, at index: UInt32) -> String? {
        guard UInt64(index) < UInt64(table.count) else { return nil }
        let start = table.lowerBound + Int(index)
        guard let end = bytes[start..<table.upperBound].firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
