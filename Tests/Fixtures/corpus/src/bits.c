// SPDX-License-Identifier: GPL-2.0
/*
 * bits.c - bit manipulation as the kernel's bitops do it: hand popcount,
 * rotates, bit reversal, ffs/fls, GENMASK, field extract and byte swaps.
 */
#include "kernel.h"

/* Kernighan popcount: one iteration per set bit. */
u64 popcount_loop(u64 x)
{
	u64 n = 0;

	while (x) {
		x &= x - 1;
		n++;
	}
	return n;
}

/* SWAR popcount, the generic hweight64() shape. */
u64 popcount_swar(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555UL);
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (x * 0x0101010101010101UL) >> 56;
}

static __always_inline u64 rol64(u64 word, unsigned int shift)
{
	return (word << (shift & 63)) | (word >> ((-shift) & 63));
}

static __always_inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

/* 64-bit rotate left (gcc emits rol / ror). */
u64 rotl64(u64 x, u64 n)
{
	return rol64(x, (unsigned int)n);
}

/* 64-bit rotate right. */
u64 rotr64(u64 x, u64 n)
{
	return rol64(x, 64 - (unsigned int)(n & 63));
}

/* 32-bit rotate left, zero-extended result. */
u64 rotl32(u64 x, u64 n)
{
	return rol32((u32)x, (unsigned int)n);
}

/* Bit reversal by swapping ever larger groups, then a byte swap. */
u64 bitrev64(u64 x)
{
	x = ((x >> 1) & 0x5555555555555555UL) | ((x & 0x5555555555555555UL) << 1);
	x = ((x >> 2) & 0x3333333333333333UL) | ((x & 0x3333333333333333UL) << 2);
	x = ((x >> 4) & 0x0f0f0f0f0f0f0f0fUL) | ((x & 0x0f0f0f0f0f0f0f0fUL) << 4);
	return __builtin_bswap64(x);
}

/* ffs(): 1-based index of the lowest set bit, 0 for 0, by binary search. */
u64 ffs_hand(u64 x)
{
	u64 n = 1;

	if (!x)
		return 0;
	if (!(x & 0xffffffffUL)) { n += 32; x >>= 32; }
	if (!(x & 0xffffUL)) { n += 16; x >>= 16; }
	if (!(x & 0xffUL)) { n += 8; x >>= 8; }
	if (!(x & 0xfUL)) { n += 4; x >>= 4; }
	if (!(x & 0x3UL)) { n += 2; x >>= 2; }
	if (!(x & 0x1UL))
		n += 1;
	return n;
}

/* fls64(): 1-based index of the highest set bit, 0 for 0, by a loop. */
u64 fls_hand(u64 x)
{
	u64 n = 0;

	while (x) {
		x >>= 1;
		n++;
	}
	return n;
}

/* Trailing zeros via __builtin_ctzl (bsf / rbit+clz); 64 for 0. */
u64 ctz_builtin(u64 x)
{
	return x ? (u64)__builtin_ctzl(x) : 64;
}

/* Leading zeros via __builtin_clzl (bsr / clz); 64 for 0. */
u64 clz_builtin(u64 x)
{
	return x ? (u64)__builtin_clzl(x) : 64;
}

/* GENMASK(hi, lo) with both taken mod 64 and swapped if reversed. */
u64 genmask(u64 hi, u64 lo)
{
	u64 t;

	hi &= 63;
	lo &= 63;
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	return (U64_MAX << lo) & (U64_MAX >> (63 - hi));
}

/* Unsigned and signed field extracts (ubfx / sbfx on arm64). */
u64 field_extract(u64 x)
{
	u64 u = (x >> 12) & 0xfff;
	s64 s = (s64)(x << 20) >> 44;

	return u + (u64)s;
}

/* Inserts v into bits [23:8] of x (bfi on arm64). */
u64 field_insert(u64 x, u64 v)
{
	return (x & ~0xffff00UL) | ((v & 0xffff) << 8);
}

/* Byte swaps of every width, combined so each one shows. */
u64 bswap_mix(u64 x)
{
	u64 a = __builtin_bswap64(x);
	u64 b = __builtin_bswap32((u32)x);
	u64 c = __builtin_bswap16((u16)x);

	return a ^ (b << 16) ^ (c << 48);
}

/* Parity of all 64 bits by folding. */
u64 parity64(u64 x)
{
	x ^= x >> 32;
	x ^= x >> 16;
	x ^= x >> 8;
	x ^= x >> 4;
	x ^= x >> 2;
	x ^= x >> 1;
	return x & 1;
}

/* Is x a power of two (and non-zero)? Also rounds up to the next one. */
u64 roundup_pow2(u64 x)
{
	if (x <= 1)
		return 1;
	if (x > (1UL << 63))
		return 0;
	return 1UL << (64 - __builtin_clzl(x - 1));
}
