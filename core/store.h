/*
 * store: the recipient policy store (specs/store.md; what its rules mean
 * is specs/verdicts.md section 4).  One module, one prefix, this one
 * header; the code is spread over files of one job each:
 *
 *	store.c		 the store senderkeyd and the CLI decide with: the
 *			 index of the rules, and what a recipient's entries
 *			 mean (store_open, store_eval, store_pin)
 *	store_reader.c	 reading a store whole, then its changes as deltas
 *			 (store_reader_*), for senderkeyd's reader thread
 *	store_delta.c	 a delta: the changed pairs with their rows now
 *	store_copy.c	 the local copy of a PostgreSQL store's rules
 *	store_src.c	 the rules read per pair, checked: in full, or the
 *			 pairs the change log names since a position
 *	store_snap.c	 the rules a pair's rows must keep
 *			 (store_snap_check_pair)
 *	store_index.c	 the rules in memory, changed a pair at a time, and
 *			 the precedence of verdicts.md 4.2 (store_eval's)
 *	store_atoms.c	 the index's interned strings
 *	store_canon.c	 canonical targets and pins (store_canon_*): pure
 *	store_writer.c	 the write transactions of "senderkey policy"
 *	store_audit.c	 the audit row each committed change appends
 *	store_file.c	 the file and its schema: permissions, the schema
 *			 steps, the versions each side reads, migration
 *	store_db.c	 the SQL layer the rules are read and written
 *			 through (store_dbq.c its rows), one backend per
 *			 database: store_db_sqlite.c, store_db_pg.c
 *	store_sql.c	 the SQLite calls the others share
 *	store_journal.c	 the decision journal's file (section 6 of
 *			 specs/store.md): its schema, a batch written in
 *			 one transaction, the rows of one recipient read
 *	store_uentry.c	 user entries (section 7): their rows in the
 *			 journal file, and how they merge with the rules
 *
 * (store_int.h declares what the files share and nobody else uses.)
 *
 * Reading, for senderkeyd (resolver/storefeed.c):
 *
 *	r = store_reader_open(spec, passfile, &e, err, sizeof(err));
 *	s = store_reader_full(r, default_mode);
 *	    (NULL: refuse to start; never "no rules")
 *	in a thread:    store_reader_poll(r, &d)  1: the loop store_apply(s, d)
 *	                2: t = store_reader_full(r, ...); the loop
 *	                store_swap(s, t), the thread store_free(t)
 *	per recipient:  store_eval(s, sender, mailbox, domain, &r)
 *	                -> in.mode = r.mode, in.list = r.list
 *	after lookup:   in.pin = store_pin(&r, fps, nfps)
 *	                (fps: the verifying key with sig=pass, else every
 *	                usable key of a SECURE_KEY answer; none otherwise)
 *
 * The reader loads the rules into memory as one consistent snapshot;
 * every decision is made from that snapshot, so a query never waits for
 * the database or a writer.  After that it reads only what the change
 * log names (specs/store.md 2.1 and 5), so a change costs time in
 * proportion to the pairs it changes, never to the size of the store.
 *
 * Writing, for "senderkey policy": store_writer_open (WAL mode,
 * synchronous=FULL, the schema created or migrated), then every change
 * inside one transaction (store_writer_begin ... store_writer_commit)
 * that also appends an audit row, so a change is either durable when
 * store_writer_commit returns 0 or not there at all.  The writer never
 * decides a verdict.
 *
 * Error texts are one line, without a final period, in ERR (ERRSZ bytes)
 * when ERR is not NULL.  Writer functions that can fail say which enum
 * store_err they set, so the CLI can map it to an exit status.
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "verdict.h"

#define STORE_VERSION		3	/* the schema version written */
#define STORE_TARGET_MAX	262	/* "*@" + domain or an address, + NUL */
#define STORE_MAX_PINS		16	/* pins per recipient and sender */
#define STORE_FP_LEN		32	/* SHA-256 of an SPKI */
#define STORE_PIN_HEX		65	/* 64 lowercase hex digits and a NUL */
#define STORE_ERR_MAX		512
#define STORE_EXPLAIN_MAX	1024	/* a good size for store_explain */

