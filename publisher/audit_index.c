/*
 * audit_index.c: an open-addressing hash table (linear probing, FNV-1a
 * over the owner name, at most half full) of senders by owner name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_index.h"

struct audit_index {
	struct audit_sender	**slot;
	size_t			  cap;	/* a power of two, or 0 */
	size_t			  n;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct audit_index *
audit_index_new(void)
{
	return calloc(1, sizeof(struct audit_index));
}

void
audit_index_free(struct audit_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slot);
	free(ix);
}

/* lookup: the slot holding OWNER, or the empty slot where it would go. */
static size_t
lookup(const struct audit_index *ix, const char *owner)
{
	size_t mask = ix->cap - 1, i = (size_t)fnv1a(owner) & mask;

	while (ix->slot[i] != NULL && strcmp(ix->slot[i]->owner, owner) != 0)
		i = (i + 1) & mask;
	return i;
}

struct audit_sender *
audit_index_find(const struct audit_index *ix, const char *owner)
{
	if (ix->cap == 0)
		return NULL;
	return ix->slot[lookup(ix, owner)];
}

static int
grow(struct audit_index *ix)
{
	struct audit_index nx;
	size_t i;

	nx.cap = ix->cap == 0 ? 64 : ix->cap * 2;
	nx.n = ix->n;
	if (nx.cap < ix->cap ||
	    (nx.slot = calloc(nx.cap, sizeof(*nx.slot))) == NULL)
		return -1;
	for (i = 0; i < ix->cap; i++)
		if (ix->slot[i] != NULL)
			nx.slot[lookup(&nx, ix->slot[i]->owner)] = ix->slot[i];
	free(ix->slot);
	*ix = nx;
	return 0;
}

int
audit_index_add(struct audit_index *ix, struct audit_sender *s)
{
	size_t i;

	if ((ix->n + 1) * 2 > ix->cap && grow(ix) == -1)
		return -1;
	i = lookup(ix, s->owner);
	if (ix->slot[i] == NULL)
		ix->n++;
	ix->slot[i] = s;
	return 0;
}

size_t
audit_index_count(const struct audit_index *ix)
{
	return ix->n;
}
