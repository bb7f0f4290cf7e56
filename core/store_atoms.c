/*
 * store_atoms.c: the interned strings of the rules in memory
 * (store_index.c): one copy of each recipient and sender string, named by
 * a u32 id and freed when its last reference goes, found through an
 * open-addressing hash of ids (linear probing, no tombstones: a removal
 * moves the rest of its run back).  An atom is 12 octets (its string's
 * pointer, its count) in chunks of STORE_ATOMS_CHUNK, so a growing table
 * never copies them.  Also the hash of slots both this and the index's
 * pairs use, which grows by degrees (a few slots moved a change, never
 * the whole table at once), and a hash finaliser.  Pure: no I/O.
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

/* ---- the hash of slots ---- */

/* unslot: slot I of SLOT (MASK + 1) emptied; the rest of its run back. */
static void
unslot(const struct store_slots *t, uint32_t *slot, size_t mask, size_t i)
{
	size_t j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (slot[j] == 0)
			break;
		k = t->home(t->arg, slot[j] & STORE_ATOMS_IDMASK) & mask;
		/* the entry at J may move to I unless K lies in (I, J] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			slot[i] = slot[j];
			i = j;
		}
	}
	slot[i] = 0;
}

static void
put_slot(uint32_t *slot, size_t mask, uint32_t v, uint64_t h)
{
	size_t i = h & mask;

	while (slot[i] != 0)
		i = (i + 1) & mask;
	slot[i] = v;
}

int
store_atoms_slots_init(struct store_slots *t, size_t mask,
    uint64_t (*home)(const void *arg, uint32_t id), const void *arg)
{
	memset(t, 0, sizeof(*t));
	t->mask = mask;
	t->home = home;
	t->arg = arg;
	return (t->slot = calloc(mask + 1, sizeof(*t->slot))) == NULL ? -1 : 0;
}

void
store_atoms_slots_fini(struct store_slots *t)
{
	free(t->slot);
	free(t->old);
	t->slot = t->old = NULL;
}

/*
 * The old slots are moved from the end of a run down: the first one
 * visited is the slot before an empty one, each next the one before the
 * last visited, which is empty by then.  So a moved entry is always the
 * last of its run, and emptying its slot moves nothing else; a removal
 * in the old slots moves entries back only within the runs not yet
 * visited, and new entries go to the new slots only: every old slot
 * visited stays empty, and one pass over the old slots moves them all.
 */
void
store_atoms_slots_step(struct store_slots *t, size_t bound)
{
	uint32_t v;

	for (; t->old != NULL && bound > 0; bound--) {
		if ((v = t->old[t->cur]) != 0) {
			put_slot(t->slot, t->mask, v, t->home(t->arg,
			    v & STORE_ATOMS_IDMASK));
			t->old[t->cur] = 0;
			t->olive--;
			t->live++;
			t->moved++;
		}
		t->cur = (t->cur - 1) & t->omask;
		if (t->olive == 0) {
			free(t->old);
			t->old = NULL;
			t->omask = 0;
		}
	}
}

int
store_atoms_slots_reserve(struct store_slots *t, size_t more)
{
	size_t nmask = t->mask * 2 + 1, i;
	uint32_t *ns;

	if ((t->live + t->olive + more) * 4 <= (t->mask + 1) * 3)
		return 0;
	if (nmask >= SIZE_MAX / sizeof(*ns) ||
	    (ns = calloc(nmask + 1, sizeof(*ns))) == NULL)
		return -1;
	store_atoms_slots_step(t, SIZE_MAX);	/* one still going ends */
	for (i = 0; t->slot[i] != 0; i++)	/* never full */
		;
	t->old = t->slot;
	t->omask = t->mask;
	t->olive = t->live;
	t->cur = (i - 1) & t->omask;
	t->slot = ns;
	t->mask = nmask;
	t->live = 0;
	if (t->olive == 0) {
		free(t->old);
		t->old = NULL;
		t->omask = 0;
	}
	return 0;
}

void
store_atoms_slots_put(struct store_slots *t, uint32_t id, uint64_t h)
{
	put_slot(t->slot, t->mask, id | TAG(h), h);
	t->live++;
}

size_t
store_atoms_slots_find(const struct store_slots *t, uint64_t h,
    int (*is)(const void *arg, uint32_t id), const void *arg)
{
	size_t i;
	uint32_t v;

	for (i = h & t->mask; (v = t->slot[i]) != 0; i = (i + 1) & t->mask)
		if ((v ^ TAG(h)) <= STORE_ATOMS_IDMASK &&
		    is(arg, v & STORE_ATOMS_IDMASK))
			return i;
	if (t->old == NULL)
		return SIZE_MAX;
	for (i = h & t->omask; (v = t->old[i]) != 0; i = (i + 1) & t->omask)
		if ((v ^ TAG(h)) <= STORE_ATOMS_IDMASK &&
		    is(arg, v & STORE_ATOMS_IDMASK))
			return t->mask + 1 + i;
	return SIZE_MAX;
}

static uint32_t *
at(const struct store_slots *t, size_t pos)
{
	return pos <= t->mask ? &t->slot[pos] : &t->old[pos - t->mask - 1];
}

uint32_t
store_atoms_slots_id(const struct store_slots *t, size_t pos)
{
	return *at(t, pos) & STORE_ATOMS_IDMASK;
}

void
store_atoms_slots_reid(struct store_slots *t, size_t pos, uint32_t id)
{
	uint32_t *v = at(t, pos);

	*v = id | (*v & ~STORE_ATOMS_IDMASK);
}

void
store_atoms_slots_del(struct store_slots *t, size_t pos)
{
	if (pos <= t->mask) {
		unslot(t, t->slot, t->mask, pos);
		t->live--;
		return;
	}
	unslot(t, t->old, t->omask, pos - t->mask - 1);
	if (--t->olive == 0) {
		free(t->old);
		t->old = NULL;
		t->omask = 0;
	}
}

size_t
store_atoms_slots_mem(const struct store_slots *t)
{
	return (t->mask + 1 + (t->old != NULL ? t->omask + 1 : 0)) *
	    sizeof(*t->slot);
}

/* ---- the atoms ---- */

static uint64_t
home(const void *arg, uint32_t id)
{
	const struct store_atoms *a = arg;

	return hash(AT(a, id)->s);
}

int
store_atoms_init(struct store_atoms *a)
{
	memset(a, 0, sizeof(*a));
	a->next = 1;
	return store_atoms_slots_init(&a->h, 15, home, a);
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
	store_atoms_slots_fini(&a->h);
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

/* A string sought, and the atoms it is sought in. */
struct want {
	const struct store_atoms *a;
	const char	*s;
	uint32_t	 id;
};

static int
is_str(const void *arg, uint32_t id)
{
	const struct want *w = arg;

	return strcmp(AT(w->a, id)->s, w->s) == 0;
}

static int
is_id(const void *arg, uint32_t id)
{
	const struct want *w = arg;

	return id == w->id;
}

uint32_t
store_atoms_find(const struct store_atoms *a, const char *s)
{
	struct want w = { a, s, 0 };
	size_t pos = store_atoms_slots_find(&a->h, hash(s), is_str, &w);

	return pos == SIZE_MAX ? 0 : store_atoms_slots_id(&a->h, pos);
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
	if (a->next > STORE_ATOMS_IDMASK - more - 1 ||
	    grow(a, (size_t)a->next + more) == -1 ||
	    store_atoms_slots_reserve(&a->h, more) == -1)
		return -1;
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
	store_atoms_slots_put(&a->h, id, hash(s));
	return id;
}

void
store_atoms_unref(struct store_atoms *a, uint32_t id)
{
	struct want w = { a, NULL, id };

	if (id == 0 || --AT(a, id)->ref > 0)
		return;
	store_atoms_slots_del(&a->h, store_atoms_slots_find(&a->h,
	    hash(AT(a, id)->s), is_id, &w));
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
	    store_atoms_slots_mem(&a->h);
}
