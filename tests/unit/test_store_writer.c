/*
 * test_store_writer: core/store_writer.c, the write side of the policy
 * store: creation (mode 0640, WAL, schema version), refusing a missing
 * store, world-writable files and directories; the changes and their
 * rules (canonical targets, pins only on allow entries naming an
 * address, at most STORE_MAX_PINS, an unpinned allow replacing the pins),
 * transactions (nothing without one, a rolled back change leaves no row
 * and no audit row, a refused change leaves the transaction usable); the
 * change log (a row per pair written, none for a rolled back change, the
 * store id, pruning rows older than STORE_CHANGE_DAYS); and
 * that every failing write (read-only file system, disk full on a tiny
 * tmpfs) is an error and leaves the store exactly as it was.  The tmpfs
 * checks need root and are reported as skipped (T_SKIP, never as ok)
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "store_t.h"
#include "t.h"

#define Z29	"00000000000000000000000000000"
#define Z58	Z29 Z29

static char dir[] = "/tmp/test_store_writer.XXXXXX";

static void
test_create(void)
{
	char path[256], err[512];
	struct store_writer *db;
	enum store_err e = STORE_OK;
	struct stat st;

	snprintf(path, sizeof(path), "%s/new.db", dir);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_ENOENT, "a missing store without "
	    "CREATE is ENOENT (%s)", err);
	umask(0);
	db = store_writer_open(path, STORE_CREATE, &e, err, sizeof(err));
	umask(022);
	T_OK(db != NULL, "created");
	store_writer_free(db);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "a new store is 0640 whatever the umask (%o)",
	    (unsigned)st.st_mode & 0777);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), STORE_VERSION,
	    "user_version is the current schema");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 0, "empty audit");
	T_INTEQ(sql_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1, "WAL mode is persistent");

	chmod(path, 0646);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_EPERM && strstr(err,
	    "world-writable") != NULL, "a world-writable store is refused "
	    "(%s)", err);
	chmod(path, 0640);
	chmod(dir, 0777);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_EPERM, "a store in a world-writable "
	    "directory is refused (%s)", err);
	chmod(dir, 0700);
}


static void
test_changes(void)
{
	char path[256], err[512], pin[STORE_PIN_HEX];
	struct store_writer *db;
	size_t n = 0;
	int i;

	snprintf(pin, sizeof(pin), "5c87" Z58 "da");
	snprintf(path, sizeof(path), "%s/ch.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "open");
	if (db == NULL)
		return;
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", NULL,
	    &n), -1, "a change outside a transaction is refused");
	T_OK(store_writer_begin(db) == 0, "begin");
	T_INTEQ(store_writer_add(db, "A@x.test", STORE_ALLOW, "b@y.test", NULL,
	    &n), -1, "a non-canonical recipient is refused");
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_DENY, "b@y.test", pin,
	    &n), -1, "a pin on a deny entry is refused");
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "*@y.test", pin,
	    &n), -1, "a pin on a *@domain entry is refused");
	T_INTEQ(store_writer_errcode(db), STORE_EDATA, "as bad data");
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", pin,
	    &n), 0, "a pinned allow");
	T_INTEQ(n, 1, "one row");
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", pin,
	    &n), 0, "the same again");
	T_INTEQ(n, 0, "changes nothing");
	for (i = 0; i < STORE_MAX_PINS - 1; i++) {
		snprintf(pin, sizeof(pin), "%064x", i + 1);
		store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", pin,
		    NULL);
	}
	snprintf(pin, sizeof(pin), "%064x", 999);
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", pin,
	    &n), -1, "more than %d pins are refused", STORE_MAX_PINS);
	T_OK(store_writer_commit(db, "test") == 0, "commit");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), STORE_MAX_PINS,
	    "the pins are there");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit WHERE what = 'test' "
	    "AND uid >= 0 AND at > 1700000000 AND user <> ''"), 1,
	    "one audit row with who and when");
	T_OK(store_writer_begin(db) == 0 && store_writer_add(db, "a@x.test",
	    STORE_ALLOW, "b@y.test", NULL, &n) == 0, "an unpinned allow");
	store_writer_rollback(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), STORE_MAX_PINS,
	    "a rolled back change leaves nothing");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 1,
	    "nor an audit row");
	T_OK(store_writer_begin(db) == 0 && store_writer_add(db, "a@x.test",
	    STORE_ALLOW, "b@y.test", NULL, &n) == 0 &&
	    store_writer_commit(db, "unpin") == 0, "an unpinned allow commits");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), 1,
	    "and replaced every pin of the pair");
	T_OK(store_writer_begin(db) == 0 && store_writer_remove(db, "a@x.test",
	    "b@y.test", NULL, &n) == 0 && store_writer_commit(db, "rm") == 0 &&
	    n == 1, "remove");
	store_writer_free(db);
}

/*
 * test_tx: misuse is refused without harm, a refused change keeps the
 * transaction usable, and each change says how many rows it changed.
 */
