import Foundation

/// One instruction of a GNU objdump listing (`objdump -D -b binary`), continuation lines of long instructions merged.
struct ObjdumpLine {
    var address: UInt64
    var bytes: [UInt8]
    /// The text after the bytes: mnemonic and operands as objdump prints them (tabs kept).
    var text: String
}

/// Reads the fixtures under `Tests/Fixtures/decoder/x86_64` (made by `scripts/make-x86-decoder-corpus.sh`).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/decoder/x86_64").standardized

    static let corpusNames = ["bash", "cc1", "libc", "libc-avx2", "libc-evex", "libcrypto", "do_sys_openat2"]

    static func data(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func listing(_ name: String) throws -> [ObjdumpLine] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        var lines: [ObjdumpLine] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = raw.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0].hasSuffix(":"),
                  let address = UInt64(fields[0].dropLast().trimmingCharacters(in: .whitespaces), radix: 16)
            else { continue }
            let bytes = fields[1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
            if fields.count == 2 {
                // A continuation line: more bytes of the previous instruction.
                if !lines.isEmpty { lines[lines.count - 1].bytes += bytes }
                continue
            }
            lines.append(ObjdumpLine(address: address, bytes: bytes, text: String(fields[2])))
        }
        return lines
    }
}
