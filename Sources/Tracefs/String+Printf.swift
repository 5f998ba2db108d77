/// printf field widths as the tracefs files use them (`%16s`, `%-7d`, `%03d`, `%06lu`, `%-44s`, `%15lu`).
/// Like printf, a longer value is never truncated.
extension String {
    /// `%Ns` / `%0Nd`: padded on the left to `width`.
    func rightJustified(_ width: Int, pad: Character = " ") -> String {
        String(repeating: pad, count: max(0, width - count)) + self
    }

    /// `%-Ns`: padded with spaces on the right to `width`.
    func leftJustified(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
