#!/usr/bin/env python3
"""Chooses probe candidates per instruction class from the host disassembly of a guest kernel.

Reads $CACHE/ARCH/{text.objdump,kallsyms,blacklist} (made by kernel-text.sh) and prints one candidate per line:
    CLASS ADDRESS SYMBOL+OFFSET
Up to N candidates per class (default 3), preferably in ftrace-able functions (kprobe_events rejects any address
in a function without an ftrace location, "Could not probe notrace function", before register_kprobe is reached,
which would hide the instruction-level rules), each in a function no other candidate uses (so one probe cannot stop
another from being optimized), none in a blacklisted range, spread evenly over the matches so the choice is
deterministic. The class is a claim about the image on disk; the matrix payload records the live bytes.

    pick-candidates.py x86_64|arm64 [N] [--extra]

--extra picks only the follow-up classes that test the rules the first matrix suggested (FINDINGS.md): arm64
LDAR outside any exclusive window and the instruction after a store-exclusive; x86_64 static-call sites and ud2
away from BUG sites.
"""
import bisect
import os
import re
import sys

import kernelfacts

args = [a for a in sys.argv[1:] if a != "--extra"]
EXTRA = "--extra" in sys.argv[1:]
ARCH = args[0] if args else ""
if ARCH not in ("x86_64", "arm64") or (len(args) > 1 and not args[1].isdigit()):
    sys.exit("usage: pick-candidates.py x86_64|arm64 [N] [--extra]")
PER_CLASS = int(args[1]) if len(args) > 1 else 3
DIR = os.path.join(kernelfacts.CACHE, ARCH)

symbols = []  # (address, name), sorted
for line in open(os.path.join(DIR, "kallsyms")):
    parts = line.split()
    if len(parts) >= 3 and parts[1] in "tT" and not parts[2].startswith(("__pfx_", "__cfi_")):
        symbols.append((int(parts[0], 16), parts[2]))
symbols.sort()
starts = [a for a, _ in symbols]
by_name = {}
for a, n in symbols:
    by_name.setdefault(n, a)

traceable = set(open(os.path.join(DIR, "ftrace-functions")).read().split())

blacklist = []
for line in open(os.path.join(DIR, "blacklist")):
    m = re.match(r"0x([0-9a-f]+)-0x([0-9a-f]+)", line)
    if m:
        blacklist.append((int(m.group(1), 16), int(m.group(2), 16)))
blacklist.sort()
bl_starts = [s for s, _ in blacklist]


def symbol_of(addr):
    """(start, name) of the symbol containing addr, the way kallsyms would split it."""
    i = bisect.bisect_right(starts, addr) - 1
    return symbols[i] if i >= 0 else (None, None)


def blacklisted(addr):
    i = bisect.bisect_right(bl_starts, addr)
    return any(s <= addr < e for s, e in blacklist[max(0, i - 16):i])


LINE = re.compile(r"^([0-9a-f]+):\t((?:[0-9a-f]{2} )+|[0-9a-f]{8} )\s*\t(\S+)\s*(.*)$")
insns = []  # (address, bytes text, mnemonic, operands)
for line in open(os.path.join(DIR, "text.objdump")):
    m = LINE.match(line)
    if m:
        insns.append((int(m.group(1), 16), m.group(2).strip(), m.group(3), m.group(4).strip()))


def target(ops):
    m = re.match(r"(?:0x)?([0-9a-f]+)\b", ops)
    return int(m.group(1), 16) if m else None


candidates = {}  # class -> list of addresses (in text order)


def add(cls, addr, extra=False):
    """Records a candidate of a class; follow-up classes (extra=True) are kept only with --extra, and then alone."""
    if extra == EXTRA:
        candidates.setdefault(cls, []).append(addr)


reserved = kernelfacts.reserved_sites(ARCH) if EXTRA else {}
image = kernelfacts.Arm64Image() if EXTRA and ARCH == "arm64" else None


