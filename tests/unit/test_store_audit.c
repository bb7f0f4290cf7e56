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

/* one_text: the text of the first column of SQL on DB, in OUT. */
static void
one_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *s;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    (s = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, outsz, "%s", (const char *)s);
	sqlite3_finalize(st);
}

/* NOBODY_UID: a uid with no passwd entry (checked before use). */
#define NOBODY_UID	54321

/*
 * unnamed: in a child running as NOBODY_UID, append a row to a store in
 * memory; exits 0 when its user is "uid 54321".
 */
static void
unnamed(void)
{
	struct store_fault f;
	sqlite3 *db = NULL;
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
		if (setuid(NOBODY_UID) == -1 ||
		    sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    store_file_migrate(db, &f) == -1 ||
		    store_audit_append(db, &f, "x") == -1)
			_exit(2);
		one_text(db, "SELECT user FROM audit", got, sizeof(got));
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
	sqlite3 *db = NULL;
	char got[512], want[512];
	long long v = -1;

	memset(&f, 0, sizeof(f));
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		T_OK(0, "an in-memory database");
		sqlite3_close(db);
		return t_done();
	}
	T_INTEQ(store_file_migrate(db, &f), 0, "a store's schema (%s)",
	    f.text);
	T_OK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	    store_audit_append(db, &f, "allow bob@x.test carol@y.test") == 0 &&
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK,
	    "a row appended and committed");
	one_text(db, "SELECT what FROM audit", got, sizeof(got));
	T_STREQ(got, "allow bob@x.test carol@y.test", "what changed");
	T_OK(store_sql_int(db, "SELECT uid FROM audit", &v, 0) == SQLITE_OK &&
	    v == (long long)getuid(), "the real uid, as an integer");
	pw = getpwuid(getuid());
	if (pw != NULL)
		snprintf(want, sizeof(want), "%s", pw->pw_name);
	else
		snprintf(want, sizeof(want), "uid %lu",
		    (unsigned long)getuid());
	one_text(db, "SELECT user FROM audit", got, sizeof(got));
	T_STREQ(got, want, "the user name (or uid N)");
	T_OK(store_sql_int(db, "SELECT at FROM audit", &v, 0) == SQLITE_OK &&
	    v > 1700000000, "when, as Unix time (%lld)", v);

	T_OK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	    store_audit_append(db, &f, "rolled back") == 0 &&
	    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK,
	    "a row appended and rolled back");
	T_OK(store_sql_int(db, "SELECT count(*) FROM audit", &v, 0) ==
	    SQLITE_OK && v == 1, "is not there");

	T_OK(sqlite3_exec(db, "DROP TABLE audit", NULL, NULL, NULL) ==
	    SQLITE_OK, "a store without the audit table");
	T_INTEQ(store_audit_append(db, &f, "lost"), -1, "cannot append");
	T_OK(f.code != STORE_OK && strstr(f.text, "audit") != NULL,
	    "and says why (%s)", f.text);
	sqlite3_close(db);
	unnamed();
	return t_done();
}
