/*
 * store_audit.c: the audit trail of the policy store (specs/store.md
 * section 3): the one row every committed change appends inside its own
 * transaction, saying what changed, who (real uid and user name) and
 * when.  The writer (store_writer.c) and the migration (store_file.c)
 * append; nothing in senderkey reads the rows back.
 */
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "store_int.h"

int
store_audit_append(sqlite3 *db, struct store_fault *f, const char *what)
{
	struct passwd pw, *res = NULL;
	char buf[4096], uid[32], user[64];
	uid_t u = getuid();

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)u);
	if (getpwuid_r(u, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(user, sizeof(user), "%s", pw.pw_name);
	else
		snprintf(user, sizeof(user), "uid %s", uid);
	return store_sql_run(db, f, "INSERT INTO audit (at, uid, user, what) "
	    "VALUES (strftime('%s', 'now'), CAST(?1 AS INTEGER), ?2, ?3)",
	    NULL, 3, uid, user, what);
}