if ARCH == "x86_64":
    fentry = by_name["__fentry__"]
    rethunk = by_name["__x86_return_thunk"]
    thunks = {a for a, n in symbols if n.startswith("__x86_indirect_thunk_")}
    for i, (addr, raw, mn, ops) in enumerate(insns):
        start, name = symbol_of(addr)
        if start is None:
            continue
        off = addr - start
        b = raw.split()
        prev = insns[i - 1] if i else None
        if mn == "call" and target(ops) == fentry:
            if off == 0:
                add("ftrace-entry+0", addr)
                add("ftrace-entry+1(non-boundary)", addr + 1)
                add("after-entry-nop+5", addr + 5)
            continue
        if mn == "jmp" and target(ops) == rethunk:
            add("ret(return-thunk jmp, patched to ret)", addr)
            add("int3(return-thunk tail after ret)", addr + 1)
            continue
        if mn in ("call", "jmp") and target(ops) in thunks:
            add(mn + "(retpoline thunk)", addr)
            continue
        if mn == "int3":
            if off > 0 and prev and prev[2] in ("int3", "jmp", "ret") and symbol_of(prev[0])[0] == start:
                add("int3(padding in symbol range)", addr)
            continue
        if mn == "ud2":
            add("ud2(BUG site)", addr)
            if addr not in reserved:
                add("ud2(not a BUG site)", addr, extra=True)
        elif mn == "push" and ops.startswith("%r"):
            add("push reg", addr)
        elif mn == "pop" and ops.startswith("%r"):
            add("pop reg", addr)
        elif mn == "mov" and "(%rip)" in ops:
            add("mov rip-relative", addr)
        elif mn == "lea" and "(%rip)" in ops:
            add("lea rip-relative", addr)
        elif mn == "mov" and re.fullmatch(r"%r\w+,%r\w+", ops):
            add("mov reg,reg", addr)
        elif mn == "mov" and re.fullmatch(r"-?0x[0-9a-f]+\(%r\w+\),%r\w+", ops):
            add("mov mem,reg", addr)
        elif mn == "call" and b[0] == "e8":
            add("call rel32", addr)
            if reserved.get(addr) == "static-call site" and reserved.get(addr - 1) != "static-call site":
                add("static-call site (call)", addr, extra=True)
        elif mn == "jmp" and b[0] == "eb":
            add("jmp rel8", addr)
        elif mn == "jmp" and b[0] == "e9":
            add("jmp rel32", addr)
        elif mn.startswith("j") and len(b) == 2 and b[0][0] == "7":
            add("jcc rel8", addr)
        elif mn.startswith("j") and len(b) == 6 and b[0] == "0f" and b[1][0] == "8":
            add("jcc rel32", addr)
        elif mn == "ret":
            add("ret(c3 in image)", addr)
        elif mn in ("call", "jmp") and ops.startswith("*%"):
            add(mn + " *reg", addr)
        elif mn in ("call", "jmp") and ops.startswith("*"):
            add(mn + " *mem", addr)
        elif mn in ("cli", "sti", "pushf", "popf", "hlt", "cpuid", "wrmsr", "rdmsr", "lfence", "mfence"):
            add(mn, addr)
        elif mn == "nop" and raw == "90":
            add("nop(1 byte)", addr)
        elif mn == "xchg" and ops == "%ax,%ax":
            add("nop(66 90)", addr)
        elif mn in ("nopl", "nopw") and off > 0:
            add("nop(multi-byte %d)" % len(b), addr)
        elif mn == "lock":
            add("lock prefix", addr)
        elif mn in ("rep", "repz") and ops.startswith(("movs", "stos")):
            add("rep " + ops[:4], addr)
        elif mn == "endbr64":
            add("endbr64", addr)
        elif mn == "mov" and ops.startswith(("%cr", "%db")) or (mn == "mov" and re.search(r",%(cr|db)\d", ops)):
            add("mov cr/dr", addr)
        elif mn in ("in", "out"):
            add("in/out", addr)
        elif mn == "xchg" and "(" in ops:
            add("xchg mem (implicit lock)", addr)
        # Non-boundary offsets inside ordinary instructions.
        if mn == "mov" and len(b) >= 4 and off > 0:
            add("mov+1(non-boundary)", addr + 1)
