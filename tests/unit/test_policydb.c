/*
 * test_policydb: the write side of the policy store: creation (mode 0640,
 * WAL, schema version), the migration from schema 1, refusing a newer
 * schema, a non-store file, world-writable files and directories, a
 * missing store; canonical targets and pins; policydb_add's pin rules;
 * and that every failing write (read-only file system, disk full on a
 * tiny tmpfs) is an error and leaves the store exactly as it was.  The
 * tmpfs checks need root and are reported as skipped (T_SKIP, never as
 * ok) otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/policydb.h"
#include "core/store.h"
#include "t.h"

#define Z29	"00000000000000000000000000000"
#define Z58	Z29 Z29

static char dir[] = "/tmp/test_policydb.XXXXXX";

static long long
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

static int
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	return rc;
}

static size_t
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

static void
test_create(void)
{
	char path[256], err[512];
	struct policydb *db;
	enum policydb_err e = POLICYDB_OK;
	struct stat st;

	snprintf(path, sizeof(path), "%s/new.db", dir);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_ENOENT, "a missing store without "
	    "CREATE is ENOENT (%s)", err);
	umask(0);
	db = policydb_open(path, POLICYDB_CREATE, &e, err, sizeof(err));
	umask(022);
	T_OK(db != NULL, "created");
	policydb_free(db);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "a new store is 0640 whatever the umask (%o)",
	    (unsigned)st.st_mode & 0777);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), POLICYDB_VERSION,
	    "user_version is the current schema");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 0, "empty audit");
	T_INTEQ(sql_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1, "WAL mode is persistent");

	chmod(path, 0646);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_EPERM && strstr(err,
	    "world-writable") != NULL, "a world-writable store is refused "
	    "(%s)", err);
	chmod(path, 0640);
	chmod(dir, 0777);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_EPERM, "a store in a world-writable "
	    "directory is refused (%s)", err);
	chmod(dir, 0700);
}

static void
test_changes(void)
{
	char path[256], err[512], c[POLICYDB_TARGET_MAX], pin[POLICYDB_PIN_HEX];
	struct policydb *db;
	size_t n = 0;
	int i;

	T_INTEQ(policydb_canon("Alice@Example.NET", c, NULL, 0),
	    POLICYDB_T_ADDR, "an address");
	T_STREQ(c, "alice@example.net", "canonical: lowercased");
	T_INTEQ(policydb_canon("*@BÜCHER.example.", c, NULL, 0),
	    POLICYDB_T_DOMAIN, "a *@domain");
	T_STREQ(c, "*@xn--bcher-kva.example", "canonical: A-label");
	T_INTEQ(policydb_canon("*@", c, err, sizeof(err)), -1,
	    "*@ alone is refused (%s)", err);
	T_INTEQ(policydb_canon("a b@x.test", c, err, sizeof(err)), -1,
	    "a bad address is refused (%s)", err);
	T_INTEQ(policydb_canon_rcpt("Carol+X@Example.NET.", "+", c, &i, NULL,
	    0), POLICYDB_T_ADDR, "a recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 1,
	    "recipient: the mailbox it is delivered to, marked changed (%s)",
	    c);
	T_INTEQ(policydb_canon_rcpt("example.net!Carol", NULL, c, &i, NULL, 0),
	    POLICYDB_T_ADDR, "a bang path recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 1,
	    "bang path: carol's (%s)", c);
	T_INTEQ(policydb_canon_rcpt("Carol@Example.NET", "+", c, &i, NULL, 0),
	    POLICYDB_T_ADDR, "a plain recipient");
	T_OK(strcmp(c, "carol@example.net") == 0 && i == 0,
	    "plain recipient: not marked changed");
	T_INTEQ(policydb_canon_rcpt("carol+x@example.net", NULL, c, &i, NULL,
	    0), POLICYDB_T_ADDR, "no delimiter set");
	T_OK(strcmp(c, "carol+x@example.net") == 0 && i == 0,
	    "no delimiter set: the extension stays");
	T_INTEQ(policydb_canon_rcpt("*@Example.NET.", "+", c, &i, NULL, 0),
	    POLICYDB_T_DOMAIN, "a *@domain recipient");
	T_STREQ(c, "*@example.net", "*@domain as policydb_canon");
	T_INTEQ(policydb_canon_rcpt("ÉMILE+x@Example.NET", "+", c, &i, NULL,
	    0), POLICYDB_T_ADDR, "a non-ASCII recipient");
	T_OK(strcmp(c, "émile@example.net") == 0 && i == 1,
	    "non-ASCII case folded as Postfix folds it, marked changed (%s)",
	    c);
	T_INTEQ(policydb_canon_rcpt("STRAẞE@example.net", NULL, c, &i, NULL,
	    0), POLICYDB_T_ADDR, "a recipient with a capital sharp s");
	T_STREQ(c, "strasse@example.net", "full case folding: ss");
	T_INTEQ(policydb_canon("ÉMILE@Example.NET", c, NULL, 0),
	    POLICYDB_T_ADDR, "a sender");
	T_STREQ(c, "Émile@example.net", "a sender: only A-Z lowered");
	T_INTEQ(policydb_canon_rcpt("a!b!carol", "+", c, &i, err,
	    sizeof(err)), -1, "two levels of routing refused (%s)", err);
	T_OK(strstr(err, "cannot tell the mailbox") != NULL,
	    "the message says why");
	T_INTEQ(policydb_canon_rcpt("a b@x.test", "+", c, &i, err,
	    sizeof(err)), -1, "a syntax error refused (%s)", err);
	T_OK(strstr(err, "at octet 1") != NULL, "the message says where");
	T_INTEQ(policydb_pin_parse("AB:CD", pin), -1, "a short pin");
	T_INTEQ(policydb_pin_parse("5C87" Z58 "DA", pin), 0, "64 hex digits");
	T_STREQ(pin, "5c87" Z58 "da",
	    "stored lowercase");

	snprintf(path, sizeof(path), "%s/ch.db", dir);
	db = policydb_open(path, POLICYDB_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "open");
	if (db == NULL)
		return;
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_ALLOW, "b@y.test", NULL,
	    &n), -1, "a change outside a transaction is refused");
	T_OK(policydb_begin(db) == 0, "begin");
	T_INTEQ(policydb_add(db, "A@x.test", POLICYDB_ALLOW, "b@y.test", NULL,
	    &n), -1, "a non-canonical recipient is refused");
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_DENY, "b@y.test", pin,
	    &n), -1, "a pin on a deny entry is refused");
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_ALLOW, "*@y.test", pin,
	    &n), -1, "a pin on a *@domain entry is refused");
	T_INTEQ(policydb_errcode(db), POLICYDB_EDATA, "as bad data");
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_ALLOW, "b@y.test", pin,
	    &n), 0, "a pinned allow");
	T_INTEQ(n, 1, "one row");
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_ALLOW, "b@y.test", pin,
	    &n), 0, "the same again");
	T_INTEQ(n, 0, "changes nothing");
	for (i = 0; i < POLICYDB_MAX_PINS - 1; i++) {
		snprintf(pin, sizeof(pin), "%064x", i + 1);
		policydb_add(db, "a@x.test", POLICYDB_ALLOW, "b@y.test", pin,
		    NULL);
	}
	snprintf(pin, sizeof(pin), "%064x", 999);
	T_INTEQ(policydb_add(db, "a@x.test", POLICYDB_ALLOW, "b@y.test", pin,
	    &n), -1, "more than %d pins are refused", POLICYDB_MAX_PINS);
	T_OK(policydb_commit(db, "test") == 0, "commit");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), POLICYDB_MAX_PINS,
	    "the pins are there");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit WHERE what = 'test' "
	    "AND uid >= 0 AND at > 1700000000 AND user <> ''"), 1,
	    "one audit row with who and when");
	T_OK(policydb_begin(db) == 0 && policydb_add(db, "a@x.test",
	    POLICYDB_ALLOW, "b@y.test", NULL, &n) == 0, "an unpinned allow");
	policydb_rollback(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), POLICYDB_MAX_PINS,
	    "a rolled back change leaves nothing");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 1,
	    "nor an audit row");
	T_OK(policydb_begin(db) == 0 && policydb_add(db, "a@x.test",
	    POLICYDB_ALLOW, "b@y.test", NULL, &n) == 0 &&
	    policydb_commit(db, "unpin") == 0, "an unpinned allow commits");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), 1,
	    "and replaced every pin of the pair");
	T_OK(policydb_begin(db) == 0 && policydb_remove(db, "a@x.test",
	    "b@y.test", NULL, &n) == 0 && policydb_commit(db, "rm") == 0 &&
	    n == 1, "remove");
	policydb_free(db);
}

static void
test_migrate(void)
{
	char path[256], err[512];
	struct policydb *db;
	enum policydb_err e = POLICYDB_OK;
	struct store *s;
	static const char junk[] = "this is not a database, it is a text "
	    "file of more than a hundred octets, so that SQLite reads its "
	    "header and finds no magic string in it.\n";
	int fd;

	/* schema 1, as the first release wrote it */
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	T_OK(sql_exec(path, "CREATE TABLE mode (id INTEGER PRIMARY KEY,"
	    "  recipient TEXT NOT NULL UNIQUE, mode TEXT NOT NULL CHECK "
	    "(mode IN ('allow', 'deny'))); CREATE TABLE entry (id INTEGER "
	    "PRIMARY KEY, recipient TEXT NOT NULL, action TEXT NOT NULL "
	    "CHECK (action IN ('allow', 'deny')), sender TEXT NOT NULL, pin "
	    "TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	    "UNIQUE (recipient, sender, action, pin));"
	    "INSERT INTO mode (recipient, mode) VALUES ('a@x.test', 'deny');"
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('a@x.test', 'allow', 'b@y.test'); PRAGMA user_version = 1;") ==
	    0, "a schema 1 store");
	chmod(path, 0640);
	s = store_open(path, VM_ALLOW, err, sizeof(err));
	T_OK(s != NULL && store_count(s) == 2, "the daemon reads schema 1 "
	    "as it is");
	store_free(s);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL, "policydb_open migrates it (%s)", db ? "" : err);
	policydb_free(db);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), 2, "to version 2");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE changed = 0"),
	    1, "keeping the entries");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 0,
	    "with an audit table");
	T_INTEQ(nrules(path), 2, "the rules read back");

	snprintf(path, sizeof(path), "%s/v99.db", dir);
	sql_exec(path, "CREATE TABLE x (y); PRAGMA user_version = 99;");
	chmod(path, 0640);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_ECORRUPT, "a newer schema is "
	    "refused (%s)", err);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), 99, "and not touched");
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "the daemon refuses it too (%s)", err);

	snprintf(path, sizeof(path), "%s/junk.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	T_OK(fd != -1 && write(fd, junk, sizeof(junk) - 1) ==
	    (ssize_t)sizeof(junk) - 1,
	    "a junk file");
	close(fd);
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_ECORRUPT, "is not a store (%s)",
	    err);
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "and the daemon refuses it (%s)", err);
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	close(fd);
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "an empty file is no store for the daemon (%s)", err);
}

