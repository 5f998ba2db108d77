import Synchronization

/// The texts traps carry (an undefined instruction's disassembly and reason), interned, so that `Trap` holds a
/// number and stays a trivial value: a trap is then created, passed down the dispatch and dropped without any
/// destruction, where a `String?` field made the end of every trap (every breakpoint) a call through the
/// type's value witnesses. Texts are few (one per distinct undefined instruction met) and kept for the process.
enum TrapText {
    private static let texts = Mutex<(list: [String], index: [String: UInt32])>(([], [:]))

    /// The number for `text`, the same for equal texts; never 0 (0 means "no text").
    static func intern(_ text: String) -> UInt32 {
        texts.withLock { table in
            if let known = table.index[text] { return known }
            table.list.append(text)
            let number = UInt32(table.list.count)
            table.index[text] = number
            return number
        }
    }

    /// The text interned as `number`.
    static func text(_ number: UInt32) -> String {
        texts.withLock { $0.list[Int(number) - 1] }
    }
}
