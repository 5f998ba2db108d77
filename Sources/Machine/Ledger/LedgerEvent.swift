/// A typed event in the ledger. The machine records `MachineEvent`s; the kprobe layer records its own event type.
/// Consumers filter with `as?` (`ledger.events(of: KprobeEvent.self)`).
public protocol LedgerEvent: Sendable, CustomStringConvertible {}
