/// The machine's trap dispatch table: per trap kind, handlers in descending priority (notifier-chain order).
///
/// Offering a trap costs no reference counting: each kind's handlers sit in raw memory that is replaced, never
/// changed, when someone registers (a dispatch in progress keeps walking the list it started with, so the old
/// lists are kept until the table goes), and each handler is called as a guaranteed reference (the table owns
/// it) with one virtual call.
public final class TrapDispatch {
    @usableFromInline struct Entry {
        @usableFromInline let handler: Unmanaged<TrapHandler>
        let priority: Int
    }

    /// Per trap kind, its current list. Read on every trap from the cores (`dispatch` is inlined there through
    /// `Machine.raise`), so it is raw memory: a stored property read from another module would pay a dynamic
    /// exclusivity check.
    @usableFromInline let lists: UnsafeMutablePointer<UnsafeMutableBufferPointer<Entry>>
    private var retired: [UnsafeMutableBufferPointer<Entry>] = []
    /// Keeps every handler ever registered alive until the table goes, like the retired lists: a handler may
    /// unregister itself while it runs, and nothing else holds it during the call.
    private var owners: [TrapHandler] = []

    public init() {
        lists = .allocate(capacity: Trap.Kind.allCases.count)
        lists.initialize(repeating: UnsafeMutableBufferPointer(start: nil, count: 0), count: Trap.Kind.allCases.count)
    }

    deinit {
        for kind in Trap.Kind.allCases { lists[Int(kind.rawValue)].deallocate() }
        for list in retired { list.deallocate() }
        lists.deallocate()
    }

    /// Adds `handler` for `kind`. Higher priority runs first; equal priorities run in registration order.
    public func register(_ handler: TrapHandler, for kind: Trap.Kind, priority: Int = 0) {
        var entries = Array(lists[Int(kind.rawValue)])
        let position = entries.firstIndex { $0.priority < priority } ?? entries.count
        let entry = Entry(handler: .passUnretained(handler), priority: priority)
        entries.insert(entry, at: position)
        replace(kind, with: entries)
        owners.append(handler)
    }

    /// Removes every registration of `handler`.
    public func unregister(_ handler: TrapHandler) {
        for kind in Trap.Kind.allCases {
            let entries = lists[Int(kind.rawValue)].filter { $0.handler.takeUnretainedValue() !== handler }
            replace(kind, with: entries)
        }
    }

    private func replace(_ kind: Trap.Kind, with entries: [Entry]) {
        let list = UnsafeMutableBufferPointer<Entry>.allocate(capacity: entries.count)
        _ = list.initialize(from: entries)
        retired.append(lists[Int(kind.rawValue)])
        lists[Int(kind.rawValue)] = list
    }

    /// Offers the trap to each handler in turn until one handles it or declares it fatal.
    @inlinable @inline(__always)
    func dispatch(_ trap: Trap, cpu: CPU, machine: Machine) -> TrapResult {
        for entry in lists[Int(trap.kind.rawValue)] {
            switch entry.handler._withUnsafeGuaranteedRef({ $0.handleTrap(trap, cpu: cpu, machine: machine) }) {
            case .notHandled: continue
            case let result: return result
            }
        }
        return .notHandled
    }
}