else:
    n = len(insns)
    for i, (addr, raw, mn, ops) in enumerate(insns):
        start, name = symbol_of(addr)
        if start is None:
            continue
        off = addr - start
        if off == 0 and mn == "nop" and i + 2 < n and insns[i + 1][2] == "nop" and insns[i + 2][2] == "paciasp":
            add("entry+0(patchable nop 1, live mov x9,x30)", addr)
            add("entry+4(patchable nop 2)", addr + 4)
            add("paciasp(entry+8)", addr + 8)
            add("after-paciasp(entry+12)", addr + 12)
            continue
        if off == 0 and mn == "nop" and i + 1 < n and insns[i + 1][2] == "nop":
            add("entry+0(patchable nop, no paciasp)", addr)
            continue
        if off == 0 and mn == "bti":
            add("entry bti", addr)
            continue
        if mn == "paciasp":
            continue
        if mn == "ldar" and image and not image.exclusive_window(addr, off):
            add("ldar (no exclusive window)", addr, extra=True)
        o = ops
        lit = re.match(r"\w+, 0x[0-9a-f]+$", o)  # a literal load prints its target address as the operand
        if mn == "autiasp":
            add("autiasp", addr)
        elif mn == "bti":
            add("bti " + o, addr)
        elif mn == "nop" and off > 8:
            add("nop(body)", addr)
        elif mn == "b":
            add("b", addr)
        elif mn == "bl":
            add("bl", addr)
        elif mn.startswith("b.") and mn not in ("b.al", "b.nv"):
            add("b.cond", addr)
        elif mn in ("cbz", "cbnz"):
            add(mn, addr)
        elif mn in ("tbz", "tbnz"):
            add(mn, addr)
        elif mn in ("br", "blr", "ret", "eret", "isb", "dmb", "dsb", "svc", "hvc", "smc", "wfi", "wfe", "sevl",
                    "yield", "csdb", "esb", "xpaclri", "ldaxr", "stlxr", "cas", "casal", "ldadd", "ldaddal",
                    "swpal", "ldar", "stlr", "eretaa", "autiasp", "retaa", "braa", "blraa"):
            add(mn, addr)
        elif mn == "brk":
            add("brk " + o, addr)
        elif mn == "hint":
            add("hint " + o, addr)
        elif mn == "adr":
            add("adr", addr)
        elif mn == "adrp":
            add("adrp", addr)
        elif mn == "ldr" and lit and o.startswith("w"):
            add("ldr w literal", addr)
        elif mn == "ldr" and lit and o.startswith("x"):
            add("ldr x literal", addr)
        elif mn == "ldr" and lit:
            add("ldr simd literal", addr)
        elif mn == "ldrsw" and lit:
            add("ldrsw literal", addr)
        elif mn == "prfm" and re.search(r", 0x[0-9a-f]+$", o):
            add("prfm literal", addr)
        elif mn == "ldxr":
            add("ldxr", addr)
            j = i + 1
            while j < n and j <= i + 8 and insns[j][2] not in ("stxr", "stlxr"):
                j += 1
            if j < n and insns[j][2] in ("stxr", "stlxr") and j > i + 1:
                add("between ldxr and stxr", insns[i + 1][0])
        elif mn in ("stxr",):
            add("stxr", addr)
            if i + 1 < n:
                add("after stxr (window closed)", insns[i + 1][0], extra=True)
        elif mn == "mrs" and o.endswith(", daif"):
            add("mrs daif", addr)
        elif mn == "msr" and o.startswith("daif,"):
            add("msr daif, xN", addr)
        elif mn == "msr" and o.startswith("daifset"):
            add("msr daifset", addr)
        elif mn == "msr" and o.startswith("daifclr"):
            add("msr daifclr", addr)
        elif mn == "mrs" and o.endswith("sp_el0"):
            add("mrs sp_el0", addr)
        elif mn == "mrs":
            add("mrs other", addr)
        elif mn == "msr":
            add("msr other", addr)
        elif mn == "stp":
            add("stp", addr)
        elif mn == "ldp":
            add("ldp", addr)
        elif mn == "mov" and o == "x9, x30":
            add("mov x9, x30 (in image)", addr)
        elif mn == "udf":
            add("udf", addr)

used_functions = set()
for cls in candidates:
    clean = [a for a in candidates[cls] if not blacklisted(a)]
    picked = []
    # Traceable functions first; only when a class has too few there, fill up from notrace functions.
    for addrs in ([a for a in clean if symbol_of(a)[1] in traceable], clean):
        if len(picked) == PER_CLASS or not addrs:
            continue
        step = max(1, len(addrs) // (PER_CLASS + 1))
        order = list(range(step, len(addrs), step)) + list(range(0, len(addrs)))
        for k in order:
            a = addrs[k]
            start, name = symbol_of(a)
            if start in used_functions:
                continue
            used_functions.add(start)
            picked.append(a)
            if len(picked) == PER_CLASS:
                break
    if not picked and candidates[cls]:  # only blacklisted sites exist: record one, its rejection is the data
        picked = [candidates[cls][len(candidates[cls]) // 2]]
    for a in picked:
        start, name = symbol_of(a)
        print("%s %x %s+%d" % (cls.replace(" ", "_"), a, name, a - start))
