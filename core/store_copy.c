/*
 * store_copy.c: the local copy of a PostgreSQL store's rules that
 * senderkeyd keeps (PolicyStoreCopy, specs/store.md 5.3), so that it can
 * start while the database cannot be reached.  A SQLite file of its own
 * format: the rows of every pair and the change-log position they are
 * of.  Written whole into a new file renamed over the old one (never
 * half written), then kept current with the deltas the daemon's copy
 * thread reads; read whole, every pair checked, only at start.  The
 * rules themselves are never decided here: the copy is loaded into a
 * store like any other snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "store_int.h"

#define COPY_VERSION	1	/* its user_version */
#define COPY_BUSY_MS	1000

static const char schema[] =
    "CREATE TABLE copy_pos(id INTEGER PRIMARY KEY CHECK (id = 1), "
    "store_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE copy_rule(recipient TEXT NOT NULL, sender TEXT NOT NULL, "
    "id INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('mode', "
    "'allow', 'deny')), mode TEXT NOT NULL DEFAULT '', pin TEXT NOT NULL "
    "DEFAULT '');"
    "CREATE INDEX copy_rule_pair ON copy_rule(recipient, sender);"
    "PRAGMA user_version = 1;";

/* A write of pairs into a copy. */
struct cw {
	sqlite3			*db;
	sqlite3_stmt		*del, *ins;
	struct store_fault	*f;
};

static const char *
kind_name(enum store_rule_kind k)
{
	return k == STORE_RULE_MODE ? "mode" : k == STORE_RULE_ALLOW ?
	    "allow" : "deny";
}

/* put_pair: the store_pair_cb of a copy: the pair's rows replaced. */
static int
put_pair(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	struct cw *w = arg;
	char pin[STORE_PIN_HEX];
	const char *snd = sender != NULL ? sender : "";
	size_t i;
	int rc;

	sqlite3_bind_text(w->del, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->del, 2, snd, -1, SQLITE_STATIC);
	rc = sqlite3_step(w->del);
	sqlite3_reset(w->del);
	if (rc != SQLITE_DONE)
		return store_sql_fault(w->f, w->db, rc, "writing the copy");
	for (i = 0; i < n; i++) {
		pin[0] = '\0';
		if (rows[i].has_pin)
			store_canon_pin_hex(rows[i].pin, pin);
		sqlite3_bind_text(w->ins, 1, rcpt, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->ins, 2, snd, -1, SQLITE_STATIC);
		sqlite3_bind_int64(w->ins, 3, rows[i].id);
		sqlite3_bind_text(w->ins, 4, kind_name(rows[i].kind), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(w->ins, 5, rows[i].kind != STORE_RULE_MODE ?
		    "" : verdict_mode_name(rows[i].mode), -1, SQLITE_STATIC);
		sqlite3_bind_text(w->ins, 6, pin, -1, SQLITE_STATIC);
		rc = sqlite3_step(w->ins);
		sqlite3_reset(w->ins);
		if (rc != SQLITE_DONE)
			return store_sql_fault(w->f, w->db, rc,
			    "writing the copy");
	}
	return 0;
}

/* cw_open: a write handle on PATH (which exists), in a transaction. */
static int
cw_open(struct cw *w, const char *path, struct store_fault *f)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->f = f;
	rc = sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fault(f, w->db, rc, "opening the copy");
	sqlite3_busy_timeout(w->db, COPY_BUSY_MS);
	if (store_sql_exec(w->db, f, "BEGIN IMMEDIATE", "writing the copy") ==
	    -1)
		return -1;
	if ((rc = sqlite3_prepare_v2(w->db, "DELETE FROM copy_rule WHERE "
	    "recipient = ?1 AND sender = ?2", -1, &w->del, NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(w->db, "INSERT INTO copy_rule(recipient, "
	    "sender, id, kind, mode, pin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    -1, &w->ins, NULL)) != SQLITE_OK)
		return store_sql_fault(f, w->db, rc, "writing the copy");
	return 0;
}

/* cw_close: commit (COMMIT 1) or roll back, and close. 0 or -1. */
static int
cw_close(struct cw *w, int commit)
{
	int rc = 0;

	sqlite3_finalize(w->del);
	sqlite3_finalize(w->ins);
	if (w->db == NULL)
		return -1;
	if (commit)
		rc = store_sql_exec(w->db, w->f, "COMMIT", "writing the copy");
	if (!commit || rc == -1)
		sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(w->db);
	w->db = NULL;
	return rc;
}

/* set_pos: the copy's position (insert or replace the one row). */
static int
set_pos(struct cw *w, const struct store_pos *pos, int64_t at)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(w->db, "INSERT INTO copy_pos(id, "
	    "store_id, seq, at) VALUES (1, ?1, ?2, ?3) ON CONFLICT(id) DO "
	    "UPDATE SET store_id = excluded.store_id, seq = excluded.seq, "
	    "at = excluded.at", -1, &st, NULL)) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, pos->store_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, pos->seq);
		sqlite3_bind_int64(st, 3, at);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_fault(w->f, w->db, rc, "writing the copy");
	return 0;
}

/* sync_path: fsync PATH (a file or a directory). */
static int
sync_path(const char *path, struct store_fault *f)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return store_sql_refuse(f, STORE_EIO, "%s: %s", path,
		    strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return store_sql_refuse(f, STORE_EIO, "%s: fsync: %s", path,
		    strerror(errno));
	return 0;
}

/* dir_of: the directory of PATH in OUT. */
static void
dir_of(const char *path, char *out, size_t outsz)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		snprintf(out, outsz, ".");
	else if (sl == path)
		snprintf(out, outsz, "/");
	else
		snprintf(out, outsz, "%.*s", (int)(sl - path), path);
}

