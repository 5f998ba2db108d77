// SPDX-License-Identifier: GPL-2.0
/*
 * loops.c - counted, while, do-while and nested loops, plus the ALU
 * throughput benchmark. Every loop has a bound the caller cannot defeat.
 */
#include "kernel.h"

/* Counted loop: 0 + 1 + ... + n, n capped so the simulator stays quick. */
u64 sum_to(u64 n)
{
	u64 sum = 0;
	u64 i;

	if (n > 100000)
		n = 100000;
	for (i = 0; i <= n; i++)
		sum += i;
	return sum;
}

/* while loop with a data-dependent exit: squares until the limit. */
u64 sum_squares_while(u64 limit)
{
	u64 i = 1, sum = 0;

	while (i * i <= limit && i < 4096) {
		sum += i * i;
		i++;
	}
	return sum;
}

/* Collatz steps, capped at 1000 so every input terminates. */
u64 collatz_steps(u64 n)
{
	u64 steps = 0;

	if (n == 0)
		return 0;
	while (n != 1 && steps < 1000) {
		if (n & 1)
			n = 3 * n + 1;
		else
			n >>= 1;
		steps++;
	}
	return steps;
}

/* do-while: number of digits of n in the given base (at least one). */
u64 digit_count(u64 n, u64 base)
{
	u64 digits = 0;

	if (base < 2)
		base = 10;
	do {
		n /= base;
		digits++;
	} while (n);
	return digits;
}

/* Nested loops with continue and break. */
u64 nested_mix(u64 rows, u64 cols)
{
	u64 acc = 0;
	u64 i, j;

	rows &= 63;
	cols &= 63;
	for (i = 0; i < rows; i++) {
		for (j = 0; j < cols; j++) {
			if ((i + j) % 3 == 0)
				continue;
			if (j > i + 20)
				break;
			acc += i * 31 + j * 7 + (i ^ j);
		}
	}
	return acc;
}

/* Fixed 4x4 matrix product in locals; returns trace ^ last element. */
u64 matrix_mul4(u64 seed)
{
	u64 a[4][4], b[4][4], c[4][4];
	u64 i, j, k, trace = 0;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			a[i][j] = seed >> 40;
			b[i][j] = (seed >> 20) & 0xfffff;
		}
	}
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			u64 s = 0;

			for (k = 0; k < 4; k++)
				s += a[i][k] * b[k][j];
			c[i][j] = s;
		}
	}
	for (i = 0; i < 4; i++)
		trace += c[i][i];
	return trace ^ c[3][0];
}

/* Count-down loop searching for a value, with an early exit. */
s64 find_first_multiple(u64 start, u64 divisor)
{
	u64 i;

	if (divisor == 0)
		return -EINVAL;
	start &= 0xffff;
	for (i = start; i > 0; i--) {
		if (i % divisor == 0)
			return (s64)i;
	}
	return -1;
}

/*
 * Throughput benchmark: 24 simple ALU operations per iteration, so
 * n = 1000000 executes a few tens of millions of instructions.
 */
u64 bench_loop(u64 n)
{
	u64 x = 0x9e3779b97f4a7c15UL, y = 1, z = 0;
	u64 i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		y += x | i;
		y = (y << 3) - y;
		z ^= y + (x >> 11);
		z += i & 0xff;
		x += z;
	}
	return x ^ y ^ z;
}
