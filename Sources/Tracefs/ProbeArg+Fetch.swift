import Machine

extension ProbeArg {
    /// The field this argument adds to the event: its type (a bitfield's is its `u<S>` container, already in
    /// `type.kind`) and the `[N]` count. kernel: kernel/trace/trace_probe.c `traceprobe_define_arg_fields`.
    public var field: ProbeEventField { ProbeEventField(name: name, type: type.kind, count: count.map { Int($0) }) }

    /// The value this argument records at a probe hit. Never throws: a faulting access gives what the kernel
    /// records.
    /// kernel: kernel/trace/trace_kprobe.c `process_fetch_insn`, kernel/trace/trace_probe_tmpl.h
    /// `process_fetch_insn_bottom`, `store_trace_args`.
    ///
    /// Faults (v6.1):
    /// - A `FETCH_OP_DEREF` that faults makes `process_fetch_insn_bottom` return the error before the store
    ///   stage. For a string `store_trace_args` then writes a zero-length `__data_loc` (`.string(nil)`,
    ///   printed `(fault)`); for a number nothing is written and the field keeps the bytes the ring buffer
    ///   reserve left there. kprobesim records 0.
    /// - `FETCH_OP_ST_MEM` ignores `probe_mem_read`'s result: an element that faults keeps the same unwritten
    ///   bytes (0 here) and an array goes on with the next element.
    /// - A string element whose string read faults is `.string(nil)`; the kernel leaves that element's
    ///   `__data_loc` as the previous `update_data_loc` set it (`fetch_store_string` only writes on success),
    ///   which kprobesim does not reproduce.
    public func fetch(_ env: FetchEnvironment) -> ProbeArgValue {
        switch fetch {
        case .comm:
            // FETCH_OP_COMM: `current->comm` through FETCH_OP_ST_STRING (never an array).
            return .string(env.comm)
        case .immediateString(let text):
            // FETCH_OP_DATA: the kstrdup'ed text through FETCH_OP_ST_STRING.
            return .string(text)
        default:
            break
        }
        if type.isString { return fetchString(env) }
        guard let count else { return .scalar(number(env, element: 0)) }
        return .array((0..<count).map { .scalar(number(env, element: $0)) })
    }

    /// A numeric element: FETCH_OP_ST_MEM of `type.size` bytes at the store address plus `element` sizes when
    /// the last step dereferences, else FETCH_OP_ST_RAW of the value (`fetch_store_raw`, truncated to the
    /// size); then FETCH_OP_MOD_BF.
    private func number(_ env: FetchEnvironment, element: UInt64) -> UInt64 {
        let size = type.size
        let stored: UInt64?
        if fetch.isMemory {
            stored = env.storeAddress(fetch).flatMap { env.read($0 &+ element &* UInt64(size), size: size) }
        } else {
            stored = env.value(fetch).map { size == 8 ? $0 : $0 & ((1 << UInt64(size * 8)) - 1) }
        }
        return applyBitfield(stored ?? 0)
    }

    /// `fetch_apply_bitfield`: `(val << lshift) >> rshift` in the container's width, with
    /// `lshift = bits - (width + offset)` and `rshift = bits - width` (`__parse_bitfield_probe_arg`).
    private func applyBitfield(_ value: UInt64) -> UInt64 {
        guard let bitfield = type.bitfield else { return value }
        let bits = UInt64(type.size * 8)
        let mask: UInt64 = bits == 64 ? ~0 : (1 << bits) - 1
        return ((value << (bits - bitfield.width - bitfield.offset)) & mask) >> (bits - bitfield.width)
    }

    /// `string` / `ustring`. A scalar reads the string where the fetch points: a last dereference becomes
    /// FETCH_OP_ST_STRING with its offset, an immediate is the address itself. An array `[N]` reads N
    /// pointers (`val = lval + sizeof(char *)` per element, back through the last dereference); an immediate
    /// has no dereference to go back to, so the second element hits the `-EILSEQ` default of stage 3 and
    /// `store_trace_args` makes the first `__data_loc` zero-length: every element is a fault.
    private func fetchString(_ env: FetchEnvironment) -> ProbeArgValue {
        let address = fetch.isMemory ? env.storeAddress(fetch) : env.value(fetch)
        guard let count else { return .string(address.flatMap(env.readString)) }
        if !fetch.isMemory {
            return .array(count == 1 ? [.string(address.flatMap(env.readString))]
                                     : Array(repeating: .string(nil), count: Int(count)))
        }
        // A pointer that faults is a FETCH_OP_DEREF fault: the fetch ends with the error, later elements are
        // never written, and `store_trace_args` makes the first `__data_loc` zero-length.
        let pointers = (0..<count).map { i in address.flatMap { env.readWord($0 &+ 8 &* i) } }
        let firstFault = pointers.firstIndex(of: nil) ?? pointers.count
        return .array(pointers.enumerated().map { i, pointer in
            i < firstFault && (i > 0 || firstFault == pointers.count) ? .string(pointer.flatMap(env.readString))
                                                                       : .string(nil)
        })
    }
}