static void
test_tx(void)
{
	char path[256], err[512];
	struct store_writer *db;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tx.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "open (%s)", db ? "" : err);
	if (db == NULL)
		return;
	T_INTEQ(store_writer_commit(db, "nothing"), -1,
	    "a commit without a transaction is refused");
	T_INTEQ(store_writer_errcode(db), STORE_EINTERNAL, "as misuse");
	T_INTEQ(store_writer_set_mode(db, "a@x.test", "deny", &n), -1,
	    "a mode outside a transaction is refused");
	T_INTEQ(store_writer_remove(db, "a@x.test", "b@y.test", NULL, &n), -1,
	    "a remove outside a transaction is refused");
	store_writer_rollback(db);
	store_writer_rollback(NULL);
	T_OK(store_writer_begin(db) == 0,
	    "begin (a rollback without a transaction was a no-op)");
	T_INTEQ(store_writer_begin(db), -1, "a second begin is refused");
	T_INTEQ(store_writer_set_mode(db, "a@x.test", "maybe", &n), -1,
	    "a mode is allow or deny");
	T_INTEQ(store_writer_errcode(db), STORE_EDATA, "as bad data (%s)",
	    store_writer_error(db));
	T_INTEQ(store_writer_add(db, "a@x.test", STORE_ALLOW, "B@y.test", NULL,
	    &n), -1, "a non-canonical sender is refused");
	T_OK(strstr(store_writer_error(db), "B@y.test: not a canonical") !=
	    NULL, "the message names it (%s)", store_writer_error(db));
	T_OK(store_writer_set_mode(db, "a@x.test", "deny", &n) == 0 && n == 1,
	    "a mode: one row");
	T_OK(store_writer_set_mode(db, "a@x.test", "deny", &n) == 0 && n == 0,
	    "the same mode again: none");
	T_OK(store_writer_add(db, "a@x.test", STORE_DENY, "*@y.test", NULL,
	    &n) == 0 && n == 1, "a deny entry");
	T_OK(store_writer_add(db, "a@x.test", STORE_DENY, "*@y.test", NULL,
	    &n) == 0 && n == 0, "the same deny again: none");
	T_OK(store_writer_commit(db, "tx test") == 0,
	    "the refused changes did not spoil the transaction");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode WHERE recipient = "
	    "'a@x.test' AND mode = 'deny' AND changed > 1700000000"), 1,
	    "the mode is there, with its change time");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry"), 1,
	    "one entry");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit WHERE "
	    "what = 'tx test'"), 1, "one audit row");
	T_OK(store_writer_begin(db) == 0 && store_writer_set_mode(db,
	    "a@x.test", NULL, &n) == 0 && n == 1 && store_writer_remove(db,
	    "a@x.test", "*@y.test", NULL, &n) == 0 && n == 1 &&
	    store_writer_commit(db, "undo") == 0,
	    "removing the mode and the entry");
	T_INTEQ(sql_int(path, "SELECT (SELECT count(*) FROM mode) + "
	    "(SELECT count(*) FROM entry)"), 0, "leaves no rule");
	store_writer_free(db);
	store_writer_free(NULL);
}

/*
 * test_changelog: schema 3's change log (specs/store.md 2.1): one change
 * row per pair a statement wrote, committed with it or not at all; the
 * store's id; pruning old rows on commit.
 */