enum store_err {
	STORE_OK = 0,
	STORE_ENOENT,		/* no store there (and not asked to create) */
	STORE_EPERM,		/* world-writable, read-only, access denied */
	STORE_ECREATE,		/* cannot create the store */
	STORE_EIO,		/* I/O error, disk full */
	STORE_ECORRUPT,		/* not a store, corrupt, or a newer schema */
	STORE_EBUSY,		/* locked by another writer for too long */
	STORE_EDATA,		/* bad argument: address, pin, too many pins */
	STORE_EINTERNAL,	/* out of memory, misuse */
	STORE_EUNAVAIL,		/* the database server cannot be reached */
};

/* What a target string names. */
enum store_target {
	STORE_T_ADDR,		/* a canonical address */
	STORE_T_DOMAIN,		/* "*@" and an A-label domain */
};

/* The action of an entry, for store_writer_add. */
enum store_action {
	STORE_ALLOW,
	STORE_DENY,
};

/* Flags of store_writer_open. */
#define STORE_CREATE		0x01	/* create a missing store (0640) */

/* store_errname: a stable name ("eio") for logs and tests. */
const char	*store_errname(enum store_err e);

/* ---- canonical forms (store_canon.c); all pure ---- */

/*
 * store_canon: the canonical form of an address ("Alice@Bücher.example"
 * -> "alice@xn--bcher-kva.example"; the local part as addr_canon gives
 * it) or of "*@DOMAIN" ("*@" and the A-label domain), in OUT
 * (STORE_TARGET_MAX octets).  Returns the kind (enum store_target), or -1
 * with ERR set.
 */
int		 store_canon(const char *in, char *out, char *err,
		    size_t errsz);

/*
 * store_canon_rcpt: as store_canon, for a recipient: an address is
 * reduced to the mailbox it is delivered to (rcpt_mailbox, RFC 5321 form,
 * DELIMS the RecipientDelimiter set or NULL), so that a rule for
 * "carol+x@example.net", "carol@example.net." or "example.net!carol" is
 * carol@example.net's.  *CHANGED (when CHANGED is not NULL) is set to 1
 * when that mailbox is not the address as store_canon would give it,
 * else 0.  Returns the kind, or -1 with ERR set (no one mailbox).
 */
int		 store_canon_rcpt(const char *in, const char *delims,
		    char *out, int *changed, char *err, size_t errsz);

/*
 * store_canon_is: the kind of S when S is a target in its canonical form
 * already (as the store keeps it), else -1.
 */
int		 store_canon_is(const char *s);

/*
 * store_canon_pin: a fingerprint as key_fingerprint_parse reads it (hex,
 * with or without colons, either case) in the form the store keeps it,
 * 64 lowercase hex digits, in OUT.  Returns 0 or -1.
 */
int		 store_canon_pin(const char *in, char out[STORE_PIN_HEX]);

/* store_canon_pin_hex: the fingerprint FP in the stored form, in OUT. */
void		 store_canon_pin_hex(const unsigned char fp[STORE_FP_LEN],
		    char out[STORE_PIN_HEX]);

/*
 * store_canon_pin_bytes: the stored form HEX (exactly 64 lowercase hex
 * digits, nothing else) as the fingerprint's octets in FP.  Returns 0,
 * or -1 when HEX is not in that form.
 */
int		 store_canon_pin_bytes(const char *hex,
		    unsigned char fp[STORE_FP_LEN]);

/* ---- the file (store_file.c) ---- */

/*
 * store_file_perms: 0 when PATH (if it exists) and its directory are not
 * world-writable and PATH is a regular file; -2 when the directory does
 * not exist; else -1 with ERR set (a permission problem).  *EXISTS is set
 * to whether PATH exists.  The writer checks this before opening; the
 * CLI also before reading.
 */
int		 store_file_perms(const char *path, int *exists, char *err,
		    size_t errsz);

