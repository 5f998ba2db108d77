// SPDX-License-Identifier: GPL-2.0
/*
 * structs.c - structures and arrays of structures: struct copies (inline
 * moves, rep movs on x86_64 at -Os), field updates through pointers,
 * bit fields, and packed layouts.
 */
#include "kernel.h"

struct flow {
	u32 saddr, daddr;
	u16 sport, dport;
	u8 proto, ttl;
	u16 len;
	u64 stamp;
};

static const struct flow flows[5] = {
	{ 0x0a000001, 0x0a000002, 1234, 80, 6, 64, 60, 1000 },
	{ 0xc0a80001, 0x08080808, 5353, 53, 17, 255, 512, 2000 },
	{ 0x7f000001, 0x7f000001, 40000, 22, 6, 1, 1500, 3000 },
	{ 0xffffffff, 0x00000000, 0, 0, 1, 0, 0, 0 },
	{ 0x01020304, 0x05060708, 65535, 65535, 47, 128, 9000, ~0UL },
};

static noinline u64 flow_hash(const struct flow *f)
{
	u64 h = f->saddr;

	h = h * 0x9e3779b1 + f->daddr;
	h = h * 0x9e3779b1 + ((u64)f->sport << 16 | f->dport);
	h = h * 0x9e3779b1 + ((u64)f->proto << 8 | f->ttl);
	h = h * 0x9e3779b1 + f->len;
	return h ^ f->stamp;
}

/* Copies a flow by value, edits the copy, hashes it. */
u64 flow_copy_hash(u64 idx)
{
	struct flow f;

	if (idx >= ARRAY_SIZE(flows))
		return U64_MAX;
	f = flows[idx];
	f.ttl = f.ttl ? f.ttl - 1 : 0;
	f.stamp += 1;
	return flow_hash(&f) ^ flow_hash(&flows[idx]);
}

/* Scans the array: sum of len over flows with ttl >= min_ttl. */
u64 flow_scan(u64 min_ttl)
{
	u64 i, sum = 0;

	for (i = 0; i < ARRAY_SIZE(flows); i++)
		if (flows[i].ttl >= min_ttl)
			sum += flows[i].len;
	return sum;
}

/*
 * A 32-byte record: the largest struct copy aarch64 gcc -Os still expands
 * inline (bigger ones become memcpy calls, which the corpus cannot make).
 */
struct rec32 {
	u64 words[4];
};

static const struct rec32 rec_src[2] = {
	{ { 1, 2, 3, 4 } },
	{ { 0x1111111111111111UL, 0x2222, 0x8000000000000000UL, ~0UL } },
};

/* Written completely by rec_copy() before it is read. */
static struct rec32 rec_dst;

static noinline u64 rec_sum(const struct rec32 *r, u64 mul)
{
	u64 i, s = 0;

	for (i = 0; i < ARRAY_SIZE(r->words); i++)
		s = s * mul + r->words[i];
	return s;
}

/* Struct assignment into .bss, one word bumped, then read back. */
u64 rec_copy(u64 idx, u64 bump)
{
	if (idx >= ARRAY_SIZE(rec_src))
		return U64_MAX;
	rec_dst = rec_src[idx];
	rec_dst.words[bump & 3] += bump;
	return rec_sum(&rec_dst, 3);
}

struct pte_bits {
	u64 present:1;
	u64 rw:1;
	u64 user:1;
	u64 accessed:1;
	u64 dirty:1;
	u64 pfn:40;
	u64 avail:18;
	u64 nx:1;
};

union pte {
	struct pte_bits b;
	u64 raw;
};

/* Builds a page-table-entry-like word from bit fields (bfi / shifts). */
u64 pte_build(u64 pfn, u64 flags)
{
	union pte p;

	p.raw = 0;
	p.b.present = flags & 1;
	p.b.rw = (flags >> 1) & 1;
	p.b.user = (flags >> 2) & 1;
	p.b.dirty = (flags >> 4) & 1;
	p.b.pfn = pfn;
	p.b.nx = (flags >> 63) & 1;
	return p.raw;
}

/* Decodes the fields of a raw entry (ubfx / shifts) and recombines them. */
u64 pte_decode(u64 raw)
{
	union pte p;

	p.raw = raw;
	return p.b.pfn * 16 + p.b.present + p.b.rw * 2 + p.b.user * 4 +
	       p.b.accessed * 8 + (p.b.nx ? 1000 : 0) + p.b.avail;
}

struct __packed wire_hdr {
	u8 type;
	u32 length;
	u16 id;
	u8 flags;
};

static const struct wire_hdr wire_hdrs[3] = {
	{ 1, 0x01020304, 0x0506, 0x07 },
	{ 0xff, 0xffffffff, 0xffff, 0xff },
	{ 0x80, 0x80000000, 0x8000, 0x80 },
};

/* Unaligned loads from a packed header array. */
u64 wire_parse(u64 idx)
{
	const struct wire_hdr *h;

	if (idx >= ARRAY_SIZE(wire_hdrs))
		return U64_MAX;
	h = &wire_hdrs[idx];
	return (u64)h->type << 56 | (u64)h->length << 16 | (u64)(h->id ^ h->flags);
}

/* Swaps two elements of a local array of structs, then sums weighted. */
u64 struct_swap(u64 i, u64 j)
{
	struct pair {
		u64 a;
		u32 b;
	} arr[4], t;
	u64 k, s = 0;

	/* Filled by a loop: a 64-byte initialiser becomes memcpy at -Os. */
	for (k = 0; k < 4; k++) {
		arr[k].a = (k + 1) * 10;
		arr[k].b = (u32)k + 1;
	}
	i &= 3;
	j &= 3;
	t = arr[i];
	arr[i] = arr[j];
	arr[j] = t;
	for (k = 0; k < 4; k++)
		s += (k + 1) * (arr[k].a + arr[k].b);
	return s;
}

struct scratch_ctx {
	u64 slots[5];
	u32 gen;
};

/* Per-call scratch in .bss, cleared at the start of every call. */
static struct scratch_ctx scratch;

/* Clears a 48-byte .bss structure (rep stos on x86_64), sets a slot, sums. */
u64 scratch_reset(u64 v)
{
	u64 i, s = 0;

	scratch = (struct scratch_ctx){ 0 };
	scratch.slots[v % ARRAY_SIZE(scratch.slots)] = v;
	scratch.gen = (u32)v;
	for (i = 0; i < ARRAY_SIZE(scratch.slots); i++)
		s = s * 7 + READ_ONCE(scratch.slots[i]);
	return s + scratch.gen;
}

/* A zero-initialised local array (rep stos / stp xzr) with one element set. */
u64 local_zero(u64 v)
{
	u64 buf[6] = { 0 };
	u64 i, s = 0;

	buf[v % ARRAY_SIZE(buf)] = v;
	for (i = 0; i < ARRAY_SIZE(buf); i++)
		s = s * 3 + buf[i];
	return s;
}
