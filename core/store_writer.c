/*
 * store_writer.c: the write side of the recipient policy store, for
 * "senderkey policy": opening (creating) the store for writing through
 * store_db (a file, or PostgreSQL), the one transaction of a change with
 * the change log's pruning, and the changes themselves, checked against
 * the rules of specs/store.md section 2.  The schema and its migration
 * are store_file.c's, the audit row store_audit.c's; reading the rules
 * for decisions is store.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/errstr.h"
#include "store_int.h"

struct store_writer {
	struct store_db		*db;
	struct store_fault	 f;
};

/* now_text: the Unix time now, in decimal, in BUF. */
static const char *
now_text(char buf[32], time_t delta)
{
	snprintf(buf, 32, "%lld", (long long)time(NULL) + (long long)delta);
	return buf;
}

/*
 * open_file: the checks of a store file before opening it (a path, not
 * a PostgreSQL spec): permissions, a missing store without CREATE, an
 * existing one the caller may not read and write.
 */
static int
open_file(struct store_writer *w, const char *path, unsigned flags)
{
	int exists, rc;

	if ((rc = store_file_perms(path, &exists, w->f.text,
	    sizeof(w->f.text))) != 0) {
		w->f.code = rc == -1 ? STORE_EPERM : (flags & STORE_CREATE) ?
		    STORE_ECREATE : STORE_ENOENT;
		return -1;
	}
	if (!exists && !(flags & STORE_CREATE))
		return store_sql_refuse(&w->f, STORE_ENOENT, "no such store");
	if (exists && access(path, R_OK | W_OK) == -1)
		return store_sql_refuse(&w->f, STORE_EPERM, "%s",
		    strerror(errno));
	return 0;
}

struct store_writer *
store_writer_open(const char *path, unsigned flags, enum store_err *e,
    char *err, size_t errsz)
{
	struct store_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (e != NULL)
			*e = STORE_EINTERNAL;
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if (!store_db_is_pg(path) && open_file(w, path, flags) == -1)
		goto fail;
	if ((w->db = store_db_open(path, flags & STORE_CREATE, NULL,
	    &w->f)) == NULL || store_file_migrate(w->db, &w->f) == -1)
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
	store_db_close(w->db);
	free(w);
}

int
store_writer_begin(struct store_writer *w)
{
	if (w->db->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL,
		    "a change is already open");
	return store_db_begin(w->db, &w->f, 1);
}

void
store_writer_rollback(struct store_writer *w)
{
	if (w == NULL)
		return;
	store_db_rollback(w->db);
}

/*
 * prune: inside the open transaction, drop the change rows older than
 * STORE_CHANGE_DAYS days, and every row before them, so that the log is
 * whatever follows store_meta.pruned, the highest seq dropped
 * (specs/store.md 2.1).
 */
static int
prune(struct store_writer *w)
{
	char cut[32];

	now_text(cut, -(time_t)STORE_CHANGE_DAYS * 86400);
	if (store_db_run(w->db, &w->f, "UPDATE store_meta SET pruned = "
	    "(SELECT max(seq) FROM change WHERE at < ?1) WHERE "
	    "(SELECT max(seq) FROM change WHERE at < ?1) > pruned", NULL, 1,
	    cut) == -1)
		return -1;
	return store_db_run(w->db, &w->f, "DELETE FROM change WHERE seq <= "
	    "(SELECT pruned FROM store_meta)", NULL, 0);
}

