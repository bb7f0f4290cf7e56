/*
 * zg_fast: the fast path of "senderkey zonegen" for the commonest input
 * of all, one CSV manifest of senders with inline ssh-ed25519 keys (the
 * directory export of a big domain).  Per row it keeps only what the
 * record needs (the owner hash, the raw key, the canonical local part:
 * about 76 octets), not a manifest entry, and finds duplicates as equal
 * neighbours after the sort.  It handles exactly the rows whose records
 * and checks it can reproduce; for anything else (a quoted field, a CR, a
 * date, a flag, a non-ASCII or quoted address, another key form, another
 * domain without --skip-foreign, a duplicate or a second key of a sender,
 * any error) it gives up and the caller runs the general path (desired.h)
 * from the start, which gives the same bytes or the error messages.
 * Pure: no I/O; the caller holds the input and writes with zoneout.
 */
#ifndef SK_ZG_FAST_H
#define SK_ZG_FAST_H

#include <stddef.h>

struct zonegen;
struct zonegen_counts;
struct zonegen_wire;

/* Larger inputs go the general way (its limit for a manifest file). */
#define ZG_FAST_INPUT_MAX	(1024UL * 1024 * 1024)

struct zg_fast;

/*
 * zg_fast_csv: the sender records of the CSV manifest in BUF (LEN octets,
 * need not be NUL-terminated) for APEX, a finished zonegen of the same
 * options holding no sender records (only its apex: policy, SOA, NS).
 * SKIP_FOREIGN: rows of other domains are skipped, as with
 * MANIFEST_V_SKIP_FOREIGN.  With APEX's dkim option each sender's DKIM key
 * record too.  Returns a new zg_fast, or NULL to give up (nothing said;
 * also when out of memory).  APEX must outlive it; BUF is not used after
 * the call.
 */
struct zg_fast	*zg_fast_csv(const struct zonegen *apex, const char *buf,
		    size_t len, int skip_foreign);
void		 zg_fast_free(struct zg_fast *f);

/*
 * zg_fast_count: how many records the output has: APEX's and F's (one per
 * sender, two with the dkim option).
 */
size_t		 zg_fast_count(const struct zg_fast *f);

/*
 * zg_fast_counts: the counts of APEX and F's records together, as
 * zonegen_counts would give them for the whole set.
 */
const struct zonegen_counts *zg_fast_counts(const struct zg_fast *f);

/*
 * zg_fast_wire: record I (< zg_fast_count) of APEX's and F's records
 * together in canonical order into *W, as zonegen_wire gives it: a
 * zoneout_more_fn with ARG the zg_fast (zoneout_write_zone then writes
 * APEX's records from here, not by itself).  The address W points to
 * stays valid until the call after the next one.
 */
void		 zg_fast_wire(void *arg, size_t i, struct zonegen_wire *w);

#endif
