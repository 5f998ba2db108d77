// SPDX-License-Identifier: GPL-2.0
/*
 * args.c - functions with 7, 8 and 10 arguments, so some arguments travel
 * on the stack (x86_64 passes 6 in registers, arm64 passes 8), and a
 * tcp_select_initial_window()-like 8-argument function.
 */
#include "kernel.h"

/* Seven arguments, each weighted differently so a swap shows. */
u64 args7(u64 a, u64 b, u64 c, u64 d, u64 e, u64 f, u64 g)
{
	return a + 2 * b + 3 * c + 5 * d + 7 * e + 11 * f + 13 * g;
}

/* Eight arguments mixing signed and unsigned. */
s64 args8(s64 a, u64 b, s64 c, u64 d, s64 e, u64 f, s64 g, u64 h)
{
	return (s64)((u64)a * 3 - b + (u64)c * 5 - d + (u64)e * 7 - f +
		     (u64)g * 11 - h);
}

/* Ten arguments: a polynomial in the argument order. */
u64 args10(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7,
	   u64 a8, u64 a9)
{
	u64 h = a0;

	h = h * 31 + a1;
	h = h * 31 + a2;
	h = h * 31 + a3;
	h = h * 31 + a4;
	h = h * 31 + a5;
	h = h * 31 + a6;
	h = h * 31 + a7;
	h = h * 31 + a8;
	h = h * 31 + a9;
	return h;
}

static noinline u64 args10_inner(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4,
				 u64 a5, u64 a6, u64 a7, u64 a8, u64 a9)
{
	return (a0 ^ a9) + (a1 ^ a8) * 3 + (a2 ^ a7) * 5 + (a3 ^ a6) * 7 +
	       (a4 ^ a5) * 9;
}

/* Forwards its arguments, reversed, to a 10-argument helper. */
u64 args10_forward(u64 a, u64 b, u64 c, u64 d, u64 e, u64 f, u64 g)
{
	return args10_inner(g, f, e, d, c, b, a, a + b, c + d, e + f);
}

#define TCP_MAX_WSCALE 14
#define U16_MAX 0xffffU

struct tcp_window {
	u32 rcv_wnd;
	u32 window_clamp;
	u8 rcv_wscale;
};

/* Written by tcp_select_initial_window(), completely, on every call. */
static struct tcp_window tcp_out;

/*
 * Shaped like the kernel's tcp_select_initial_window(): eight arguments,
 * the last two on the stack on x86_64. The results go to tcp_out (as the
 * kernel writes through its pointer arguments) and are also returned as
 * rcv_wnd | rcv_wscale << 32 | (window_clamp >> 14) << 40.
 */
u64 tcp_select_initial_window(u64 sk, u64 space, u64 mss, u64 rmem_max,
			      u64 window_clamp, u64 wscale_ok,
			      u64 no_window_clamp, u64 init_rcv_wnd)
{
	u32 clamp = (u32)window_clamp;
	u32 sp = (u32)space;
	u32 m = (u32)mss;
	u32 wnd;
	u8 wscale = 0;

	(void)sk;
	if (clamp == 0 || no_window_clamp)
		clamp = (U16_MAX << TCP_MAX_WSCALE);
	sp = min(clamp, sp);
	if (m && sp > m)
		sp = (sp / m) * m;
	wnd = min(sp, (u32)S32_MAX);
	if (wscale_ok) {
		u32 s = max((u32)rmem_max, sp);

		while (s > U16_MAX && wscale < TCP_MAX_WSCALE) {
			s >>= 1;
			wscale++;
		}
	} else {
		wnd = min(wnd, (u32)U16_MAX);
	}
	if (init_rcv_wnd && m)
		wnd = min(wnd, (u32)init_rcv_wnd * m);
	clamp = min((u32)U16_MAX << wscale, clamp);

	tcp_out.rcv_wnd = wnd;
	tcp_out.window_clamp = clamp;
	tcp_out.rcv_wscale = wscale;
	return (u64)READ_ONCE(tcp_out.rcv_wnd) |
	       ((u64)READ_ONCE(tcp_out.rcv_wscale) << 32) |
	       ((u64)(READ_ONCE(tcp_out.window_clamp) >> 14) << 40);
}