/* ---- reading and the rules (store.c) ---- */

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
	char			 rule_recipient[STORE_TARGET_MAX];
	char			 rule_sender[STORE_TARGET_MAX];
	int			 beat_allow;	/* a deny beat an allow (same) */
	int			 beat_domain;	/* an address entry beat *@dom */
	int			 recipient_invalid; /* no certain mailbox */
	int			 strict;	/* ... and its domain restricts */
	int			 sender_invalid;	/* or null */
	int			 by_user;	/* a user entry decided (7) */
	int			 user_source;	/* enum store_usource */
	int64_t			 user_created;	/* its created, Unix time */
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

/*
 * store_load: as store_open, for SPEC a path or a PostgreSQL URI or
 * service (PASSFILE: libpq's passfile, or NULL); *E (when not NULL) says
 * why it failed (STORE_EUNAVAIL: the server cannot be reached).
 */
struct store	*store_load(const char *spec, const char *passfile,
		    enum verdict_mode default_mode, enum store_err *e,
		    char *err, size_t errsz);

/* store_free: close S and drop its snapshot; NULL is a no-op. */
void		 store_free(struct store *s);

/*
 * store_unread: a store whose rules have not been read yet (senderkeyd
 * started with PolicyStoreUnreachable tempfail, or waiting for another
 * store after SIGHUP): it holds no rules and must decide nothing
 * (store_is_unread), until store_swap gives it rules read whole.  NULL
 * when memory is short.
 */
struct store	*store_unread(enum verdict_mode default_mode);
int		 store_is_unread(const struct store *s);

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
 * The pointers stay valid until S changes (store_apply, store_swap) or
 * store_free.
 */
size_t		 store_count(const struct store *s);
const struct store_rule *store_rule(const struct store *s, size_t i);

/* store_version: the schema version of the file read. */
int		 store_version(const struct store *s);

/*
 * store_has_entry: whether the snapshot holds an entry (allow or deny,
 * pinned or not) of RECIPIENT naming SENDER, both canonical targets.
 */
int		 store_has_entry(const struct store *s, const char *recipient,
		    const char *sender);

/* ---- keeping the rules current (store_reader.c, store_copy.c) ---- */

/*
 * A reader of a store, for senderkeyd's reader thread: a whole read
 * (store_reader_full), then the changes since (store_reader_poll), each
 * a delta the owner of the store applies in one go (store_apply), or a
 * whole new store swapped in (store_swap).  Only one thread uses a
 * reader; a store is used by one thread at a time.
 */
struct store_reader;
struct store_delta;

/* A change-log position: the store's id and the last seq read. */
struct store_pos {
	char		 store_id[33];		/* "": no change log */
	int64_t		 seq;
};

/* store_is_pg: whether SPEC (a PolicyStore) names a PostgreSQL store. */
int		 store_is_pg(const char *spec);

/*
 * store_reader_new: a reader of SPEC (a path, or a PostgreSQL URI or
 * service; PASSFILE: libpq's passfile, or NULL), not connected yet;
 * NULL when out of memory.  store_reader_open also connects (NULL with
 * *E, when not NULL, and ERR set when it cannot).
 */
struct store_reader *store_reader_new(const char *spec,
		    const char *passfile);
struct store_reader *store_reader_open(const char *spec,
		    const char *passfile, enum store_err *e, char *err,
		    size_t errsz);

/* store_reader_free: R and its connection; NULL is a no-op. */
void		 store_reader_free(struct store_reader *r);

/*
 * store_reader_full: the whole store in a new store (DEFAULT_MODE), read
 * in one read transaction, every pair checked; R continues from its
 * position.  NULL on failure (store_reader_error).
 */
struct store	*store_reader_full(struct store_reader *r,
		    enum verdict_mode default_mode);

/*
 * store_reader_poll: what changed since R's last read: 0 nothing, 1 a
 * delta in *D (store_delta_free), 2 a whole read is due (the store was
 * replaced or restored, the change log no longer reaches back, a delta
 * would be too big, a store without a change log changed), -1 the store
 * cannot be read now (store_reader_error; the connection is tried again
 * at the next call).  SQLite: one stat and one PRAGMA when nothing
 * changed.  PostgreSQL: its notifications are consumed.
 */
int		 store_reader_poll(struct store_reader *r,
		    struct store_delta **d);