int
store_writer_commit(struct store_writer *w, const char *what)
{
	if (!w->db->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL, "no change "
		    "open (store_writer_begin)");
	if (prune(w) == -1 || store_audit_append(w->db, &w->f, what) == -1 ||
	    store_db_commit(w->db, &w->f) == -1) {
		store_writer_rollback(w);
		return -1;
	}
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

	if (!w->db->in_tx)
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
	char now[32];

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (check(w, rcpt, NULL, NULL) == -1)
		return -1;
	if (mode == NULL)
		return store_db_run(w->db, &w->f, "DELETE FROM mode WHERE "
		    "recipient = ?1", n, 1, rcpt);
	if (strcmp(mode, "allow") != 0 && strcmp(mode, "deny") != 0)
		return store_sql_refuse(&w->f, STORE_EDATA,
		    "mode must be allow or deny");
	return store_db_run(w->db, &w->f, "INSERT INTO mode (recipient, "
	    "mode, changed) VALUES (?1, ?2, ?3) ON CONFLICT (recipient) DO "
	    "UPDATE SET mode = ?2, changed = ?3 WHERE mode.mode <> ?2", n, 3,
	    rcpt, mode, now_text(now, 0));
}

/* add_pin: the pinned allow entry (RCPT, SENDER, PIN); see add. */
static int
add_pin(struct store_writer *w, const char *rcpt, const char *sender,
    const char *pin, size_t *n)
{
	size_t ins = 0;
	long long npins = 0;
	char now[32];

	if (store_db_run(w->db, &w->f, "DELETE FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin = ''", n, 2, rcpt, sender) == -1 ||
	    store_db_run(w->db, &w->f, "INSERT INTO entry (recipient, "
	    "action, sender, pin, changed) VALUES (?1, 'allow', ?2, ?3, ?4) "
	    "ON CONFLICT DO NOTHING", &ins, 4, rcpt, sender, pin,
	    now_text(now, 0)) == -1)
		return -1;
	*n += ins;
	if (ins == 0)
		return 0;
	if (store_db_int(w->db, &w->f, "SELECT count(*) FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin <> ''", &npins, 2, rcpt, sender) == -1)
		return -1;
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
	char canon[STORE_PIN_HEX], now[32];
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
	now_text(now, 0);
	if (act == STORE_DENY)
		return store_db_run(w->db, &w->f, "INSERT INTO entry "
		    "(recipient, action, sender, pin, changed) VALUES "
		    "(?1, 'deny', ?2, '', ?3) ON CONFLICT DO NOTHING", n, 3,
		    rcpt, sender, now);
	if (store_db_run(w->db, &w->f, "DELETE FROM entry WHERE "
	    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
	    "pin <> ''", n, 2, rcpt, sender) == -1)
		return -1;
	return store_db_run(w->db, &w->f, "INSERT INTO entry (recipient, "
	    "action, sender, pin, changed) VALUES (?1, 'allow', ?2, '', ?3) "
	    "ON CONFLICT DO NOTHING", n, 3, rcpt, sender, now);
}

int
store_writer_add(struct store_writer *w, const char *rcpt,
    enum store_action act, const char *sender, const char *pin, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (!w->db->in_tx)
		return store_sql_refuse(&w->f, STORE_EINTERNAL, "no change "
		    "open (store_writer_begin)");
	if (store_db_exec(w->db, &w->f, "SAVEPOINT writer_add",
	    "updating the store") == -1)
		return -1;
	if (add(w, rcpt, act, sender, pin, n) == -1) {
		/* Undo this call only: the transaction stays usable. */
		struct store_fault keep = w->f;

		if (store_db_exec(w->db, &w->f, "ROLLBACK TO SAVEPOINT "
		    "writer_add", "updating the store") == 0)
			store_db_exec(w->db, &w->f, "RELEASE SAVEPOINT "
			    "writer_add", "updating the store");
		w->f = keep;
		*n = 0;
		return -1;
	}
	return store_db_exec(w->db, &w->f, "RELEASE SAVEPOINT writer_add",
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
		return store_db_run(w->db, &w->f, "DELETE FROM entry WHERE "
		    "recipient = ?1 AND sender = ?2 AND action = 'allow' AND "
		    "pin = ?3", n, 3, rcpt, sender, pin);
	return store_db_run(w->db, &w->f, "DELETE FROM entry WHERE "
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
