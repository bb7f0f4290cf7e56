/*
 * test_radix.c: radix_sort, the sort under zonegen's canonical order: the
 * same order as a comparison sort on (key, then the original position)
 * for random keys, keys that share octets (skipped passes), many equal
 * keys (stability), and the trivial sizes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zonegen/radix.h"
#include "t.h"

static int
cmp(const void *va, const void *vb)
{
	const struct radix_item *a = va, *b = vb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint64_t rs = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* check: sort N items made by MAKE with both sorts; 1 when they agree. */
static int
check(size_t n, uint64_t mask, uint64_t fixed)
{
	struct radix_item *a, *b;
	size_t i;
	int ok;

	a = calloc(n + 1, sizeof(*a));
	b = calloc(n + 1, sizeof(*b));
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return 0;
	}
	for (i = 0; i < n; i++) {
		a[i].key = (rnd() & mask) | fixed;
		a[i].idx = i;
	}
	memcpy(b, a, n * sizeof(*a));
	qsort(b, n, sizeof(*b), cmp);
	ok = radix_sort(a, NULL, n) == 0 &&
	    memcmp(a, b, n * sizeof(*a)) == 0;
	for (i = 0; i < n; i++) {
		a[i].key = (rnd() & mask) | fixed;
		a[i].idx = i;
	}
	memcpy(b, a, n * sizeof(*a));
	qsort(b, n, sizeof(*b), cmp);
	/* with the caller's room: B's copy sorted into A's order */
	{
		struct radix_item *room = calloc(n + 1, sizeof(*room));

		ok = ok && room != NULL && radix_sort(a, room, n) == 0 &&
		    memcmp(a, b, n * sizeof(*a)) == 0;
		free(room);
	}
	free(a);
	free(b);
	return ok;
}

int
main(void)
{
	T_OK(check(0, ~0ULL, 0), "no items");
	T_OK(check(1, ~0ULL, 0), "one item");
	T_OK(check(2, ~0ULL, 0), "two items");
	T_OK(check(100000, ~0ULL, 0), "100000 random 64-bit keys");
	T_OK(check(50000, 0xff00ff0000ff00ffULL, 0x0011000000110000ULL),
	    "keys sharing four octets: those passes skipped, same order");
	T_OK(check(50000, 0x7, 0), "eight distinct keys, 50000 items: "
	    "stable (equal keys keep their order)");
	T_OK(check(1000, 0, 0xdeadbeefULL), "all keys equal: order kept");
	T_OK(check(70000, 0xffffffffffffff00ULL, 0),
	    "low octet always zero");
	return t_done();
}