/* copy_full: store_copy_full with the error in F. */
static int
copy_full(const char *path, struct store_reader *r, struct store_fault *f)
{
	struct store_pos pos;
	struct cw w;
	char tmp[PATH_MAX], dir[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return store_sql_refuse(f, STORE_ECREATE, "%s: path too long",
		    path);
	if (unlink(tmp) == -1 && errno != ENOENT)
		return store_sql_refuse(f, STORE_ECREATE, "%s: %s", tmp,
		    strerror(errno));
	if (store_sql_create(f, tmp) == -1)
		return -1;
	memset(&w, 0, sizeof(w));
	w.f = f;
	if (sqlite3_open_v2(tmp, &w.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK ||
	    store_sql_exec(w.db, f, schema, "creating the copy") == -1) {
		if (w.db != NULL && f->code == STORE_OK)
			store_sql_fault(f, w.db, sqlite3_errcode(w.db),
			    "creating the copy");
		sqlite3_close_v2(w.db);
		goto fail;
	}
	sqlite3_close_v2(w.db);
	if (cw_open(&w, tmp, f) == -1)
		goto fail_w;
	if (store_reader_stream(r, put_pair, &w, &pos) == -1) {
		store_sql_refuse(f, store_reader_errcode(r), "%s",
		    store_reader_error(r));
		goto fail_w;
	}
	if (set_pos(&w, &pos, (int64_t)time(NULL)) == -1 ||
	    cw_close(&w, 1) == -1)
		goto fail_w;
	dir_of(path, dir, sizeof(dir));
	if (sync_path(tmp, f) == -1)
		goto fail;
	if (rename(tmp, path) == -1) {
		store_sql_refuse(f, STORE_EIO, "%s: %s", path,
		    strerror(errno));
		goto fail;
	}
	return sync_path(dir, f);
fail_w:
	cw_close(&w, 0);
fail:
	unlink(tmp);
	return -1;
}

/* each_pair: store_delta_each's callback into the copy. */
static int
each_pair(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	return put_pair(arg, rcpt, sender, rows, n);
}

/* copy_delta: store_copy_delta with the error in F. */
static int
copy_delta(const char *path, const struct store_delta *d,
    const struct store_pos *from, const struct store_pos *to,
    struct store_fault *f)
{
	sqlite3_stmt *st = NULL;
	struct cw w;
	int rc, same = 0;

	if (cw_open(&w, path, f) == -1) {
		cw_close(&w, 0);
		return -1;
	}
	/* only onto the position it is of: else it is stale (full again) */
	if (sqlite3_prepare_v2(w.db, "SELECT 1 FROM copy_pos WHERE store_id "
	    "= ?1 AND seq = ?2", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, from->store_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, from->seq);
		same = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	if (!same) {
		cw_close(&w, 0);
		return 1;
	}
	rc = d != NULL ? store_delta_each(d, each_pair, &w) : 0;
	if (rc == -1 || set_pos(&w, to, (int64_t)time(NULL)) == -1) {
		cw_close(&w, 0);
		return -1;
	}
	return cw_close(&w, 1);
}

/* load_rows: every pair of the copy DB into IDX, checked. */
static int
load_rows(sqlite3 *db, struct store_index *idx, struct store_fault *f)
{
	struct store_irow rows[STORE_MAX_PINS + 4];
	char rcpt[STORE_TARGET_MAX], snd[STORE_TARGET_MAX], why[256];
	const char *c0, *c1, *k, *m, *p;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc, have = 0;

	if ((rc = sqlite3_prepare_v2(db, "SELECT recipient, sender, id, kind, "
	    "mode, pin FROM copy_rule ORDER BY recipient, sender, id", -1,
	    &st, NULL)) != SQLITE_OK)
		return store_sql_fault(f, db, rc, "reading the copy");
	for (;;) {
		rc = sqlite3_step(st);
		c0 = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st,
		    0) : NULL;
		c1 = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st,
		    1) : NULL;
		if (have && (rc != SQLITE_ROW || c0 == NULL || c1 == NULL ||
		    strcmp(c0, rcpt) != 0 || strcmp(c1, snd) != 0)) {
			if (store_snap_check_pair(rcpt, snd[0] != '\0' ? snd :
			    NULL, rows, n, why, sizeof(why)) == -1) {
				store_sql_refuse(f, STORE_ECORRUPT, "the copy: "
				    "%s", why);
				goto fail;
			}
			if (store_index_set(idx, rcpt, snd[0] != '\0' ? snd :
			    NULL, rows, n) == -1) {
				store_sql_refuse(f, STORE_EINTERNAL,
				    "out of memory");
				goto fail;
			}
			have = 0;
			n = 0;
		}
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			store_sql_fault(f, db, rc, "reading the copy");
			goto fail;
		}
		k = (const char *)sqlite3_column_text(st, 3);
		m = (const char *)sqlite3_column_text(st, 4);
		p = (const char *)sqlite3_column_text(st, 5);
		if (c0 == NULL || c1 == NULL || k == NULL || m == NULL ||
		    p == NULL || strlen(c0) >= sizeof(rcpt) ||
		    strlen(c1) >= sizeof(snd) || n == sizeof(rows) /
		    sizeof(rows[0])) {
			store_sql_refuse(f, STORE_ECORRUPT, "the copy: a row "
			    "out of shape");
			goto fail;
		}
		if (!have) {
			memcpy(rcpt, c0, strlen(c0) + 1);
			memcpy(snd, c1, strlen(c1) + 1);
			have = 1;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].id = sqlite3_column_int64(st, 2);
		rows[n].kind = strcmp(k, "mode") == 0 ? STORE_RULE_MODE :
		    strcmp(k, "allow") == 0 ? STORE_RULE_ALLOW :
		    STORE_RULE_DENY;
		rows[n].mode = strcmp(m, "deny") == 0 ? VM_DENY : VM_ALLOW;
		if ((rows[n].kind == STORE_RULE_MODE && strcmp(m, "allow") !=
		    0 && strcmp(m, "deny") != 0) || (p[0] != '\0' &&
		    store_canon_pin_bytes(p, rows[n].pin) == -1)) {
			store_sql_refuse(f, STORE_ECORRUPT, "the copy: a row "
			    "out of shape");
			goto fail;
		}
		rows[n].has_pin = p[0] != '\0';
		n++;
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

/* copy_load: store_copy_load with the error in F. */
static struct store *
copy_load(const char *path, enum verdict_mode default_mode,
    struct store_pos *pos, int64_t *at, struct store_fault *f)
{
	struct store_index *idx = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	struct store *s = NULL;
	const char *id;
	long long v = 0;
	int rc;

	if (access(path, F_OK) == -1) {
		store_sql_refuse(f, errno == ENOENT ? STORE_ENOENT :
		    STORE_EPERM, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL)) != SQLITE_OK) {
		store_sql_fault(f, db, rc, "opening the copy");
		goto fail;
	}
	sqlite3_busy_timeout(db, COPY_BUSY_MS);
	if (store_sql_int(db, "PRAGMA user_version", &v, 0) != SQLITE_OK ||
	    v != COPY_VERSION) {
		store_sql_refuse(f, STORE_ECORRUPT, "%s: not a copy of a "
		    "policy store (version %lld)", path, v);
		goto fail;
	}
	if (store_sql_exec(db, f, "BEGIN", "reading the copy") == -1)
		goto fail;
	if ((rc = sqlite3_prepare_v2(db, "SELECT store_id, seq, at FROM "
	    "copy_pos WHERE id = 1", -1, &st, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_step(st)) != SQLITE_ROW ||
	    (id = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    strlen(id) >= sizeof(pos->store_id)) {
		store_sql_refuse(f, STORE_ECORRUPT, "%s: no position", path);
		goto fail;
	}
	memcpy(pos->store_id, id, strlen(id) + 1);
	pos->seq = sqlite3_column_int64(st, 1);
	*at = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	st = NULL;
	if ((idx = store_index_new()) == NULL) {
		store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
		goto fail;
	}
	if (load_rows(db, idx, f) == -1)
		goto fail;
	if ((s = store_make(idx, default_mode, STORE_VERSION)) == NULL) {
		store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
		goto fail;
	}
	sqlite3_close_v2(db);
	return s;
fail:
	sqlite3_finalize(st);
	store_index_free(idx);
	sqlite3_close_v2(db);
	return NULL;
}

int
store_copy_full(const char *path, struct store_reader *r, char *err,
    size_t errsz)
{
	struct store_fault f;

	memset(&f, 0, sizeof(f));
	if (copy_full(path, r, &f) == -1) {
		errstr_set(err, errsz, "%s", f.text);
		return -1;
	}
	return 0;
}

int
store_copy_delta(const char *path, const struct store_delta *d,
    const struct store_pos *from, const struct store_pos *to, char *err,
    size_t errsz)
{
	struct store_fault f;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = copy_delta(path, d, from, to, &f)) == -1)
		errstr_set(err, errsz, "%s", f.text);
	return rc;
}

struct store *
store_copy_load(const char *path, enum verdict_mode default_mode,
    struct store_pos *pos, int64_t *at, enum store_err *e, char *err,
    size_t errsz)
{
	struct store_fault f;
	struct store *s;

	memset(&f, 0, sizeof(f));
	if ((s = copy_load(path, default_mode, pos, at, &f)) == NULL) {
		if (e != NULL)
			*e = f.code;
		errstr_set(err, errsz, "%s", f.text);
	}
	return s;
}
