/*
 * test_store_journal: core/store_journal.c, the decision journal's file
 * (specs/store.md 6): creation (mode 0640, WAL, its own user_version),
 * the read-only side refusing a missing file and an unknown version;
 * batches adding to a key's count and widening first/last, one row per
 * day; the read summing days per key, sorted, within SINCE; retention
 * (JournalDays), the bound per recipient and the size bound (oldest
 * last dropped first); a row that is not valid skipped and the rest of
 * the batch written; a locked
 * journal (EBUSY) leaving it as it was; a corrupt row failing the
 * read instead of being reported; what deny mode would do with a sender
 * given the rules and the history (each row of specs/store.md 6.4's
 * table), and the keys --keep-history pins, most recent first, once; a
 * full disk (a 1m tmpfs; needs root, else skipped) failing a batch as
 * EIO with nothing of it written, and the same batch written once there
 * is space.
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

#define DAY	86400
#define T0	((int64_t)20000 * DAY + 3600)	/* a day, 01:00 UTC */

static char dir[] = "/tmp/test_store_journal.XXXXXX";

static struct store_jrow
row(const char *rcpt, const char *sender, enum verdict v,
    enum verdict_reason why, enum verdict_tag tag, int pinbyte,
    uint64_t count, int64_t first, int64_t last)
{
	struct store_jrow r;

	memset(&r, 0, sizeof(r));
	r.dir = STORE_JIN;
	snprintf(r.recipient, sizeof(r.recipient), "%s", rcpt);
	snprintf(r.sender, sizeof(r.sender), "%s", sender);
	r.sig = v == VERDICT_AUTHORIZED ? VSIG_PASS : VSIG_UNKNOWN;
	r.verdict = v;
	r.reason = why;
	r.tag = tag;
	if (pinbyte >= 0) {
		r.has_pin = 1;
		memset(r.pin, pinbyte, sizeof(r.pin));
	}
	r.count = count;
	r.first = first;
	r.last = last;
	return r;
}

static void
test_open(void)
{
	char path[256], err[512] = "";
	struct store_journal *j;
	enum store_err e = STORE_OK;
	struct stat st = { 0 };

	snprintf(path, sizeof(path), "%s/j.db", dir);
	j = store_journal_open(path, STORE_JOURNAL_RDONLY, &e, err,
	    sizeof(err));
	T_OK(j == NULL && e == STORE_ENOENT, "read-only: a missing journal is "
	    "ENOENT (%s)", err);
	j = store_journal_open(path, 0, &e, err, sizeof(err));
	T_OK(j == NULL && e == STORE_ENOENT, "no CREATE: ENOENT (%s)", err);
	umask(0);
	j = store_journal_open(path, STORE_CREATE, &e, err, sizeof(err));
	umask(022);
	T_OK(j != NULL, "created (%s)", j == NULL ? err : "");
	store_journal_free(j);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "a new journal is 0640 whatever the umask (%o)",
	    (unsigned)st.st_mode & 0777);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), STORE_JOURNAL_VERSION,
	    "the journal's own version");
	T_INTEQ(sql_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1, "WAL");
	j = store_journal_open(path, STORE_JOURNAL_RDONLY, &e, err,
	    sizeof(err));
	T_OK(j != NULL, "read-only open of a journal");
	store_journal_free(j);

	T_OK(sql_exec(path, "PRAGMA user_version = 9") == 0, "set v9");
	j = store_journal_open(path, STORE_JOURNAL_RDONLY, &e, err,
	    sizeof(err));
	T_OK(j == NULL && e == STORE_ECORRUPT, "read-only: a newer version is "
	    "refused (%s)", err);
	j = store_journal_open(path, 0, &e, err, sizeof(err));
	T_OK(j == NULL && e == STORE_ECORRUPT, "writer: a newer version is "
	    "refused (%s)", err);
	remove(path);
	store_journal_free(NULL);
}

