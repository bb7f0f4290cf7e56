/*
 * test_journal: senderkeyd's decision journal (resolver/jagg.c, the
 * aggregate, and resolver/journal.c, the flush to the file through the
 * writer thread; specs/store.md 6.3).  The aggregate: one key per
 * (dir, recipient, sender, day, sig, verdict, reason, tag, pin), counts
 * adding, first/last widening, a new day a new key, a full table
 * dropping and counting, strings too long dropped, clearing.  The
 * journal: a flush writes what was noted, the pin only for authorized
 * with sig=pass; a locked file keeps the batch (the daemon's side goes
 * on noting) and the next flush writes both, counted once each; the
 * last batch is written by journal_free.  journal_seen (MOVE) finds a
 * decision in the aggregate and on disk, with its key or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "resolver/jagg.h"
#include "resolver/journal.h"
#include "resolver/loop.h"
#include "store_t.h"
#include "t.h"

#define DAY	86400
#define T0	((int64_t)20000 * DAY + 3600)

static char dir[] = "/tmp/test_journal.XXXXXX";

static void
test_jagg(void)
{
	struct jagg *a = jagg_new(3);
	const struct store_jrow *r;
	struct jagg_key k;
	unsigned char pin[STORE_FP_LEN];
	char longs[400];
	size_t n;

	T_OK(a != NULL, "jagg_new");
	if (a == NULL)
		return;
	T_OK(jagg_new(0) == NULL && jagg_new(70000) == NULL, "bad capacity");
	memset(&k, 0, sizeof(k));
	k.dir = STORE_JIN;
	k.recipient = "carol@example.net";
	k.sender = "bob@example.org";
	k.sig = VSIG_UNKNOWN;
	k.verdict = VERDICT_UNTRUSTED;
	k.reason = VR_SIG_PENDING;
	k.tag = VT_UNTRUSTED;
	T_INTEQ(jagg_add(a, &k, T0 + 5), 0, "a new key");
	T_INTEQ(jagg_add(a, &k, T0 + 1), 1, "the same key counts");
	T_INTEQ(jagg_add(a, &k, T0 + 9), 1, "again");
	r = jagg_rows(a, &n);
	T_OK(n == 1 && r[0].count == 3 && r[0].first == T0 + 1 &&
	    r[0].last == T0 + 9 && !r[0].has_pin &&
	    strcmp(r[0].sender, "bob@example.org") == 0,
	    "one row: count 3, first and last widened");
	memset(pin, 0xcd, sizeof(pin));
	k.sig = VSIG_PASS;
	k.verdict = VERDICT_AUTHORIZED;
	k.reason = VR_KEY_SECURE_SIGNED;
	k.tag = VT_TRUSTED;
	k.pin = pin;
	T_INTEQ(jagg_add(a, &k, T0), 0, "another verdict and a pin: new key");
	pin[0] = 0;
	T_INTEQ(jagg_add(a, &k, T0), 0, "another pin: new key");
	T_INTEQ(jagg_add(a, &k, T0 + DAY), -1, "the next day is a new key: "
	    "the table of 3 is full, dropped");
	k.pin = NULL;
	k.sig = VSIG_UNKNOWN;
	k.verdict = VERDICT_UNTRUSTED;
	k.reason = VR_SIG_PENDING;
	k.tag = VT_UNTRUSTED;
	T_INTEQ(jagg_add(a, &k, T0 + 20), 1, "a full table still counts "
	    "the keys it has");
	T_INTEQ((long long)jagg_take_dropped(a), 1, "one dropped");
	T_INTEQ((long long)jagg_take_dropped(a), 0, "taken");
	r = jagg_rows(a, &n);
	T_OK(n == 3 && r[1].has_pin && r[1].pin[0] == 0xcd &&
	    r[2].pin[0] == 0 && r[0].count == 4, "rows kept apart");
	jagg_clear(a);
	jagg_rows(a, &n);
	T_INTEQ((long long)n, 0, "cleared");
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	k.sender = longs;
	T_INTEQ(jagg_add(a, &k, T0), -1, "a sender too long for a row is "
	    "dropped");
	k.sender = "bob@example.org";
	T_INTEQ(jagg_add(a, &k, T0), 0, "a cleared table takes keys again");
	T_INTEQ(jagg_add(a, &k, T0), 1, "and finds them");
	jagg_free(a);
	jagg_free(NULL);
}

static void
test_flush(void)
{
	char path[256], err[512] = "";
	struct verdict_output v;
	unsigned char key[STORE_FP_LEN];
	struct loop *l = loop_new();
	struct journal *j;
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/j.db", dir);
	T_OK(l != NULL, "a loop");
	if (l == NULL)
		return;
	j = journal_new(l, NULL, path, 30, 1000, 0, 5000, err, sizeof(err));
	T_OK(j != NULL, "journal_new (%s)", err);
	if (j == NULL)
		goto out;
	memset(key, 0x5a, sizeof(key));
	memset(&v, 0, sizeof(v));
	v.verdict = VERDICT_AUTHORIZED;
	v.reason = VR_KEY_SECURE_SIGNED;
	v.tag = VT_TRUSTED;
	journal_note(j, "carol@example.net", "bob@example.org", VSIG_PASS, &v,
	    key);
	journal_note(j, "carol@example.net", "bob@example.org", VSIG_PASS, &v,
	    key);
	v.verdict = VERDICT_UNTRUSTED;
	v.reason = VR_PIN_MISMATCH;
	v.tag = VT_UNTRUSTED;
	journal_note(j, "carol@example.net", "bob@example.org", VSIG_PASS, &v,
	    key);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal"), 0,
	    "nothing on disk before a flush");
	T_INTEQ(journal_flush(j), 0, "flushed");
	T_INTEQ(sql_int(path, "SELECT count FROM journal WHERE verdict = "
	    "'authorized' AND pin = '" "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a' AND sig = 'pass'"), 2,
	    "authorized with sig=pass: counted, pinned to the key seen");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE verdict = "
	    "'untrusted' AND pin = ''"), 1, "not authorized: no pin kept");

	/* Locked: the batch is kept, noting goes on, nothing is lost. */
	T_OK(sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db,
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
	    "another writer holds the journal");
	journal_note(j, "dave@example.net", "bob@example.org", VSIG_UNKNOWN,
	    &v, NULL);
	T_INTEQ(journal_flush(j), -1, "locked: the batch is kept");
	journal_note(j, "dave@example.net", "bob@example.org", VSIG_UNKNOWN,
	    &v, NULL);
	journal_note(j, "erin@example.net", "bob@example.org", VSIG_UNKNOWN,
	    &v, NULL);
	T_INTEQ(journal_flush(j), -1, "still locked: still kept");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	T_INTEQ(journal_flush(j), 0, "unlocked: the kept batch written");
	T_INTEQ(sql_int(path, "SELECT sum(count) FROM journal WHERE "
	    "recipient = 'dave@example.net'"), 1, "the kept batch, once");
	journal_note(j, "dave@example.net", "bob@example.org", VSIG_UNKNOWN,
	    &v, NULL);
	journal_free(j);
	T_INTEQ(sql_int(path, "SELECT sum(count) FROM journal WHERE "
	    "recipient = 'dave@example.net'"), 3, "what was noted while "
	    "locked, and at the end, written by journal_free");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM journal WHERE "
	    "recipient = 'erin@example.net'"), 1, "erin's too");
