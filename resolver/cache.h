/*
 * cache: the daemon's cache of DNS answers (lookup_answer) keyed by
 * (owner name, kind), bounded in entries and in bytes, with TTLs clamped
 * per specs/verdicts.md 2.4, and the coalescing of concurrent lookups:
 * requests for a name that is being looked up wait on that one query,
 * each with its own deadline.
 *
 * Eviction is second chance (CLOCK), not exact least recently used: the
 * entries form a queue in the order they were cached; a hit only marks
 * its entry (it does not move it, so it touches no other entry: over a
 * million entries each move cost two cache misses).  When an entry or
 * its bytes go over a bound, the oldest entry of the queue is evicted
 * unless it is marked; a marked one loses its mark and goes to the
 * newest end instead, and the next oldest is tried; after
 * CACHE_SWEEP_MAX marks cleared for one insertion the oldest goes marked
 * or not, so no insertion walks a long queue of hit entries (a million
 * of them would pause the loop).  So, sweeps aside, an entry hit
 * since it last reached the oldest end outlives every unmarked one, and
 * entries that were hit keep their queue order among themselves (the
 * order of their hits does not count).  Room is made before an answer
 * goes in, so the new entry is never the one evicted for it.  The bounds
 * hold after every insertion as before: at most max_entries entries and
 * max_bytes bytes.
 *
 * The lookups themselves go through a backend (function pointers), the
 * real one being lookup_start/lookup_cancel; tests inject a fake.  Timers
 * come from the loop.  Not here: what an answer means (verdict.c).
 */
#ifndef SK_CACHE_H
#define SK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CACHE_SWEEP_MAX	64	/* marks cleared per insertion, at most */

#include "core/lookup.h"

struct loop;
struct cache;
struct cache_result;
struct cache_waiter;

/* How the cache starts and cancels a lookup (lookup.h semantics). */
struct cache_backend {
	int	(*start)(void *barg, const char *qname, enum lookup_kind kind,
		    lookup_cb cb, void *cbarg, int *id);
	void	(*cancel)(void *barg, int id);
};

struct cache_opts {
	size_t		max_entries;	/* answers kept; 0: cache nothing */
	size_t		max_bytes;	/* approximate memory of answers */
	uint32_t	min_ttl;	/* seconds: shorter TTLs raised */
	uint32_t	max_ttl;	/* seconds: longer TTLs lowered */
	uint32_t	bogus_ttl;	/* at most this for BOGUS (60) */
	uint32_t	tempfail_ttl;	/* at most this for TEMPFAIL (10) */
};

/* The defaults: 100000 entries, 64 MiB, TTL 0..86400, 60, 10. */
void		 cache_default_opts(struct cache_opts *o);

struct cache_stats {
	uint64_t	hits;		/* answered from the cache */
	uint64_t	misses;		/* a lookup was started */
	uint64_t	coalesced;	/* joined a lookup in flight */
	uint64_t	timeouts;	/* waiters that hit their deadline */
	uint64_t	evictions;	/* entries dropped for room */
	uint64_t	failures;	/* lookups that could not start */
	size_t		entries;
	size_t		bytes;
	size_t		inflight;	/* lookups running */
	size_t		waiters;	/* requests waiting on them */
};

/*
 * cache_cb: the answer for a waiter.  The callee owns one reference to R
 * (cache_result_release).  R is NULL only when memory ran out.  At the
 * waiter's deadline R is a TEMPFAIL "timeout" answer.  The waiter handle
 * is gone when this runs.  The callback may call cache_get and
 * cache_waiter_cancel (for other waiters), not cache_free.
 */
typedef void (*cache_cb)(void *arg, struct cache_result *r);

/*
 * cache_new: an empty cache using BACKEND (copied) with BARG, and LOOP
 * for deadlines and the clock.  OPTS NULL: defaults.  Returns the cache
 * (caller frees with cache_free) or NULL when out of memory.
 */
struct cache	*cache_new(struct loop *l, const struct cache_backend *backend,
		    void *barg, const struct cache_opts *opts);

/*
 * cache_free: cancels the lookups in flight (through the backend), drops
 * the waiters without calling them, releases the cache's references.
 * Results still referenced by callers stay valid.  NULL is a no-op.
 */
void		 cache_free(struct cache *c);

/*
 * cache_set_opts: new limits (a reload); evicts what no longer fits.
 */
void		 cache_set_opts(struct cache *c, const struct cache_opts *o);

/*
 * cache_get: the answer for QNAME (case-insensitive) as KIND.
 *   - a fresh cached answer: returns 0 with *HIT set (the caller owns a
 *     reference) and *W NULL; CB is not called.
 *   - otherwise: joins the lookup in flight for the name, or starts one,
 *     and returns 0 with *HIT NULL and *W a waiter handle: CB(ARG, r)
 *     runs exactly once later (answer, or TEMPFAIL "timeout" after
 *     TIMEOUT_MS), unless cache_waiter_cancel(*W) comes first.
 * Returns -1 when the lookup could not be started or memory ran out
 * (nothing will be called).
 */
int		 cache_get(struct cache *c, const char *qname,
		    enum lookup_kind kind, unsigned timeout_ms, cache_cb cb,
		    void *arg, struct cache_result **hit,
		    struct cache_waiter **w);

/*
 * cache_waiter_cancel: forget W (its callback will not run).  The lookup
 * goes on and its answer is still cached.  NULL is a no-op.
 */
void		 cache_waiter_cancel(struct cache_waiter *w);

/* cache_result_answer: the answer in R, read-only, valid while R is. */
const struct lookup_answer *cache_result_answer(const struct cache_result *r);

/*
 * cache_result_ttl: seconds R stays cached from now (0 when not cached:
 * a deadline tempfail, or an answer evicted or expired).
 */
uint32_t	 cache_result_ttl(const struct cache *c,
		    const struct cache_result *r);

/* cache_result_ref: one more reference to R; returns R. */
struct cache_result *cache_result_ref(struct cache_result *r);

/* cache_result_release: drop one reference.  NULL is a no-op. */
void		 cache_result_release(struct cache_result *r);

/* cache_flush: drop every cached answer (lookups in flight go on). */
void		 cache_flush(struct cache *c);

/* cache_get_stats: the counters and sizes, into *S. */
void		 cache_get_stats(const struct cache *c, struct cache_stats *s);

#endif