/*
 * test_rekey: rules an older senderkey stored under a recipient whose
 * non-ASCII letters were not folded are moved to the folded mailbox when
 * the store is opened: merged, the stricter mode kept, audited once.
 */
static void
test_rekey(void)
{
	char path[256], err[512];
	struct policydb *db;

	snprintf(path, sizeof(path), "%s/rekey.db", dir);
	db = policydb_open(path, POLICYDB_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "a new store (%s)", db ? "" : err);
	policydb_free(db);
	T_OK(sql_exec(path, "INSERT INTO mode (recipient, mode) VALUES "
	    "('Émile@example.net', 'deny'), ('émile@example.net', 'allow'), "
	    "('Jörg@example.net', 'deny'), ('carol@example.net', 'deny'), "
	    "('*@example.net', 'allow');"
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('Émile@example.net', 'allow', 'a@y.test'), "
	    "('émile@example.net', 'allow', 'a@y.test'), "
	    "('Émile@example.net', 'deny', 'b@y.test'), "
	    "('STRAẞE@example.net', 'allow', 'c@y.test'), "
	    "('carol@example.net', 'allow', 'Émile@example.net');") == 0,
	    "rules stored as an older senderkey stored them");
	db = policydb_open(path, 0, NULL, err, sizeof(err));
	T_OK(db != NULL, "opened (%s)", db ? "" : err);
	policydb_free(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode WHERE recipient = "
	    "'émile@example.net' AND mode = 'deny'"), 1,
	    "two modes for one mailbox: deny, the stricter, is kept");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode WHERE recipient = "
	    "'jörg@example.net' AND mode = 'deny'"), 1,
	    "a mode moved to the folded mailbox");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode"), 4,
	    "no other mode added or lost");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE recipient = "
	    "'émile@example.net'"), 2,
	    "entries merged, the identical one kept once");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE recipient = "
	    "'strasse@example.net'"), 1, "a capital sharp s: strasse");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE sender = "
	    "'Émile@example.net'"), 1, "senders are not folded");
	T_INTEQ(sql_int(path, "SELECT (SELECT count(*) FROM mode WHERE "
	    "recipient IN ('Émile@example.net', 'Jörg@example.net')) + "
	    "(SELECT count(*) FROM entry WHERE recipient IN "
	    "('Émile@example.net', 'STRAẞE@example.net'))"), 0,
	    "nothing left under the old keys");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit WHERE what LIKE "
	    "'rekey %'"), 3, "one audit row for each old key");
	T_INTEQ(nrules(path), 8, "the daemon reads the rules");
	db = policydb_open(path, 0, NULL, err, sizeof(err));
	policydb_free(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 3,
	    "opening again changes nothing");
}

