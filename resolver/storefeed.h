/*
 * storefeed: keeps senderkeyd's policy store current without ever
 * making the loop wait for the database (specs/store.md 5).  A reader
 * thread owns the store's read connection (core/store.h, store_reader):
 * it asks for the changes since the rules in use (woken by PostgreSQL's
 * notifications, or every STOREFEED_POLL_MS for SQLite, with a catch-up
 * every STOREFEED_CATCHUP_MS), and hands the loop either a delta, which
 * the loop applies in one go (a transaction is never seen in part), or
 * a whole new snapshot read off the loop, which the loop swaps in; the
 * rules swapped out go back to the thread to be freed.  When the store
 * cannot be read the loop keeps deciding with what it has, logs the
 * outage once with the age of its rules and once when it ends, and
 * reports the age in STATS.  Also the first load, before serving
 * (storefeed_load).  Not here: what the rules mean (core/store.c).
 */
#ifndef SK_STOREFEED_H
#define SK_STOREFEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

#define STOREFEED_POLL_MS	200	/* SQLite: data_version checked */
#define STOREFEED_CATCHUP_MS	1000	/* PostgreSQL: asked without NOTIFY */
#define STOREFEED_RETRY_MS	1000	/* a lost connection tried again */

struct loop;
struct log;
struct storefeed;

/* What storefeed_stats reports. */
struct storefeed_stats {
	uint64_t	 age;		/* s since the rules were confirmed current */
	uint64_t	 updates;	/* deltas applied */
	uint64_t	 reloads;	/* whole snapshots swapped in */
	int		 unread;	/* no rules read yet: tempfail */
};

struct config;

/*
 * storefeed_load: CFG's PolicyStore read whole, before serving, in *OUT,
 * and its reader in *READER (both NULL when CFG has none); *LOADED: when
 * the rules were current (Unix time).  A PostgreSQL server that cannot be
 * reached is replaced by PolicyStoreCopy when there is one (logged to LG;
 * *LOADED is then the copy's time, and the reader resumes from its
 * position).  A server out of reach without a copy gives, with
 * PolicyStoreUnreachable tempfail, an unread store (store_unread) and an
 * unconnected reader (logged).  Returns 0, or -1 with the reason in ERR:
 * a store that cannot be read is never taken for "no rules".
 */
int		 storefeed_load(const struct config *cfg, struct log *lg,
		    struct store **out, struct store_reader **reader,
		    int64_t *loaded, char *err, size_t errsz);

/*
 * storefeed_new: keep LIVE (the store the server decides with, loaded by
 * the caller through R at LOADED, Unix time) current from R, which the
 * feed takes over (freed by storefeed_free, also on failure).  DEFAULT_MODE
 * is DefaultMode, SPEC the PolicyStore named in log lines.  Start it
 * after loop_signals (the thread must not take signals).  NULL with ERR
 * set when memory or a thread is short.
 */
struct storefeed *storefeed_new(struct loop *l, struct log *lg,
		    struct store *live, struct store_reader *r,
		    enum verdict_mode default_mode, const char *spec,
		    int64_t loaded, char *err, size_t errsz);

/*
 * storefeed_on_first: when F's live store was unread (store_unread), call
 * CB(ARG, OK, WHY) on the loop once: OK 1 when its rules have been read
 * and swapped in, 0 (WHY: the reason) when the first read failed (the
 * thread goes on trying).  CB may free F.  0, or -1 when memory is short.
 */
int		 storefeed_on_first(struct storefeed *f, void (*cb)(void *,
		    int, const char *), void *arg);

/* storefeed_free: stop the thread and free what it holds; NULL ok. */
void		 storefeed_free(struct storefeed *f);

/* storefeed_stats: the figures of F (the loop's thread) in *ST. */
void		 storefeed_stats(struct storefeed *f,
		    struct storefeed_stats *st);

#endif
