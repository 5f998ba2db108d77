// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - signed and unsigned compares at every width (set<cc> / cset),
 * narrow arithmetic with sign and zero extension, and branch-free
 * selects (cmov / csel).
 */
#include "kernel.h"

/*
 * All six relations of a and b truncated to TYPE, as a bit mask:
 * bit 0 <, 1 <=, 2 >, 3 >=, 4 ==, 5 !=.
 */
#define DEFINE_CMP(name, type)						\
u64 name(u64 a, u64 b)							\
{									\
	type x = (type)a, y = (type)b;					\
									\
	return (u64)(x < y) | (u64)(x <= y) << 1 | (u64)(x > y) << 2 |	\
	       (u64)(x >= y) << 3 | (u64)(x == y) << 4 |		\
	       (u64)(x != y) << 5;					\
}

DEFINE_CMP(cmp_u8, u8)
DEFINE_CMP(cmp_s8, s8)
DEFINE_CMP(cmp_u16, u16)
DEFINE_CMP(cmp_s16, s16)
DEFINE_CMP(cmp_u32, u32)
DEFINE_CMP(cmp_s32, s32)
DEFINE_CMP(cmp_u64, u64)
DEFINE_CMP(cmp_s64, s64)

/* u8 and u16 arithmetic that wraps, recombined into one word. */
u64 narrow_unsigned(u64 a, u64 b)
{
	u8 x8 = (u8)a, y8 = (u8)b;
	u16 x16 = (u16)a, y16 = (u16)b;
	u8 s8sum = x8 + y8;
	u8 d8 = x8 - y8;
	u16 p16 = (u16)((u32)x16 * y16);	/* u32: int would overflow */
	u16 q16 = y16 ? x16 / y16 : 0;

	return s8sum | (u64)d8 << 8 | (u64)p16 << 16 | (u64)q16 << 32;
}

/* s8 and s16 arithmetic, sign-extended back to 64 bits. */
s64 narrow_signed(s64 a, s64 b)
{
	s8 x8 = (s8)a, y8 = (s8)b;
	s16 x16 = (s16)a, y16 = (s16)b;
	s32 prod = x8 * y8;		/* at most 2^14: no overflow */
	s16 diff = (s16)(x16 - y16);	/* computed in int, then truncated */
	s32 wide = x16 * 3 + y16;

	return (s64)prod * 1000000 + (s64)diff * 1000 + wide;
}

/* Sign and zero extension from every narrow width, summed unsigned. */
u64 extend_all(u64 x)
{
	u64 s = (u64)(s64)(s8)x + (u64)(s64)(s16)x + (u64)(s64)(s32)x;
	u64 z = (u64)(u8)x + (u64)(u16)x + (u64)(u32)x;

	return s ^ (z << 1);
}

/* Signed min, unsigned max and a clamp: cmov / csel, no branches. */
u64 select_mix(u64 a, u64 b, u64 c)
{
	s64 smin = (s64)a < (s64)b ? (s64)a : (s64)b;
	u64 umax = a > b ? a : b;
	u64 clamped = c < a ? a : (c > b ? b : c);

	return (u64)smin + umax * 3 + clamped * 7;
}

/* Clamps a signed value to [lo, hi]; swaps the bounds if reversed. */
s64 clamp_s64(s64 v, s64 lo, s64 hi)
{
	s64 t;

	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Three-way compare of signed values, -1/0/1. */
s64 cmp3_s64(s64 a, s64 b)
{
	return (a > b) - (a < b);
}
