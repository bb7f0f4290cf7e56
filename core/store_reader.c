/*
 * store_reader.c: the policy store as a source of rules for a reader
 * that keeps them current without reading them all again: a full load
 * into a new snapshot (with the change-log position it is of), then the
 * pairs the change log names since that position, as a delta the owner
 * of the snapshot applies in one go (store_apply).  SQLite and
 * PostgreSQL alike (store_db.c); for SQLite a cheap check first
 * (PRAGMA data_version, the file's identity), for PostgreSQL the
 * notifications of channel senderkey_store.  senderkeyd's reader thread
 * (resolver/storefeed.c) is the user; store_open is a full load and
 * nothing more.  Never writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/errstr.h"
#include "store_int.h"

struct store_reader {
	char			*spec;
	char			*passfile;
	int			 pg;
	struct store_db		*db;
	struct store_fault	 f;
	struct store_pos	 pos;		/* of the last load or delta */
	int			 loaded;	/* pos is set */
	int			 has_log;	/* a change log (version 3) */
	int			 version;	/* the schema, at the last read */
	long long		 data_version;	/* SQLite */
	dev_t			 dev;		/* SQLite: the file read */
	ino_t			 ino;
};

/* index_add: the store_pair_cb of a full load. */
static int
index_add(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	return store_index_set(arg, rcpt, sender, rows, n);
}

/* file_id: SQLite: the identity of the file at R's path in *ST. */
static int
file_id(struct store_reader *r, struct stat *st)
{
	if (stat(r->spec, st) == -1)
		return store_sql_refuse(&r->f, errno == ENOENT ?
		    STORE_ENOENT : STORE_EPERM, "%s: %s", r->spec,
		    strerror(errno));
	if (!S_ISREG(st->st_mode))
		return store_sql_refuse(&r->f, STORE_ECORRUPT,
		    "%s: not a regular file", r->spec);
	return 0;
}

/* attach: R's connection, when it has none (new, or lost). */
static int
attach(struct store_reader *r)
{
	struct stat st;

	if (r->db != NULL)
		return 0;
	if (!r->pg && file_id(r, &st) == -1)
		return -1;
	if ((r->db = store_db_open(r->spec, STORE_DB_RDONLY, r->passfile,
	    &r->f)) == NULL)
		return -1;
	if (r->pg) {
		if (store_db_listen(r->db, &r->f) == -1)
			goto fail;
	} else {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		r->data_version = -1;
	}
	return 0;
fail:
	store_db_close(r->db);
	r->db = NULL;
	return -1;
}

/* lost: after a failure, drop a connection that cannot go on. */
static void
lost(struct store_reader *r)
{
	if (r->f.code == STORE_EUNAVAIL || r->f.code == STORE_EIO ||
	    r->f.code == STORE_ENOENT) {
		store_db_close(r->db);
		r->db = NULL;
	}
}

struct store_reader *
store_reader_new(const char *spec, const char *passfile)
{
	struct store_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->spec = strdup(spec)) == NULL ||
	    (passfile != NULL && (r->passfile = strdup(passfile)) == NULL)) {
		if (r != NULL)
			free(r->spec);
		free(r);
		return NULL;
	}
	r->pg = store_db_is_pg(spec);
	return r;
}

struct store_reader *
store_reader_open(const char *spec, const char *passfile,
    enum store_err *e, char *err, size_t errsz)
{
	struct store_reader *r;

	if ((r = store_reader_new(spec, passfile)) == NULL) {
		if (e != NULL)
			*e = STORE_EINTERNAL;
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if (attach(r) == -1) {
		if (e != NULL)
			*e = r->f.code;
		errstr_set(err, errsz, "%s", r->f.text);
		store_reader_free(r);
		return NULL;
	}
	return r;
}

void
store_reader_free(struct store_reader *r)
{
	if (r == NULL)
		return;
	store_db_close(r->db);
	free(r->spec);
	free(r->passfile);
	free(r);
}

int
store_reader_fd(const struct store_reader *r)
{
	return r->db != NULL ? store_db_fd(r->db) : -1;
}

const char *
store_reader_error(const struct store_reader *r)
{
	return r->f.text;
}

enum store_err
store_reader_errcode(const struct store_reader *r)
{
	return r->f.code;
}

int
store_reader_stream(struct store_reader *r, store_pair_cb cb, void *arg,
    struct store_pos *pos)
{
	struct stat st;
	long long dv = -1, v = 0;

