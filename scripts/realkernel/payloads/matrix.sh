# Acceptance matrix: for every candidate in ./candidates*.txt ("CLASS HEXADDR SYMBOL+OFFSET" lines, made by
# pick-candidates.py; '#' lines skipped) record the live bytes, whether `p:test/pN 0xADDR` is accepted by kprobe_events (the shell's
# write error and the error_log otherwise), whether enabling the event succeeds, and after enabling all of them
# the bytes at the probe (int3 / jmp / BRK written?), kprobes/list flags, kprobe_events and kprobe_profile.
. ./lib.sh
system_info
kcore_map
section kcore program headers
cat ./kcore.map

section candidates
: > ./accepted
n=0
while read -r cls addr loc; do
    case $cls in '#'*|'') continue ;; esac
    n=$((n + 1))
    echo "==== p$n class=$cls addr=$addr at=$loc"
    echo "bytes: $(kread "$addr" 16)"
    echo > $T/error_log
    if err=$( { echo "p:test/p$n 0x$addr" >> $T/kprobe_events; } 2>&1 ); then
        echo "define: OK"
        echo "p$n $addr" >> ./accepted
        if err=$( { echo 1 > $T/events/test/p$n/enable; } 2>&1 ); then echo "enable: OK"; else echo "enable: $err"; fi
    else
        echo "define: $err"
    fi
    sed 's/^/error_log: /' $T/error_log
done <<EOF_CANDIDATES
$(cat ./candidates*.txt)
EOF_CANDIDATES

# Optimization is deferred (OPTIMIZE_DELAY, then an RCU-tasks grace period): give it time before reading back.
sleep 3
section armed bytes of accepted probes
while read -r name addr; do
    echo "$name $addr armed: $(kread "$addr" 16)"
done < ./accepted
section debugfs kprobes/list
cat $D/kprobes/list
section kprobe_events
cat $T/kprobe_events
section kprobe_profile
cat $T/kprobe_profile
section "dmesg (kprobe / trace_kprobe messages)"
dmesg | grep -i -e kprobe -e notrace || echo "(none)"
