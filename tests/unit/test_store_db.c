/*
 * test_store_db: core/store_db.c and its SQLite backend
 * (store_db_sqlite.c): which specs name PostgreSQL, creating a store file
 * (0640) and opening it read-write (WAL) and read-only, statements with
 * text arguments and NULL, rows read as text, integers, the changes a
 * statement made, transactions (a rolled back one leaves nothing, one at
 * a time, a read-only handle cannot write), the schema version, the
 * schema steps, and errors set in the fault record (never a crash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/store_int.h"
#include "store_t.h"
#include "t.h"

static char dir[] = "/tmp/test_store_db.XXXXXX";

static void
test_is_pg(void)
{
	struct store_fault f;
	struct store_db *db;

	T_OK(store_db_is_pg("postgresql://skadmin@/senderkey?host=/tmp") &&
	    store_db_is_pg("postgres://h/db") &&
	    store_db_is_pg("service=senderkey"), "PostgreSQL specs");
	T_OK(!store_db_is_pg("/var/lib/senderkey/policy.db") &&
	    !store_db_is_pg("policy.db") && !store_db_is_pg("postgresql:x") &&
	    !store_db_is_pg(""), "paths are SQLite's");
	memset(&f, 0, sizeof(f));
	/* a socket directory that does not exist: nothing leaves the machine */
	db = store_db_open("postgresql:///x?host=/nonexistent-sk-test", 0, NULL,
	    &f);
#ifdef SK_HAVE_PG
	T_OK(db == NULL && f.code == STORE_EUNAVAIL, "an unreachable server: "
	    "EUNAVAIL (%s)", f.text);
#else
	T_OK(db == NULL && f.code == STORE_EUNAVAIL && strcmp(f.text,
	    "built without PostgreSQL support") == 0, "without libpq: "
	    "EUNAVAIL (%s)", f.text);
#endif
	store_db_close(db);
	T_STREQ(store_errname(STORE_EUNAVAIL), "eunavail", "its name");
}

