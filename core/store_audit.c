/*
 * store_audit.c: the audit trail of the policy store (specs/store.md
 * section 3): the one row every committed change appends inside its own
 * transaction, saying what changed, who (real uid and user name) and
 * when.  The writer (store_writer.c) and the migration (store_file.c)
 * append; nothing in senderkey reads the rows back.
 */
#include <pwd.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

int
store_audit_append(struct store_db *db, struct store_fault *f,
    const char *what)
{
	struct passwd pw, *res = NULL;
	char buf[4096], uid[32], user[64], now[32];
	uid_t u = getuid();

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)u);
	if (getpwuid_r(u, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(user, sizeof(user), "%s", pw.pw_name);
	else
		snprintf(user, sizeof(user), "uid %s", uid);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	/* "user" quoted: a reserved word of PostgreSQL. */
	return store_db_run(db, f, "INSERT INTO audit (at, uid, \"user\", "
	    "what) VALUES (?1, ?2, ?3, ?4)", NULL, 4, now, uid, user, what);
}
