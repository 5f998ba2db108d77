/// What the kprobe layer records in the machine's ledger: every step of the mechanism, in order.
public enum KprobeEvent: LedgerEvent, Hashable {
    public enum MissReason: String, Sendable {
        /// Hit while another kprobe was being handled on this CPU (kernel: reenter_kprobe).
        case reentered
    }

    case registered(address: UInt64, symbol: String)
    case unregistered(address: UInt64)
    /// The probed code went away with its module: the probe is `[GONE]` (kill_kprobe).
    case killed(address: UInt64)
    /// The breakpoint was written over the instruction (`opcode` saved).
    case armed(address: UInt64, opcode: [UInt8], breakpoint: [UInt8])
    case disarmed(address: UInt64, restored: [UInt8])
    /// The copied instruction was written into its slot.
    case slotPrepared(address: UInt64, slot: UInt64, bytes: [UInt8])
    /// The breakpoint trap was taken for a probe; `ip` is what the register file held on entry.
    case trap(address: UInt64, ip: UInt64)
    case preHandler(address: UInt64, ip: UInt64, returned: Int32)
    /// How the copy runs out of line: single-stepped (a second trap follows: int3/BRK #6, or #DB after a TF or
    /// hardware step), boosted (x86: the copy ends in a jump back, no second trap; kernel: setup_singlestep
    /// "Boost up"), or through an optimized probe's detour buffer (x86: setup_detour_execution).
    public enum StepKind: Sendable, Hashable { case singleStep, boosted, detour }

    /// The CPU was sent to execute the copy at `slot`.
    case slotStep(address: UInt64, slot: UInt64, kind: StepKind)
    /// The second trap after the copy ran (x86 int3 / arm64 BRK #6), translated back to original coordinates.
    case slotReturn(address: UInt64, resumeAt: UInt64)
    /// x86: the instruction's effect was computed by the kernel instead of stepping it.
    case emulated(address: UInt64, instruction: String, resumeAt: UInt64)
    /// arm64: the instruction was simulated (simulate-insn.c).
    case simulated(address: UInt64, instruction: String, resumeAt: UInt64)
    case postHandler(address: UInt64, ip: UInt64)
    case missed(address: UInt64, reason: MissReason, nmissed: UInt64)
    case statusChange(cpu: Int, from: KprobeStatus, to: KprobeStatus)
    /// A fault raised by the copied instruction: `kprobe_fault_handler` rewound the IP to the probe address.
    case faultInSlot(address: UInt64, faultAddress: UInt64)
    case bug(address: UInt64, message: String)
    /// x86 jump optimization: queued (OPTIMIZED set), then the jump written over the site.
    case optimizeQueued(address: UInt64, detour: UInt64, size: Int)
    case optimized(address: UInt64, jump: [UInt8])
    /// Back to an int3 probe: int3 first, then the four saved bytes.
    case unoptimized(address: UInt64, restored: [UInt8])
    /// The detour's callback ran the pre_handlers (return values and ip changes are ignored).
    case optimizedCallback(address: UInt64, ip: UInt64)
    /// kretprobe entry took an instance from the pool.
    case kretprobeTake(address: UInt64, instancesLeft: Int)
    /// kretprobe entry found the instance pool empty (`rp->nmissed`).
    case kretprobeMissed(address: UInt64, nmissed: UInt64)
    /// The entry_handler returned non-zero: instance back to the pool, no return handler.
    case kretprobeDeclined(address: UInt64)
    /// The real return address was saved and replaced by the trampoline's.
    case kretprobeSwap(address: UInt64, returnAddress: UInt64, trampoline: UInt64)
    /// The function returned into the trampoline.
    case kretprobeTrampoline(frame: UInt64, returnAddress: UInt64)
    case kretprobeHandler(address: UInt64, returnValue: UInt64)
    /// Execution continues at the real return address.
    case kretprobeRestore(returnAddress: UInt64)
    /// A reaped task's instances went back to their pools without handlers.
    case kretprobeFlush(pid: Int32, instances: Int)

