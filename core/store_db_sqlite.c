/*
 * store_db_sqlite.c: the SQLite backend of store_db (store_int.h): a
 * store file opened read-only for readers, or read-write for writers in
 * persistent WAL mode with synchronous=FULL; transactions, statements
 * with bound texts, rows read as text, the schema version as PRAGMA
 * user_version, and the SQLite DDL of each schema step (specs/store.md
 * section 2).  SQLite's errors become a store_err through store_sql.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

#define BUSY_TIMEOUT_MS	5000

/* A query: the store_dbq and its statement. */
struct sq_query {
	struct store_dbq	 q;
	sqlite3_stmt		*st;
};

/*
 * The schema, one step per version: steps[V - 1] moves user_version V - 1
 * to V.  A fresh store runs every step.  Never edit a step that has
 * shipped; add one (and the same step to store_db_pg.c).
 */
static const char *const steps[STORE_VERSION] = {
	/* 0 -> 1: modes and entries */
	"CREATE TABLE mode ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient TEXT NOT NULL UNIQUE,"
	"  mode TEXT NOT NULL CHECK (mode IN ('allow', 'deny')));"
	"CREATE TABLE entry ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('allow', 'deny')),"
	"  sender TEXT NOT NULL,"
	"  pin TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	"  UNIQUE (recipient, sender, action, pin));",
	/* 1 -> 2: change times and the audit trail */
	"ALTER TABLE mode ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE entry ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  what TEXT NOT NULL);",
	/*
	 * 2 -> 3: the change log, one row per pair a statement changed
	 * (old and new), by triggers so every write path is logged; the
	 * store's identity and how far the log was pruned (store_file.c
	 * inserts the one store_meta row).
	 */
	"CREATE TABLE store_meta ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  store_id TEXT NOT NULL,"
	"  pruned INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE change ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  sender TEXT NOT NULL);"
	"CREATE INDEX change_at ON change (at);"
	"CREATE TRIGGER mode_ins AFTER INSERT ON mode BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), NEW.recipient, ''); END;"
	"CREATE TRIGGER mode_del AFTER DELETE ON mode BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), OLD.recipient, ''); END;"
	"CREATE TRIGGER mode_upd AFTER UPDATE ON mode BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), OLD.recipient, '');"
	"  INSERT INTO change (at, recipient, sender)"
	"  SELECT CAST(strftime('%s', 'now') AS INTEGER), NEW.recipient, ''"
	"  WHERE NEW.recipient <> OLD.recipient; END;"
	"CREATE TRIGGER entry_ins AFTER INSERT ON entry BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), NEW.recipient,"
	"  NEW.sender); END;"
	"CREATE TRIGGER entry_del AFTER DELETE ON entry BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), OLD.recipient,"
	"  OLD.sender); END;"
	"CREATE TRIGGER entry_upd AFTER UPDATE ON entry BEGIN"
	"  INSERT INTO change (at, recipient, sender) VALUES"
	"  (CAST(strftime('%s', 'now') AS INTEGER), OLD.recipient,"
	"  OLD.sender);"
	"  INSERT INTO change (at, recipient, sender)"
	"  SELECT CAST(strftime('%s', 'now') AS INTEGER), NEW.recipient,"
	"  NEW.sender WHERE NEW.recipient <> OLD.recipient OR"
	"  NEW.sender <> OLD.sender; END;",
};

static sqlite3 *
handle(const struct store_db *db)
{
	return db->be;
}

/* open_rw: the writer's settings on the new connection H. */
static int
open_rw(sqlite3 *h, struct store_fault *f)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	int rc, on = 1;

	/* Keep the -wal and -shm files, so that a reader without write
	   access to the directory (senderkeyd) can always open the store. */
	sqlite3_file_control(h, NULL, SQLITE_FCNTL_PERSIST_WAL, &on);
	if ((rc = sqlite3_prepare_v2(h, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_sql_fault(f, h, rc, "setting WAL mode");
		goto fail;
	}
	jm = sqlite3_column_text(st, 0);
	if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
		store_sql_refuse(f, STORE_EIO,
		    "cannot switch the store to WAL mode");
		goto fail;
	}
	sqlite3_finalize(st);
	return store_sql_exec(h, f, "PRAGMA synchronous = FULL",
	    "setting synchronous");
fail:
	sqlite3_finalize(st);
	return -1;
}

