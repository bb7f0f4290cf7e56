/*
 * policydb: the recipient policy store on disk (specs/store.md): the
 * SQLite schema, its migrations, and every write.  The store is opened in
 * WAL mode with synchronous=FULL; every change happens inside one
 * transaction (policydb_begin ... policydb_commit) that also appends an
 * audit row, so a change is either durable when policydb_commit returns 0
 * or not there at all.  Reading and evaluating the rules is store.c's
 * job (core/store.h); this module never decides a verdict.
 *
 * Error texts are one line, without a final period, in ERR (ERRSZ bytes)
 * when ERR is not NULL.  Functions that can fail say which enum
 * policydb_err they set, so the CLI can map it to an exit status.
 */
#ifndef SK_POLICYDB_H
#define SK_POLICYDB_H

#include <stddef.h>
#include <stdint.h>

#define POLICYDB_VERSION	2	/* PRAGMA user_version written */
#define POLICYDB_TARGET_MAX	262	/* "*@" + domain, or an address, + NUL */
#define POLICYDB_MAX_PINS	16	/* pins per recipient and sender */
#define POLICYDB_PIN_HEX	65	/* 64 lowercase hex digits and a NUL */
#define POLICYDB_ERR_MAX	512

enum policydb_err {
	POLICYDB_OK = 0,
	POLICYDB_ENOENT,	/* no store there (and not asked to create) */
	POLICYDB_EPERM,		/* world-writable, read-only, access denied */
	POLICYDB_ECREATE,	/* cannot create the store */
	POLICYDB_EIO,		/* I/O error, disk full */
	POLICYDB_ECORRUPT,	/* not a store, corrupt, or a newer schema */
	POLICYDB_EBUSY,		/* locked by another writer for too long */
	POLICYDB_EDATA,		/* bad argument: address, pin, too many pins */
	POLICYDB_EINTERNAL,	/* out of memory, misuse */
};

/* What a target string names. */
enum policydb_target {
	POLICYDB_T_ADDR,	/* a canonical address */
	POLICYDB_T_DOMAIN,	/* "*@" and an A-label domain */
};

enum policydb_action {
	POLICYDB_ALLOW,
	POLICYDB_DENY,
};

/* Flags of policydb_open. */
#define POLICYDB_CREATE		0x01	/* create a missing store (0640) */

struct policydb;

/*
 * policydb_canon: the canonical form of an address ("Alice@Bücher.example"
 * -> "alice@xn--bcher-kva.example"; the local part as addr_canon gives
 * it) or of "*@DOMAIN" ("*@" and the A-label domain), in OUT
 * (POLICYDB_TARGET_MAX octets).  Returns the kind, or -1 with ERR set.
 * Pure.
 */
int		 policydb_canon(const char *in, char *out, char *err,
		    size_t errsz);

/*
 * policydb_canon_rcpt: as policydb_canon, for a recipient: an address is
 * reduced to the mailbox it is delivered to (rcpt_mailbox, RFC 5321 form,
 * DELIMS the RecipientDelimiter set or NULL), so that a rule for
 * "carol+x@example.net", "carol@example.net." or "example.net!carol" is
 * carol@example.net's.  *CHANGED (when CHANGED is not NULL) is set to 1
 * when that mailbox is not the address as policydb_canon would give it,
 * else 0.  Returns the kind, or -1 with ERR set (no one mailbox).  Pure.
 */
int		 policydb_canon_rcpt(const char *in, const char *delims,
		    char *out, int *changed, char *err, size_t errsz);

/*
 * policydb_pin_parse: a fingerprint as key_fingerprint_parse reads it
 * (hex, with or without colons, either case) as 64 lowercase hex digits
 * in OUT.  Returns 0 or -1.  Pure.
 */
int		 policydb_pin_parse(const char *in, char out[POLICYDB_PIN_HEX]);

/*
 * policydb_check_perms: 0 when PATH (if it exists) and its directory are
 * not world-writable and PATH is a regular file; -2 when the directory
 * does not exist; else -1 with ERR set (a permission problem).  *EXISTS
 * is set to whether PATH exists.
 */
int		 policydb_check_perms(const char *path, int *exists, char *err,
		    size_t errsz);

/*
 * policydb_open: open the store PATH for writing, after
 * policydb_check_perms.  With POLICYDB_CREATE a missing store is created
 * with mode 0640 (umask not applied).  The schema is created or migrated
 * to POLICYDB_VERSION in one transaction.  Returns a handle (caller frees
 * with policydb_free), or NULL with *E (when not NULL) and ERR set.
 */
struct policydb	*policydb_open(const char *path, unsigned flags,
		    enum policydb_err *e, char *err, size_t errsz);

/* policydb_free: close DB, rolling back an open transaction; NULL ok. */
void		 policydb_free(struct policydb *db);

/*
 * policydb_begin: start the one write transaction of a change (BEGIN
 * IMMEDIATE, waiting up to 5 s for another writer).  Returns 0 or -1.
 */
int		 policydb_begin(struct policydb *db);

/*
 * policydb_commit: append the audit row (WHAT: the change in words, e.g.
 * "allow bob@x.test carol@y.test"; who: the real uid and its user name;
 * when: now) and commit.  When it returns 0 the change is on disk (the
 * WAL is fsynced); on -1 the transaction is rolled back and nothing of
 * it remains.
 */
int		 policydb_commit(struct policydb *db, const char *what);

/* policydb_rollback: abandon the transaction; a no-op without one. */
void		 policydb_rollback(struct policydb *db);

/*
 * Changes, inside a transaction.  RECIPIENT and SENDER are canonical
 * targets (policydb_canon); PIN is NULL or 64 lowercase hex digits.
 * Each returns 0 (and the number of rows changed in *N when N is not
 * NULL), or -1.
 *
 * policydb_set_mode: MODE "allow" or "deny"; NULL removes the mode rule.
 * policydb_add: an entry.  An allow entry without PIN replaces the allow
 *   entries of (RECIPIENT, SENDER); one with PIN removes an unpinned allow
 *   entry of the pair (it would void the pin, verdicts.md 4.3) and adds
 *   the pin (at most POLICYDB_MAX_PINS).  Pins are refused on deny
 *   entries and on *@domain senders.  Adding what is there changes
 *   nothing (*N = 0).  A failing call changes nothing (a savepoint),
 *   so the transaction may still be committed or rolled back.
 * policydb_remove: the entries of (RECIPIENT, SENDER); with PIN only the
 *   allow entry with that pin.
 */
int		 policydb_set_mode(struct policydb *db, const char *recipient,
		    const char *mode, size_t *n);
int		 policydb_add(struct policydb *db, const char *recipient,
		    enum policydb_action action, const char *sender,
		    const char *pin, size_t *n);
int		 policydb_remove(struct policydb *db, const char *recipient,
		    const char *sender, const char *pin, size_t *n);

/* policydb_error: the last error of DB (kind and text); never NULL. */
enum policydb_err policydb_errcode(const struct policydb *db);
const char	*policydb_error(const struct policydb *db);

/* policydb_errname: a stable name ("eio") for logs and tests. */
const char	*policydb_errname(enum policydb_err e);

#endif
