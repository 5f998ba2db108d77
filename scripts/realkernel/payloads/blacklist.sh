# Dumps what candidate selection needs from the running guest: kernel identity, the kprobe blacklist
# (address ranges) and the ftrace locations (functions whose entry is a patchable ftrace site).
echo "## uname"; uname -a
echo "## cmdline"; cat /proc/cmdline
echo "## blacklist"; cat /sys/kernel/debug/kprobes/blacklist
echo "## available_filter_functions count"; wc -l < /sys/kernel/tracing/available_filter_functions
