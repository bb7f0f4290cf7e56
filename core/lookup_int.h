/*
 * lookup_int.h: what lookup.c (the context, TXT queries, classification)
 * and lookup_packet.c (packet queries) share.  Internal to those two
 * files; the public interface is lookup.h.
 */
#ifndef SK_LOOKUP_INT_H
#define SK_LOOKUP_INT_H

#include <stdint.h>
#include <stdio.h>

#include "lookup.h"

struct ub_result;

/* One query started and not yet answered or cancelled. */
struct lk_query {
	struct lookup	*lk;
	struct lk_query	*prev, *next;
	int		 id;
	enum lookup_kind kind;
	lookup_cb	 cb;
	lookup_packet_cb pcb;		/* packet queries: cb is NULL */
	int		 rrtype;
	void		*arg;
};

struct lookup {
	struct ub_ctx	*ctx;
	FILE		*log;		/* libunbound's log: /dev/null */
	unsigned	 timeout_ms;
	struct lk_query	*pending;	/* started, not yet answered */
	size_t		 npending;
};

/*
 * lookup_submit: start Q (filled in by the caller, allocated with
 * malloc) for QNAME/RRTYPE class IN and put it on LK's pending list; its
 * id goes to *ID when not NULL.  Returns 0, or -1 with Q freed.
 */
int		 lookup_submit(struct lookup *lk, struct lk_query *q,
		    const char *qname, int rrtype, int *id);

/* lookup_unlink: take Q off its context's pending list (Q not freed). */
void		 lookup_unlink(struct lk_query *q);

/*
 * lookup_result_answer: the answer for a libunbound result RES (or error
 * ERR) of a KIND query.  Malformed TXT rdata (which libunbound should
 * never hand over) is left out.  NULL when memory ran out.
 */
struct lookup_answer *lookup_result_answer(enum lookup_kind kind, int err,
		    const struct ub_result *res);

/*
 * lookup_packet_done: libunbound's answer RES (or error ERR) for the
 * packet query Q: builds the packet answer, frees RES, unlinks Q, calls
 * Q's callback and frees Q.
 */
void		 lookup_packet_done(struct lk_query *q, int err,
		    struct ub_result *res);

/* lookup_now_ms: CLOCK_MONOTONIC in milliseconds. */
int64_t		 lookup_now_ms(void);

struct ub_ctx;

/*
 * lookup_opts_readable: 0 when PATH can be opened for reading, else -1
 * with ERR set to "WHAT PATH: reason".
 */
int		 lookup_opts_readable(const char *path, char *err,
		    size_t errsz, const char *what);

/*
 * lookup_opts_bound_cache: apply to CTX (after its config file) the
 * settings that keep libunbound's caches within OPTS's bound: always
 * cache-min-ttl 0 and serve-expired and serve-original-ttl off; with
 * bound_cache, cache-max-ttl and cache-max-negative-ttl at most
 * cache_max_ttl.  Returns 0, or -1 with ERR set.
 */
int		 lookup_opts_bound_cache(struct ub_ctx *ctx,
		    const struct lookup_opts *opts, char *err, size_t errsz);

#endif