	/* SQLite: a file replaced since (by mv) is the one to read */
	if (!r->pg && r->db != NULL && (stat(r->spec, &st) == -1 ||
	    st.st_dev != r->dev || st.st_ino != r->ino)) {
		store_db_close(r->db);
		r->db = NULL;
	}
	if (attach(r) == -1)
		return -1;
	/* data_version before the read: a commit between the two is seen
	   again at the next poll, never lost */
	if ((!r->pg && store_db_int(r->db, &r->f, "PRAGMA data_version", &dv,
	    0) == -1) || store_db_version(r->db, &r->f, &v) == -1 ||
	    store_src_full(r->db, cb, arg, pos, &r->f) == -1) {
		lost(r);
		return -1;
	}
	r->pos = *pos;
	r->has_log = pos->store_id[0] != '\0';
	r->loaded = 1;
	r->data_version = dv;
	r->version = (int)v;
	return 0;
}

struct store *
store_reader_full(struct store_reader *r, enum verdict_mode default_mode)
{
	struct store_index *idx;
	struct store_pos pos;
	struct store *s;

	if ((idx = store_index_new()) == NULL) {
		store_sql_refuse(&r->f, STORE_EINTERNAL, "out of memory");
		return NULL;
	}
	if (store_reader_stream(r, index_add, idx, &pos) == -1)
		goto fail;
	if ((s = store_make(idx, default_mode, r->version)) == NULL) {
		store_sql_refuse(&r->f, STORE_EINTERNAL, "out of memory");
		r->loaded = 0;
		goto fail;
	}
	return s;
fail:
	store_index_free(idx);
	return NULL;
}

void
store_reader_pos(const struct store_reader *r, struct store_pos *pos)
{
	*pos = r->pos;
}

void
store_reader_resume(struct store_reader *r, const struct store_pos *pos)
{
	r->pos = *pos;
	r->has_log = pos->store_id[0] != '\0';
	r->loaded = 1;
	r->data_version = -1;
}

/*
 * sqlite_quiet: SQLite: 1 when nothing was committed since the last
 * read (the same file, the same data_version), 0 when something was,
 * 2 when the file was replaced (R is reconnected: a full load is due),
 * -1 on error.
 */
static int
sqlite_quiet(struct store_reader *r)
{
	struct stat st;
	long long dv;

	if (file_id(r, &st) == -1)
		return -1;
	if (st.st_dev != r->dev || st.st_ino != r->ino) {
		store_db_close(r->db);
		r->db = NULL;
		if (attach(r) == -1)
			return -1;
		return 2;
	}
	if (store_db_int(r->db, &r->f, "PRAGMA data_version", &dv, 0) == -1)
		return -1;
	if (dv == r->data_version)
		return 1;
	r->data_version = dv;
	return 0;
}

int
store_reader_poll(struct store_reader *r, struct store_delta **out)
{
	struct store_delta *d = NULL;
	struct store_pos to;
	int rc;

	*out = NULL;
	if (!r->loaded)
		return 2;
	if (r->db == NULL) {
		if (attach(r) == -1)
			return -1;
		if (!r->pg)
			return 2;	/* the file may be another one now */
	} else if (r->pg) {
		if (store_db_notified(r->db, &r->f) == -1)
			goto fail;
	}
	if (!r->pg) {
		if ((rc = sqlite_quiet(r)) == 1)
			return 0;
		if (rc == 2)
			return 2;
		if (rc == -1)
			goto fail;
	}
	if (!r->has_log)
		return 2;		/* no change log: read it all */
	if ((d = store_delta_new()) == NULL) {
		store_sql_refuse(&r->f, STORE_EINTERNAL, "out of memory");
		return -1;
	}
	rc = store_src_changes(r->db, &r->pos, store_delta_add, d, &to, &r->f);
	if (rc == -1)
		goto fail;
	if (rc == 1) {
		store_delta_free(d);
		return 2;
	}
	r->pos = to;
	if (store_delta_pairs(d) == 0) {
		store_delta_free(d);
		return 0;
	}
	*out = d;
	return 1;
fail:
	store_delta_free(d);
	lost(r);
	return -1;
}
