/*
 * store_writer.c: the write side of the recipient policy store, for
 * "senderkey policy": opening (creating) the file for writing in WAL
 * mode with synchronous=FULL, the one transaction of a change, and the
 * changes themselves, checked against the rules of specs/store.md
 * section 2.  The schema and its migration are store_file.c's, the audit
 * row store_audit.c's; reading the rules for decisions is store.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "store_int.h"

#define BUSY_TIMEOUT_MS	5000

struct store_writer {
	sqlite3			*db;
	int			 in_tx;
	struct store_fault	 f;
};

/* open_rw: open PATH read-write, in WAL mode, synchronous=FULL. */
static int
open_rw(struct store_writer *w, const char *path)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	int rc, on = 1;

	rc = sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fault(&w->f, w->db, rc, "opening");
	sqlite3_extended_result_codes(w->db, 0);
	sqlite3_busy_timeout(w->db, BUSY_TIMEOUT_MS);
	/* Keep the -wal and -shm files, so that a reader without write
	   access to the directory (senderkeyd) can always open the store. */
	sqlite3_file_control(w->db, NULL, SQLITE_FCNTL_PERSIST_WAL, &on);
	if ((rc = sqlite3_prepare_v2(w->db, "PRAGMA journal_mode = WAL", -1,
	    &st, NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_sql_fault(&w->f, w->db, rc, "setting WAL mode");
		goto fail;
	}
	jm = sqlite3_column_text(st, 0);
	if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
		store_sql_refuse(&w->f, STORE_EIO,
		    "cannot switch the store to WAL mode");
		goto fail;
	}
	sqlite3_finalize(st);
	return store_sql_exec(w->db, &w->f, "PRAGMA synchronous = FULL",
	    "setting synchronous");
fail:
	sqlite3_finalize(st);
	return -1;
}

struct store_writer *
store_writer_open(const char *path, unsigned flags, enum store_err *e,
    char *err, size_t errsz)
{
	struct store_writer *w;
	int exists, rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (e != NULL)
			*e = STORE_EINTERNAL;
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if ((rc = store_file_perms(path, &exists, w->f.text,
	    sizeof(w->f.text))) != 0) {
		w->f.code = rc == -1 ? STORE_EPERM : (flags & STORE_CREATE) ?
		    STORE_ECREATE : STORE_ENOENT;
		goto fail;
	}
	if (!exists && !(flags & STORE_CREATE)) {
		store_sql_refuse(&w->f, STORE_ENOENT, "no such store");
		goto fail;
	}
	if (!exists) {
		if (store_sql_create(&w->f, path) == -1)
			goto fail;
	} else if (access(path, R_OK | W_OK) == -1) {
		store_sql_refuse(&w->f, STORE_EPERM, "%s", strerror(errno));
		goto fail;
	}
	if (open_rw(w, path) == -1 || store_file_migrate(w->db, &w->f) == -1)
		goto fail;
	return w;
fail:
	if (e != NULL)
		*e = w->f.code;
	errstr_set(err, errsz, "%s: %s", path, w->f.text);
	store_writer_free(w);
	return NULL;
}

void
store_writer_free(struct store_writer *w)
{
	if (w == NULL)
		return;
	if (w->in_tx)
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(w->db);
	free(w);
}

int
store_writer_begin(struct store_writer *w)
{
	if (w->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL,
		    "a change is already open");
	if (store_sql_exec(w->db, &w->f, "BEGIN IMMEDIATE",
	    "locking the store") == -1)
		return -1;
	w->in_tx = 1;
	return 0;
}

void
store_writer_rollback(struct store_writer *w)
{
	if (w == NULL || !w->in_tx)
		return;
	sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	w->in_tx = 0;
}

int
store_writer_commit(struct store_writer *w, const char *what)
{
	if (!w->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL, "no change "
		    "open (store_writer_begin)");
	if (store_audit_append(w->db, &w->f, what) == -1 ||
	    store_sql_exec(w->db, &w->f, "COMMIT", "committing") == -1) {
		store_writer_rollback(w);
		return -1;
	}
	w->in_tx = 0;
	return 0;
}

/*
 * check: a change needs an open transaction and canonical targets
 * RCPT and SENDER (NULL: none); *KIND (when not NULL) gets SENDER's.
 */
static int
check(struct store_writer *w, const char *rcpt, const char *sender,
    int *kind)
{
	const char *bad = NULL;
	int k = -1;

	if (!w->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL, "no change "
		    "open (store_writer_begin)");
	if (store_canon_is(rcpt) == -1)
		bad = rcpt;
	else if (sender != NULL && (k = store_canon_is(sender)) == -1)
		bad = sender;
	if (bad != NULL)
		return store_sql_refuse(&w->f, STORE_EDATA, "%s: not a "
		    "canonical address or *@domain", bad);
	if (kind != NULL)
		*kind = k;
	return 0;
}