out:
	loop_free(l);
}

/* journal_seen: MOVE's check, in the aggregate and on disk. */
static void
test_seen(void)
{
	struct loop *l = loop_new();
	struct journal *j = NULL;
	struct verdict_output v;
	unsigned char key[STORE_FP_LEN], other[STORE_FP_LEN];
	char path[200], err[256];
	int seen, sk;

	snprintf(path, sizeof(path), "%s/seen.db", dir);
	if (l == NULL || (j = journal_new(l, NULL, path, 30, 1000, 0, 5000,
	    err, sizeof(err))) == NULL) {
		T_OK(0, "journal_new for journal_seen (%s)", err);
		goto out;
	}
	memset(key, 0x5a, sizeof(key));
	memset(other, 0x77, sizeof(other));
	memset(&v, 0, sizeof(v));
	v.verdict = VERDICT_AUTHORIZED;
	v.reason = VR_KEY_SECURE_SIGNED;
	v.tag = VT_TRUSTED;
	T_OK(journal_seen(j, "carol@example.net", "bob@example.org", key,
	    &seen, &sk, err, sizeof(err)) == 0 && !seen && !sk,
	    "seen: nothing noted, nothing seen");
	journal_note(j, "carol@example.net", "bob@example.org", VSIG_PASS, &v,
	    key);
	T_OK(journal_seen(j, "carol@example.net", "bob@example.org", key,
	    &seen, &sk, err, sizeof(err)) == 0 && seen && sk,
	    "seen: in the aggregate, with the key");
	T_OK(journal_seen(j, "carol@example.net", "bob@example.org", other,
	    &seen, &sk, err, sizeof(err)) == 0 && seen && !sk,
	    "seen: another key is not seen");
	T_OK(journal_seen(j, "dave@example.net", "bob@example.org", NULL,
	    &seen, &sk, err, sizeof(err)) == 0 && !seen,
	    "seen: another recipient's decision is not this one's");
	T_INTEQ(journal_flush(j), 0, "seen: flushed");
	T_OK(journal_seen(j, "carol@example.net", "bob@example.org", key,
	    &seen, &sk, err, sizeof(err)) == 0 && seen && sk,
	    "seen: on disk, with the key");
	T_OK(journal_seen(j, "carol@example.net", "eve@example.org", NULL,
	    &seen, &sk, err, sizeof(err)) == 0 && !seen,
	    "seen: another sender is not seen");
out:
	journal_free(j);
	loop_free(l);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_jagg();
	test_flush();
	test_seen();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
