// SPDX-License-Identifier: GPL-2.0
/*
 * lists.c - list_head and hlist structures statically initialised in .data
 * (every link is a pointer relocation), an inet_bind()-like function that
 * takes a pointer to a sockaddr_in in .data, and the list-walk benchmark.
 */
#include "kernel.h"

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct item {
	u64 key;
	u64 val;
	struct list_head node;
};

static struct list_head item_list;

/* A circular doubly linked list of six items, wired up at link time. */
static struct item items[6] = {
	{ 3, 300, { &items[1].node, &item_list } },
	{ 1, 100, { &items[2].node, &items[0].node } },
	{ 4, 400, { &items[3].node, &items[1].node } },
	{ 1, 150, { &items[4].node, &items[2].node } },
	{ 5, 500, { &items[5].node, &items[3].node } },
	{ 9, 900, { &item_list, &items[4].node } },
};

static struct list_head item_list = { &items[0].node, &items[5].node };

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

/* Sum of every item's value, walking next pointers. */
u64 list_sum_vals(void)
{
	struct list_head *pos;
	u64 sum = 0;

	list_for_each(pos, &item_list)
		sum += container_of(pos, struct item, node)->val;
	return sum;
}

/* Value of the first item with this key, or U64_MAX. */
u64 list_find(u64 key)
{
	struct list_head *pos;

	list_for_each(pos, &item_list) {
		struct item *it = container_of(pos, struct item, node);

		if (it->key == key)
			return it->val;
	}
	return U64_MAX;
}

/* Order-sensitive hash of the keys walking prev pointers (tail to head). */
u64 list_hash_reverse(void)
{
	struct list_head *pos;
	u64 h = 0;

	for (pos = item_list.prev; pos != &item_list; pos = pos->prev)
		h = h * 31 + container_of(pos, struct item, node)->key;
	return h;
}

static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	struct list_head *prev = head->prev;

	new->next = head;
	new->prev = prev;
	prev->next = new;
	head->prev = new;
}

static struct item pool[32];
static struct list_head pool_list;

/*
 * Builds a list of n (<= 32) items in .bss with list_add_tail, then walks
 * it. The pool is rebuilt from scratch on every call.
 */
u64 list_build_sum(u64 n)
{
	struct list_head *pos;
	u64 i, sum = 0;

	if (n > ARRAY_SIZE(pool))
		n = ARRAY_SIZE(pool);
	pool_list.next = &pool_list;
	pool_list.prev = &pool_list;
	for (i = 0; i < n; i++) {
		pool[i].key = i;
		pool[i].val = i * i + 1;
		list_add_tail(&pool[i].node, &pool_list);
	}
	i = 0;
	list_for_each(pos, &pool_list)
		sum += container_of(pos, struct item, node)->val * ++i;
	return sum;
}

/* Benchmark: walk the static list n times. */
u64 bench_list(u64 n)
{
	struct list_head *pos;
	u64 acc = 0;
	u64 i;

	for (i = 0; i < n; i++) {
		list_for_each(pos, &item_list)
			acc += container_of(pos, struct item, node)->key ^ i;
	}
	return acc;
}

struct hentry {
	u64 key;
	u64 val;
	struct hlist_node hnode;
};

#define HASH_BITS 4
#define HASH_SIZE (1 << HASH_BITS)

static struct hentry hents[10];

/* Buckets are key & 15; chains are linked in the order below. */
static struct hlist_head htable[HASH_SIZE] = {
	[0] = { &hents[6].hnode },
	[1] = { &hents[0].hnode },
	[4] = { &hents[7].hnode },
	[5] = { &hents[3].hnode },
	[15] = { &hents[5].hnode },
};