static void
test_write_read(void)
{
	char path[256], err[512] = "";
	struct store_journal *j, *ro;
	struct store_jrow b[4], *rows = NULL;
	size_t n = 0, pruned = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/w.db", dir);
	j = store_journal_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(j != NULL, "open (%s)", err);
	if (j == NULL)
		return;
	b[0] = row("carol@example.net", "bob@example.org",
	    VERDICT_AUTHORIZED, VR_KEY_SECURE_SIGNED, VT_TRUSTED, 0xab, 2,
	    T0, T0 + 10);
	b[1] = row("carol@example.net", "bob@example.org",
	    VERDICT_UNTRUSTED, VR_SIG_PENDING, VT_UNTRUSTED, -1, 3, T0,
	    T0 + 12);
	b[2] = row("carol@example.net", "amy@example.org",
	    VERDICT_UNTRUSTED, VR_KEY_INSECURE, VT_UNTRUSTED, -1, 1, T0 + 5,
	    T0 + 5);
	b[3] = row("dave@example.net", "bob@example.org",
	    VERDICT_UNTRUSTED, VR_SIG_PENDING, VT_UNTRUSTED, -1, 7, T0, T0);
	rc = store_journal_write(j, b, 4, T0 + 20, 30, 1000, &pruned, NULL);
	T_OK(rc == 0 && pruned == 0, "a batch written (%s)",
	    store_journal_error(j));
	/* The same key again, later the same day: one row, widened. */
	b[0].count = 5;
	b[0].first = T0 + 100;
	b[0].last = T0 + 200;
	T_OK(store_journal_write(j, b, 1, T0 + 300, 30, 1000, NULL, NULL) == 0,
	    "the same key again");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal"), 4,
	    "one row per key and day");
	T_INTEQ(sql_int(path, "SELECT count FROM journal WHERE pin <> ''"),
	    7, "counts add");
	/* The next day: a row of its own, summed by the read. */
	b[0].count = 1;
	b[0].first = b[0].last = T0 + DAY;
	T_OK(store_journal_write(j, b, 1, T0 + DAY, 30, 1000, NULL, NULL) == 0,
	    "the next day");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal"), 5,
	    "a row per day");

	ro = store_journal_open(path, STORE_JOURNAL_RDONLY, NULL, err,
	    sizeof(err));
	T_OK(ro != NULL, "read-only beside the writer (%s)", err);
	if (ro == NULL)
		goto out;
	T_OK(store_journal_read(ro, "carol@example.net", STORE_JIN, 0, &rows,
	    &n) == 0 && n == 3, "three keys for carol (%zu)", n);
	if (n == 3) {
		T_STREQ(rows[0].sender, "amy@example.org", "sorted by sender");
		T_OK(rows[1].verdict == VERDICT_AUTHORIZED &&
		    rows[1].count == 8 && rows[1].first == T0 &&
		    rows[1].last == T0 + DAY && rows[1].has_pin &&
		    rows[1].pin[0] == 0xab && rows[1].sig == VSIG_PASS,
		    "days summed, first and last the widest, the pin read");
		T_OK(rows[2].reason == VR_SIG_PENDING && rows[2].count == 3 &&
		    !rows[2].has_pin, "the rcpt-time row apart");
	}
	free(rows);
	T_OK(store_journal_read(ro, "carol@example.net", STORE_JIN, T0 + DAY,
	    &rows, &n) == 0 && n == 1 && rows[0].count == 1,
	    "SINCE: only the rows whose last is in the window");
	free(rows);
	T_OK(store_journal_read(ro, "carol@example.net", STORE_JOUT, 0, &rows,
	    &n) == 0 && n == 0 && rows == NULL, "dir out: nothing");
	T_OK(store_journal_read(ro, "Carol@example.net", STORE_JIN, 0, &rows,
	    &n) == -1 && store_journal_errcode(ro) == STORE_EDATA,
	    "a recipient not in canonical form is refused");
	T_OK(store_journal_write(ro, b, 1, T0, 30, 1000, NULL, NULL) == -1 &&
	    store_journal_errcode(ro) == STORE_EPERM, "read-only: no write");

	/* A corrupt row fails the read: never reported as something else. */
	T_OK(sql_exec(path, "UPDATE journal SET verdict = 'trusted' WHERE "
	    "sender = 'amy@example.org'") == 0, "corrupt a row");
	T_OK(store_journal_read(ro, "carol@example.net", STORE_JIN, 0, &rows,
	    &n) == -1 && store_journal_errcode(ro) == STORE_ECORRUPT &&
	    n == 0, "a bad row fails the read");
	T_OK(sql_exec(path, "UPDATE journal SET verdict = 'untrusted', "
	    "pin = '" "abababababababababababababababababababababababababababab"
	    "abababab' WHERE sender = 'amy@example.org'") == 0,
	    "a pin on an untrusted row");
	T_OK(store_journal_read(ro, "carol@example.net", STORE_JIN, 0, &rows,
	    &n) == -1, "a pin without authorized fails the read");
