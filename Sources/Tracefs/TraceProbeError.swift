/// The `error_log` messages of the probe-event parsers, named as the kernel's `TP_ERR_*` enum.
/// kernel: kernel/trace/trace_probe.h `ERRORS` (`C(NAME, "text")`), as built into Debian 6.1.192: that tree
/// carries the backported "$-variable" spelling fix and `NON_UNIQ_SYMBOL` (both seen in the captured
/// error_log), which plain v6.1 lacks. Only the codes the kprobe parser and registration can report are listed.
public enum TraceProbeError: String, Sendable, CaseIterable {
    case MAXACT_NO_KPROBE, BAD_MAXACT, MAXACT_TOO_BIG, BAD_PROBE_ADDR, NON_UNIQ_SYMBOL, BAD_RETPROBE
    case BAD_ADDR_SUFFIX, NO_GROUP_NAME, GROUP_TOO_LONG, BAD_GROUP_NAME, NO_EVENT_NAME, EVENT_TOO_LONG
    case BAD_EVENT_NAME, EVENT_EXIST, RETVAL_ON_PROBE, BAD_STACK_NUM, BAD_ARG_NUM, BAD_VAR, BAD_REG_NAME
    case BAD_MEM_ADDR, BAD_IMM, IMMSTR_NO_CLOSE, FILE_ON_KPROBE, TOO_MANY_OPS, DEREF_NEED_BRACE
    case BAD_DEREF_OFFS, DEREF_OPEN_BRACE, COMM_CANT_DEREF, BAD_FETCH_ARG, ARRAY_NO_CLOSE, BAD_ARRAY_SUFFIX
    case BAD_ARRAY_NUM, ARRAY_TOO_BIG, BAD_TYPE, BAD_STRING, BAD_BITFIELD, ARG_NAME_TOO_LONG, NO_ARG_NAME
    case BAD_ARG_NAME, USED_ARG_NAME, ARG_TOO_LONG, NO_ARG_BODY, BAD_INSN_BNDRY, FAIL_REG_PROBE
    case DIFF_PROBE_TYPE, DIFF_ARG_TYPE, SAME_PROBE

    /// The text printed after `trace_kprobe: error: `.
    public var message: String {
        switch self {
        case .MAXACT_NO_KPROBE: "Maxactive is not for kprobe"
        case .BAD_MAXACT: "Invalid maxactive number"
        case .MAXACT_TOO_BIG: "Maxactive is too big"
        case .BAD_PROBE_ADDR: "Invalid probed address or symbol"
        case .NON_UNIQ_SYMBOL: "The symbol is not unique"
        case .BAD_RETPROBE: "Retprobe address must be an function entry"
        case .BAD_ADDR_SUFFIX: "Invalid probed address suffix"
        case .NO_GROUP_NAME: "Group name is not specified"
        case .GROUP_TOO_LONG: "Group name is too long"
        case .BAD_GROUP_NAME: "Group name must follow the same rules as C identifiers"
        case .NO_EVENT_NAME: "Event name is not specified"
        case .EVENT_TOO_LONG: "Event name is too long"
        case .BAD_EVENT_NAME: "Event name must follow the same rules as C identifiers"
        case .EVENT_EXIST: "Given group/event name is already used by another event"
        case .RETVAL_ON_PROBE: "$retval is not available on probe"
        case .BAD_STACK_NUM: "Invalid stack number"
        case .BAD_ARG_NUM: "Invalid argument number"
        case .BAD_VAR: "Invalid $-variable specified"
        case .BAD_REG_NAME: "Invalid register name"
        case .BAD_MEM_ADDR: "Invalid memory address"
        case .BAD_IMM: "Invalid immediate value"
        case .IMMSTR_NO_CLOSE: "String is not closed with '\"'"
        case .FILE_ON_KPROBE: "File offset is not available with kprobe"
        case .TOO_MANY_OPS: "Dereference is too much nested"
        case .DEREF_NEED_BRACE: "Dereference needs a brace"
        case .BAD_DEREF_OFFS: "Invalid dereference offset"
        case .DEREF_OPEN_BRACE: "Dereference brace is not closed"
        case .COMM_CANT_DEREF: "$comm can not be dereferenced"
        case .BAD_FETCH_ARG: "Invalid fetch argument"
        case .ARRAY_NO_CLOSE: "Array is not closed"
        case .BAD_ARRAY_SUFFIX: "Array has wrong suffix"
        case .BAD_ARRAY_NUM: "Invalid array size"
        case .ARRAY_TOO_BIG: "Array number is too big"
        case .BAD_TYPE: "Unknown type is specified"
        case .BAD_STRING: "String accepts only memory argument"
        case .BAD_BITFIELD: "Invalid bitfield"
        case .ARG_NAME_TOO_LONG: "Argument name is too long"
        case .NO_ARG_NAME: "Argument name is not specified"
        case .BAD_ARG_NAME: "Argument name must follow the same rules as C identifiers"
        case .USED_ARG_NAME: "This argument name is already used"
        case .ARG_TOO_LONG: "Argument expression is too long"
        case .NO_ARG_BODY: "No argument expression"
        case .BAD_INSN_BNDRY: "Probe point is not an instruction boundary"
        case .FAIL_REG_PROBE: "Failed to register probe event"
        case .DIFF_PROBE_TYPE: "Probe type is different from existing probe"
        case .DIFF_ARG_TYPE: "Argument type or name is different from existing probe"
        case .SAME_PROBE: "There is already the exact same probe event"
        }
    }
}
