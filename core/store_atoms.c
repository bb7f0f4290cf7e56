/*
 * store_atoms.c: the interned strings of the rules in memory
 * (store_index.c): one copy of each recipient and sender string, named by
 * a u32 id and freed when its last reference goes, found through an
 * open-addressing hash of ids (linear probing, no tombstones: a removal
 * moves the rest of its run back).  An atom is 12 octets (its string's
 * pointer, its count) in chunks of STORE_ATOMS_CHUNK, so a growing table
 * never copies them.  Also the two hash helpers the index's own tables
 * use.  Pure: no I/O.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct store_atom {
	char		*s;
	uint32_t	 ref;	/* references; of a free atom: the next free */
} __attribute__((packed, aligned(4)));

/* A slot: the id, and in the top bits 4 bits of the hash. */
#define TAG(h)		((uint32_t)((h) >> 60) << STORE_ATOMS_TAGSHIFT)

#define AT(a, id)	(&(a)->chunk[(id) / STORE_ATOMS_CHUNK] \
			    [(id) % STORE_ATOMS_CHUNK])

uint64_t
store_atoms_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* hash: FNV-1a over S, then mixed. */
static uint64_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return store_atoms_mix(h);
}

void
store_atoms_unslot(uint32_t *slot, size_t mask, size_t i,
    uint64_t (*home)(const void *arg, uint32_t v), const void *arg)
{
	size_t j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (slot[j] == 0)
			break;
		k = home(arg, slot[j]) & mask;
		/* the entry at J may move to I unless K lies in (I, J] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			slot[i] = slot[j];
			i = j;
		}
	}
	slot[i] = 0;
}

int
store_atoms_init(struct store_atoms *a)
{
	memset(a, 0, sizeof(*a));
	a->next = 1;
	a->mask = 15;
	if ((a->slot = calloc(a->mask + 1, sizeof(*a->slot))) == NULL)
		return -1;
	return 0;
}

void
store_atoms_fini(struct store_atoms *a)
{
	uint32_t i;

	for (i = 1; i < a->next; i++)
		free(AT(a, i)->s);	/* NULL when freed already */
	for (i = 0; i < a->nchunks; i++)
		free(a->chunk[i]);
	free(a->chunk);
	free(a->slot);
	memset(a, 0, sizeof(*a));
}

const char *
store_atoms_str(const struct store_atoms *a, uint32_t id)
{
	return AT(a, id)->s;
}

void
store_atoms_ref(struct store_atoms *a, uint32_t id)
{
	AT(a, id)->ref++;
}

uint32_t
store_atoms_find(const struct store_atoms *a, const char *s)
{
	uint64_t h = hash(s);
	size_t i = h & a->mask;
	uint32_t v, id;

	while ((v = a->slot[i]) != 0) {
		id = v & STORE_ATOMS_IDMASK;
		if ((v ^ TAG(h)) <= STORE_ATOMS_IDMASK &&
		    strcmp(AT(a, id)->s, s) == 0)
			return id;
		i = (i + 1) & a->mask;
	}
	return 0;
}

static void
put(uint32_t *slot, size_t mask, uint32_t id, const char *s)
{
	uint64_t h = hash(s);
	size_t i = h & mask;

	while (slot[i] != 0)
		i = (i + 1) & mask;
	slot[i] = id | TAG(h);
}

/* grow: room for atoms up to id NEED - 1; 0 or -1 (A as it was). */
static int
grow(struct store_atoms *a, size_t need)
{
	struct store_atom **nc;

	while ((size_t)a->nchunks * STORE_ATOMS_CHUNK < need) {
		if (a->nchunks >= UINT32_MAX / STORE_ATOMS_CHUNK ||
		    (nc = realloc(a->chunk, (a->nchunks + 1) *
		    sizeof(*nc))) == NULL)
			return -1;
		a->chunk = nc;
		if ((nc[a->nchunks] = calloc(STORE_ATOMS_CHUNK,
		    sizeof(**nc))) == NULL)
			return -1;
		a->nchunks++;
	}
	return 0;
}

int
store_atoms_reserve(struct store_atoms *a, uint32_t more)
{
	size_t i, nmask;
	uint32_t *ns;

	if (a->next > STORE_ATOMS_IDMASK - more - 1 ||
	    grow(a, (size_t)a->next + more) == -1)
		return -1;
	if (((size_t)a->live + more) * 4 <= (a->mask + 1) * 3)
		return 0;
	nmask = a->mask * 2 + 1;
	if (nmask >= SIZE_MAX / sizeof(*ns) ||
	    (ns = calloc(nmask + 1, sizeof(*ns))) == NULL)
		return -1;
	for (i = 1; i < a->next; i++)		/* in memory's order */
		if (AT(a, i)->s != NULL)
			put(ns, nmask, (uint32_t)i, AT(a, i)->s);
	free(a->slot);
	a->slot = ns;
	a->mask = nmask;
	return 0;
}

uint32_t
store_atoms_add(struct store_atoms *a, char *s)
{
	uint32_t id;

	if (a->free != 0) {
		id = a->free;
		a->free = AT(a, id)->ref;
	} else
		id = a->next++;
	AT(a, id)->s = s;
	AT(a, id)->ref = 0;
	a->live++;
	a->bytes += strlen(s) + 1;
	put(a->slot, a->mask, id, s);
	return id;
}

static uint64_t
home(const void *arg, uint32_t v)
{
	const struct store_atoms *a = arg;

	return hash(AT(a, v & STORE_ATOMS_IDMASK)->s);
}

void
store_atoms_unref(struct store_atoms *a, uint32_t id)
{
	size_t i;

	if (id == 0 || --AT(a, id)->ref > 0)
		return;
	i = hash(AT(a, id)->s) & a->mask;
	while ((a->slot[i] & STORE_ATOMS_IDMASK) != id)
		i = (i + 1) & a->mask;
	store_atoms_unslot(a->slot, a->mask, i, home, a);
	a->bytes -= strlen(AT(a, id)->s) + 1;
	free(AT(a, id)->s);
	AT(a, id)->s = NULL;
	AT(a, id)->ref = a->free;
	a->free = id;
	a->live--;
}

size_t
store_atoms_mem(const struct store_atoms *a)
{
	return (size_t)a->nchunks * (STORE_ATOMS_CHUNK *
	    sizeof(struct store_atom) + sizeof(*a->chunk)) +
	    (a->mask + 1) * sizeof(*a->slot);
}
