#!/bin/bash
# Remakes Tests/Fixtures/realkernel/ARCH/candidates.txt (input of the matrix payload) for both arches.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for arch in x86_64 arm64; do
    "$HERE/kernel-text.sh" "$arch" >/dev/null
    out=$ROOT/Tests/Fixtures/realkernel/$arch/candidates.txt
    mkdir -p "$(dirname "$out")"
    {
        echo "# probe candidates per instruction class: CLASS HEXADDR SYMBOL+OFFSET (class as seen in the image on disk)"
        echo "# made by: scripts/realkernel/kernel-text.sh $arch && scripts/realkernel/pick-candidates.py $arch 3 ($(date -u +%Y-%m-%dT%H:%MZ))"
        echo "# kernel: $(cat "${KPROBESIM_CACHE:-$HOME/.cache/kprobesim/realkernel}/$arch/kernel/DEB")"
        python3 "$HERE/pick-candidates.py" "$arch" 3
    } > "$out"
done