/* store_reader_pos: the position of R's last read; _resume: set it (a
 * copy's position), so that the next poll asks for the changes since. */
void		 store_reader_pos(const struct store_reader *r,
		    struct store_pos *pos);
void		 store_reader_resume(struct store_reader *r,
		    const struct store_pos *pos);

/* store_reader_fd: a descriptor that becomes readable when a PostgreSQL
 * notification comes, or -1 (SQLite, or not connected). */
int		 store_reader_fd(const struct store_reader *r);

/* The last error of R (kind and text); never NULL. */
enum store_err	 store_reader_errcode(const struct store_reader *r);
const char	*store_reader_error(const struct store_reader *r);

/* store_delta_free: D; NULL is a no-op.  _pairs: its pairs. */
void		 store_delta_free(struct store_delta *d);
size_t		 store_delta_pairs(const struct store_delta *d);

/*
 * store_apply: D into S, every pair of it.  0, or -1 when memory ran
 * out (S then holds part of D: read the store whole again).
 */
int		 store_apply(struct store *s, const struct store_delta *d);

/*
 * store_swap: LIVE decides with FRESH's rules from now on (an unread
 * LIVE is read from then on), and FRESH holds LIVE's old ones (to be
 * freed where that takes no one's time).
 */
void		 store_swap(struct store *live, struct store *fresh);

/*
 * store_copy_full: the local copy PATH of the store R reads (specs/store.md
 * 5.3) written whole from a full read of R: a new file (0640, never
 * through a symlink) renamed over PATH when complete.  0, or -1 with ERR.
 */
int		 store_copy_full(const char *path, struct store_reader *r,
		    char *err, size_t errsz);

/*
 * store_copy_delta: D (NULL: none) into the copy PATH, which must be at
 * FROM; afterwards it is at TO, current now.  0; 1 when the copy is not
 * at FROM (nothing written: write it whole); -1 with ERR.
 */
int		 store_copy_delta(const char *path, const struct store_delta *d,
		    const struct store_pos *from, const struct store_pos *to,
		    char *err, size_t errsz);

/*
 * store_copy_load: the copy PATH as a store (DEFAULT_MODE), every pair
 * checked; *POS its position, *AT when it was last current (Unix time).
 * NULL with *E (ENOENT: no copy) and ERR set.
 */
struct store	*store_copy_load(const char *path,
		    enum verdict_mode default_mode, struct store_pos *pos,
		    int64_t *at, enum store_err *e, char *err, size_t errsz);

/* ---- writing (store_writer.c) ---- */

struct store_writer;

/*
 * store_writer_open: open the store PATH for writing, after
 * store_file_perms.  With STORE_CREATE a missing store is created with
 * mode 0640 (umask not applied).  The schema is created or migrated to
 * STORE_VERSION in one transaction.  Returns a handle (caller frees with
 * store_writer_free), or NULL with *E (when not NULL) and ERR set.
 */
struct store_writer *store_writer_open(const char *path, unsigned flags,
		    enum store_err *e, char *err, size_t errsz);

/* store_writer_free: close W, rolling back an open transaction; NULL ok. */
void		 store_writer_free(struct store_writer *w);

/*
 * store_writer_begin: start the one write transaction of a change (BEGIN
 * IMMEDIATE, waiting up to 5 s for another writer).  Returns 0 or -1.
 */
int		 store_writer_begin(struct store_writer *w);

/*
 * store_writer_commit: append the audit row (store_audit.c; WHAT: the
 * change in words, e.g. "allow bob@x.test carol@y.test"; who: the real
 * uid and its user name; when: now) and commit.  When it returns 0 the
 * change is on disk (the WAL is fsynced); on -1 the transaction is rolled
 * back and nothing of it remains.
 */
int		 store_writer_commit(struct store_writer *w, const char *what);

/* store_writer_rollback: abandon the transaction; a no-op without one. */
void		 store_writer_rollback(struct store_writer *w);

