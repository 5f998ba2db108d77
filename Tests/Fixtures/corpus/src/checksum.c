// SPDX-License-Identifier: GPL-2.0
/*
 * checksum.c - CRC32 (bitwise and nibble-table), the Internet checksum,
 * Adler-32, string length/compare over .rodata strings, and the CRC
 * throughput benchmark.
 */
#include "kernel.h"

static const u8 crc_data[64] = {
	0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x00, 0xff, 0x80,
	0x7f, 0x01, 0xfe, 0x55, 0xaa, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,
	0xf0, 0x0f, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a,
	0x4b, 0x3c, 0x2d, 0x1e, 0x0f, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x10, 0x20, 0x30,
	0x40, 0x50, 0x60, 0x70,
};

#define CRC32_POLY_LE 0xedb88320U

static noinline u32 crc32_le_bits(u32 crc, const u8 *p, u64 len)
{
	u64 i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32_POLY_LE & -(crc & 1));
	}
	return crc;
}

/*
 * CRC32 (the zlib/Ethernet one) of the first len (<= 64) bytes of
 * crc_data; the first 9 bytes are "123456789", whose CRC is 0xcbf43926.
 */
u64 crc32_bits(u64 len)
{
	if (len > sizeof(crc_data))
		len = sizeof(crc_data);
	return crc32_le_bits(0xffffffffU, crc_data, len) ^ 0xffffffffU;
}

/* Entry i is i run through four rounds of the bitwise CRC (reflected poly). */
static const u32 crc32_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

/* The same CRC32 with a nibble table: must equal crc32_bits(len). */
u64 crc32_table(u64 len)
{
	u32 crc = 0xffffffffU;
	u64 i;

	if (len > sizeof(crc_data))
		len = sizeof(crc_data);
	for (i = 0; i < len; i++) {
		crc ^= crc_data[i];
		crc = (crc >> 4) ^ crc32_nibble[crc & 15];
		crc = (crc >> 4) ^ crc32_nibble[crc & 15];
	}
	return crc ^ 0xffffffffU;
}

/* Internet checksum (RFC 1071) of len (<= 64, even) bytes, folded. */
u64 ip_csum(u64 len, u64 seed)
{
	u64 sum = seed & 0xffff;
	u64 i;

	len &= ~1UL;
	if (len > sizeof(crc_data))
		len = sizeof(crc_data);
	for (i = 0; i < len; i += 2)
		sum += (u64)crc_data[i] << 8 | crc_data[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Adler-32 of the first len (<= 64) bytes. */
u64 adler32(u64 len)
{
	u32 a = 1, b = 0;
	u64 i;

	if (len > sizeof(crc_data))
		len = sizeof(crc_data);
	for (i = 0; i < len; i++) {
		a = (a + crc_data[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (u64)b << 16 | a;
}

/* .rodata strings reached through a table of pointers (relocations). */
static const u8 *const strings[] = {
	(const u8 *)"",
	(const u8 *)"kprobe",
	(const u8 *)"kretprobe",
	(const u8 *)"do_sys_openat2",
	(const u8 *)"kprobes",
	(const u8 *)"\x80\xff high bytes",
};

static noinline u64 str_len(const u8 *s)
{
	const u8 *p = s;

	while (*p)
		p++;
	return (u64)(p - s);
}

/* strlen() of strings[idx]; U64_MAX for a bad index. */
u64 string_length(u64 idx)
{
	if (idx >= ARRAY_SIZE(strings))
		return U64_MAX;
	return str_len(strings[idx]);
}

/* strcmp() of two table strings as unsigned bytes: -1, 0 or 1. */
s64 string_compare(u64 i, u64 j)
{
	const u8 *a, *b;

	if (i >= ARRAY_SIZE(strings) || j >= ARRAY_SIZE(strings))
		return -EINVAL;
	a = strings[i];
	b = strings[j];
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (*a > *b) - (*a < *b);
}

/* FNV-1a hash of a table string. */
u64 string_hash(u64 idx)
{
	const u8 *s;
	u64 h = 0xcbf29ce484222325UL;

	if (idx >= ARRAY_SIZE(strings))
		return U64_MAX;
	for (s = strings[idx]; *s; s++)
		h = (h ^ *s) * 0x100000001b3UL;
	return h;
}

/* Benchmark: bitwise CRC32 over n bytes, cycling through crc_data. */
u64 bench_crc(u64 n)
{
	u32 crc = 0xffffffffU;
	u64 i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= crc_data[i & 63];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32_POLY_LE & -(crc & 1));
	}
	return crc ^ 0xffffffffU;
}
