// SPDX-License-Identifier: GPL-2.0
/*
 * kpsim_sleeper.c - kpsim_sleep(), a function that blocks, for kretprobes whose instances run out: several tasks calling it at
 * once through the debugfs trigger (kpsim_trigger.c) are all inside it together.
 */
#include <linux/delay.h>

noinline unsigned long kpsim_sleep(unsigned long ms)
{
	msleep(ms);
	return ms;
}
