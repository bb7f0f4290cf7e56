/*
 * store_t.h: what the unit tests of the policy store (test_store*.c)
 * share: a look at a store file with plain SQLite, behind the module's
 * back, and the number of rules the daemon reads from it.  Header-only.
 */
#ifndef SK_STORE_T_H
#define SK_STORE_T_H

#include <sqlite3.h>

#include "core/store.h"

/* sql_int: the integer SQL gives on PATH, or -1. */
static inline long long
sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* sql_exec: run SQL on PATH (created when missing); 0 or -1. */
static inline int
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	return rc;
}

/* nrules: the number of rules store_open reads from PATH, or -1. */
static inline size_t
nrules(const char *path)
{
	struct store *s;
	size_t n;

	if ((s = store_open(path, VM_ALLOW, NULL, 0)) == NULL)
		return (size_t)-1;
	n = store_count(s);
	store_free(s);
	return n;
}

#endif
