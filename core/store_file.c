/*
 * store_file.c: the policy store's file and schema (specs/store.md
 * sections 1 and 2): the permission checks, the schema steps, which
 * versions the reader and the writer accept, and the migration the
 * writer runs when it opens a store, including moving the rules of
 * recipients an older senderkey did not case-fold.  Not here: opening
 * the connections (store.c reads, store_writer.c writes).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "lib/rcpt.h"
#include "store_int.h"

/*
 * The schema, one step per version: step I moves user_version I to I+1.
 * A fresh store runs every step.  Never edit a step that has shipped; add
 * one.
 */
static const char *const migrations[STORE_VERSION] = {
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
};

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
rekey_one(sqlite3 *db, struct store_fault *f, const char *from,
    const char *to)
{
	char what[2 * STORE_TARGET_MAX + 80];

	snprintf(what, sizeof(what), "rekey %s as %s (non-ASCII case folded "
	    "as the MTA delivers it)", from, to);
	if (store_sql_run(db, f, "UPDATE mode SET mode = 'deny' WHERE "
	    "recipient = ?2 AND EXISTS (SELECT 1 FROM mode WHERE "
	    "recipient = ?1 AND mode = 'deny')", NULL, 2, from, to) == -1 ||
	    store_sql_run(db, f, "DELETE FROM mode WHERE recipient = ?1 AND "
	    "EXISTS (SELECT 1 FROM mode WHERE recipient = ?2)", NULL, 2,
	    from, to) == -1 ||
	    store_sql_run(db, f, "UPDATE mode SET recipient = ?2 WHERE "
	    "recipient = ?1", NULL, 2, from, to) == -1 ||
	    store_sql_run(db, f, "UPDATE OR IGNORE entry SET recipient = ?2 "
	    "WHERE recipient = ?1", NULL, 2, from, to) == -1 ||
	    store_sql_run(db, f, "DELETE FROM entry WHERE recipient = ?1",
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
 */
static int
rekey(sqlite3 *db, struct store_fault *f)
{
	sqlite3_stmt *st = NULL;
	char (*keys)[STORE_TARGET_MAX] = NULL, (*k)[STORE_TARGET_MAX];
	char to[STORE_TARGET_MAX];
	const unsigned char *s;
	size_t n = 0, i;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, "SELECT recipient FROM mode "
	    "WHERE length(recipient) <> length(CAST(recipient AS BLOB)) "
	    "UNION SELECT recipient FROM entry WHERE length(recipient) <> "
	    "length(CAST(recipient AS BLOB))", -1, &st, NULL)) != SQLITE_OK)
		return store_sql_fault(f, db, rc, "reading recipients");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_text(st, 0);
		if (s == NULL || strlen((const char *)s) >= sizeof(to) ||
		    rcpt_fold((const char *)s, to, sizeof(to), NULL) == -1 ||
		    strcmp((const char *)s, to) == 0)
			continue;
		if ((k = realloc(keys, (n + 1) * sizeof(*keys))) == NULL) {
			store_sql_refuse(f, STORE_EINTERNAL, "out of memory");
			goto fail;
		}
		keys = k;
		memcpy(keys[n++], s, strlen((const char *)s) + 1);
	}
	if (rc != SQLITE_DONE) {
		store_sql_fault(f, db, rc, "reading recipients");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (i = 0; i < n; i++)
		if (rcpt_fold(keys[i], to, sizeof(to), NULL) == -1 ||
		    rekey_one(db, f, keys[i], to) == -1)
			goto fail;
	free(keys);
	return 0;
fail:
	sqlite3_finalize(st);
	free(keys);
	return -1;
}

int
store_file_migrate(sqlite3 *db, struct store_fault *f)
{
	long long v = 0;
	char sql[64];
	int i, rc;

	if (store_sql_exec(db, f, "BEGIN IMMEDIATE", "locking the store") == -1)
		return -1;
	if ((rc = store_sql_int(db, "PRAGMA user_version", &v, 0)) !=
	    SQLITE_OK) {
		store_sql_fault(f, db, rc, "reading the store");
		goto fail;
	}
	if (v < 0 || v > STORE_VERSION) {
		store_sql_refuse(f, STORE_ECORRUPT, "schema version %lld is "
		    "not one this senderkey knows (0 to %d)", v,
		    STORE_VERSION);
		goto fail;
	}
	for (i = (int)v; i < STORE_VERSION; i++)
		if (store_sql_exec(db, f, migrations[i],
		    "migrating the schema") == -1)
			goto fail;
	if (v != STORE_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    STORE_VERSION);
		if (store_sql_exec(db, f, sql, "migrating the schema") == -1)
			goto fail;
	}
	if (rekey(db, f) == -1)
		goto fail;
	if (store_sql_exec(db, f, "COMMIT", "migrating the schema") == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
