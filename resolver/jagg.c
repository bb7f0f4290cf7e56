/*
 * jagg.c: the decision journal's in-memory aggregate (jagg.h): an open
 * addressing hash table over an array of rows, both allocated by
 * jagg_new.  A key is looked up by its hash (FNV-1a over the strings and
 * the enum values) and compared in full; a new key copies its strings
 * into the next free row.  Clearing forgets the used slots only.
 */
#include <stdlib.h>
#include <string.h>

#include "jagg.h"

#define DAY	86400

struct jagg {
	size_t			 cap;		/* rows */
	size_t			 nslots;	/* a power of 2, >= 2 cap */
	uint16_t		*slots;		/* 0 free, else row + 1 */
	uint32_t		*hashes;	/* of each row */
	struct store_jrow	*rows;
	size_t			 n;
	uint64_t		 dropped;
};

struct jagg *
jagg_new(size_t cap)
{
	struct jagg *a;

	if (cap == 0 || cap > 65535 || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->cap = cap;
	for (a->nslots = 16; a->nslots < 2 * cap; a->nslots *= 2)
		;
	if ((a->slots = calloc(a->nslots, sizeof(*a->slots))) == NULL ||
	    (a->hashes = calloc(cap, sizeof(*a->hashes))) == NULL ||
	    (a->rows = calloc(cap, sizeof(*a->rows))) == NULL) {
		jagg_free(a);
		return NULL;
	}
	return a;
}

void
jagg_free(struct jagg *a)
{
	if (a == NULL)
		return;
	free(a->slots);
	free(a->hashes);
	free(a->rows);
	free(a);
}

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

/* hash: K's key on day DAYNO; *RL and *SL get the strings' lengths. */
static uint32_t
hash(const struct jagg_key *k, int64_t dayno, size_t *rl, size_t *sl)
{
	unsigned char e[6];
	uint32_t h = 2166136261u;

	*rl = strlen(k->recipient);
	*sl = strlen(k->sender);
	e[0] = (unsigned char)k->dir;
	e[1] = (unsigned char)k->sig;
	e[2] = (unsigned char)k->verdict;
	e[3] = (unsigned char)k->reason;
	e[4] = (unsigned char)k->tag;
	e[5] = k->pin != NULL;
	h = fnv(h, k->recipient, *rl + 1);
	h = fnv(h, k->sender, *sl + 1);
	h = fnv(h, e, sizeof(e));
	h = fnv(h, &dayno, sizeof(dayno));
	if (k->pin != NULL)
		h = fnv(h, k->pin, STORE_FP_LEN);
	return h;
}

/* same: whether row R is K's on day DAYNO. */
static int
same(const struct store_jrow *r, const struct jagg_key *k, int64_t dayno)
{
	return r->dir == k->dir && r->sig == k->sig &&
	    r->verdict == k->verdict && r->reason == k->reason &&
	    r->tag == k->tag && r->last / DAY == dayno &&
	    r->has_pin == (k->pin != NULL) &&
	    (k->pin == NULL || memcmp(r->pin, k->pin, STORE_FP_LEN) == 0) &&
	    strcmp(r->recipient, k->recipient) == 0 &&
	    strcmp(r->sender, k->sender) == 0;
}

int
jagg_add(struct jagg *a, const struct jagg_key *k, int64_t now)
{
	struct store_jrow *r;
	int64_t dayno = now / DAY;
	size_t rl, sl, i;
	uint32_t h;

	h = hash(k, dayno, &rl, &sl);
	for (i = h & (a->nslots - 1); a->slots[i] != 0;
	    i = (i + 1) & (a->nslots - 1)) {
		r = &a->rows[a->slots[i] - 1];
		if (a->hashes[a->slots[i] - 1] == h && same(r, k, dayno)) {
			r->count++;
			if (now < r->first)
				r->first = now;
			if (now > r->last)
				r->last = now;
			return 1;
		}
	}
	if (a->n == a->cap || rl >= sizeof(r->recipient) ||
	    sl >= sizeof(r->sender)) {
		a->dropped++;
		return -1;
	}
	r = &a->rows[a->n];
	r->dir = k->dir;
	memcpy(r->recipient, k->recipient, rl + 1);
	memcpy(r->sender, k->sender, sl + 1);
	r->sig = k->sig;
	r->verdict = k->verdict;
	r->reason = k->reason;
	r->tag = k->tag;
	if ((r->has_pin = k->pin != NULL))
		memcpy(r->pin, k->pin, STORE_FP_LEN);
	r->count = 1;
	r->first = r->last = now;
	a->hashes[a->n] = h;
	a->slots[i] = (uint16_t)(++a->n);
	return 0;
}

const struct store_jrow *
jagg_rows(const struct jagg *a, size_t *n)
{
	*n = a->n;
	return a->rows;
}

uint64_t
jagg_take_dropped(struct jagg *a)
{
	uint64_t n = a->dropped;

	a->dropped = 0;
	return n;
}

void
jagg_clear(struct jagg *a)
{
	size_t i;

	/* A slot is used only by the rows there are: forget those. */
	for (i = 0; i < a->nslots && a->n > 0; i++)
		if (a->slots[i] != 0) {
			a->slots[i] = 0;
			a->n--;
		}
	a->n = 0;
}