out:
	store_journal_free(ro);
	store_journal_free(j);
}

static void
test_bounds(void)
{
	char path[256], err[512] = "";
	struct store_journal *j;
	struct store_jrow b[3];
	size_t pruned = 0, skipped = 0;
	char rcpt[32];
	int i;

	snprintf(path, sizeof(path), "%s/b.db", dir);
	j = store_journal_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(j != NULL, "open (%s)", err);
	if (j == NULL)
		return;
	for (i = 0; i < 3; i++) {
		snprintf(rcpt, sizeof(rcpt), "r%d@example.net", i);
		b[i] = row(rcpt, "s@example.org", VERDICT_UNTRUSTED,
		    VR_NO_KEY, VT_UNTRUSTED, -1, 1, T0 + i * DAY,
		    T0 + i * DAY);
	}
	T_OK(store_journal_write(j, b, 3, T0 + 2 * DAY, 30, 1000, NULL,
	    NULL) == 0, "three days");
	T_OK(store_journal_write(j, NULL, 0, T0 + 2 * DAY + 10, 2, 1000,
	    &pruned, NULL) == 0 && pruned == 1, "JournalDays 2: the row last seen "
	    "2 days and 10 s ago goes (%zu)", pruned);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE recipient "
	    "= 'r0@example.net'"), 0, "the oldest went");
	T_OK(store_journal_write(j, NULL, 0, T0 + 2 * DAY, 30, 1, &pruned, NULL) ==
	    0 && pruned == 1, "JournalMaxRows 1: one more goes");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE recipient "
	    "= 'r2@example.net'"), 1, "the newest stays");

	/* The bound per recipient: a flooded one keeps its newest rows,
	   the others' rows stay. */
	{
		struct store_jrow f[5];
		char snd[32];

		for (i = 0; i < 5; i++) {
			snprintf(snd, sizeof(snd), "f%d@example.org", i);
			f[i] = row(i < 4 ? "flood@example.net" :
			    "quiet@example.net", snd, VERDICT_UNTRUSTED,
			    VR_NO_KEY, VT_UNTRUSTED, -1, 1, T0 + 2 * DAY + i,
			    T0 + 2 * DAY + i);
		}
		store_journal_set_rcpt_max(j, 2);
		T_OK(store_journal_write(j, f, 5, T0 + 2 * DAY, 30, 1000,
		    &pruned, NULL) == 0 && pruned == 2, "JournalRecipientRows "
		    "2: two of flood's four rows go (%zu)", pruned);
		T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE "
		    "recipient = 'flood@example.net' AND sender IN "
		    "('f2@example.org', 'f3@example.org')"), 2,
		    "the newest two of flood's stay");
		T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE "
		    "recipient IN ('quiet@example.net', 'r2@example.net')"), 2,
		    "the other recipients' rows stay");
		store_journal_set_rcpt_max(j, 0);
		T_OK(store_journal_write(j, NULL, 0, T0 + 2 * DAY, 30, 1000,
		    NULL, NULL) == 0, "0: no bound");
		T_INTEQ(sql_exec(path, "DELETE FROM journal WHERE recipient "
		    "IN ('flood@example.net', 'quiet@example.net')"), 0,
		    "cleaned up");
	}

	/* A bad row: nothing of the batch written. */
	b[0] = row("r5@example.net", "s@example.org", VERDICT_UNTRUSTED,
	    VR_NO_KEY, VT_UNTRUSTED, -1, 1, T0, T0);
	b[1] = row("r6@example.net", "S@Example.org", VERDICT_UNTRUSTED,
	    VR_NO_KEY, VT_UNTRUSTED, -1, 1, T0, T0);
	b[2] = row("r7@example.net", "s@example.org", VERDICT_UNTRUSTED,
	    VR_NO_KEY, VT_UNTRUSTED, 0x11, 1, T0, T0);
	b[0].count = 2;
	T_OK(store_journal_write(j, b, 3, T0, 30, 1000, NULL, &skipped) == 0 &&
	    skipped == 2, "a sender not canonical and a pin on a row not "
	    "authorized are skipped (%zu)", skipped);
	b[1] = b[0];
	b[1].count = 0;
	T_OK(store_journal_write(j, b + 1, 1, T0, 30, 1000, NULL, &skipped) ==
	    0 && skipped == 1, "a count of 0 skipped");
	b[1].count = 1;
	b[1].first = T0 - DAY;
	T_OK(store_journal_write(j, b + 1, 1, T0, 30, 1000, NULL, &skipped) ==
	    0 && skipped == 1, "a row spanning two days skipped");
	T_INTEQ(sql_int(path, "SELECT count FROM journal WHERE recipient "
	    "= 'r5@example.net'"), 2, "the valid row of the batch written");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE recipient "
	    "IN ('r6@example.net', 'r7@example.net')"), 0, "no skipped row "
	    "written");

	/* Locked by another writer: EBUSY after the wait, nothing written. */
	{
		sqlite3 *db = NULL;

		T_OK(sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db,
		    "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
		    "another writer holds the lock");
		T_OK(store_journal_write(j, b, 1, T0, 30, 1000, NULL, NULL) == -1 &&
		    store_journal_errcode(j) == STORE_EBUSY, "locked: EBUSY "
		    "(%s)", store_journal_error(j));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		T_OK(store_journal_write(j, b, 1, T0, 30, 1000, NULL, NULL) == 0,
		    "unlocked: the kept batch goes in");
		T_INTEQ(sql_int(path, "SELECT count FROM journal WHERE "
		    "recipient = 'r5@example.net'"), 4, "counted once");
	}
	store_journal_free(j);
}