int
store_writer_set_mode(struct store_writer *w, const char *rcpt,
    const char *mode, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (check(w, rcpt, NULL, NULL) == -1)
		return -1;
	if (mode == NULL)
		return store_sql_run(w->db, &w->f, "DELETE FROM mode WHERE "
		    "recipient = ?1", n, 1, rcpt);
	if (strcmp(mode, "allow") != 0 && strcmp(mode, "deny") != 0)
		return store_sql_refuse(&w->f, STORE_EDATA,
		    "mode must be allow or deny");
	return store_sql_run(w->db, &w->f, "INSERT INTO mode (recipient, "
	    "mode, changed) VALUES (?1, ?2, strftime('%s', 'now')) "
	    "ON CONFLICT (recipient) DO UPDATE SET mode = ?2, "
	    "changed = strftime('%s', 'now') WHERE mode <> ?2", n, 2, rcpt,
	    mode);
}

/* add_pin: the pinned allow entry (RCPT, SENDER, PIN); see add. */
static int
add_pin(struct store_writer *w, const char *rcpt, const char *sender,
    const char *pin, size_t *n)
{
	size_t ins = 0;
	long long npins = 0;
	int rc;

	if (store_sql_run(w->db, &w->f, "DELETE FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin = ''", n, 2, rcpt, sender) == -1 ||
	    store_sql_run(w->db, &w->f, "INSERT OR IGNORE INTO entry "
	    "(recipient, action, sender, pin, changed) VALUES (?1, 'allow', "
	    "?2, ?3, strftime('%s', 'now'))", &ins, 3, rcpt, sender,
	    pin) == -1)
		return -1;
	*n += ins;
	if (ins == 0)
		return 0;
	if ((rc = store_sql_int(w->db, "SELECT count(*) FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin <> ''", &npins, 2, rcpt, sender)) != SQLITE_OK)
		return store_sql_fault(&w->f, w->db, rc, "reading the store");
	if (npins > STORE_MAX_PINS)
		return store_sql_refuse(&w->f, STORE_EDATA, "%s already has "
		    "%d pinned keys for %s", sender, STORE_MAX_PINS, rcpt);
	return 0;
}

/* add: store_writer_add without the savepoint. */
static int
add(struct store_writer *w, const char *rcpt, enum store_action act,
    const char *sender, const char *pin, size_t *n)
{
	char canon[STORE_PIN_HEX];
	int kind;

	if (check(w, rcpt, sender, &kind) == -1)
		return -1;
	if (pin != NULL) {
		if (act != STORE_ALLOW)
			return store_sql_refuse(&w->f, STORE_EDATA, "a pin is "
			    "only allowed on an allow entry");
		if (kind != STORE_T_ADDR)
			return store_sql_refuse(&w->f, STORE_EDATA, "a pin "
			    "needs a sender address, not *@domain");
		if (store_canon_pin(pin, canon) == -1 ||
		    strcmp(canon, pin) != 0)
			return store_sql_refuse(&w->f, STORE_EDATA, "a pin is "
			    "64 lowercase hex digits");
		return add_pin(w, rcpt, sender, pin, n);
	}
	if (act == STORE_DENY)
		return store_sql_run(w->db, &w->f, "INSERT OR IGNORE INTO "
		    "entry (recipient, action, sender, pin, changed) VALUES "
		    "(?1, 'deny', ?2, '', strftime('%s', 'now'))", n, 2, rcpt,
		    sender);
	if (store_sql_run(w->db, &w->f, "DELETE FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin <> ''", n, 2, rcpt, sender) == -1)
		return -1;
	return store_sql_run(w->db, &w->f, "INSERT OR IGNORE INTO entry "
	    "(recipient, action, sender, pin, changed) VALUES (?1, 'allow', "
	    "?2, '', strftime('%s', 'now'))", n, 2, rcpt, sender);
}

int
store_writer_add(struct store_writer *w, const char *rcpt,
    enum store_action act, const char *sender, const char *pin, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (!w->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL, "no change "
		    "open (store_writer_begin)");
	if (store_sql_exec(w->db, &w->f, "SAVEPOINT writer_add",
	    "updating the store") == -1)
		return -1;
	if (add(w, rcpt, act, sender, pin, n) == -1) {
		/* Undo this call only: the transaction stays usable. */
		sqlite3_exec(w->db, "ROLLBACK TO writer_add; "
		    "RELEASE writer_add", NULL, NULL, NULL);
		*n = 0;
		return -1;
	}
	return store_sql_exec(w->db, &w->f, "RELEASE writer_add",
	    "updating the store");
}

int
store_writer_remove(struct store_writer *w, const char *rcpt,
    const char *sender, const char *pin, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (check(w, rcpt, sender, NULL) == -1)
		return -1;
	if (pin != NULL)
		return store_sql_run(w->db, &w->f, "DELETE FROM entry WHERE "
		    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
		    "pin = ?3", n, 3, rcpt, sender, pin);
	return store_sql_run(w->db, &w->f, "DELETE FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2", n, 2, rcpt, sender);
}

enum store_err
store_writer_errcode(const struct store_writer *w)
{
	return w->f.code;
}

const char *
store_writer_error(const struct store_writer *w)
{
	return w->f.text;
}