static void
test_changelog(void)
{
	char path[256], err[512], pin[STORE_PIN_HEX];
	struct store_writer *db;
	long long seq;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/log.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "open (%s)", db ? "" : err);
	if (db == NULL)
		return;
	T_INTEQ(sql_int(path, "SELECT count(*) FROM store_meta WHERE id = 1 "
	    "AND length(store_id) = 32 AND store_id NOT GLOB '*[^0-9a-f]*' "
	    "AND pruned = 0"), 1, "one store_meta row: 32 hex digits");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change"), 0,
	    "an empty log");
	snprintf(pin, sizeof(pin), "%064x", 7);
	T_OK(store_writer_begin(db) == 0 &&
	    store_writer_set_mode(db, "a@x.test", "deny", &n) == 0 &&
	    store_writer_add(db, "a@x.test", STORE_ALLOW, "b@y.test", pin,
	    &n) == 0 && store_writer_add(db, "a@x.test", STORE_DENY,
	    "*@z.test", NULL, &n) == 0 && store_writer_commit(db, "three") ==
	    0, "a mode and two entries");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change"), 3,
	    "three change rows");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change WHERE seq = 1 AND "
	    "recipient = 'a@x.test' AND sender = '' AND at > 1700000000"), 1,
	    "the mode's pair has sender ''");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change WHERE recipient = "
	    "'a@x.test' AND sender IN ('b@y.test', '*@z.test')"), 2,
	    "an entry's pair names its sender");
	T_OK(store_writer_begin(db) == 0 && store_writer_add(db, "a@x.test",
	    STORE_ALLOW, "b@y.test", NULL, &n) == 0 && n == 2 &&
	    store_writer_set_mode(db, "a@x.test", "allow", &n) == 0,
	    "the pin replaced by an unpinned allow, the mode changed");
	store_writer_rollback(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change"), 3,
	    "rolled back: no change row");
	T_OK(store_writer_begin(db) == 0 && store_writer_add(db, "a@x.test",
	    STORE_ALLOW, "b@y.test", NULL, &n) == 0 &&
	    store_writer_set_mode(db, "a@x.test", "allow", &n) == 0 &&
	    store_writer_commit(db, "two") == 0, "committed this time");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change WHERE seq > 3"), 3,
	    "a delete, an insert (same pair) and an update: three rows");
	T_INTEQ(sql_exec(path, "UPDATE entry SET sender = 'c@y.test' WHERE "
	    "sender = 'b@y.test'"), 0, "a row moved to another pair by hand");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM change WHERE seq > 6 AND "
	    "sender IN ('b@y.test', 'c@y.test')"), 2, "logs the old pair and "
	    "the new");

	/* pruning: rows older than STORE_CHANGE_DAYS go on the next commit */
	T_INTEQ(sql_exec(path, "UPDATE change SET at = at - 8 * 86400 WHERE "
	    "seq <= 4; UPDATE change SET at = at - 86400 WHERE seq = 5"), 0,
	    "four rows made eight days old, one a day");
	seq = sql_int(path, "SELECT max(seq) FROM change");
	T_OK(store_writer_begin(db) == 0 &&
	    store_writer_commit(db, "nothing") == 0, "a commit");
	T_INTEQ(sql_int(path, "SELECT pruned FROM store_meta"), 4,
	    "pruned: the highest seq deleted");
	T_INTEQ(sql_int(path, "SELECT min(seq) FROM change"), 5,
	    "the old rows are gone, the newer kept");
	T_INTEQ(sql_int(path, "SELECT max(seq) FROM change"), seq,
	    "the commit wrote no change row of its own");
	T_INTEQ(sql_exec(path, "UPDATE change SET at = at - 8 * 86400"), 0,
	    "every row old");
	T_OK(store_writer_begin(db) == 0 &&
	    store_writer_commit(db, "nothing") == 0 &&
	    sql_int(path, "SELECT count(*) FROM change") == 0 &&
	    sql_int(path, "SELECT pruned FROM store_meta") == seq,
	    "an empty log; pruned is the last seq (%lld)", seq);
	T_OK(store_writer_begin(db) == 0 && store_writer_set_mode(db,
	    "a@x.test", NULL, &n) == 0 && store_writer_commit(db, "rm") == 0 &&
	    sql_int(path, "SELECT seq FROM change") == seq + 1,
	    "seq goes on after an empty log");
	store_writer_free(db);
}

/* bulk: one transaction adding N entries; returns 0 or -1. */
static int
bulk(struct store_writer *db, int n, enum store_err *e)
{
	char s[STORE_TARGET_MAX];
	int i;

	if (store_writer_begin(db) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "sender-number-%06d-with-a-long-local-"
		    "part-to-fill-pages@example%d.test", i, i);
		if (store_writer_add(db, "r@x.test", STORE_ALLOW, s, NULL,
		    NULL) == -1)
			goto fail;
	}
	if (store_writer_commit(db, "bulk") == -1)
		goto fail;
	return 0;
fail:
	*e = store_writer_errcode(db);
	store_writer_rollback(db);
	return -1;
}

static void
test_write_errors(void)
{
	char mnt[300], path[320], fill[320], err[512];
	struct store_writer *db = NULL;
	enum store_err e = STORE_OK;
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
	db = store_writer_open(path, STORE_CREATE, &e, err, sizeof(err));
	T_OK(db != NULL, "a store on a 256k tmpfs");
	if (db == NULL)
		goto done;
	T_OK(bulk(db, 20, &e) == 0, "20 entries fit");
	store_writer_free(db);
	db = NULL;
	before = nrules(path);
	T_INTEQ(before, 20, "20 rules");

	/* disk full */
	memset(block, 'x', sizeof(block));
	fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (fd != -1 && write(fd, block, sizeof(block)) > 0)
		;
	T_INTEQ(errno, ENOSPC, "the file system is full");
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL, "the store still opens (%s)", db ? "" : err);
	if (db != NULL) {
		T_INTEQ(bulk(db, 3000, &e), -1, "a large change fails");
		T_INTEQ(e, STORE_EIO, "as an I/O error (%s)",
		    store_writer_error(db));
		store_writer_free(db);
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
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL && bulk(db, 5, &e) == 0, "with space again, a change "
	    "commits");
	store_writer_free(db);
	db = NULL;
	before = nrules(path);

	/* read-only file system */
	if (mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL) == -1) {
		T_OK(0, "remount read-only: %s", strerror(errno));
		goto done;
	}
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_EPERM, "a read-only store is "
	    "refused for writing (%s)", err);
	T_INTEQ(nrules(path), before, "and still reads the same");
done:
	store_writer_free(db);
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
	test_tx();
	test_changelog();
	test_write_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
