/*
 * store_db.c: the SQL layer the rules side of the store talks through
 * (store_int.h, "store_db.c"): which backend a store spec names, the
 * dispatch to that backend's ops table, the transaction bookkeeping, and
 * what both backends share (the NARGS texts of a call packed into an
 * array, an integer read as text).  No SQL of the schema is here; the
 * backends are store_db_sqlite.c and store_db_pg.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "store_int.h"

int
store_db_is_pg(const char *spec)
{
	return config_store_is_pg(spec);
}

struct store_db *
store_db_open(const char *spec, unsigned flags, const char *passfile,
    struct store_fault *f)
{
	const struct store_dbops *ops = &store_db_sqlite_ops;
	enum store_dbkind kind = STORE_DB_SQLITE;
	struct store_db *db;

	if (store_db_is_pg(spec)) {
#ifdef SK_HAVE_PG
		ops = &store_db_pg_ops;
		kind = STORE_DB_PG;
#else
		store_sql_refuse(f, STORE_EUNAVAIL,
		    "built without PostgreSQL support");
		return NULL;
#endif
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
		return NULL;
	}
	db->ops = ops;
	db->kind = kind;
	if (ops->open(db, spec, flags, passfile, f) == -1) {
		free(db);
		return NULL;
	}
	return db;
}

void
store_db_close(struct store_db *db)
{
	if (db == NULL)
		return;
	store_db_rollback(db);
	db->ops->close(db);
	free(db);
}

enum store_dbkind
store_db_kind(const struct store_db *db)
{
	return db->kind;
}

int
store_db_begin(struct store_db *db, struct store_fault *f, int write)
{
	if (db->in_tx)
		return store_sql_refuse(f, STORE_EINTERNAL,
		    "a transaction is already open");
	if (db->ops->begin(db, f, write) == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
store_db_commit(struct store_db *db, struct store_fault *f)
{
	if (!db->in_tx)
		return store_sql_refuse(f, STORE_EINTERNAL,
		    "no transaction open");
	if (db->ops->commit(db, f) == -1) {
		store_db_rollback(db);
		return -1;
	}
	db->in_tx = 0;
	return 0;
}

void
store_db_rollback(struct store_db *db)
{
	if (db == NULL || !db->in_tx)
		return;
	db->ops->rollback(db);
	db->in_tx = 0;
}

int
store_db_exec(struct store_db *db, struct store_fault *f, const char *sql,
    const char *what)
{
	return db->ops->exec(db, f, sql, what);
}

/* pack: NARGS texts of AP into ARGS; 0, or -1 with F when too many. */
static int
pack(struct store_fault *f, const char **args, int nargs, va_list ap)
{
	int i;

	if (nargs < 0 || nargs > STORE_DB_MAXARGS)
		return store_sql_refuse(f, STORE_EINTERNAL,
		    "%d arguments to one statement", nargs);
	for (i = 0; i < nargs; i++)
		args[i] = va_arg(ap, const char *);
	return 0;
}

int
store_db_run(struct store_db *db, struct store_fault *f, const char *sql,
    size_t *changes, int nargs, ...)
{
	const char *args[STORE_DB_MAXARGS];
	va_list ap;
	int rc;

	va_start(ap, nargs);
	rc = pack(f, args, nargs, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	return db->ops->run(db, f, sql, changes, nargs, args);
}

/* query: store_db_query with the texts packed already. */
static struct store_dbq *
query(struct store_db *db, struct store_fault *f, const char *sql,
    int nargs, const char *const *args)
{
	return db->ops->query(db, f, sql, nargs, args);
}

int
store_db_int(struct store_db *db, struct store_fault *f, const char *sql,
    long long *out, int nargs, ...)
{
	const char *args[STORE_DB_MAXARGS], *s;
	struct store_dbq *q;
	va_list ap;
	char *end = NULL;
	long long v;
	int rc;

	va_start(ap, nargs);
	rc = pack(f, args, nargs, ap);
	va_end(ap);
	if (rc == -1 || (q = query(db, f, sql, nargs, args)) == NULL)
		return -1;
	if ((rc = store_dbq_next(q)) == 1) {
		s = store_dbq_text(q, 0);
		errno = 0;
		v = s != NULL ? strtoll(s, &end, 10) : 0;
		if (s == NULL || *s == '\0' || errno != 0 || *end != '\0') {
			store_sql_refuse(f, STORE_ECORRUPT, "reading the "
			    "store: not an integer where one was expected");
			rc = -1;
		} else
			*out = v;
	} else if (rc == 0) {
		store_sql_refuse(f, STORE_ECORRUPT,
		    "reading the store: no row where one was expected");
		rc = -1;
	}
	store_dbq_free(q);
	return rc == 1 ? 0 : -1;
}

struct store_dbq *
store_db_query(struct store_db *db, struct store_fault *f, const char *sql,
    int nargs, ...)
{
	const char *args[STORE_DB_MAXARGS];
	va_list ap;
	int rc;

	va_start(ap, nargs);
	rc = pack(f, args, nargs, ap);
	va_end(ap);
	if (rc == -1)
		return NULL;
	return query(db, f, sql, nargs, args);
}

int
store_db_version(struct store_db *db, struct store_fault *f, long long *v)
{
	return db->ops->version(db, f, v);
}

int
store_db_set_version(struct store_db *db, struct store_fault *f,
    long long v)
{
	return db->ops->set_version(db, f, v);
}

int
store_db_listen(struct store_db *db, struct store_fault *f)
{
	return db->ops->listen(db, f);
}

int
store_db_fd(const struct store_db *db)
{
	return db->ops->fd(db);
}

int
store_db_notified(struct store_db *db, struct store_fault *f)
{
	return db->ops->notified(db, f);
}
