#!/bin/bash
# Remakes every capture under Tests/Fixtures/realkernel from the committed payloads and candidate lists
# (about 8 minutes on 2 cores). Candidate lists are inputs: remake them with remake-candidates.sh only on purpose,
# since new addresses make the captures incomparable with the old ones. Ends by regenerating FINDINGS.md's tables
# (make-findings.sh); its hand-written part must then be checked against the new captures.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
"$HERE/prepare.sh" > /dev/null
for arch in x86_64 arm64; do
    "$HERE/kernel-text.sh" "$arch" > /dev/null
    fix=Tests/Fixtures/realkernel/$arch
    scripts/realkernel/capture.sh --arch "$arch" --name matrix scripts/realkernel/payloads/matrix.sh --file "$fix/candidates.txt"
    if [ "$arch" = x86_64 ]; then  # SMP keeps real lock prefixes (UP patches them to ds)
        scripts/realkernel/capture.sh --arch "$arch" --name matrix-smp2 scripts/realkernel/payloads/matrix.sh \
            --file "$fix/candidates.txt" --smp 2
    fi
    scripts/realkernel/capture.sh --arch "$arch" --name matrix-extra scripts/realkernel/payloads/matrix.sh --file "$fix/candidates-extra.txt"
    scripts/realkernel/capture.sh --arch "$arch" --name matrix-mixed scripts/realkernel/payloads/matrix.sh --file "$fix/candidates-mixed.txt"
    scripts/realkernel/capture.sh --arch "$arch" --name hits scripts/realkernel/payloads/hits.sh
    scripts/realkernel/capture.sh --arch "$arch" --name ftrace-site scripts/realkernel/payloads/ftrace-site.sh
    scripts/realkernel/capture.sh --arch "$arch" --name filters scripts/realkernel/payloads/filters.sh
    scripts/realkernel/capture.sh --arch "$arch" --name tracing-on scripts/realkernel/payloads/tracing-on.sh
    scripts/realkernel/capture.sh --arch "$arch" --name trampolines scripts/realkernel/payloads/trampolines.sh
    # Differential scenario inputs (kpsim_corpus.ko: build-module.sh; boundaries.script: make-boundaries.py) are
    # committed like the candidate lists; only the kernel's output is remade.
    scripts/realkernel/capture.sh --arch "$arch" --name boundaries scripts/realkernel/payloads/script.sh \
        --file "$fix/boundaries.script" --file "$fix/kpsim_corpus.ko"
    scripts/realkernel/capture.sh --arch "$arch" --name registrations scripts/realkernel/payloads/script.sh \
        --file Tests/Fixtures/realkernel/registrations.script --file "$fix/kpsim_corpus.ko"
    scripts/realkernel/capture.sh --arch "$arch" --name blocking scripts/realkernel/payloads/script.sh \
        --file Tests/Fixtures/realkernel/blocking.script --file "$fix/kpsim_sleep.ko"
    for n in 1 2 8; do
        scripts/realkernel/capture.sh --arch "$arch" --name "maxactive-smp$n" scripts/realkernel/payloads/maxactive.sh --smp "$n"
    done
    {
        echo "# debugfs kprobes/blacklist of the guest (0xSTART-0xEND SYMBOL), nokaslr"
        echo "# kernel: $(cat "${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}/$arch/kernel/DEB");" \
             "made by: scripts/realkernel/kernel-text.sh $arch (payloads/symbols.sh), $(date -u +%Y-%m-%d)"
        cat "${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}/$arch/blacklist"
    } > "$fix/blacklist.txt"
done
"$HERE/make-findings.sh"
