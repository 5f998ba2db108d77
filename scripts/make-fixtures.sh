#!/usr/bin/env bash
# Rebuilds the compiled-C fixture corpus in Tests/Fixtures/corpus from its
# sources: objects for every arch and variant, their objdump -d / -r
# listings, and the expected results of every case in cases.txt, obtained by
# running the cases natively (x86_64) and under qemu-aarch64 (arm64).
# Deterministic: running it twice gives the same bytes. Needs root (or the
# packages already installed) on Debian 12; swift build/test never runs it.
set -euo pipefail
export LC_ALL=C TZ=UTC

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$root/Tests/Fixtures/corpus
src=$corpus/src
helpers=$root/scripts/fixtures

die() { echo "make-fixtures: $*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------
need_pkgs=()
command -v gcc >/dev/null || need_pkgs+=(gcc)
command -v objdump >/dev/null || need_pkgs+=(binutils)
command -v aarch64-linux-gnu-gcc >/dev/null || need_pkgs+=(gcc-aarch64-linux-gnu)
command -v aarch64-linux-gnu-objdump >/dev/null || need_pkgs+=(binutils-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need_pkgs+=(qemu-user)
command -v python3 >/dev/null || need_pkgs+=(python3)
[ -e /usr/aarch64-linux-gnu/lib/libc.a ] || need_pkgs+=(libc6-dev-arm64-cross)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need_pkgs+=(libc6-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	echo "make-fixtures: installing ${need_pkgs[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"
fi
[ "$(uname -m)" = x86_64 ] || die "x86_64 expected results are made by native execution: run on an x86_64 host"

# --- flags (documented in Tests/Fixtures/README.md; keep the two in step) ----
common="-std=gnu11 -Wall -Wextra -Werror -mgeneral-regs-only -fno-pic -fno-stack-protector -ffreestanding -fno-asynchronous-unwind-tables -fno-common"
x86_flags="$common -mcmodel=kernel -mno-red-zone -fcf-protection=none"
arm64_flags="$common -mbranch-protection=none"

x86_variants=(O2 O0 Os O2-ftrace)
arm64_variants=(O2 O0 Os O2-pac O2-ftrace)

variant_flags() { # arch variant
	case "$1/$2" in
	*/O2) echo "-O2" ;;
	*/O0) echo "-O0" ;;
	*/Os) echo "-Os" ;;
	x86_64/O2-ftrace) echo "-O2 -pg -mfentry -mrecord-mcount -mnop-mcount" ;;
	arm64/O2-pac) echo "-O2 -mbranch-protection=pac-ret" ;;
	arm64/O2-ftrace) echo "-O2 -fpatchable-function-entry=2" ;;
	*) die "unknown variant $1/$2" ;;
	esac
}

tool() { # arch name
	case $1 in
	x86_64) echo "$2" ;;
	arm64) echo "aarch64-linux-gnu-$2" ;;
	esac
}

