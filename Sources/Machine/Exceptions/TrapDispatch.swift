/// The machine's trap dispatch table: per trap kind, handlers in descending priority (notifier-chain order).
public struct TrapDispatch {
    private struct Entry {
        let handler: TrapHandler
        let priority: Int
    }

    private var table: [[Entry]] = Array(repeating: [], count: Trap.Kind.allCases.count)

    public init() {}

    /// Adds `handler` for `kind`. Higher priority runs first; equal priorities run in registration order.
    public mutating func register(_ handler: TrapHandler, for kind: Trap.Kind, priority: Int = 0) {
        var entries = table[Int(kind.rawValue)]
        let position = entries.firstIndex { $0.priority < priority } ?? entries.count
        entries.insert(Entry(handler: handler, priority: priority), at: position)
        table[Int(kind.rawValue)] = entries
    }

    /// Removes every registration of `handler`.
    public mutating func unregister(_ handler: TrapHandler) {
        for i in table.indices { table[i].removeAll { $0.handler === handler } }
    }

    /// Offers the trap to each handler in turn until one handles it or declares it fatal.
    func dispatch(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        for entry in table[Int(trap.kind.rawValue)] {
            switch entry.handler.handleTrap(trap, cpu: cpu, machine: machine) {
            case .notHandled: continue
            case let result: return result
            }
        }
        return .notHandled
    }
}
