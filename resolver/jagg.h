/*
 * jagg: the in-memory aggregate of the decision journal (specs/store.md
 * 6.3): a table of fixed capacity, allocated once, where each decision
 * adds one to its key's count.  Adding is what the request path does:
 * no system call, no allocation.  Pure: no I/O, no clock (the caller
 * gives the time).  Not here: handing the table to the writer and
 * writing it (journal.c, core/store_journal.c).
 */
#ifndef SK_JAGG_H
#define SK_JAGG_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/verdict.h"

struct jagg;

/* One decision, the key of its journal row (specs/store.md 6.2). */
struct jagg_key {
	enum store_jdir		 dir;
	const char		*recipient;	/* canonical mailbox */
	const char		*sender;	/* canonical address */
	enum verdict_sig	 sig;
	enum verdict		 verdict;
	enum verdict_reason	 reason;
	enum verdict_tag	 tag;
	const unsigned char	*pin;		/* STORE_FP_LEN, or NULL */
};

/* jagg_new: an empty table of CAP keys (at most 65535); NULL: no memory. */
struct jagg	*jagg_new(size_t cap);

/* jagg_free: A; NULL is a no-op. */
void		 jagg_free(struct jagg *a);

/*
 * jagg_add: one decision K at NOW (Unix time): its key's count grows by
 * one and its first/last widen; the day is NOW's.  Returns 1 when a key
 * already there counted it, 0 when a new key took a free place, -1 when
 * it was dropped (the table is full, or a string does not fit a row):
 * the drop is counted (jagg_take_dropped).
 */
int		 jagg_add(struct jagg *a, const struct jagg_key *k,
		    int64_t now);

/* jagg_rows: A's rows, *N of them (valid until the next change of A). */
const struct store_jrow *jagg_rows(const struct jagg *a, size_t *n);

/* jagg_take_dropped: the decisions dropped since the last call. */
uint64_t	 jagg_take_dropped(struct jagg *a);

/* jagg_clear: A empty again (its memory kept; the drop count too). */
void		 jagg_clear(struct jagg *a);

#endif
