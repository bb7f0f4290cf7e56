/*
 * store_file.c: the policy store's file and schema (specs/store.md
 * sections 1 and 2): the permission checks, which versions the reader
 * and the writer accept, and the migration the writer runs when it
 * opens a store (the backend's schema steps, through store_db),
 * including moving the rules of recipients an older senderkey did not
 * case-fold.  Not here: the steps' DDL (each backend's, store_db_*.c),
 * opening the connections (store.c reads, store_writer.c writes).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "lib/errstr.h"
#include "lib/rcpt.h"
#include "store_int.h"

int
store_file_perms(const char *path, int *exists, char *err, size_t errsz)
{
	struct stat st;
	char dir[PATH_MAX];
	const char *slash;
	size_t n;

	*exists = 0;
	if (lstat(path, &st) == 0) {
		*exists = 1;
		if (!S_ISREG(st.st_mode)) {
			errstr_set(err, errsz, "%s: not a regular file", path);
			return -1;
		}
		if (st.st_mode & S_IWOTH) {
			errstr_set(err, errsz,
			    "%s: world-writable (mode %04o): "
			    "chmod o-w it", path, (unsigned)st.st_mode & 07777);
			return -1;
		}
	} else if (errno != ENOENT) {
		errstr_set(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else {
		n = (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errstr_set(err, errsz, "%s: path too long", path);
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) == -1) {
		errstr_set(err, errsz, "%s: %s", dir, strerror(errno));
		return errno == ENOENT ? -2 : -1;
	}
	/* A sticky world-writable directory (/tmp) still lets others
	   replace nothing of ours, but is no place for a store either. */
	if (st.st_mode & S_IWOTH) {
		errstr_set(err, errsz, "%s: the store's directory is "
		    "world-writable (mode %04o)", dir,
		    (unsigned)st.st_mode & 07777);
		return -1;
	}
	return 0;
}

int
store_file_readable(long long v, char *err, size_t errsz)
{
	/* Version 0 is a new, empty file: no store until a writer made it. */
	if (v >= 1 && v <= STORE_VERSION)
		return 0;
	errstr_set(err, errsz, "schema version %lld: %s", v, v == 0 ?
	    "not a policy store (create it with senderkey policy)" :
	    "newer than this senderkey");
	return -1;
}

/* rekey_one: the rules of recipient FROM become TO's (see rekey). */
static int
rekey_one(struct store_db *db, struct store_fault *f, const char *from,
    const char *to)
{
	char what[2 * STORE_TARGET_MAX + 80];

	snprintf(what, sizeof(what), "rekey %s as %s (non-ASCII case folded "
	    "as the MTA delivers it)", from, to);
	if (store_db_run(db, f, "UPDATE mode SET mode = 'deny' WHERE "
	    "recipient = ?2 AND EXISTS (SELECT 1 FROM mode WHERE "
	    "recipient = ?1 AND mode = 'deny')", NULL, 2, from, to) == -1 ||
	    store_db_run(db, f, "DELETE FROM mode WHERE recipient = ?1 AND "
	    "EXISTS (SELECT 1 FROM mode WHERE recipient = ?2)", NULL, 2,
	    from, to) == -1 ||
	    store_db_run(db, f, "UPDATE mode SET recipient = ?2 WHERE "
	    "recipient = ?1", NULL, 2, from, to) == -1 ||
	    store_db_run(db, f, "UPDATE entry SET recipient = ?2 WHERE "
	    "recipient = ?1 AND NOT EXISTS (SELECT 1 FROM entry AS e WHERE "
	    "e.recipient = ?2 AND e.sender = entry.sender AND e.action = "
	    "entry.action AND e.pin = entry.pin)", NULL, 2, from, to) == -1 ||
	    store_db_run(db, f, "DELETE FROM entry WHERE recipient = ?1",
	    NULL, 1, from) == -1)
		return -1;
	return store_audit_append(db, f, what);
}

