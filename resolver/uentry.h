/*
 * uentry: senderkeyd's user entries (specs/store.md 7): the rules a user
 * made from the mail client (MOVE) or by sending mail (LearnOutbound),
 * kept in the journal file because the rules file is read-only to the
 * daemon.  All of them are held in memory, loaded at start, so a
 * decision never reads the disk; a put is written synchronously on the
 * daemon's own connection to the journal file (one transaction, a
 * locked file waited for UENTRY_BUSY_MS) and memory changes only after
 * the commit.  Other writers ("senderkey policy forget") are noticed by
 * uentry_poll on the store's poll tick.  What an entry means beside the
 * rules is core/store_uentry.c's store_uentry_merge, called from
 * inputs.c.  Not here: who may ask for a put (the MOVE and LEARN
 * handlers).
 *
 *	u = uentry_new(path, cfg->user_entries, store, log);
 *	server_set_uentry(srv, u);
 *	every second: uentry_poll(u)
 *	SIGHUP:       uentry_set_store(u, st), uentry_set_max(u, max)
 *	per request:  store_uentry_merge(&rp, uentry_find(u, mbox, sender))
 *
 * What goes wrong while loading or polling is logged here, once until
 * it changes; uentry_put leaves logging to its caller.
 */
#ifndef SK_UENTRY_H
#define SK_UENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

#define UENTRY_BUSY_MS		250	/* a locked file is waited for */

enum uentry_source { UENTRY_IMAP, UENTRY_SENT };

struct log;
struct uentry;

/*
 * uentry_new: the user entries of the journal file PATH (created when
 * missing, migrated to STORE_JOURNAL_VERSION), all loaded; at most MAX
 * pairs per recipient (0: no bound) kept by uentry_put; ST the rules
 * file KEEP consults (not owned; NULL: none); LG (not owned) for what
 * goes wrong, and one line saying how many were loaded.  NULL (logged)
 * when the file cannot be opened or read, or memory is short: the
 * daemon then runs without user entries.
 */
struct uentry	*uentry_new(const char *path, uint64_t max,
		    const struct store *st, struct log *lg);

/* uentry_free: close U's file and drop its entries; NULL is a no-op. */
void		 uentry_free(struct uentry *u);

/*
 * uentry_set_store: the rules file KEEP consults from now on (not owned;
 * NULL: none); uentry_set_max: the bound per recipient from now on.  U
 * NULL: no-ops.
 */
void		 uentry_set_store(struct uentry *u, const struct store *st);
void		 uentry_set_max(struct uentry *u, uint64_t max);

/*
 * uentry_put: make SENDER (canonical address) ACTION for RECIPIENT
 * (canonical mailbox), pinned to PINS (NPINS fingerprints of
 * STORE_FP_LEN octets; 0 for no pin; ignored for deny), from SRC.  With
 * KEEP (learning) an existing user entry of the pair, and any rules-file
 * entry of the recipient's address level naming SENDER, are left as they
 * are.  Returns 0 written, 1 left as it is (KEEP, or nothing would
 * change), -1 not written (ERR).  Written means committed to the file
 * (answer the client only then); memory changes only after the commit.
 * A fingerprint given twice counts once; more than STORE_MAX_PINS
 * distinct ones are refused.  U NULL (journal off): -1.  The caller logs
 * ERR.
 */
int		 uentry_put(struct uentry *u, const char *recipient,
		    const char *sender, enum store_action action,
		    const unsigned char (*pins)[STORE_FP_LEN], size_t npins,
		    enum uentry_source src, int keep, char *err,
		    size_t errsz);

/*
 * uentry_find: the user entry of RECIPIENT (canonical mailbox) naming
 * SENDER (canonical address), or NULL.  Valid until the next put or
 * poll.  U NULL: NULL.
 */
const struct store_uentry *uentry_find(const struct uentry *u,
		    const char *recipient, const char *sender);

/*
 * uentry_poll: 1 when another writer changed the user entries (or a put
 * could not read back what it wrote) and they were loaded again (logged),
 * 0 when nothing changed, -1 when they could not be read (logged once;
 * the old ones stay in use).  Cost when nothing changed: one PRAGMA.  U
 * NULL: 0.
 */
int		 uentry_poll(struct uentry *u);

/* uentry_count: the user entries (pairs) held. */
size_t		 uentry_count(const struct uentry *u);

#endif
