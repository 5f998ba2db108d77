/*
 * kernel.h - the only header the fixture corpus uses.
 *
 * The corpus is freestanding (no libc, no system headers) so that every
 * object file can be loaded by the simulator on its own. Types and helper
 * macros are spelled the way the kernel spells them.
 */
#ifndef CORPUS_KERNEL_H
#define CORPUS_KERNEL_H

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef int s32;
typedef unsigned short u16;
typedef short s16;
typedef unsigned char u8;
typedef signed char s8;
typedef _Bool bool;

#define true 1
#define false 0
#define NULL ((void *)0)

#define noinline __attribute__((__noinline__))
#define __always_inline inline __attribute__((__always_inline__))
#define __packed __attribute__((__packed__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define offsetof(type, member) __builtin_offsetof(type, member)
#define container_of(ptr, type, member) \
	((type *)((u8 *)(ptr) - offsetof(type, member)))

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

#define U64_MAX (~0UL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define S64_MIN (-S64_MAX - 1)
#define S32_MAX 0x7fffffff
#define S32_MIN (-S32_MAX - 1)

#define EINVAL 22
#define EAFNOSUPPORT 97
#define EADDRINUSE 98

/* READ_ONCE: keep the compiler from folding loads the tests want to see. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

#endif /* CORPUS_KERNEL_H */