static int
sq_open(struct store_db *db, const char *spec, unsigned flags,
    const char *passfile, struct store_fault *f)
{
	sqlite3 *h = NULL;
	int rc, oflags;

	(void)passfile;
	if (flags & STORE_DB_RDONLY)
		oflags = SQLITE_OPEN_READONLY;
	else {
		if ((flags & STORE_CREATE) && access(spec, F_OK) == -1 &&
		    errno == ENOENT && store_sql_create(f, spec) == -1)
			return -1;
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW;
	}
	rc = sqlite3_open_v2(spec, &h, oflags | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (h == NULL)
			store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
		else
			store_sql_fault(f, h, rc, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(h, 0);
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	if (!(flags & STORE_DB_RDONLY) && open_rw(h, f) == -1)
		goto fail;
	db->be = h;
	return 0;
fail:
	sqlite3_close_v2(h);
	return -1;
}

static void
sq_close(struct store_db *db)
{
	sqlite3_close_v2(handle(db));
	db->be = NULL;
}

static int
sq_begin(struct store_db *db, struct store_fault *f, int write)
{
	if (write)
		return store_sql_exec(handle(db), f, "BEGIN IMMEDIATE",
		    "locking the store");
	return store_sql_exec(handle(db), f, "BEGIN", "reading the store");
}

static int
sq_commit(struct store_db *db, struct store_fault *f)
{
	return store_sql_exec(handle(db), f, "COMMIT", "committing");
}

static void
sq_rollback(struct store_db *db)
{
	sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
}

static int
sq_exec(struct store_db *db, struct store_fault *f, const char *sql,
    const char *what)
{
	return store_sql_exec(handle(db), f, sql, what);
}

/* prepare: SQL with ARGS bound as ?1..; the statement, or NULL with F. */
static sqlite3_stmt *
prepare(sqlite3 *h, struct store_fault *f, const char *sql, int nargs,
    const char *const *args, const char *what)
{
	sqlite3_stmt *st = NULL;
	int i, rc;

	if ((rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL)) != SQLITE_OK)
		goto fail;
	for (i = 0; i < nargs; i++) {
		rc = args[i] == NULL ? sqlite3_bind_null(st, i + 1) :
		    sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			goto fail;
	}
	return st;
fail:
	store_sql_fault(f, h, rc, what);
	sqlite3_finalize(st);
	return NULL;
}

static int
sq_run(struct store_db *db, struct store_fault *f, const char *sql,
    size_t *changes, int nargs, const char *const *args)
{
	sqlite3 *h = handle(db);
	sqlite3_stmt *st;
	int rc;

	if ((st = prepare(h, f, sql, nargs, args, "updating the store")) ==
	    NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		store_sql_fault(f, h, rc, "updating the store");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (changes != NULL)
		*changes += (size_t)sqlite3_changes(h);
	return 0;
}

static struct store_dbq *
sq_query(struct store_db *db, struct store_fault *f, const char *sql,
    int nargs, const char *const *args)
{
	struct sq_query *sq;

	if ((sq = calloc(1, sizeof(*sq))) == NULL) {
		store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
		return NULL;
	}
	if ((sq->st = prepare(handle(db), f, sql, nargs, args,
	    "reading the store")) == NULL) {
		free(sq);
		return NULL;
	}
	sq->q.ops = db->ops;
	sq->q.db = db;
	sq->q.f = f;
	sq->q.be = sq->st;
	return &sq->q;
}

static int
sq_next(struct store_dbq *q)
{
	int rc = sqlite3_step(q->be);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sql_fault(q->f, handle(q->db), rc, "reading the store");
}

/* A text with a NUL octet in it is no text of the store: NULL. */
static const char *
sq_text(struct store_dbq *q, int col)
{
	sqlite3_stmt *st = q->be;
	const char *s;

	if (col < 0 || col >= sqlite3_column_count(st))
		return NULL;
	s = (const char *)sqlite3_column_text(st, col);
	if (s == NULL || (size_t)sqlite3_column_bytes(st, col) != strlen(s))
		return NULL;
	return s;
}

static void
sq_qfree(struct store_dbq *q)
{
	struct sq_query *sq = (struct sq_query *)q;

	sqlite3_finalize(sq->st);
	free(sq);
}

static int
sq_version(struct store_db *db, struct store_fault *f, long long *v)
{
	int rc;

	if ((rc = store_sql_int(handle(db), "PRAGMA user_version", v, 0)) !=
	    SQLITE_OK)
		return store_sql_fault(f, handle(db), rc, "reading the store");
	return 0;
}

static int
sq_set_version(struct store_db *db, struct store_fault *f, long long v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", v);
	return store_sql_exec(handle(db), f, sql, "migrating the schema");
}

static const char *
sq_step(int version)
{
	if (version < 1 || version > STORE_VERSION)
		return NULL;
	return steps[version - 1];
}

/* A file notifies no one: readers compare PRAGMA data_version. */
static int
sq_listen(struct store_db *db, struct store_fault *f)
{
	(void)db;
	(void)f;
	return 0;
}

static int
sq_fd(const struct store_db *db)
{
	(void)db;
	return -1;
}

static int
sq_notified(struct store_db *db, struct store_fault *f)
{
	(void)db;
	(void)f;
	return 0;
}

const struct store_dbops store_db_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.exec = sq_exec,
	.run = sq_run,
	.query = sq_query,
	.next = sq_next,
	.text = sq_text,
	.qfree = sq_qfree,
	.version = sq_version,
	.set_version = sq_set_version,
	.step = sq_step,
	.listen = sq_listen,
	.fd = sq_fd,
	.notified = sq_notified,
};