    public var description: String {
        func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        func bytes(_ b: [UInt8]) -> String { b.map { String(format2: $0) }.joined(separator: " ") }
        switch self {
        case let .registered(a, s): return "register_kprobe \(s) at \(hex(a))"
        case .unregistered(let a): return "unregister_kprobe \(hex(a))"
        case .killed(let a): return "kill_kprobe \(hex(a)) (module going)"
        case let .armed(a, o, b): return "arm \(hex(a)): [\(bytes(o))] -> [\(bytes(b))]"
        case let .disarmed(a, r): return "disarm \(hex(a)): restored [\(bytes(r))]"
        case let .slotPrepared(a, s, b): return "slot for \(hex(a)) at \(hex(s)): [\(bytes(b))]"
        case let .trap(a, ip): return "kprobe handler: probe at \(hex(a)) found, instruction_pointer(regs) = \(hex(ip))"
        case let .preHandler(a, ip, r): return "pre_handler(\(hex(a))) ip=\(hex(ip)) returned \(r)"
        case let .slotStep(a, s, .singleStep): return "single-step copy of \(hex(a)) in slot \(hex(s))"
        case let .slotStep(a, s, .boosted): return "boost: run the copy of \(hex(a)) at \(hex(s)); its jmp returns, no second trap"
        case let .slotStep(a, s, .detour):
            return "setup_detour_execution: run the copies of \(hex(a)) in the detour at \(hex(s)); its jmp returns, no second trap"
        case let .slotReturn(a, r): return "slot trap for \(hex(a)): resume at \(hex(r))"
        case let .emulated(a, i, r): return "emulate \(i) at \(hex(a)): resume at \(hex(r))"
        case let .simulated(a, i, r): return "simulate \(i) at \(hex(a)): resume at \(hex(r))"
        case let .postHandler(a, ip): return "post_handler(\(hex(a))) ip=\(hex(ip))"
        case let .missed(a, reason, n): return "missed \(hex(a)) (\(reason.rawValue)), nmissed=\(n)"
        case let .statusChange(cpu, from, to): return "cpu\(cpu) kprobe_status \(from) -> \(to)"
        case let .faultInSlot(a, f): return "fault at \(hex(f)) while stepping \(hex(a)): ip rewound to \(hex(a))"
        case let .bug(a, m): return "BUG at \(hex(a)): \(m)"
        case let .optimizeQueued(a, d, n): return "optimize \(hex(a)) queued: detour \(hex(d)), \(n) bytes relocated"
        case let .optimized(a, j): return "optimized \(hex(a)): [\(bytes(j))] written over the int3"
        case let .unoptimized(a, r): return "unoptimized \(hex(a)): int3 back, then [\(bytes(r))]"
        case let .optimizedCallback(a, ip): return "optimized_callback(\(hex(a))) regs->ip = \(hex(ip))"
        case let .kretprobeTake(a, n): return "kretprobe at \(hex(a)): instance taken, \(n) left"
        case let .kretprobeMissed(a, n): return "kretprobe at \(hex(a)): missed, no free instance (maxactive too low), rp->nmissed=\(n)"
        case .kretprobeDeclined(let a): return "kretprobe at \(hex(a)): entry_handler declined"
        case let .kretprobeSwap(a, r, t): return "kretprobe at \(hex(a)): return address \(hex(r)) replaced by trampoline \(hex(t))"
        case let .kretprobeTrampoline(f, r): return "trampoline: frame \(hex(f)), real return address \(hex(r))"
        case let .kretprobeHandler(a, v): return "kretprobe handler(\(hex(a))) return value \(hex(v))"
        case .kretprobeRestore(let r): return "continue at the real return address \(hex(r))"
        case let .kretprobeFlush(pid, n): return "task \(pid) reaped: \(n) kretprobe instances recycled"
        }
    }
}

import Machine
