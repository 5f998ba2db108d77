# Runs a kprobesim tracefs script (the language of `kprobesim run`) on the real kernel, line by line, so the
# simulator and the kernel execute the same file: `load FILE.ko` is insmod, `call FUNC ARG...` goes through the
# loaded module's debugfs trigger and prints the result as `kprobesim call` does (0x%016x), `spawn [--cpu N]
# [--comm NAME] FUNC ARG...` makes that call in a background shell and `wait` waits for them all, printing
# `[PID] sh RESULT` per spawned call (the trigger keeps the last result), `#` lines and blank lines are skipped,
# and every other line is run by the shell with its errors on standard output.
# Needs --file SCRIPT.script (the script) and the module it loads. After a load it prints the module's section
# addresses and its live .text bytes from /proc/kcore (what the kernel patched at load), then the script's output.
. ./lib.sh
system_info
kcore_map
script=$(ls ./*.script | head -1)
while IFS= read -r line; do
    set -- $line
    case "$1" in
    ''|'#'*) ;;
    load)
        insmod "./$2" 2>&1 | sed 's/^insmod: /load: /'
        mod=${2%.ko}
        section "module sections"
        for s in $(ls -a /sys/module/${2%.ko}/sections | grep -v '^\.\.\?$'); do
            echo "$s $(cat /sys/module/${2%.ko}/sections/$s)"
        done
        section "module text"
        # .text up to the next section the kernel placed after it (busybox has no readelf for the size).
        text=$(cat /sys/module/${2%.ko}/sections/.text)
        next=$(cat /sys/module/${2%.ko}/sections/* /sys/module/${2%.ko}/sections/.[!.]* | sort | awk -v t="$text" '$1 > t' | head -1)
        kread "${text#0x}" $((next - text)) | fold -w 96
        section "script output"
        ;;
    call)
        shift
        if echo "$*" > $D/$mod/call; then
            printf '0x%016x\n' "$(sed 's/.* = //' $D/$mod/call)"
        else
            echo "call: $1 failed"
        fi
        ;;
    spawn)
        shift
        while [ "${1#--}" != "$1" ]; do shift 2; done   # one CPU, and the comm is the shell's
        (echo "$*" > $D/$mod/call) &
        jobs_started="$jobs_started $!"
        ;;
    wait)
        wait
        for pid in $jobs_started; do printf '[%s] sh 0x%016x\n' "$pid" "$(sed 's/.* = //' $D/$mod/call)"; done
        jobs_started=
        ;;
    *) eval "$line" 2>&1 | sed 's/^\/payload\.sh: line [0-9]*: /sh: /' ;;
    esac
done < "$script"
