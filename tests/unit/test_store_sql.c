/*
 * test_store_sql: core/store_sql.c, the SQLite calls the store's files
 * share: every SQLite error kind maps to the store_err the CLI's exit
 * status comes from; the error text names what was being done (and says
 * "disk full" for SQLITE_FULL); store_sql_run binds texts and NULL and
 * counts changed rows; store_sql_int reads one integer and reports a
 * statement that gives no row or does not compile.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/store_int.h"
#include "t.h"

static void
test_errcode(void)
{
	static const struct {
		int		 rc;
		enum store_err	 want;
	} c[] = {
		{ SQLITE_FULL, STORE_EIO },
		{ SQLITE_IOERR, STORE_EIO },
		{ SQLITE_IOERR_WRITE, STORE_EIO },	/* extended codes too */
		{ SQLITE_READONLY, STORE_EPERM },
		{ SQLITE_PERM, STORE_EPERM },
		{ SQLITE_AUTH, STORE_EPERM },
		{ SQLITE_CANTOPEN, STORE_EPERM },
		{ SQLITE_CORRUPT, STORE_ECORRUPT },
		{ SQLITE_NOTADB, STORE_ECORRUPT },
		{ SQLITE_SCHEMA, STORE_ECORRUPT },
		{ SQLITE_BUSY, STORE_EBUSY },
		{ SQLITE_LOCKED, STORE_EBUSY },
		{ SQLITE_CONSTRAINT, STORE_EDATA },
		{ SQLITE_TOOBIG, STORE_EDATA },
		{ SQLITE_NOMEM, STORE_EINTERNAL },
		{ SQLITE_ERROR, STORE_EINTERNAL },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		T_STREQ(store_errname(store_sql_errcode(c[i].rc)),
		    store_errname(c[i].want), "SQLite code %d is %s", c[i].rc,
		    store_errname(c[i].want));
}

static void
test_calls(void)
{
	struct store_fault f;
	sqlite3 *db = NULL;
	long long v = -1;
	size_t n = 0;

	memset(&f, 0, sizeof(f));
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		T_OK(0, "an in-memory database");
		sqlite3_close(db);
		return;
	}
	T_INTEQ(store_sql_exec(db, &f, "CREATE TABLE t (a TEXT, b TEXT "
	    "NOT NULL)", "creating"), 0, "exec");
	T_INTEQ(store_sql_run(db, &f, "INSERT INTO t VALUES (?1, ?2)", &n, 2,
	    NULL, "x"), 0, "run with a NULL and a text");
	T_INTEQ(store_sql_run(db, &f, "INSERT INTO t VALUES (?1, ?2), "
	    "(?2, ?1)", &n, 2, "y", "z"), 0, "run with two rows");
	T_INTEQ(n, 3, "changes add up");
	T_OK(store_sql_int(db, "SELECT count(*) FROM t WHERE a IS NULL AND "
	    "b = ?1", &v, 1, "x") == SQLITE_OK && v == 1,
	    "int with a bound text: the NULL went in as NULL");
	T_OK(store_sql_int(db, "PRAGMA user_version", &v, 0) == SQLITE_OK &&
	    v == 0, "int of a PRAGMA");
	v = 42;
	T_OK(store_sql_int(db, "SELECT 1 FROM t WHERE 0", &v, 0) !=
	    SQLITE_OK && v == 42, "no row is an error, *OUT untouched");
	T_OK(store_sql_int(db, "SELECT nonsense FROM", &v, 0) != SQLITE_OK,
	    "a statement that does not compile is an error");

	T_INTEQ(store_sql_run(db, &f, "INSERT INTO t VALUES (?1, ?2)", NULL, 2,
	    "a", NULL), -1, "a constraint fails");
	T_INTEQ(f.code, STORE_EDATA, "as bad data");
	T_OK(strncmp(f.text, "updating the store: ", 20) == 0 &&
	    strstr(f.text, "NOT NULL") != NULL,
	    "saying what was done and SQLite's reason (%s)", f.text);
	T_INTEQ(store_sql_exec(db, &f, "SELECT nonsense FROM", "reading"), -1,
	    "exec of bad SQL fails");
	T_OK(strncmp(f.text, "reading: ", 9) == 0, "named by WHAT (%s)",
	    f.text);
	T_INTEQ(store_sql_fault(&f, db, SQLITE_FULL, "committing"), -1,
	    "a full disk");
	T_STREQ(f.text, "committing: disk full (database or disk is full)",
	    "says so whatever SQLite's last message was");
	T_INTEQ(f.code, STORE_EIO, "as an I/O error");
	T_INTEQ(store_sql_refuse(&f, STORE_EBUSY, "%s and %d", "text", 7), -1,
	    "refuse");
	T_OK(f.code == STORE_EBUSY && strcmp(f.text, "text and 7") == 0,
	    "refuse records the code and the formatted text");
	sqlite3_close(db);
}

int
main(void)
{
	test_errcode();
	test_calls();
	return t_done();
}
