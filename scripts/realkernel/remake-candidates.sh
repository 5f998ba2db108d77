#!/bin/bash
# Remakes Tests/Fixtures/realkernel/ARCH/candidates.txt and candidates-extra.txt (inputs of the matrix payload)
# for both arches. candidates-mixed.txt was made by an earlier picker (no ftrace-able preference) and is kept as is.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for arch in x86_64 arm64; do
    "$HERE/kernel-text.sh" "$arch" >/dev/null
    for kind in "" "-extra"; do
        out=$ROOT/Tests/Fixtures/realkernel/$arch/candidates$kind.txt
        flag=${kind:+--extra}
        {
            echo "# probe candidates per instruction class: CLASS HEXADDR SYMBOL+OFFSET (class as seen in the image on disk)"
            echo "# made by: scripts/realkernel/kernel-text.sh $arch && scripts/realkernel/pick-candidates.py $arch 3 $flag ($(date -u +%Y-%m-%dT%H:%MZ))"
            echo "# kernel: $(cat "${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}/$arch/kernel/DEB")"
            python3 "$HERE/pick-candidates.py" "$arch" 3 $flag
        } > "$out"
    done
done