/*
 * Changes, inside a transaction.  RECIPIENT and SENDER are canonical
 * targets (store_canon); PIN is NULL or 64 lowercase hex digits.  Each
 * returns 0 (and the number of rows changed in *N when N is not NULL),
 * or -1.
 *
 * store_writer_set_mode: MODE "allow" or "deny"; NULL removes the mode
 *   rule.
 * store_writer_add: an entry.  An allow entry without PIN replaces the
 *   allow entries of (RECIPIENT, SENDER); one with PIN removes an
 *   unpinned allow entry of the pair (it would void the pin, verdicts.md
 *   4.3) and adds the pin (at most STORE_MAX_PINS).  Pins are refused on
 *   deny entries and on *@domain senders.  Adding what is there changes
 *   nothing (*N = 0).  A failing call changes nothing (a savepoint), so
 *   the transaction may still be committed or rolled back.
 * store_writer_remove: the entries of (RECIPIENT, SENDER); with PIN only
 *   the allow entry with that pin.
 */
int		 store_writer_set_mode(struct store_writer *w,
		    const char *recipient, const char *mode, size_t *n);
int		 store_writer_add(struct store_writer *w,
		    const char *recipient, enum store_action action,
		    const char *sender, const char *pin, size_t *n);
int		 store_writer_remove(struct store_writer *w,
		    const char *recipient, const char *sender, const char *pin,
		    size_t *n);

/* The last error of W (kind and text); never NULL. */
enum store_err	 store_writer_errcode(const struct store_writer *w);
const char	*store_writer_error(const struct store_writer *w);

/* ---- the decision journal (store_journal.c; specs/store.md 6) ---- */

#define STORE_JOURNAL_VERSION	2	/* the journal file's user_version */
#define STORE_JOURNAL_RDONLY	0x02	/* store_journal_open: read only */
#define STORE_JOURNAL_BUSY_MS	1000	/* a writer waits this long */

/* What a journal row is about (the column dir). */
enum store_jdir {
	STORE_JIN,		/* "in": a decision on mail to RECIPIENT */
	STORE_JOUT,		/* "out": RECIPIENT sent to SENDER (reserved
				   for the submission path) */
};

/*
 * One journal row: a key (dir .. pin) and what was counted.  Written
 * rows take their day from LAST; read rows are summed over days.
 */
struct store_jrow {
	enum store_jdir		 dir;
	char			 recipient[STORE_TARGET_MAX];	/* mailbox */
	char			 sender[STORE_TARGET_MAX];	/* address */
	enum verdict_sig	 sig;
	enum verdict		 verdict;
	enum verdict_reason	 reason;
	enum verdict_tag	 tag;
	int			 has_pin;	/* only with authorized */
	unsigned char		 pin[STORE_FP_LEN];
	uint64_t		 count;
	int64_t			 first, last;	/* Unix time */
};

struct store_journal;

/*
 * store_journal_path: the journal file of the store STORE: JOURNAL_FILE
 * when not NULL, else "journal.db" in STORE's directory (specs/store.md
 * 6.1), in OUT (OUTSZ octets).  Returns 0, or -1 when it does not fit or
 * STORE is a PostgreSQL store and JOURNAL_FILE is NULL (no default).
 */
int		 store_journal_path(const char *store,
		    const char *journal_file, char *out, size_t outsz);

/*
 * store_journal_open: the journal file PATH.  With STORE_JOURNAL_RDONLY a
 * read-only connection (the CLI); a file of a version other than
 * STORE_JOURNAL_VERSION is refused (ECORRUPT).  Otherwise read-write
 * (senderkeyd) after store_file_perms, created with mode 0640 when
 * missing and STORE_CREATE is given, WAL, synchronous=NORMAL, the schema
 * created or migrated.  Returns a handle (store_journal_free), or NULL
 * with *E (when not NULL) and ERR set.
 */
struct store_journal *store_journal_open(const char *path, unsigned flags,
		    enum store_err *e, char *err, size_t errsz);

/* store_journal_free: close J; NULL is a no-op. */
void		 store_journal_free(struct store_journal *j);

/*
 * store_journal_set_rcpt_max: from now on, store_journal_write keeps at
 * most MAX rows (0: no bound) of each recipient it writes rows of,
 * dropping that recipient's oldest first, so that one recipient's flood
 * cannot push the others' history out (specs/store.md 6.3).
 */
