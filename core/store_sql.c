/*
 * store_sql.c: the SQLite calls the store's reader and writer share:
 * running a statement with bound texts, reading one integer (a PRAGMA, a
 * count), and turning SQLite's errors into a store_err and one line of
 * text.  No SQL of the schema is here: the callers name their tables.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "store_int.h"

enum store_err
store_sql_errcode(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return STORE_EIO;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_CANTOPEN:
		return STORE_EPERM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_SCHEMA:
		return STORE_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_EBUSY;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
		return STORE_EDATA;
	default:
		return STORE_EINTERNAL;
	}
}

int
store_sql_fault(struct store_fault *f, sqlite3 *db, int rc, const char *what)
{
	f->code = store_sql_errcode(rc);
	snprintf(f->text, sizeof(f->text), "%s: %s%s", what,
	    rc == SQLITE_FULL ? "" : sqlite3_errmsg(db),
	    rc == SQLITE_FULL ? "disk full (database or disk is full)" : "");
	return -1;
}

int
store_sql_refuse(struct store_fault *f, enum store_err code,
    const char *fmt, ...)
{
	va_list ap;

	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return -1;
}

int
store_sql_exec(sqlite3 *db, struct store_fault *f, const char *sql,
    const char *what)
{
	int rc;

	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return store_sql_fault(f, db, rc, what);
	return 0;
}

/* bind_texts: NARGS texts of AP as ?1.. of ST; SQLITE_OK or an error. */
static int
bind_texts(sqlite3_stmt *st, int nargs, va_list ap)
{
	const char *s;
	int i, rc = SQLITE_OK;

	for (i = 1; i <= nargs; i++) {
		s = va_arg(ap, const char *);
		rc = s == NULL ? sqlite3_bind_null(st, i) :
		    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			break;
	}
	return rc;
}

int
store_sql_run(sqlite3 *db, struct store_fault *f, const char *sql,
    size_t *changes, int nargs, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_sql_fault(f, db, rc, "updating the store");
	va_start(ap, nargs);
	rc = bind_texts(st, nargs, ap);
	va_end(ap);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return store_sql_fault(f, db, rc, "updating the store");
	}
	sqlite3_finalize(st);
	if (changes != NULL)
		*changes += (size_t)sqlite3_changes(db);
	return 0;
}

int
store_sql_int(sqlite3 *db, const char *sql, long long *out, int nargs, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	va_start(ap, nargs);
	rc = bind_texts(st, nargs, ap);
	va_end(ap);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_ERROR;	/* no row */
	sqlite3_finalize(st);
	return rc;
}

int
store_sql_create(struct store_fault *f, const char *path)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1 || fchmod(fd, 0640) == -1) {
		store_sql_refuse(f, STORE_ECREATE, "cannot create: %s",
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	return 0;
}