/* bulk: one transaction adding N entries; returns policydb_commit's. */
static int
bulk(struct policydb *db, int n, enum policydb_err *e)
{
	char s[POLICYDB_TARGET_MAX];
	int i;

	if (policydb_begin(db) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "sender-number-%06d-with-a-long-local-"
		    "part-to-fill-pages@example%d.test", i, i);
		if (policydb_add(db, "r@x.test", POLICYDB_ALLOW, s, NULL,
		    NULL) == -1)
			goto fail;
	}
	if (policydb_commit(db, "bulk") == -1)
		goto fail;
	return 0;
fail:
	*e = policydb_errcode(db);
	policydb_rollback(db);
	return -1;
}

static void
test_write_errors(void)
{
	char mnt[300], path[320], fill[320], err[512];
	struct policydb *db = NULL;
	enum policydb_err e = POLICYDB_OK;
	char block[4096];
	size_t before;
	int fd;

	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	mkdir(mnt, 0755);
	if (getuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0,
	    "size=256k,mode=0755") == -1) {
		T_SKIP("disk full and read-only file system", "needs root "
		    "and a tmpfs mount");
		return;
	}
	snprintf(path, sizeof(path), "%s/p.db", mnt);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	db = policydb_open(path, POLICYDB_CREATE, &e, err, sizeof(err));
	T_OK(db != NULL, "a store on a 256k tmpfs");
	if (db == NULL)
		goto done;
	T_OK(bulk(db, 20, &e) == 0, "20 entries fit");
	policydb_free(db);
	db = NULL;
	before = nrules(path);
	T_INTEQ(before, 20, "20 rules");

	/* disk full */
	memset(block, 'x', sizeof(block));
	fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (fd != -1 && write(fd, block, sizeof(block)) > 0)
		;
	T_INTEQ(errno, ENOSPC, "the file system is full");
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL, "the store still opens (%s)", db ? "" : err);
	if (db != NULL) {
		T_INTEQ(bulk(db, 3000, &e), -1, "a large change fails");
		T_INTEQ(e, POLICYDB_EIO, "as an I/O error (%s)",
		    policydb_error(db));
		policydb_free(db);
		db = NULL;
	}
	if (fd != -1)
		close(fd);
	unlink(fill);
	T_INTEQ(nrules(path), before, "the store is unchanged");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check = 'ok'"), 1, "and passes integrity_check");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 1,
	    "no audit row of the failed change");
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL && bulk(db, 5, &e) == 0, "with space again, a change "
	    "commits");
	policydb_free(db);
	db = NULL;
	before = nrules(path);

	/* read-only file system */
	if (mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL) == -1) {
		T_OK(0, "remount read-only: %s", strerror(errno));
		goto done;
	}
	db = policydb_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == POLICYDB_EPERM, "a read-only store is "
	    "refused for writing (%s)", err);
	T_INTEQ(nrules(path), before, "and still reads the same");
done:
	policydb_free(db);
	umount2(mnt, MNT_DETACH);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_create();
	test_changes();
	test_migrate();
	test_rekey();
	test_write_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
