/*
 * audit_index: senders by owner name, for "senderkey audit" (a manifest
 * of 100k senders must not be searched linearly once per entry).  An
 * open-addressing hash table of pointers the caller owns.  Pure: no I/O.
 */
#ifndef SK_AUDIT_INDEX_H
#define SK_AUDIT_INDEX_H

#include <stddef.h>

#include "audit.h"

struct audit_index;

/* audit_index_new: an empty index, or NULL when out of memory. */
struct audit_index	*audit_index_new(void);

/* audit_index_free: frees the index (not the senders); NULL is a no-op. */
void			 audit_index_free(struct audit_index *ix);

/*
 * audit_index_find: the sender whose owner is OWNER (compared as is: pass
 * the canonical lower-case form), or NULL.
 */
struct audit_sender	*audit_index_find(const struct audit_index *ix,
			    const char *owner);

/*
 * audit_index_add: index S under S->owner (which must stay unchanged
 * while indexed); a second sender with the same owner replaces the first.
 * Returns 0, or -1 when out of memory (the index is unchanged).
 */
int			 audit_index_add(struct audit_index *ix,
			    struct audit_sender *s);

/* audit_index_count: the senders indexed. */
size_t			 audit_index_count(const struct audit_index *ix);

#endif
