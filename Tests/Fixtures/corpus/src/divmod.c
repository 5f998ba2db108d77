// SPDX-License-Identifier: GPL-2.0
/*
 * divmod.c - signed and unsigned division and modulo, 32 and 64 bit, by
 * variables (div/idiv, udiv/sdiv+msub) and by constants (multiply-high).
 * Division by zero and the one overflowing signed case are answered
 * before the divide so no input traps.
 */
#include "kernel.h"

/* Unsigned 64-bit a / b; U64_MAX when b is 0. */
u64 udiv64(u64 a, u64 b)
{
	return b ? a / b : U64_MAX;
}

/* Unsigned 64-bit a % b; a when b is 0. */
u64 umod64(u64 a, u64 b)
{
	return b ? a % b : a;
}

/* Signed 64-bit a / b; 0 for b == 0, S64_MIN for S64_MIN / -1. */
s64 sdiv64(s64 a, s64 b)
{
	if (b == 0)
		return 0;
	if (a == S64_MIN && b == -1)
		return S64_MIN;
	return a / b;
}

/* Signed 64-bit a % b (sign of the dividend); a for b == 0. */
s64 smod64(s64 a, s64 b)
{
	if (b == 0)
		return a;
	if (b == -1)
		return 0;
	return a % b;
}

/* Unsigned 32-bit divide of the low halves. */
u64 udiv32(u64 a, u64 b)
{
	u32 x = (u32)a, y = (u32)b;

	return y ? x / y : 0xffffffffUL;
}

/* Signed 32-bit divide and modulo of the low halves, packed. */
s64 sdivmod32(s64 a, s64 b)
{
	s32 x = (s32)a, y = (s32)b;
	s32 q, r;

	if (y == 0)
		return -EINVAL;
	if (x == S32_MIN && y == -1)
		return S32_MIN;
	q = x / y;
	r = x % y;
	return (s64)q * 65536 + r;
}

/* Unsigned divides by constants: gcc turns them into multiply-high. */
u64 udiv_const(u64 a)
{
	return a / 10 + a % 7 + (a / 1000000007UL) * 3 + ((u32)a / 3U);
}

/* Signed divides by constants (with the round-toward-zero fix-up). */
s64 sdiv_const(s64 a)
{
	s32 w = (s32)a;

	return a / 10 + a % 7 + (s64)(w / -5) + (s64)(w % 12) + a / 64;
}

static noinline u64 divmod_pair(u64 a, u64 b, u64 *rem)
{
	*rem = a % b;
	return a / b;
}

/* Quotient and remainder from one helper returning through a pointer. */
u64 divmod_combo(u64 a, u64 b)
{
	u64 q, r;

	if (b == 0)
		return U64_MAX;
	q = divmod_pair(a, b, &r);
	return q * 1000 + r;
}

/* Integer square root by Newton's method: a loop of divides. */
u64 isqrt(u64 x)
{
	u64 r, y;

	if (x < 2)
		return x;
	r = x / 2 + 1;
	y = (r + x / r) / 2;
	while (y < r) {
		r = y;
		y = (r + x / r) / 2;
	}
	return r;
}
