// The tracefs front end (kprobe_events, fetch args, trace output). Filled by the tracefs issue.
import Kprobes
import Machine