void		 store_journal_set_rcpt_max(struct store_journal *j,
		    uint64_t max);

/*
 * store_journal_write: in one transaction, add the N ROWS (each row's
 * count to its key's, first and last widened; the day is LAST's), then
 * delete the rows whose last is more than DAYS days before NOW, then the
 * oldest rows of each recipient of ROWS beyond the bound of
 * store_journal_set_rcpt_max, then the oldest rows beyond MAX_ROWS.  A row that is not valid (a target not in
 * canonical form, a count of 0, first and last on different days, a pin
 * on a verdict other than authorized) is skipped, never written.  *PRUNED
 * and *SKIPPED (each when not NULL) get the rows deleted and skipped.
 * Returns 0, or -1 with nothing written (the transaction is rolled back;
 * store_journal_errcode says why: EBUSY locked for more than
 * STORE_JOURNAL_BUSY_MS, EIO disk full, EPERM read-only).
 */
int		 store_journal_write(struct store_journal *j,
		    const struct store_jrow *rows, size_t n, int64_t now,
		    unsigned days, uint64_t max_rows, size_t *pruned,
		    size_t *skipped);

/*
 * store_journal_read: the rows of RECIPIENT (a canonical mailbox) and
 * DIR whose last is at or after SINCE, summed over days into one row per
 * (sender, sig, verdict, reason, tag, pin), sorted by sender, then sig,
 * verdict, reason, tag and pin as text.  Every row is checked (names,
 * pin, counts); one bad row fails the read (ECORRUPT).  Returns 0 with a
 * new array in *ROWS (caller frees; NULL when *N is 0), or -1.
 */
int		 store_journal_read(struct store_journal *j,
		    const char *recipient, enum store_jdir dir, int64_t since,
		    struct store_jrow **rows, size_t *n);

/* What deny mode would do today with a sender (specs/store.md 6.4). */
enum store_journal_deny {
	STORE_JD_ACCEPT,		/* "accept" */
	STORE_JD_DENYLISTED,		/* "denylisted" */
	STORE_JD_NOT_ALLOWLISTED,	/* "not-allowlisted" */
	STORE_JD_PIN_MISMATCH,		/* "pin-mismatch" */
	STORE_JD_UNSIGNED,		/* "unsigned" */
};

/* store_journal_deny_name: the name above ("?" out of range). */
const char	*store_journal_deny_name(enum store_journal_deny d);

/*
 * store_journal_deny: whether deny mode would refuse SENDER today (the
 * table of specs/store.md 6.4): R is the store's result for SENDER and
 * the recipient now (store_eval; its mode is not read), ROWS (N of them,
 * as store_journal_read gives them) the history; only SENDER's rows are
 * read.  Pure.
 */
enum store_journal_deny store_journal_deny(const struct store_result *r,
		    const struct store_jrow *rows, size_t n,
		    const char *sender);

/*
 * store_journal_pins: the distinct pins of SENDER's authorized rows
 * among ROWS (N), the most recently seen first, at most MAX, into PINS.
 * Returns how many.  Pure.
 */
size_t		 store_journal_pins(const struct store_jrow *rows, size_t n,
		    const char *sender, unsigned char (*pins)[STORE_FP_LEN],
		    size_t max);

/* The last error of J (kind and text); never NULL. */
enum store_err	 store_journal_errcode(const struct store_journal *j);
const char	*store_journal_error(const struct store_journal *j);

/*
 * store_journal_set_busy: a locked file is waited for MS milliseconds
 * (default STORE_JOURNAL_BUSY_MS) from now on.
 */
void		 store_journal_set_busy(struct store_journal *j, unsigned ms);

/*
 * store_journal_data_version: PRAGMA data_version of J's connection in
 * *V: it changes when another connection commits.  0, or -1.
 */
int		 store_journal_data_version(struct store_journal *j,
		    long long *v);

/* store_journal_version: the schema version of J's file (1 or 2). */
int		 store_journal_version(const struct store_journal *j);

/* ---- user entries (store_uentry.c; specs/store.md 7) ---- */

