/// A parsed FETCHARG, the value a probe argument reads. kernel: kernel/trace/trace_probe.c `parse_probe_arg`,
/// `parse_probe_vars` (and the `FETCH_OP_*` each produces).
public indirect enum FetchArg: Sendable, Hashable {
    /// `%REG` (FETCH_OP_REG).
    case register(String)
    /// `@ADDR`: memory at an absolute address (FETCH_OP_IMM then FETCH_OP_DEREF).
    case memory(UInt64)
    /// `@SYM[+|-OFFS]`: memory at a symbol; the text is kept and resolved at registration
    /// (FETCH_NOP_SYMBOL, FETCH_OP_IMM, FETCH_OP_DEREF).
    case symbolMemory(String)
    /// `$stack` (FETCH_OP_STACKP).
    case stackPointer
    /// `$stackN` (FETCH_OP_STACK).
    case stack(UInt64)
    /// `$argN`, N from 1 (FETCH_OP_ARG with param N-1).
    case argument(UInt64)
    /// `$retval` (FETCH_OP_RETVAL).
    case retval
    /// `$comm` / `$COMM` (FETCH_OP_COMM).
    case comm
    /// `+|-[u]OFFS(FETCHARG)` (FETCH_OP_DEREF, or FETCH_OP_UDEREF with `u`).
    case dereference(offset: Int64, user: Bool, FetchArg)
    /// `\IMM` (FETCH_OP_IMM); negative immediates keep their two's-complement bits.
    case immediate(UInt64)
    /// `\"STRING"` (FETCH_OP_DATA).
    case immediateString(String)

    /// Whether the last fetch step leaves an address of memory, which `string`/`ustring` need
    /// (kernel: traceprobe_parse_probe_arg_body, the `BAD_STRING` check).
    var isStringSource: Bool {
        switch self {
        case .memory, .symbolMemory, .dereference, .immediate, .comm, .immediateString: true
        case .register, .stackPointer, .stack, .argument, .retval: false
        }
    }

    /// The `@SYM[+|-OFFS]` texts this fetch reads, which registration resolves (traceprobe_update_arg).
    var symbolReferences: [String] {
        switch self {
        case .symbolMemory(let text): [text]
        case .dereference(_, _, let inner): inner.symbolReferences
        default: []
        }
    }

    /// Whether the value is read from memory (the store step is FETCH_OP_ST_MEM), which arrays need.
    var isMemory: Bool {
        switch self {
        case .memory, .symbolMemory, .dereference: true
        default: false
        }
    }
}
