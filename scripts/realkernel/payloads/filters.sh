# Filters: event filter expressions on a kprobe event (events/GRP/EVENT/filter), what the file reads back, the
# shell's write error and the error_log entry for each bad expression, and which hits a good filter keeps.
# Each `try` section is: the expression written, the shell's error (if any), then `cat filter`.
. ./lib.sh
system_info
E=$T/events/test/open

echo 'p:test/open do_sys_openat2 dfd=$arg1:s32 fname=+0($arg2):ustring flags=+0($arg3):x64' >> $T/kprobe_events
section "format"
cat $E/format
section "filter before any write"
cat $E/filter

# try EXPR: writes EXPR to the filter file and shows what happened.
try() {
    section "try: $1"
    { echo "$1" > $E/filter; } 2>&1 || true
    cat $E/filter
}

try 'dfd == -100'
try '0'
try 'foo == 1'
try 'dfd ~ 1'
try 'dfd == "x"'
try 'fname == 1'
try 'fname < "a"'
try 'dfd = 1'
try 'dfd == abc'
try 'dfd == 1x'
try 'dfd == 0x'
try '__probe_ip == -1'
try 'dfd == 123456789012345678901234'
try '(dfd == 1'
try 'dfd == 1)'
try 'fname == "abc'
try 'dfd == 1 dfd == 2'
try '== 1'
try 'dfd == 1 &&'
try 'dfd == 1 & dfd == 2'
try '()'
try '!'
try 'dfd == 1 ||'
try '(dfd == 1 &&)'
try '((dfd == 1)'
try ' ( dfd == 1 ) ) '
try 'flags == 0x8000 && dfd <= -100 && dfd >= -100 && dfd > -101 && dfd < -99'
try 'fname == "/proc/version" || fname ~ "*cmd*"'
try ''
try '   dfd   ==   1  '
try '!(dfd == 1 || dfd != 2) && fname ~ "*x*"'
try 'CPU == 0 && cpu < 1 && common_cpu >= 0'
try 'comm == "sh" || COMM ~ "c*"'
try 'common_pid > 0 && common_type == 1'
try 'dfd & 1'
try 'fname ~ "/proc/[cv]*"'
try '0'
section "error_log"
cat $T/error_log

# hits PHASE EXPR: sets the filter (showing the shell's error, if any), enables, runs three opens (cat of two /proc files and one missing file),
# disables, and shows the kept lines and the profile (hits count every hit, filtered or not).
hits() {
    section "hits $1: set filter"
    { echo "$2" > $E/filter; } 2>&1 || true
    echo > $T/trace
    echo 1 > $E/enable
    cat /proc/version > /dev/null
    cat /proc/cmdline > /dev/null
    cat /nonexistent 2> /dev/null
    echo 0 > $E/enable
    section "hits $1: filter"
    cat $E/filter
    section "hits $1: trace"
    grep -v '^#' $T/trace
    section "hits $1: entries"
    grep '^# entries-in-buffer' $T/trace
    section "hits $1: kprobe_profile"
    cat $T/kprobe_profile
}
hits none '0'
hits glob 'fname ~ "/proc/*"'
hits exact 'fname == "/proc/cmdline" && comm == "cat"'
hits negated '!(fname ~ "*version") && dfd == -100 && comm != "sh"'
hits bad 'foo == 1'
echo 0 > $E/filter
echo > $T/kprobe_events

# Subsystem filters (events/GRP/filter): one expression for every event of the group; an event it does not fit
# keeps no filter and shows the error.
echo 'p:grp/open do_sys_openat2 dfd=$arg1:s32 fname=+0($arg2):ustring' >> $T/kprobe_events
echo 'p:grp/open2 do_sys_openat2 dfd=$arg1:s32' >> $T/kprobe_events
echo 'p:grp/other do_sys_openat2 x=$arg1:s32' >> $T/kprobe_events
G=$T/events/grp
# sys_try EXPR: writes EXPR to the group's filter, then shows the group's and each event's filter file.
sys_try() {
    section "subsystem try: $1"
    { echo "$1" > $G/filter; } 2>&1 || true
    echo "-- grp/filter"
    cat $G/filter
    for e in open open2 other; do echo "-- $e/filter"; cat $G/$e/filter; done
}
sys_try 'dfd == -100'
sys_try 'fname ~ "/proc/*"'
sys_try 'nothere == 1'
sys_try 'dfd == 1 &&'
sys_try '0'
section "subsystem error_log"
cat $T/error_log
echo > $T/kprobe_events