static void
test_rw(void)
{
	struct store_fault f;
	struct store_db *db, *ro;
	struct store_dbq *q;
	char path[256];
	struct stat st;
	long long v = -1;
	size_t n = 0;
	int rows = 0, ok = 1;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s/rw.db", dir);
	T_OK(store_db_open(path, 0, NULL, &f) == NULL &&
	    f.code == STORE_EPERM, "no file, no CREATE: refused (%s)", f.text);
	umask(0);
	db = store_db_open(path, STORE_CREATE, NULL, &f);
	umask(022);
	T_OK(db != NULL && store_db_kind(db) == STORE_DB_SQLITE,
	    "created (%s)", f.text);
	if (db == NULL)
		return;
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "mode 0640 whatever the umask");
	T_INTEQ(sql_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1, "WAL");
	T_INTEQ(store_db_exec(db, &f, "CREATE TABLE t (a INTEGER, "
	    "b TEXT UNIQUE)", "t"), 0, "exec");
	T_INTEQ(store_db_begin(db, &f, 1), 0, "a write transaction");
	T_OK(store_db_begin(db, &f, 1) == -1 && f.code == STORE_EINTERNAL,
	    "one at a time (%s)", f.text);
	T_OK(store_db_run(db, &f, "INSERT INTO t (a, b) VALUES (?1, ?2)",
	    &n, 2, "7", "x") == 0 && store_db_run(db, &f, "INSERT INTO t "
	    "(a, b) VALUES (?1, ?2)", &n, 2, "8", NULL) == 0 && n == 2,
	    "two rows, a NULL among the texts (%zu)", n);
	T_OK(store_db_run(db, &f, "INSERT INTO t (a, b) VALUES (?1, ?2) "
	    "ON CONFLICT DO NOTHING", &n, 2, "9", "x") == 0 && n == 2,
	    "ON CONFLICT DO NOTHING changes nothing");
	T_OK(store_db_run(db, &f, "INSERT INTO t (a, b) VALUES (1, 'x')",
	    NULL, 0) == -1 && f.code == STORE_EDATA, "a constraint: EDATA "
	    "(%s)", f.text);
	T_OK(store_db_int(db, &f, "SELECT sum(a) FROM t WHERE a > ?1", &v,
	    1, "1") == 0 && v == 15, "an integer (%lld)", v);
	T_OK(store_db_int(db, &f, "SELECT max(a) FROM t WHERE a > 100", &v,
	    0) == -1 && f.code == STORE_ECORRUPT, "NULL is no integer");
	T_OK(store_db_int(db, &f, "SELECT a FROM t WHERE 0", &v, 0) == -1,
	    "no row is no integer");
	T_INTEQ(store_db_commit(db, &f), 0, "committed");
	T_OK(store_db_commit(db, &f) == -1 && f.code == STORE_EINTERNAL,
	    "no commit without a transaction");

	T_INTEQ(store_db_begin(db, &f, 1), 0, "again");
	store_db_run(db, &f, "DELETE FROM t", NULL, 0);
	store_db_rollback(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM t"), 2,
	    "a rolled back transaction leaves nothing");

	if ((ro = store_db_open(path, STORE_DB_RDONLY, NULL, &f)) == NULL) {
		T_OK(0, "read-only (%s)", f.text);
		store_db_close(db);
		return;
	}
	T_INTEQ(store_db_begin(ro, &f, 0), 0, "a read transaction");
	q = store_db_query(ro, &f, "SELECT a, b FROM t ORDER BY a", 0);
	T_OK(q != NULL, "a query (%s)", f.text);
	while (q != NULL && store_dbq_next(q) == 1) {
		rows++;
		if (rows == 1)
			ok &= strcmp(store_dbq_text(q, 0), "7") == 0 &&
			    strcmp(store_dbq_text(q, 1), "x") == 0;
		else
			ok &= strcmp(store_dbq_text(q, 0), "8") == 0 &&
			    store_dbq_text(q, 1) == NULL;
		ok &= store_dbq_text(q, 2) == NULL;
	}
	store_dbq_free(q);
	T_OK(rows == 2 && ok, "rows as text, NULL as NULL (%d)", rows);
	T_INTEQ(store_db_commit(ro, &f), 0, "read transaction ends");
	T_OK(store_db_run(ro, &f, "DELETE FROM t", NULL, 0) == -1 &&
	    f.code == STORE_EPERM, "a read-only handle cannot write (%s)",
	    f.text);
	T_OK(store_db_query(ro, &f, "SELECT nosuch FROM t", 0) == NULL &&
	    f.text[0] != '\0', "a bad query fails (%s)", f.text);
	store_db_close(ro);
	store_db_begin(db, &f, 1);
	store_db_close(db);	/* rolls back */
	T_INTEQ(sql_int(path, "SELECT count(*) FROM t"), 2, "closed");
}

static void
test_version(void)
{
	struct store_fault f;
	struct store_db *db;
	char path[256];
	long long v = -1;
	int i;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s/v.db", dir);
	if ((db = store_db_open(path, STORE_CREATE, NULL, &f)) == NULL) {
		T_OK(0, "open (%s)", f.text);
		return;
	}
	T_OK(store_db_version(db, &f, &v) == 0 && v == 0, "a new file: 0");
	T_OK(store_db_set_version(db, &f, 5) == 0 &&
	    store_db_version(db, &f, &v) == 0 && v == 5, "set to 5");
	T_INTEQ(sql_int(path, "PRAGMA user_version"), 5, "user_version");
	for (i = 1; i <= STORE_VERSION; i++)
		T_OK(db->ops->step(i) != NULL, "step %d", i);
	T_OK(db->ops->step(0) == NULL && db->ops->step(STORE_VERSION + 1) ==
	    NULL, "no other step");
	store_db_close(db);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_is_pg();
	test_rw();
	test_version();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