static void
test_deny(void)
{
	struct store_result r;
	struct store_jrow rows[4];
	unsigned char pins[STORE_MAX_PINS][STORE_FP_LEN];
	const char *a = "alice@example.org", *b = "bob@example.org";

	rows[0] = row("c@example.net", a, VERDICT_AUTHORIZED,
	    VR_KEY_SECURE_SIGNED, VT_TRUSTED, 0x11, 1, T0, T0 + 5);
	rows[1] = row("c@example.net", a, VERDICT_AUTHORIZED,
	    VR_KEY_SECURE_SIGNED, VT_TRUSTED, 0x22, 1, T0, T0 + 9);
	rows[2] = row("c@example.net", a, VERDICT_UNTRUSTED,
	    VR_SIG_PENDING, VT_UNTRUSTED, -1, 4, T0, T0 + 20);
	rows[3] = row("c@example.net", b, VERDICT_UNTRUSTED,
	    VR_KEY_INSECURE, VT_UNTRUSTED, -1, 2, T0, T0 + 20);
	memset(&r, 0, sizeof(r));
	r.list = VL_DENY;
	T_INTEQ(store_journal_deny(&r, rows, 4, a), STORE_JD_DENYLISTED,
	    "a deny entry: denylisted, whatever the history");
	r.list = VL_NONE;
	T_INTEQ(store_journal_deny(&r, rows, 4, a), STORE_JD_NOT_ALLOWLISTED,
	    "no entry: not-allowlisted, whatever the history");
	r.list = VL_ALLOW;
	T_INTEQ(store_journal_deny(&r, rows, 4, a), STORE_JD_ACCEPT,
	    "allowed, unpinned, authenticated before: accept");
	T_INTEQ(store_journal_deny(&r, rows, 4, b), STORE_JD_UNSIGNED,
	    "allowed, never authenticated: unsigned");
	r.npins = 1;
	memset(r.pins[0], 0x22, STORE_FP_LEN);
	T_INTEQ(store_journal_deny(&r, rows, 4, a), STORE_JD_ACCEPT,
	    "pinned to a key seen: accept");
	memset(r.pins[0], 0x33, STORE_FP_LEN);
	T_INTEQ(store_journal_deny(&r, rows, 4, a), STORE_JD_PIN_MISMATCH,
	    "pinned to a key never seen: pin-mismatch");
	T_INTEQ(store_journal_deny(&r, rows, 4, b), STORE_JD_PIN_MISMATCH,
	    "pinned, never authenticated: pin-mismatch");
	T_STREQ(store_journal_deny_name(STORE_JD_NOT_ALLOWLISTED),
	    "not-allowlisted", "names");
	T_STREQ(store_journal_deny_name((enum store_journal_deny)99), "?",
	    "out of range");

	T_INTEQ((long long)store_journal_pins(rows, 4, a, pins,
	    STORE_MAX_PINS), 2, "two keys seen");
	T_OK(pins[0][0] == 0x22 && pins[1][0] == 0x11, "most recent first");
	T_INTEQ((long long)store_journal_pins(rows, 4, a, pins, 1), 1,
	    "at most MAX");
	T_OK(pins[0][0] == 0x22, "the most recent kept");
	rows[3] = rows[1];
	T_INTEQ((long long)store_journal_pins(rows, 4, a, pins,
	    STORE_MAX_PINS), 2, "a key seen on two days: once");
	T_INTEQ((long long)store_journal_pins(rows, 4, b, pins,
	    STORE_MAX_PINS), 0, "no authorized row: no key");
}

