/*
 * classmemo.c: the class-id memo of senderkeyd (classmemo.h).  Each
 * verdict input without sig packs into 64 bits (one octet per field and
 * a marker, so 0 means an empty slot), hashed to a slot of a
 * direct-mapped table.
 */
#include <stdlib.h>
#include <string.h>

#include "classmemo.h"

struct classmemo_slot {
	uint64_t	key;		/* 0: empty */
	char		id[VERDICT_CLASS_IDSIZE];
};

struct classmemo {
	struct classmemo_slot	slot[CLASSMEMO_SLOTS];
	uint64_t		hits;
};

struct classmemo *
classmemo_new(void)
{
	return calloc(1, sizeof(struct classmemo));
}

void
classmemo_free(struct classmemo *m)
{
	free(m);
}

int
classmemo_id(struct classmemo *m, const struct verdict_input *in,
    char id[VERDICT_CLASS_IDSIZE])
{
	struct classmemo_slot *sl;
	uint64_t key;

	/* each input is a small enum: one octet each, plus a marker */
	key = (uint64_t)1 << 56 |
	    (uint64_t)(in->sender & 0xff) << 48 |
	    (uint64_t)(in->mode & 0xff) << 40 |
	    (uint64_t)(in->list & 0xff) << 32 |
	    (uint64_t)(in->pin & 0xff) << 24 |
	    (uint64_t)(in->lookup & 0xff) << 16 |
	    (uint64_t)(in->key & 0xff) << 8 |
	    (uint64_t)(in->policy & 0xff);
	sl = &m->slot[(key ^ key >> 7 ^ key >> 17 ^ key >> 31) &
	    (CLASSMEMO_SLOTS - 1)];
	if (sl->key == key) {
		memcpy(id, sl->id, VERDICT_CLASS_IDSIZE);
		m->hits++;
		return 0;
	}
	if (verdict_class(in, NULL, 0, id) == -1)
		return -1;
	sl->key = key;
	memcpy(sl->id, id, VERDICT_CLASS_IDSIZE);
	return 0;
}

uint64_t
classmemo_hits(const struct classmemo *m)
{
	return m->hits;
}
