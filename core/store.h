/*
 * store: the read side of the recipient policy store (specs/store.md,
 * specs/verdicts.md section 4).  The store file is opened read-only and
 * its rules are loaded into memory as one consistent snapshot; every
 * decision is made from that snapshot, so a query never waits for the
 * disk or for a writer.  store_poll notices a committed change cheaply
 * (PRAGMA data_version, and the file's identity for a replaced file) and
 * loads a new snapshot; the daemon calls it from a 1 s timer.
 *
 * For senderkeyd:
 *
 *	s = store_open(cfg->policy_store, default_mode, err, sizeof(err));
 *	    (NULL: refuse to start; never "no rules")
 *	every second:   store_poll(s, err, sizeof(err))   (-1: log, keep old)
 *	per recipient:  store_eval(s, sender, mailbox, domain, &r)
 *	                -> in.mode = r.mode, in.list = r.list
 *	after lookup:   in.pin = store_pin(&r, fps, nfps)
 *	                (fps: the verifying key with sig=pass, else every
 *	                usable key of a SECURE_KEY answer; none otherwise)
 *
 * Error texts are one line in ERR (ERRSZ bytes) when ERR is not NULL.
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "policydb.h"
#include "verdict.h"

#define STORE_MAX_PINS		POLICYDB_MAX_PINS
#define STORE_FP_LEN		32		/* SHA-256 of an SPKI */
#define STORE_EXPLAIN_MAX	1024		/* a good size for explain */

struct store;

enum store_rule_kind {
	STORE_RULE_MODE,	/* RECIPIENT mode allow|deny */
	STORE_RULE_ALLOW,	/* RECIPIENT allow SENDER [pin FPR] */
	STORE_RULE_DENY,	/* RECIPIENT deny SENDER */
};

/* One rule of the snapshot; strings owned by the store. */
struct store_rule {
	int64_t			 id;		/* rowid, unique per kind */
	enum store_rule_kind	 kind;
	const char		*recipient;	/* canonical target */
	const char		*sender;	/* entries; NULL for mode */
	enum verdict_mode	 mode;		/* mode rules */
	int			 has_pin;	/* allow entries */
	unsigned char		 pin[STORE_FP_LEN];
};

/* Where a result came from. */
enum store_level {
	STORE_LEVEL_NONE,	/* default mode / no entry */
	STORE_LEVEL_ADDRESS,	/* the recipient's address */
	STORE_LEVEL_DOMAIN,	/* the recipient's *@domain */
};

/*
 * The recipient part of a decision, self-contained (no pointers into the
 * store: valid after a reload).
 */
struct store_result {
	enum verdict_mode	 mode;
	enum verdict_list	 list;
	enum store_level	 mode_level;	/* NONE: DefaultMode */
	int64_t			 mode_id;	/* the mode rule, or 0 */
	enum store_level	 list_level;	/* NONE: list is none */
	int			 by_domain;	/* deciding entries name *@dom */
	int64_t			 rule_id;	/* the deny, or first allow */
	char			 rule_recipient[POLICYDB_TARGET_MAX];
	char			 rule_sender[POLICYDB_TARGET_MAX];
	int			 beat_allow;	/* a deny beat an allow (same) */
	int			 beat_domain;	/* an address entry beat *@dom */
	int			 recipient_invalid; /* no certain mailbox */
	int			 strict;	/* ... and its domain restricts */
	int			 sender_invalid;	/* or null */
	size_t			 npins;		/* 0: pin is "-" */
	unsigned char		 pins[STORE_MAX_PINS][STORE_FP_LEN];
};

/*
 * store_open: open PATH read-only and load its rules.  DEFAULT_MODE is
 * the server's DefaultMode.  Fails (NULL, ERR set) when PATH is missing,
 * unreadable, not a store, corrupt, or of a newer schema: the daemon must
 * then refuse to start.  The caller frees with store_free.
 */
struct store	*store_open(const char *path, enum verdict_mode default_mode,
		    char *err, size_t errsz);

/* store_free: close S and drop its snapshot; NULL is a no-op. */
void		 store_free(struct store *s);

/*
 * store_poll: 1 when a change was committed (or the file was replaced)
 * since the last load and the new snapshot is now in use; 0 when nothing
 * changed; -1 with ERR set when the new rules could not be read (the old
 * snapshot stays in use).  Cost when nothing changed: one stat() and one
 * PRAGMA.
 */
int		 store_poll(struct store *s, char *err, size_t errsz);

/*
 * store_eval: the recipient policy for SENDER (NULL: the null or an
 * invalid sender) and RECIPIENT, the recipient's mailbox as the MTA
 * delivers to it (rcpt_mailbox), as verdicts.md 4.2 says, in *R.  A
 * RECIPIENT of NULL could not be put into its mailbox form: DOMAIN ("" or
 * NULL when not known) then names its domain, and R gets the strictest
 * outcome that domain's rules allow (R->recipient_invalid set, R->strict
 * when that is deny mode).  Pure given the snapshot: no I/O.  Always
 * succeeds.
 */
void		 store_eval(const struct store *s, const struct addr *sender,
		    const struct addr *recipient, const char *domain,
		    struct store_result *r);

/*
 * store_pin: the pin input of verdicts.md 4.3 for R and the fingerprints
 * FPS (N of them; see the top of this file for which): VP_NONE when R
 * has no pins, VP_MATCH when one of FPS is pinned, else VP_MISMATCH.
 */
enum verdict_pin store_pin(const struct store_result *r,
		    const unsigned char (*fps)[STORE_FP_LEN], size_t n);

/*
 * store_explain: R in words for "senderkey policy explain", e.g.
 * "mode deny (rule m1: *@example.net); list allow: domain level,
 * rule e4 `*@example.net allow *@partner.org`", in BUF (BUFSZ octets,
 * truncated to fit).
 */
void		 store_explain(const struct store_result *r, char *buf,
		    size_t bufsz);

/*
 * The snapshot's rules, for listings: modes first, then entries, each
 * sorted by recipient and sender.  store_rule returns NULL past the end.
 * The pointers stay valid until the next store_poll or store_free.
 */
size_t		 store_count(const struct store *s);
const struct store_rule *store_rule(const struct store *s, size_t i);

/* store_version: the schema version of the file read. */
int		 store_version(const struct store *s);

#endif