/* A full disk: the batch fails as EIO, nothing of it is written; the
   same batch goes in once there is space. */
static void
test_full(void)
{
	char mnt[300], path[320], fill[320], err[512] = "", block[4096];
	struct store_journal *j = NULL;
	struct store_jrow *b = NULL;
	char sender[64];
	long long before;
	int fd, i;

	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	mkdir(mnt, 0755);
	if (getuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0,
	    "size=1m,mode=0755") == -1) {
		T_SKIP("a full disk", "needs root and a tmpfs mount");
		return;
	}
	snprintf(path, sizeof(path), "%s/j.db", mnt);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	if ((b = calloc(2000, sizeof(*b))) == NULL)
		goto done;
	for (i = 0; i < 2000; i++) {
		snprintf(sender, sizeof(sender), "s%d@example.org", i);
		b[i] = row("c@example.net", sender, VERDICT_UNTRUSTED,
		    VR_NO_KEY, VT_UNTRUSTED, -1, 1, T0, T0);
	}
	j = store_journal_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(j != NULL && store_journal_write(j, b, 10, T0, 30, 100000, NULL,
	    NULL) == 0, "a journal on a 1m tmpfs (%s)", err);
	if (j == NULL)
		goto done;
	before = sql_int(path, "SELECT count(*) FROM journal");
	memset(block, 'x', sizeof(block));
	fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (fd != -1 && write(fd, block, sizeof(block)) > 0)
		;
	T_INTEQ(errno, ENOSPC, "the file system is full");
	T_OK(store_journal_write(j, b, 2000, T0, 30, 100000, NULL, NULL) ==
	    -1 && store_journal_errcode(j) == STORE_EIO, "a batch fails as "
	    "EIO (%s)", store_journal_error(j));
	if (fd != -1)
		close(fd);
	unlink(fill);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal"), before,
	    "nothing of it written");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check = 'ok'"), 1, "integrity_check passes");
	T_OK(store_journal_write(j, b, 2000, T0, 30, 100000, NULL, NULL) ==
	    0, "with space again, the same batch goes in (%s)",
	    store_journal_error(j));
	T_INTEQ(sql_int(path, "SELECT sum(count) FROM journal"), 2010,
	    "each decision counted once");
done:
	store_journal_free(j);
	free(b);
	umount2(mnt, MNT_DETACH);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_open();
	test_write_read();
	test_bounds();
	test_deny();
	test_full();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