/*
 * rekey: inside the open transaction, move the rules stored under a
 * recipient whose local part an older senderkey did not case-fold
 * ("\xc3\x89mile@example.net") to the mailbox it is delivered to
 * ("\xc3\xa9mile@example.net", rcpt_fold; specs/record-format.md 1.3),
 * one audit row each.  Entries are merged (an identical one is kept
 * once); when both have a mode, deny (the stricter) is kept.  Only keys
 * with a non-ASCII octet can change; a key rcpt_fold refuses is left.
 * SQLite only: a PostgreSQL store was only ever written by a senderkey
 * that folds (and the query below is SQLite's).
 */
static int
rekey(struct store_db *db, struct store_fault *f)
{
	struct store_dbq *q;
	char (*keys)[STORE_TARGET_MAX] = NULL, (*k)[STORE_TARGET_MAX];
	char to[STORE_TARGET_MAX];
	const char *s;
	size_t n = 0, i;
	int rc;

	if ((q = store_db_query(db, f, "SELECT recipient FROM mode "
	    "WHERE length(recipient) <> length(CAST(recipient AS BLOB)) "
	    "UNION SELECT recipient FROM entry WHERE length(recipient) <> "
	    "length(CAST(recipient AS BLOB))", 0)) == NULL)
		return -1;
	while ((rc = store_dbq_next(q)) == 1) {
		s = store_dbq_text(q, 0);
		if (s == NULL || strlen(s) >= sizeof(to) ||
		    rcpt_fold(s, to, sizeof(to), NULL) == -1 ||
		    strcmp(s, to) == 0)
			continue;
		if ((k = realloc(keys, (n + 1) * sizeof(*keys))) == NULL) {
			store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
			goto fail;
		}
		keys = k;
		memcpy(keys[n++], s, strlen(s) + 1);
	}
	if (rc == -1)
		goto fail;
	store_dbq_free(q);
	q = NULL;
	for (i = 0; i < n; i++)
		if (rcpt_fold(keys[i], to, sizeof(to), NULL) == -1 ||
		    rekey_one(db, f, keys[i], to) == -1)
			goto fail;
	free(keys);
	return 0;
fail:
	store_dbq_free(q);
	free(keys);
	return -1;
}

/*
 * step: run the backend's schema step V; the step that makes the change
 * log (3) also gives the store its store_id, 32 lowercase hex digits
 * from the kernel's random source.
 */
static int
step(struct store_db *db, struct store_fault *f, int v)
{
	unsigned char rnd[16];
	char id[33];
	const char *sql;
	size_t i;

	if ((sql = db->ops->step(v)) == NULL)
		return store_sql_refuse(f, STORE_EINTERNAL, "no schema step "
		    "%d", v);
	if (store_db_exec(db, f, sql, "migrating the schema") == -1)
		return -1;
	if (v != 3)
		return 0;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return store_sql_refuse(f, STORE_EINTERNAL, "no random "
		    "store id: %s", strerror(errno));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	return store_db_run(db, f, "INSERT INTO store_meta (id, store_id) "
	    "VALUES (1, ?1)", NULL, 1, id);
}

int
store_file_migrate(struct store_db *db, struct store_fault *f)
{
	long long v = 0;
	int i;

	if (store_db_begin(db, f, 1) == -1)
		return -1;
	if (store_db_version(db, f, &v) == -1)
		goto fail;
	if (v < 0 || v > STORE_VERSION) {
		store_sql_refuse(f, STORE_ECORRUPT, "schema version %lld is "
		    "not one this senderkey knows (0 to %d)", v,
		    STORE_VERSION);
		goto fail;
	}
	for (i = (int)v + 1; i <= STORE_VERSION; i++)
		if (step(db, f, i) == -1)
			goto fail;
	if (v != STORE_VERSION &&
	    store_db_set_version(db, f, STORE_VERSION) == -1)
		goto fail;
	if (store_db_kind(db) == STORE_DB_SQLITE && rekey(db, f) == -1)
		goto fail;
	if (store_db_commit(db, f) == -1)
		return -1;
	return 0;
fail:
	store_db_rollback(db);
	return -1;
}
