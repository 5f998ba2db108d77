# tracing_on: what the file accepts and reads back, and that hits while it is 0 are counted in kprobe_profile
# but never reach the ring buffer (entries-written does not count them).
. ./lib.sh
system_info
echo 'p:test/open do_sys_openat2 dfd=$arg1:s32' >> $T/kprobe_events
echo 1 > $T/events/test/open/enable

# set VALUE: writes VALUE to tracing_on, showing the shell's error (if any) and the file afterwards.
set_on() {
    section "tracing_on <- $1"
    { echo "$1" > $T/tracing_on; } 2>&1 || true
    cat $T/tracing_on
}
section "tracing_on at boot"
cat $T/tracing_on
set_on 0
echo > $T/trace
cat /proc/version > /dev/null
section "off: entries"
grep '^# entries-in-buffer' $T/trace
section "off: kprobe_profile"
cat $T/kprobe_profile
set_on x
set_on -1
set_on 2
cat /proc/version > /dev/null
echo 0 > $T/events/test/open/enable
section "on: entries"
grep '^# entries-in-buffer' $T/trace
section "on: kprobe_profile"
cat $T/kprobe_profile
set_on 0
set_on ' 1 '
echo > $T/kprobe_events