static struct hentry hents[10] = {
	/* bucket 1: 1 -> 17 -> 33 -> 49 */
	{ 1, 1001, { &hents[1].hnode, &htable[1].first } },
	{ 17, 1017, { &hents[2].hnode, &hents[0].hnode.next } },
	{ 33, 1033, { &hents[9].hnode, &hents[1].hnode.next } },
	/* bucket 5: 5 -> 21 */
	{ 5, 1005, { &hents[4].hnode, &htable[5].first } },
	{ 21, 1021, { NULL, &hents[3].hnode.next } },
	/* bucket 15: 15 */
	{ 15, 1015, { NULL, &htable[15].first } },
	/* bucket 0: 0 */
	{ 0, 1000, { NULL, &htable[0].first } },
	/* bucket 4: 100 -> 36 */
	{ 100, 1100, { &hents[8].hnode, &htable[4].first } },
	{ 36, 1036, { NULL, &hents[7].hnode.next } },
	{ 49, 1049, { NULL, &hents[2].hnode.next } },
};

/* Length of one hash chain (bucket taken mod 16). */
u64 hlist_count_chain(u64 bucket)
{
	struct hlist_node *n;
	u64 count = 0;

	for (n = htable[bucket & (HASH_SIZE - 1)].first; n; n = n->next)
		count++;
	return count;
}

/* Value stored under key, or 0 when absent. */
u64 hlist_lookup(u64 key)
{
	struct hlist_node *n;

	for (n = htable[key & (HASH_SIZE - 1)].first; n; n = n->next) {
		struct hentry *e = container_of(n, struct hentry, hnode);

		if (e->key == key)
			return e->val;
	}
	return 0;
}

/*
 * Walks every chain and checks each node's pprev back-link; returns the
 * number of nodes, or U64_MAX if a back-link is wrong.
 */
u64 hlist_check_all(void)
{
	u64 b, total = 0;

	for (b = 0; b < HASH_SIZE; b++) {
		struct hlist_node **link = &htable[b].first;
		struct hlist_node *n;

		for (n = htable[b].first; n; n = n->next) {
			if (n->pprev != link)
				return U64_MAX;
			link = &n->next;
			total++;
		}
	}
	return total;
}

#define AF_INET 2
#define AF_INET6 10
#define EACCES 13

struct sockaddr_in {
	u16 sin_family;
	u16 sin_port;		/* network byte order */
	u32 sin_addr;		/* network byte order */
	u8 sin_zero[8];
};

struct sock {
	u16 sk_num;
	u32 sk_rcv_saddr;
	bool cap_net_bind_service;
};

#define htons(x) __builtin_bswap16(x)
#define ntohs(x) __builtin_bswap16(x)
#define htonl(x) __builtin_bswap32(x)

static struct sockaddr_in bind_addrs[4] = {
	{ AF_INET, htons(80), htonl(0x7f000001), { 0 } },
	{ AF_INET, htons(8080), htonl(0x0a000001), { 0 } },
	{ AF_INET6, htons(443), 0, { 0 } },
	{ AF_INET, htons(0), 0, { 0 } },
};

static struct sock bind_sock;

/*
 * Like the kernel's inet_bind(): validates the address and binds the socket
 * to its port. Global and out of line so it can be probed; the tests reach it
 * through inet_bind_test(), whose arguments are plain integers.
 */
noinline long inet_bind(struct sock *sk, const struct sockaddr_in *addr,
			int addr_len)
{
	u16 port;

	if (addr_len < (int)sizeof(*addr))
		return -EINVAL;
	if (addr->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	port = ntohs(addr->sin_port);
	if (port && port < 1024 && !sk->cap_net_bind_service)
		return -EACCES;
	sk->sk_num = port;
	sk->sk_rcv_saddr = addr->sin_addr;
	return port;
}

/* Binds the .bss socket to bind_addrs[idx & 3]; returns inet_bind()'s result. */
long inet_bind_test(u64 idx, long addr_len, u64 cap)
{
	bind_sock.sk_num = 0;
	bind_sock.sk_rcv_saddr = 0;
	bind_sock.cap_net_bind_service = cap != 0;
	return inet_bind(&bind_sock, &bind_addrs[idx & 3], (int)addr_len);
}
