// SPDX-License-Identifier: GPL-2.0
/*
 * fnptr.c - indirect calls: a const handler table in .rodata, an ops
 * structure in .data (file_operations style), and callbacks passed down.
 */
#include "kernel.h"

typedef u64 (*handler_t)(u64 a, u64 b);

static noinline u64 h_add(u64 a, u64 b) { return a + b; }
static noinline u64 h_sub(u64 a, u64 b) { return a - b; }
static noinline u64 h_mul(u64 a, u64 b) { return a * b; }
static noinline u64 h_xor(u64 a, u64 b) { return a ^ b; }
static noinline u64 h_max(u64 a, u64 b) { return a > b ? a : b; }
static noinline u64 h_avg(u64 a, u64 b) { return (a & b) + ((a ^ b) >> 1); }

static const handler_t handlers[] = {
	h_add, h_sub, h_mul, h_xor, h_max, h_avg,
};

/* Calls handlers[idx](a, b) indirectly; U64_MAX for a bad index. */
u64 call_handler(u64 idx, u64 a, u64 b)
{
	if (idx >= ARRAY_SIZE(handlers))
		return U64_MAX;
	return handlers[idx](a, b);
}

/* Folds x through every handler in turn, n rounds (capped at 64). */
u64 chain_handlers(u64 x, u64 n)
{
	u64 i, j;

	n &= 63;
	for (i = 0; i < n; i++)
		for (j = 0; j < ARRAY_SIZE(handlers); j++)
			x = handlers[j](x, i + j + 1);
	return x;
}

struct dev_ops {
	u64 (*open)(u64 id);
	u64 (*read)(u64 id, u64 off);
	u64 (*release)(u64 id);
	u64 flags;
};

static noinline u64 null_open(u64 id) { return id + 1; }
static noinline u64 null_read(u64 id, u64 off) { (void)id; (void)off; return 0; }
static noinline u64 zero_release(u64 id) { return id; }
static noinline u64 mem_read(u64 id, u64 off) { return (id << 16) | (off & 0xffff); }
static noinline u64 mem_release(u64 id) { return ~id; }

/* Writable ops tables, as drivers declare them; NULL means "not provided". */
static struct dev_ops dev_table[3] = {
	{ null_open, null_read, zero_release, 1 },
	{ null_open, mem_read, mem_release, 2 },
	{ NULL, mem_read, NULL, 4 },
};

/* open/read/release through dev_table[dev]; skips missing callbacks. */
u64 dev_access(u64 dev, u64 off)
{
	const struct dev_ops *ops;
	u64 r = 0;

	if (dev >= ARRAY_SIZE(dev_table))
		return U64_MAX;
	ops = &dev_table[dev];
	if (ops->open)
		r += ops->open(dev);
	r += ops->read(dev, off);
	if (ops->release)
		r ^= ops->release(dev);
	return r + ops->flags;
}

static noinline u64 apply_n(u64 (*fn)(u64, u64), u64 seed, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		seed = fn(seed, i);
	return seed;
}

/* Passes a handler down as a callback (call through a register). */
u64 callback_reduce(u64 idx, u64 seed, u64 n)
{
	if (idx >= ARRAY_SIZE(handlers))
		return U64_MAX;
	return apply_n(handlers[idx], seed, n & 255);
}
