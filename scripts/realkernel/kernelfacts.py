"""Facts about a guest kernel read on the host from kernel-text.sh's cache; shared by pick-candidates.py and
findings-table.py so each rule is written once."""
import os
import struct

CACHE = os.environ.get("KPROBESIM_CACHE", os.path.expanduser("~/.cache/kprobesim/realkernel"))


def cache_path(arch, name):
    return os.path.join(CACHE, arch, name)


def reserved_sites(arch):
    """x86_64: {address: reason} for every byte the kernel's reservation checks cover, read from the unpacked
    vmlinux at the guest's __start_/__stop_ bounds: jump-label sites (5 bytes), static-call sites (5 bytes),
    BUG/WARN sites (the ud2). Empty for arm64 (its kallsyms has no __jump_table bounds)."""
    sites = {}
    if arch != "x86_64":
        return sites
    bounds = {}
    for line in open(cache_path(arch, "section-bounds")):
        a, _, n = line.split()
        bounds[n] = int(a, 16)
    elf = open(cache_path(arch, "vmlinux"), "rb").read()
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3a)
    sections = []
    for i in range(shnum):
        _, kind, _, addr, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        if addr and kind == 1:  # SHT_PROGBITS
            sections.append((addr, off, size))

    def file_offset(va):
        for addr, off, size in sections:
            if addr <= va < addr + size:
                return off + va - addr
        raise ValueError("0x%x is in no section of the vmlinux" % va)

    def table(start, stop, entry_size, reason, span):
        # Each entry starts with an s32 displacement from the entry to the site.
        va = bounds[start]
        while va < bounds[stop]:
            disp, = struct.unpack_from("<i", elf, file_offset(va))
            for k in range(span):
                sites.setdefault(va + disp + k, reason)
            va += entry_size
    table("__start___jump_table", "__stop___jump_table", 16, "jump-label site", 5)
    table("__start_static_call_sites", "__stop_static_call_sites", 8, "static-call site", 5)
    table("__start___bug_table", "__stop___bug_table", 12, "BUG/WARN site", 1)
    return sites


def is_load_exclusive_class(word):
    """bits 29:24 = 001000 with L (bit 22) = 1: LDXR, LDAXR, but also LDAR and CAS*A (see FINDINGS surprise 6)."""
    return word & 0x3F400000 == 0x08400000


def is_store_exclusive_class(word):
    """bits 29:24 = 001000 with L = 0: STXR, STLXR, STLR, CAS without acquire, ..."""
    return word & 0x3F400000 == 0x08000000


class Arm64Image:
    """The arm64 kernel Image on disk, addressed by kernel virtual address (nokaslr)."""

    def __init__(self):
        boot = cache_path("arm64", os.path.join("kernel", "boot"))
        name = next(n for n in sorted(os.listdir(boot)) if n.startswith("vmlinuz"))
        self.data = open(os.path.join(boot, name), "rb").read()
        stext = next(int(l.split()[0], 16) for l in open(cache_path("arm64", "kallsyms")) if l.split()[2] == "_stext")
        self.base = stext - 0x10000  # _stext sits 64 KiB into the Image (kernel-text.sh relies on the same)

    def word(self, addr):
        return struct.unpack_from("<I", self.data, addr - self.base)[0]

    def exclusive_window(self, addr, offset):
        """The kernel's LL/SC rule: scanning back from the word before addr to the symbol start (offset bytes
        away, at most 32 words), a load-exclusive-class word before any store-exclusive-class word puts addr
        inside an exclusive sequence. Returns a description of that word, or ''."""
        for k in range(1, min(offset // 4, 32) + 1):
            w = self.word(addr - 4 * k)
            if is_store_exclusive_class(w):
                return ""
            if is_load_exclusive_class(w):
                return "load-exclusive class word %08x at -%d" % (w, 4 * k)
        return ""
