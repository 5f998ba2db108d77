#!/usr/bin/env python3
"""Turns a matrix capture into the markdown tables of FINDINGS.md (make-findings.sh calls it).

    findings-table.py ARCH [NAME]   (reads Tests/Fixtures/realkernel/ARCH/{NAME,blacklist}.txt; NAME=matrix)

One row per candidate: class, address and symbol+offset, the live bytes read from /proc/kcore before arming, their
disassembly by binutils (objdump for x86_64, aarch64-linux-gnu-objdump for arm64), whether kprobe_events accepted
it (errno from the shell's write error, message from error_log), enable errors, the kprobes/list flags and the
first bytes at the address once armed. Then a per-class summary.

A rejection is annotated with what explains it:
  - the trace_kprobe "Could not probe notrace function" warning, when dmesg has one between the previous
    candidate's error_log entry and this one's (matched by timestamp);
  - the guest's blacklist (blacklist.txt);
  - x86_64: jump-label / static-call / BUG sites, read from the unpacked vmlinux (kernel-text.sh's cache);
  - arm64: a load-exclusive-class word in the backward scan window, read from the Image.
"""
import os
import re
import subprocess
import sys
import tempfile

import kernelfacts

ARCH = sys.argv[1] if len(sys.argv) > 1 else ""
if ARCH not in ("x86_64", "arm64"):
    sys.exit("usage: findings-table.py x86_64|arm64 [NAME]")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "Tests", "Fixtures", "realkernel", ARCH)

ERRNO = {
    "Invalid argument": "EINVAL",
    "Invalid or incomplete multibyte or wide character": "EILSEQ",
    "No such file or directory": "ENOENT",
    "Operation not supported": "EOPNOTSUPP",
    "Device or resource busy": "EBUSY",
    "Cannot allocate memory": "ENOMEM",
    "No space left on device": "ENOSPC",
}


def disassemble(addr, hexbytes):
    """First instruction of the bytes, as binutils decodes it at that address."""
    data = bytes(int(b, 16) for b in hexbytes.split())
    if ARCH == "arm64":
        data, tool, machine = data[:4], "aarch64-linux-gnu-objdump", "aarch64"
    else:
        tool, machine = "objdump", "i386:x86-64"
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        out = subprocess.run([tool, "-D", "-b", "binary", "-m", machine, "--adjust-vma=0x" + addr, f.name],
                             capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s*" + addr.lstrip("0") + r":\t((?:[0-9a-f]{2} )+|[0-9a-f]{8} )\s*\t(.*)$", line)
        if m:
            text = re.sub(r"\s+", " ", m.group(2)).strip()
            return m.group(1).strip(), re.sub(r"\s*//.*$", "", text)
    return "", "(no decode)"


blacklist = []
for line in open(os.path.join(FIX, "blacklist.txt")):
    m = re.match(r"0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\S+)", line)
    if m:
        blacklist.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
reserved = kernelfacts.reserved_sites(ARCH)
image = kernelfacts.Arm64Image() if ARCH == "arm64" else None


def why(addr):
    """Host-side facts that explain a rejection (blacklist, reserved site), or ''."""
    a = int(addr, 16)
    notes = ["blacklisted (%s)" % n for s, e, n in blacklist if s <= a < e][:1]
    if a in reserved:
        notes.append(reserved[a])
    return "; ".join(notes)


def why_at(addr, at):
    notes = why(addr)
    window = image.exclusive_window(int(addr, 16), int(at.rsplit("+", 1)[1])) if image else ""
    return "; ".join(n for n in (notes, window and "after " + window) if n)


NAME = sys.argv[2] if len(sys.argv) > 2 else "matrix"
text = open(os.path.join(FIX, NAME + ".txt")).read()
notrace_times = [float(m.group(1)) for m in
                 re.finditer(r"^\[\s*([0-9.]+)\] trace_kprobe: Could not probe notrace function", text, re.M)]
rows = []
cur = None
section = None
armed = {}
flags = {}
for line in text.splitlines():
    if line.startswith("################ "):
        section = line[17:]
        continue
    if section == "candidates":
        m = re.match(r"==== (p\d+) class=(\S+) addr=(\S+) at=(\S+)", line)
        if m:
            cur = {"name": m.group(1), "cls": m.group(2).replace("_", " "), "addr": m.group(3),
                   "at": m.group(4), "define": "", "enable": "", "elog": ""}
            rows.append(cur)
        elif line.startswith("bytes: "):
            cur["bytes"] = line[7:]
        elif line.startswith("define: "):
            cur["define"] = line[8:]
        elif line.startswith("enable: "):
            cur["enable"] = line[8:]
        elif line.startswith("error_log: ") and "error:" in line:
            cur["elog"] = line.split("error: ", 1)[1]
            cur["time"] = float(re.search(r"\[\s*([0-9.]+)\]", line).group(1))
    elif section == "armed bytes of accepted probes":
        m = re.match(r"(p\d+) (\S+) armed: (.*)", line)
        if m:
            armed[m.group(1)] = m.group(3)
    elif section == "debugfs kprobes/list":
        m = re.match(r"([0-9a-f]+)\s+k\s+\S+\s*(.*)$", line)
        if m:
            flags[m.group(1)] = m.group(2).strip() or "(none)"

print("| # | class (image on disk) | address | symbol+off | live bytes | live disassembly (binutils) | accepted | errno: error_log | enable | kprobes/list flags | armed bytes |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
previous = 0.0
for r in rows:
    if "time" in r:
        r["notrace"] = any(previous < t <= r["time"] for t in notrace_times)
        previous = r["time"]
summary = {}
for r in rows:
    raw, dis = disassemble(r["addr"], r["bytes"])
    ok = r["define"] == "OK"
    if ok:
        err = ""
    else:
        msg = r["define"].replace("sh: write error: ", "")
        err = "%s: %s" % (ERRNO.get(msg, msg), r["elog"])
        if r.get("notrace"):
            err += " — dmesg: notrace function"
        elif why_at(r["addr"], r["at"]):
            err += " — " + why_at(r["addr"], r["at"])
    enable = r["enable"] if ok else ""
    enable = "OK" if enable == "OK" else ERRNO.get(enable.replace("sh: write error: ", ""), enable)
    fl = flags.get(r["addr"], "(not listed)") if ok else ""
    arm = " ".join(armed.get(r["name"], "").split()[: 5 if ARCH == "x86_64" else 4])
    print("| %s | %s | %s | %s | `%s` | `%s` | %s | %s | %s | %s | %s |" % (
        r["name"], r["cls"], r["addr"], r["at"], raw or r["bytes"][:14], dis.replace("|", "\\|"),
        "yes" if ok else "**no**", err, enable, fl, ("`%s`" % arm) if arm else ""))
    s = summary.setdefault(r["cls"], [0, 0, set(), set()])
    s[1] += 1
    if ok:
        s[0] += 1
        s[3].add(fl)
    else:
        reason = "notrace" if r.get("notrace") else why_at(r["addr"], r["at"]).split(" (")[0].split(" word")[0]
        s[2].add(err.split(":")[0] + (" (%s)" % reason if reason else ""))
print()
print("| class | accepted / tried | errno of rejections | flags of accepted |")
print("|---|---|---|---|")
for cls, (acc, tried, errs, fls) in summary.items():
    print("| %s | %d / %d | %s | %s |" % (cls, acc, tried, ", ".join(sorted(errs)), ", ".join(sorted(fls))))