sources=()
for f in "$src"/*.c; do sources+=("$(basename "$f" .c)"); done
[ ${#sources[@]} -gt 0 ] || die "no sources in $src"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- objects and listings ------------------------------------------------------
build_variant() { # arch variant
	local arch=$1 variant=$2 cc objdump nm flags out f
	cc=$(tool "$arch" gcc)
	objdump=$(tool "$arch" objdump)
	nm=$(tool "$arch" nm)
	[ "$arch" = x86_64 ] && flags=$x86_flags || flags=$arm64_flags
	out=$corpus/$arch/$variant
	rm -rf "$out"
	mkdir -p "$out"
	for f in "${sources[@]}"; do
		# Relative paths keep the build directory out of the object (STT_FILE).
		(cd "$src" && $cc $flags $(variant_flags "$arch" "$variant") -c "$f.c" -o "$out/$f.o")
		(cd "$out" && $objdump -d "$f.o" >"$f.objdump" && $objdump -r "$f.o" >"$f.reloc")
		local undefined
		undefined=$($nm -u "$out/$f.o")
		[ -z "$undefined" ] || die "$arch/$variant/$f.o calls outside the corpus: $undefined"
	done
}

for v in "${x86_variants[@]}"; do build_variant x86_64 "$v"; done
for v in "${arm64_variants[@]}"; do build_variant arm64 "$v"; done

# --- expected results ----------------------------------------------------------
python3 "$helpers/make-cases.py" >"$corpus/cases.txt"
# Global functions per source file, from the O2 x86_64 objects.
for f in "${sources[@]}"; do
	nm -g --defined-only "$corpus/x86_64/O2/$f.o" | awk -v f="$f" '$2 == "T" { print f, $3 }'
done >"$work/symbols"
python3 "$helpers/gen_harness.py" "$corpus/cases.txt" "$work/symbols" >"$work/harness.c"

run_variant() { # arch variant -> results on stdout
	local arch=$1 variant=$2 objs=() f
	for f in "${sources[@]}"; do objs+=("$corpus/$arch/$variant/$f.o"); done
	case $arch in
	x86_64)
		gcc -O1 -no-pie -static -o "$work/run-$arch-$variant" "$work/harness.c" "${objs[@]}"
		"$work/run-$arch-$variant" ;;
	arm64)
		aarch64-linux-gnu-gcc -O1 -static -o "$work/run-$arch-$variant" "$work/harness.c" "${objs[@]}"
		qemu-aarch64 "$work/run-$arch-$variant" ;;
	esac
}

expected() { # arch variants...
	local arch=$1 first="" v
	shift
	for v in "$@"; do
		run_variant "$arch" "$v" >"$work/out-$arch-$v" || die "$arch/$v: harness failed"
		if [ -z "$first" ]; then
			first=$v
		elif ! cmp -s "$work/out-$arch-$first" "$work/out-$arch-$v"; then
			diff "$work/out-$arch-$first" "$work/out-$arch-$v" >&2 || true
			die "$arch: variant $v disagrees with $first"
		fi
	done
	cp "$work/out-$arch-$first" "$corpus/expected-$arch.txt"
}

# The C must be free of undefined behaviour for every case: run them all once
# more with AddressSanitizer and UBSan (host flags, not the kernel's) and
# require the same answers.
sanitizer_check() {
	local objs=() f
	mkdir -p "$work/san"
	for f in "${sources[@]}"; do
		(cd "$src" && gcc -std=gnu11 -O1 -ffreestanding -fsanitize=address,undefined \
			-fno-sanitize-recover=all -c "$f.c" -o "$work/san/$f.o")
		objs+=("$work/san/$f.o")
	done
	gcc -fsanitize=address,undefined -o "$work/run-sanitized" "$work/harness.c" "${objs[@]}"
	"$work/run-sanitized" >"$work/out-sanitized" || die "sanitized run failed (undefined behaviour?)"
	cmp -s "$work/out-sanitized" "$corpus/expected-x86_64.txt" ||
		die "sanitized build disagrees with the x86_64 variants"
}

expected x86_64 "${x86_variants[@]}"
sanitizer_check
expected arm64 "${arm64_variants[@]}"

if ! cmp -s "$corpus/expected-x86_64.txt" "$corpus/expected-arm64.txt"; then
	diff "$corpus/expected-x86_64.txt" "$corpus/expected-arm64.txt" >&2 || true
	die "x86_64 and arm64 results differ (the corpus C is meant to be arch-neutral)"
fi

# Provenance: the exact tools and flags this corpus was made with.
{
	echo "# Written by scripts/make-fixtures.sh: the tools and flags that made this corpus."
	echo "gcc: $(gcc --version | head -1)"
	echo "aarch64-linux-gnu-gcc: $(aarch64-linux-gnu-gcc --version | head -1)"
	echo "objdump: $(objdump --version | head -1)"
	echo "aarch64-linux-gnu-objdump: $(aarch64-linux-gnu-objdump --version | head -1)"
	echo "qemu-aarch64: $(qemu-aarch64 --version | head -1)"
	echo "glibc (harness only): $(dpkg-query -W -f '${Version}' libc6-dev 2>/dev/null || echo unknown) x86_64, $(dpkg-query -W -f '${Version}' libc6-dev-arm64-cross 2>/dev/null || echo unknown) arm64"
	echo "x86_64 flags: $x86_flags"
	for v in "${x86_variants[@]}"; do echo "x86_64 $v: $(variant_flags x86_64 "$v")"; done
	echo "arm64 flags: $arm64_flags"
	for v in "${arm64_variants[@]}"; do echo "arm64 $v: $(variant_flags arm64 "$v")"; done
} >"$corpus/toolchain.txt"

echo "make-fixtures: $(grep -c ' = ' "$corpus/expected-x86_64.txt") cases, $(du -sh "$corpus" | cut -f1) in $corpus"