#define STORE_UENTRY_MAX	1000	/* UserEntries' default */

/* Who made a user entry (the column source). */
enum store_usource {
	STORE_US_IMAP,		/* "imap": moved in the mail client */
	STORE_US_SENT,		/* "sent": learned from sent mail */
};

/*
 * One user entry: every row of one (recipient, sender) pair.  RECIPIENT
 * is a canonical mailbox, SENDER a canonical address (never "*@dom").
 */
struct store_uentry {
	char			 recipient[STORE_TARGET_MAX];
	char			 sender[STORE_TARGET_MAX];
	enum store_action	 action;
	enum store_usource	 source;
	int64_t			 created;	/* Unix time */
	size_t			 npins;		/* allow only; 0: unpinned */
	unsigned char		 pins[STORE_MAX_PINS][STORE_FP_LEN];
};

/* store_uentry_source_name: "imap", "sent" ("?" out of range). */
const char	*store_uentry_source_name(enum store_usource src);

/* store_uentry_source_from_name: NAME into *SRC; 0, or -1 if unknown. */
int		 store_uentry_source_from_name(const char *name,
		    enum store_usource *src);

/*
 * store_uentry_merge: the user entry UE (NULL: none) of the recipient
 * and sender R was evaluated for (store_eval) into R, as verdicts.md 4.2
 * says: it is an entry of the recipient's address level naming the
 * sender's address, and counts only when the rules gave R no entry of
 * that level naming that address (the operator's entry of the pair wins
 * whole).  Returns 1 when UE now decides R's list (R->by_user set), else
 * 0 (R unchanged).  Pure.  The one copy of this rule: senderkeyd and the
 * CLI both call it.
 */
int		 store_uentry_merge(struct store_result *r,
		    const struct store_uentry *ue);

/*
 * store_uentry_valid: whether UE may be stored: canonical mailbox and
 * address, a known action and source, pins only on allow and at most
 * STORE_MAX_PINS, none twice.  Pure.
 */
int		 store_uentry_valid(const struct store_uentry *ue);

/*
 * store_uentry_load: the user entries of RECIPIENT (a canonical mailbox;
 * NULL: of everyone) in J, sorted by recipient then sender, every row
 * checked (one bad row fails the load: ECORRUPT), in a new array *OUT
 * (caller frees; NULL when *N is 0).  A journal file of version 1 has
 * none.  0, or -1 with J's error set.
 */
int		 store_uentry_load(struct store_journal *j,
		    const char *recipient, struct store_uentry **out,
		    size_t *n);

/*
 * store_uentry_put: in one transaction of J, make UE the user entry of
 * its pair (every row of the pair replaced), then drop the recipient's
 * pairs beyond MAX (0: no bound): "sent" ones first, then the oldest
 * created.  With KEEP an existing user entry of the pair is left as it
 * is.  Returns 0 written, 1 nothing written (KEEP and an entry there, or
 * the entry there is UE already: same action, pins and source), -1 not
 * written (J's error: EBUSY locked, EIO disk full, EDATA UE not valid,
 * EPERM read-only); *PRUNED (when not NULL) gets the pairs dropped.
 */
int		 store_uentry_put(struct store_journal *j,
		    const struct store_uentry *ue, int keep, uint64_t max,
		    size_t *pruned);

/*
 * store_uentry_forget: in one transaction, delete the user entries of
 * RECIPIENT naming SENDER (NULL: every sender), only those of SOURCE
 * when SOURCE is not NULL.  *N (when not NULL) gets the pairs deleted.
 * 0, or -1 with J's error set.
 */
int		 store_uentry_forget(struct store_journal *j,
		    const char *recipient, const char *sender,
		    const enum store_usource *source, size_t *n);

/*
 * store_uentry_stamp: a cheap summary of the user entry rows (their
 * number and the sum of their rowids) in STAMP: it differs after any
 * delete or insert.  For a reader that sees PRAGMA data_version change
 * (the decision journal's batches change it too) and reloads the user
 * entries only when they changed.  0, or -1.
 */
int		 store_uentry_stamp(struct store_journal *j,
		    long long stamp[2]);

#endif
