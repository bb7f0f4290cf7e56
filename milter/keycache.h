/*
 * keycache: senderkey-milter's cache of prepared public keys (lib/sig.h
 * sig_key_prepare), so that a sender's key is decoded, fingerprinted and
 * set up for OpenSSL once, not once per message.  An entry is keyed by the
 * exact text of a LOOKUP reply's key= value ("ALG,FP,FLAG,P"), so a changed
 * record is a different entry; it lives no longer than the reply's ttl=
 * (nothing is cached for ttl=0) nor than the cache's own maximum, and the
 * cache is bounded in entries and in (estimated) bytes, least recently
 * used out first.  Only keys that decoded and matched their fingerprint
 * are ever cached; keys of a reply whose state is not secure-key are
 * never looked at.  The cache holds no verdicts: every message still gets
 * its key state and key list from senderkeyd.
 *
 * Threads: every function may be called from any thread.  An entry shares
 * one EVP_PKEY (read-only) among threads; the OpenSSL contexts that
 * sig_key_prepare makes are per lease: keycache_get hands one prepared
 * key to one caller until keycache_put, and idle prepared keys are kept
 * per entry for the next caller.  Not here: asking senderkeyd (daemon.h),
 * parsing replies (answer.h).
 */
#ifndef SK_MILTER_KEYCACHE_H
#define SK_MILTER_KEYCACHE_H

#include <stddef.h>
#include <time.h>

#include "lib/sig.h"

#define KEYCACHE_ENTRIES	1024		/* default bound on entries */
#define KEYCACHE_BYTES		(4u << 20)	/* default bound on bytes */
#define KEYCACHE_MAX_TTL	86400		/* seconds, at most */
#define KEYCACHE_IDLE_MAX	4	/* idle prepared copies per entry */

struct keycache;
struct keycache_key;		/* one leased prepared key */

struct keycache_stats {
	unsigned long	 hits, misses, expired, evicted, bad;
	size_t		 entries, bytes;
};

/*
 * keycache_new: an empty cache of at most MAX_ENTRIES entries and about
 * MAX_BYTES octets, each entry kept at most MAX_TTL seconds (0: nothing
 * is cached; keys are still prepared per message).  SCTX (the caller's,
 * must outlive the cache) prepares keys.  NULL when out of memory.
 */
struct keycache	*keycache_new(struct sig_ctx *sctx, size_t max_entries,
		    size_t max_bytes, unsigned max_ttl);

/* keycache_free: frees KC; every lease must have been returned. */
void		 keycache_free(struct keycache *kc);

/*
 * keycache_get: a prepared key for SPEC (a key= value of a secure-key
 * reply whose ttl= was TTL) at time NOW, from the cache or decoded with
 * answer_key_decode, prepared and (when TTL > 0) cached until NOW +
 * min(TTL, max_ttl).  The result is the caller's alone until
 * keycache_put.  NULL with *UNUSABLE = 1 when SPEC is not a usable key
 * (never cached), or with *UNUSABLE = 0 when out of memory.
 */
struct keycache_key *keycache_get(struct keycache *kc, const char *spec,
		    unsigned ttl, time_t now, int *unusable);

/* keycache_key_sig: the leased key, valid until keycache_put. */
const struct sig_key *keycache_key_sig(const struct keycache_key *k);

/* keycache_put: return a lease (NULL is a no-op). */
void		 keycache_put(struct keycache *kc, struct keycache_key *k);

/*
 * keycache_verify_reply: steps 7 to 9 of signature.md 6.1 for V from the
 * LOOKUP reply LINE (protocol.md 5.4 step 1): its state and, for
 * secure-key, its keys through KC at time NOW; a key that does not decode
 * or match its fingerprint is skipped.  Returns 0, or -1 when LINE is not
 * a usable reply or out of memory (V then unchanged; the caller
 * tempfails).
 */
int		 keycache_verify_reply(struct keycache *kc,
		    struct sig_verify *v, const char *line, time_t now);

/* keycache_stats: a snapshot of KC's counters into *ST. */
void		 keycache_stats(struct keycache *kc,
		    struct keycache_stats *st);

#endif
