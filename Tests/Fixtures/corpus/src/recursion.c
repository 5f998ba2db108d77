// SPDX-License-Identifier: GPL-2.0
/*
 * recursion.c - real recursive calls (fib, Ackermann, tree walks, mutual
 * recursion) so call/ret, frame set-up and return-address handling matter.
 */
#include "kernel.h"

static noinline u64 fib_rec(u32 n)
{
	if (n < 2)
		return n;
	return fib_rec(n - 1) + fib_rec(n - 2);
}

/* Recursive Fibonacci; n capped at 24 (~75k calls). */
u64 fib(u64 n)
{
	if (n > 24)
		n = 24;
	return fib_rec((u32)n);
}

static noinline u64 ack(u64 m, u64 n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

/* Ackermann for small inputs: m capped at 3, n at 4 (A(3,4) = 125). */
u64 ackermann(u64 m, u64 n)
{
	if (m > 3)
		m = 3;
	if (n > 4)
		n = 4;
	return ack(m, n);
}

struct tnode {
	struct tnode *left;
	struct tnode *right;
	u64 val;
};

/* A statically linked tree: every child pointer needs a relocation. */
static struct tnode t_leaf[6] = {
	{ NULL, NULL, 3 }, { NULL, NULL, 5 }, { NULL, NULL, 7 },
	{ NULL, NULL, 11 }, { NULL, NULL, 13 }, { NULL, NULL, 17 },
};
static struct tnode t_mid[3] = {
	{ &t_leaf[0], &t_leaf[1], 19 },
	{ &t_leaf[2], NULL, 23 },
	{ &t_leaf[3], &t_leaf[4], 29 },
};
static struct tnode t_deep[4] = {
	{ &t_deep[1], NULL, 31 },
	{ NULL, &t_deep[2], 37 },
	{ &t_deep[3], &t_leaf[5], 41 },
	{ NULL, NULL, 43 },
};
static struct tnode t_top[2] = {
	{ &t_mid[0], &t_mid[1], 47 },
	{ &t_mid[2], &t_deep[0], 53 },
};
static struct tnode t_root = { &t_top[0], &t_top[1], 59 };

static struct tnode *const t_roots[] = {
	&t_root, &t_top[1], &t_mid[0], &t_deep[0], &t_leaf[2], NULL,
};

static noinline u64 tdepth(const struct tnode *t)
{
	u64 l, r;

	if (!t)
		return 0;
	l = tdepth(t->left);
	r = tdepth(t->right);
	return 1 + (l > r ? l : r);
}

static noinline u64 tsum(const struct tnode *t)
{
	if (!t)
		return 0;
	return t->val + tsum(t->left) + tsum(t->right);
}

/* Depth of one of the static trees (index >= 5 selects the empty tree). */
u64 tree_depth(u64 which)
{
	if (which >= ARRAY_SIZE(t_roots))
		which = ARRAY_SIZE(t_roots) - 1;
	return tdepth(t_roots[which]);
}

/* Sum of the values in one of the static trees. */
u64 tree_sum(u64 which)
{
	if (which >= ARRAY_SIZE(t_roots))
		which = ARRAY_SIZE(t_roots) - 1;
	return tsum(t_roots[which]);
}

static noinline u64 gcd_rec(u64 a, u64 b)
{
	if (b == 0)
		return a;
	return gcd_rec(b, a % b);
}

/* Euclid's gcd, recursive. */
u64 gcd(u64 a, u64 b)
{
	return gcd_rec(a, b);
}

static noinline u64 pow_mod_rec(u64 base, u64 exp, u64 mod)
{
	u64 half;

	if (exp == 0)
		return 1 % mod;
	half = pow_mod_rec(base, exp >> 1, mod);
	half = half * half % mod;
	if (exp & 1)
		half = half * base % mod;
	return half;
}

/* base^exp mod m by recursive squaring; m is cut to 32 bits so products fit. */
u64 pow_mod(u64 base, u64 exp, u64 mod)
{
	mod &= 0xffffffffUL;
	if (mod == 0)
		return 0;
	return pow_mod_rec(base % mod, exp, mod);
}

static noinline bool is_odd(u64 n);

static noinline bool is_even(u64 n)
{
	return n == 0 ? true : is_odd(n - 1);
}

static noinline bool is_odd(u64 n)
{
	return n == 0 ? false : is_even(n - 1);
}

/* Mutual recursion: 1 if n (capped at 300) is even. */
u64 parity_rec(u64 n)
{
	if (n > 300)
		n = 300 + (n & 1);
	return is_even(n);
}
