# Dumps what candidate selection needs from the running guest: kernel identity, the kprobe blacklist
# (address ranges), /proc/kallsyms text symbols (gzip + base64: Debian ships no real System.map), the ftrace-able
# functions (kprobe_events refuses functions without an ftrace location) and the __start_/__stop_ section bounds.
echo "## uname"; uname -a
echo "## blacklist"; cat /sys/kernel/debug/kprobes/blacklist
echo "## kallsyms.gz.b64"
awk '$2 ~ /^[tT]$/ || $3 == "_text" || $3 == "_etext"' /proc/kallsyms | gzip -9 | base64
echo "## end"
echo "## available_filter_functions.gz.b64"
gzip -9 < /sys/kernel/tracing/available_filter_functions | base64
echo "## section bounds"
grep -E ' (__start|__stop)_' /proc/kallsyms
echo "## end"
