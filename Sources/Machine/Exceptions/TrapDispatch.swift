/// The machine's trap dispatch table: per trap kind, handlers in descending priority (notifier-chain order).
public struct TrapDispatch {
    /// The trap path calls handlers through `unowned(unsafe)` references, so offering a trap costs no reference
    /// counting; `owners` keeps every registered handler alive.
    private struct Entry {
        unowned(unsafe) let handler: TrapHandler
        let priority: Int
    }

    private var table: [[Entry]] = Array(repeating: [], count: Trap.Kind.allCases.count)
    private var owners: [TrapHandler] = []

    public init() {}

    /// Adds `handler` for `kind`. Higher priority runs first; equal priorities run in registration order.
    public mutating func register(_ handler: TrapHandler, for kind: Trap.Kind, priority: Int = 0) {
        var entries = table[Int(kind.rawValue)]
        let position = entries.firstIndex { $0.priority < priority } ?? entries.count
        entries.insert(Entry(handler: handler, priority: priority), at: position)
        table[Int(kind.rawValue)] = entries
        owners.append(handler)
    }

    /// Removes every registration of `handler`.
    public mutating func unregister(_ handler: TrapHandler) {
        for i in table.indices { table[i].removeAll { $0.handler === handler } }
        owners.removeAll { $0 === handler }
    }

    /// Offers the trap to each handler in turn until one handles it or declares it fatal. The kind's list is
    /// held for the loop, so a handler registering or unregistering others does not disturb it.
    /// `mutating` only so the machine's table is read in place rather than copied out for every trap.
    @inline(__always)
    mutating func dispatch(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        let entries = table[Int(trap.kind.rawValue)]
        for entry in entries {
            switch entry.handler.handleTrap(trap, cpu: cpu, machine: machine) {
            case .notHandled: continue
            case let result: return result
            }
        }
        return .notHandled
    }
}
