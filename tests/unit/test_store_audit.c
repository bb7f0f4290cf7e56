/*
 * test_store_audit: core/store_audit.c, the audit row of a change
 * (specs/store.md section 3): what, the real uid and its user name, the
 * time; it belongs to the transaction it was appended in (a rollback
 * takes it away), and a store without the audit table (schema 1, before
 * the migration) makes the append fail with an error, never silently.  A
 * uid without a passwd entry is recorded as "uid N"; that check needs
 * root (to take such a uid) and is reported as skipped otherwise.
 */
#include <sys/wait.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store_int.h"
#include "t.h"

static char dir[] = "/tmp/test_store_audit.XXXXXX";

/* one_text: the text of the first column of SQL on DB, in OUT. */
static void
one_text(struct store_db *db, const char *sql, char *out, size_t outsz)
{
	struct store_fault f;
	struct store_dbq *q;
	const char *s;

	out[0] = '\0';
	if ((q = store_db_query(db, &f, sql, 0)) != NULL &&
	    store_dbq_next(q) == 1 && (s = store_dbq_text(q, 0)) != NULL)
		snprintf(out, outsz, "%s", s);
	store_dbq_free(q);
}

/* open_store: a new store PATH (NAME in the test's directory), migrated. */
static struct store_db *
open_store(const char *name, struct store_fault *f)
{
	struct store_db *db;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((db = store_db_open(path, STORE_CREATE, NULL, f)) != NULL &&
	    store_file_migrate(db, f) == -1) {
		store_db_close(db);
		db = NULL;
	}
	return db;
}

/* NOBODY_UID: a uid with no passwd entry (checked before use). */
#define NOBODY_UID	54321

/*
 * unnamed: in a child running as NOBODY_UID, append a row to a store of
 * its own; exits 0 when its user is "uid 54321".
 */
static void
unnamed(void)
{
	struct store_fault f;
	struct store_db *db = NULL;
	char got[64];
	pid_t pid;
	int status = -1;

	if (getuid() != 0 || getpwuid(NOBODY_UID) != NULL) {
		T_SKIP("a uid without a name is recorded as uid N",
		    "needs root and a uid (%d) without a passwd entry",
		    NOBODY_UID);
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		memset(&f, 0, sizeof(f));
		if ((db = open_store("nobody.db", &f)) == NULL ||
		    setuid(NOBODY_UID) == -1 ||
		    store_db_begin(db, &f, 1) == -1 ||
		    store_audit_append(db, &f, "x") == -1)
			_exit(2);
		one_text(db, "SELECT \"user\" FROM audit", got, sizeof(got));
		_exit(strcmp(got, "uid 54321") == 0 ? 0 : 1);
	}
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	T_OK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a uid without a name is recorded as \"uid %d\" (child status "
	    "%d)", NOBODY_UID, status);
}

int
main(void)
{
	struct store_fault f;
	struct passwd *pw;
	struct store_db *db = NULL;
	char got[512], want[512], uid[32], cmd[300];
	long long v = -1;

	memset(&f, 0, sizeof(f));
	if (mkdtemp(dir) == NULL || (db = open_store("a.db", &f)) == NULL) {
		T_OK(0, "a store (%s)", f.text);
		return t_done();
	}
	T_OK(store_db_begin(db, &f, 1) == 0 &&
	    store_audit_append(db, &f, "allow bob@x.test carol@y.test") == 0 &&
	    store_db_commit(db, &f) == 0, "a row appended and committed");
	one_text(db, "SELECT what FROM audit", got, sizeof(got));
	T_STREQ(got, "allow bob@x.test carol@y.test", "what changed");
	snprintf(uid, sizeof(uid), "%lu", (unsigned long)getuid());
	T_OK(store_db_int(db, &f, "SELECT count(*) FROM audit WHERE "
	    "typeof(uid) = 'integer' AND uid = ?1", &v, 1, uid) == 0 && v == 1,
	    "the real uid, as an integer");
	pw = getpwuid(getuid());
	if (pw != NULL)
		snprintf(want, sizeof(want), "%s", pw->pw_name);
	else
		snprintf(want, sizeof(want), "uid %lu",
		    (unsigned long)getuid());
	one_text(db, "SELECT \"user\" FROM audit", got, sizeof(got));
	T_STREQ(got, want, "the user name (or uid N)");
	T_OK(store_db_int(db, &f, "SELECT at FROM audit WHERE typeof(at) = "
	    "'integer'", &v, 0) == 0 && v > 1700000000,
	    "when, as Unix time (%lld)", v);

	T_OK(store_db_begin(db, &f, 1) == 0 &&
	    store_audit_append(db, &f, "rolled back") == 0,
	    "a row appended and rolled back");
	store_db_rollback(db);
	T_OK(store_db_int(db, &f, "SELECT count(*) FROM audit", &v, 0) == 0 &&
	    v == 1, "is not there");

	T_OK(store_db_exec(db, &f, "DROP TABLE audit", "x") == 0,
	    "a store without the audit table");
	T_INTEQ(store_audit_append(db, &f, "lost"), -1, "cannot append");
	T_OK(f.code != STORE_OK && strstr(f.text, "audit") != NULL,
	    "and says why (%s)", f.text);
	store_db_close(db);
	unnamed();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
