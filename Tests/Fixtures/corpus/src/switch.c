// SPDX-License-Identifier: GPL-2.0
/*
 * switch.c - dense switches (gcc emits jump tables at -O2), a switch that
 * gcc turns into a lookup table, and a tiny bytecode interpreter.
 */
#include "kernel.h"

/* Sixteen dense cases with real work in each: a jump table at -O2. */
u64 jt_dispatch(u64 op, u64 a, u64 b)
{
	switch (op) {
	case 0:
		return a + b;
	case 1:
		return a - b;
	case 2:
		return a * b;
	case 3:
		return a & b;
	case 4:
		return a | b;
	case 5:
		return a ^ b;
	case 6:
		return a << (b & 63);
	case 7:
		return a >> (b & 63);
	case 8:
		return (u64)((s64)a >> (b & 63));
	case 9:
		return b ? a / b : U64_MAX;
	case 10:
		return b ? a % b : a;
	case 11:
		return ~a + (b << 1);
	case 12:
		return a * 3 + b * 5;
	case 13:
		return (a << 32) | (b & 0xffffffffUL);
	case 14:
		return a > b ? a - b : b - a;
	case 15:
		return (a + b) >> 1;
	default:
		return 0xdeadUL;
	}
}

/* Returns constants only: gcc builds a CSWTCH lookup table in .rodata. */
u64 errno_weight(u64 err)
{
	switch (err) {
	case 1: return 10;
	case 2: return 20;
	case 3: return 35;
	case 4: return 41;
	case 5: return 57;
	case 6: return 63;
	case 7: return 79;
	case 8: return 81;
	case 9: return 99;
	case 10: return 100;
	case 11: return 111;
	case 12: return 127;
	default: return 0;
	}
}

/* Sparse switch: gcc compares and branches instead of using a table. */
u64 sparse_switch(u64 v)
{
	switch (v) {
	case 0x10:
		return 1;
	case 0x400:
		return 2;
	case 0x10000:
		return 3;
	case 0xffffffffUL:
		return 4;
	case 0x8000000000000000UL:
		return 5;
	default:
		return v & 7 ? 6 : 7;
	}
}

enum bc_op {
	BC_HALT, BC_PUSH, BC_ADD, BC_SUB, BC_MUL, BC_DUP, BC_SWAP, BC_ARG,
	BC_JNZ, BC_DEC, BC_XOR, BC_SHL, BC_OVER,
};

/* Programs over a small stack machine, stored in .rodata. */
static const u8 bc_progs[][24] = {
	/* arg * arg + 7 */
	{ BC_ARG, BC_DUP, BC_MUL, BC_PUSH, 7, BC_ADD, BC_HALT },
	/* arg! (mod 2^64): stack is [acc, n] around the loop at 3 */
	{ BC_PUSH, 1, BC_ARG, BC_DUP, BC_JNZ, 8, BC_SWAP, BC_HALT,
	  BC_SWAP, BC_OVER, BC_MUL, BC_SWAP, BC_DEC, BC_PUSH, 1, BC_JNZ, 3 },
	/* ((arg ^ 0x5a) << 3) - arg */
	{ BC_ARG, BC_PUSH, 0x5a, BC_XOR, BC_PUSH, 3, BC_SHL, BC_ARG, BC_SUB,
	  BC_HALT },
	/* 2 * arg by counting down: stack is [acc, n] around the loop at 3 */
	{ BC_PUSH, 0, BC_ARG, BC_DUP, BC_JNZ, 8, BC_SWAP, BC_HALT,
	  BC_DEC, BC_SWAP, BC_PUSH, 2, BC_ADD, BC_SWAP, BC_PUSH, 1, BC_JNZ, 3 },
	/* malformed: pops an empty stack */
	{ BC_ADD, BC_HALT },
};

/*
 * Interpreter loop around a dense switch. Bounded by a step budget, and
 * every stack access is checked, so any program terminates cleanly.
 */
u64 bc_run(u64 prog, u64 arg)
{
	u64 stack[16];
	u64 sp = 0, pc = 0, steps = 0;
	const u8 *code;

	if (prog >= ARRAY_SIZE(bc_progs))
		return U64_MAX;
	code = bc_progs[prog];
	arg &= 63;
	while (steps++ < 2000 && pc < sizeof(bc_progs[0])) {
		u8 op = code[pc++];
		u64 t;

		switch (op) {
		case BC_HALT:
			return sp ? stack[sp - 1] : 0;
		case BC_PUSH:
			if (sp >= 16 || pc >= sizeof(bc_progs[0]))
				return U64_MAX - 1;
			stack[sp++] = code[pc++];
			break;
		case BC_ARG:
			if (sp >= 16)
				return U64_MAX - 1;
			stack[sp++] = arg;
			break;
		case BC_DUP:
			if (sp == 0 || sp >= 16)
				return U64_MAX - 1;
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case BC_ADD:
		case BC_SUB:
		case BC_MUL:
		case BC_XOR:
		case BC_SHL:
			if (sp < 2)
				return U64_MAX - 1;
			t = stack[--sp];
			if (op == BC_ADD)
				stack[sp - 1] += t;
			else if (op == BC_SUB)
				stack[sp - 1] -= t;
			else if (op == BC_MUL)
				stack[sp - 1] *= t;
			else if (op == BC_XOR)
				stack[sp - 1] ^= t;
			else
				stack[sp - 1] <<= (t & 63);
			break;
		case BC_OVER:
			if (sp < 2 || sp >= 16)
				return U64_MAX - 1;
			stack[sp] = stack[sp - 2];
			sp++;
			break;
		case BC_SWAP:
			if (sp < 2)
				return U64_MAX - 1;
			t = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = t;
			break;
		case BC_DEC:
			if (sp == 0)
				return U64_MAX - 1;
			stack[sp - 1]--;
			break;
		case BC_JNZ:
			if (sp == 0 || pc >= sizeof(bc_progs[0]))
				return U64_MAX - 1;
			if (stack[--sp])
				pc = code[pc];
			else
				pc++;
			break;
		default:
			return U64_MAX - 2;
		}
	}
	return U64_MAX - 3;
}
