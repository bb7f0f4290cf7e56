/*
 * test_store_uentry: user entries (specs/store.md 7, verdicts.md 4.2).
 * core/store_uentry.c: the merge with the rules, every row of
 * specs/vectors/uentries.tsv on the example store of verdicts.md 4.2,
 * and store_explain naming a user entry; the rows: a put written,
 * unchanged, kept (KEEP), replaced whole, refused when not valid; the
 * bound per recipient ("sent" first, then the oldest); forget by sender,
 * by source and all; a version-1 journal file migrated with its rows
 * kept (and read, without user entries, read-only); a locked file
 * failing a put (EBUSY) with nothing written; a bad row failing the
 * load.  resolver/uentry.c: the set in memory changed only after a
 * commit (a locked file leaves it as it was), KEEP leaving a pair the
 * rules file names, another writer's forget seen at the next poll, and
 * the decision journal's own batches not reloading anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "core/store.h"
#include "resolver/uentry.h"
#include "store_t.h"
#include "t.h"
#include "vec.h"

#define VECTORS "specs/vectors/uentries.tsv"
#define PIN_A	"aa00000000000000000000000000000000000000000000000000000000000001"
#define PIN_B	"bb00000000000000000000000000000000000000000000000000000000000002"

static char dir[] = "/tmp/test_store_uentry.XXXXXX";

/* The example store of verdicts.md 4.2 (A for its pin). */
static const struct {
	const char *rcpt, *what, *sender, *pin;
} rules[] = {
	{ "*@example.net", "mode", "deny", NULL },
	{ "*@example.net", "allow", "*@partner.org", NULL },
	{ "*@example.net", "deny", "mallory@partner.org", NULL },
	{ "alice@example.net", "mode", "allow", NULL },
	{ "bob@example.net", "allow", "carol@partner.org", PIN_A },
	{ "bob@example.net", "deny", "*@partner.org", NULL },
	{ "gus@example.net", "allow", "trent@partner.org", NULL },
	{ "gus@example.net", "deny", "trent@partner.org", NULL },
};

static struct store *
rules_store(const char *path)
{
	struct store_writer *w;
	struct store *s = NULL;
	size_t i;
	int ok;

	if ((w = store_writer_open(path, STORE_CREATE, NULL, NULL, 0)) ==
	    NULL)
		return NULL;
	ok = store_writer_begin(w) == 0;
	for (i = 0; ok && i < sizeof(rules) / sizeof(rules[0]); i++)
		ok = strcmp(rules[i].what, "mode") == 0 ?
		    store_writer_set_mode(w, rules[i].rcpt, rules[i].sender,
		    NULL) == 0 : store_writer_add(w, rules[i].rcpt,
		    rules[i].what[0] == 'a' ? STORE_ALLOW : STORE_DENY,
		    rules[i].sender, rules[i].pin, NULL) == 0;
	if (ok && store_writer_commit(w, "test rules") == 0)
		s = store_open(path, VM_ALLOW, NULL, 0);
	store_writer_free(w);
	return s;
}

/* label: the fingerprint a vector label stands for. */
static int
label(const char *l, unsigned char fp[STORE_FP_LEN])
{
	if (strcmp(l, "A") == 0)
		return store_canon_pin_bytes(PIN_A, fp);
	if (strcmp(l, "B") == 0)
		return store_canon_pin_bytes(PIN_B, fp);
	return -1;
}

/* labels: the pins of R as vector labels ("-" for none) in BUF. */
static void
labels(const struct store_result *r, char *buf, size_t bufsz)
{
	unsigned char a[STORE_FP_LEN], b[STORE_FP_LEN];
	size_t i;

	label("A", a);
	label("B", b);
	snprintf(buf, bufsz, "%s", r->npins == 0 ? "-" : "");
	for (i = 0; i < r->npins; i++)
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%s",
		    i > 0 ? "," : "", memcmp(r->pins[i], a, STORE_FP_LEN) == 0 ?
		    "A" : memcmp(r->pins[i], b, STORE_FP_LEN) == 0 ? "B" : "?");
}

/* user: the user entry of vector field F for RCPT and SENDER. */
static int
user(const char *f, const char *rcpt, const char *sender,
    struct store_uentry *ue)
{
	char buf[64], *p, *save = NULL;

	memset(ue, 0, sizeof(*ue));
	snprintf(ue->recipient, sizeof(ue->recipient), "%s", rcpt);
	snprintf(ue->sender, sizeof(ue->sender), "%s", sender);
	ue->source = STORE_US_IMAP;
	ue->created = 1796630400;	/* 2026-12-07T08:00:00Z */
	if (strcmp(f, "deny") == 0) {
		ue->action = STORE_DENY;
		return 0;
	}
	if (strncmp(f, "allow", 5) != 0)
		return -1;
	ue->action = STORE_ALLOW;
	if (f[5] == '\0')
		return 0;
	snprintf(buf, sizeof(buf), "%s", f + 6);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (label(p, ue->pins[ue->npins++]) == -1)
			return -1;
	return 0;
}

struct vctx {
	const struct store	*s;
	int			 header;
};

static void
vrow(struct vec_row *v, void *arg)
{
	struct vctx *c = arg;
	struct store_uentry ue;
	struct store_result r;
	struct addr *sa, *ra;
	char pins[32];
	int merged = 0;

	if (!c->header) {
		c->header = 1;
		T_OK(strcmp(v->f[0], "sender") == 0 && strcmp(v->f[6], "by") ==
		    0, "uentries.tsv: header line");
		return;
	}
	sa = addr_parse(v->f[0], NULL, NULL);
	ra = addr_parse(v->f[1], NULL, NULL);
	store_eval(c->s, sa, ra, addr_domain(ra), &r);
	if (strcmp(v->f[2], "-") != 0) {
		T_OK(user(v->f[2], v->f[1], v->f[0], &ue) == 0 &&
		    store_uentry_valid(&ue), "line %d: user entry %s", v->line,
		    v->f[2]);
		merged = store_uentry_merge(&r, &ue);
	}
	labels(&r, pins, sizeof(pins));
	T_OK(strcmp(verdict_mode_name(r.mode), v->f[3]) == 0 &&
	    strcmp(verdict_list_name(r.list), v->f[4]) == 0 &&
	    strcmp(pins, v->f[5]) == 0 && merged == r.by_user &&
	    strcmp(r.by_user ? "user" : r.list == VL_NONE ? "none" : "rules",
	    v->f[6]) == 0, "line %d: %s -> %s, user %s: mode %s list %s "
	    "pins %s by %s (%s; got %s %s %s by_user %d)", v->line, v->f[0],
	    v->f[1], v->f[2], v->f[3], v->f[4], v->f[5], v->f[6], v->f[7],
	    verdict_mode_name(r.mode), verdict_list_name(r.list), pins,
	    r.by_user);
	addr_free(sa);
	addr_free(ra);
}

static void
merge(const struct store *s)
{
	struct vctx c = { s, 0 };
	struct store_uentry ue;
	struct store_result r;
	struct addr *sa = addr_parse("dan@partner.org", NULL, NULL);
	struct addr *ra = addr_parse("bob@example.net", NULL, NULL);
	char buf[STORE_EXPLAIN_MAX];

	T_OK(vec_each(VECTORS, vrow, &c) >= 10, "every row of %s", VECTORS);
	user("allow:B", "bob@example.net", "dan@partner.org", &ue);
	store_eval(s, sa, ra, "example.net", &r);
	T_OK(store_uentry_merge(&r, &ue) == 1, "merged");
	store_explain(&r, buf, sizeof(buf));
	T_OK(strstr(buf, "user entry (imap 2026-12-07T08:00:00Z) "
	    "`bob@example.net allow dan@partner.org`") != NULL &&
	    strstr(buf, "pinned") != NULL && strstr(buf, "the address entry "
	    "beats the domain entry") != NULL, "explain names the user entry "
	    "and what it beat (%s)", buf);
	store_eval(s, sa, ra, "example.net", &r);
	T_OK(store_uentry_merge(&r, NULL) == 0 && r.list == VL_DENY &&
	    !r.by_user, "no user entry: the rules as they are");
	store_eval(s, NULL, ra, "example.net", &r);
	T_OK(store_uentry_merge(&r, &ue) == 0 && r.list == VL_NONE,
	    "the null sender: no user entry counts");
	store_eval(s, sa, NULL, "example.net", &r);
	T_OK(store_uentry_merge(&r, &ue) == 0 && r.list == VL_NONE &&
	    r.recipient_invalid, "no certain mailbox: no user entry counts");
	addr_free(sa);
	addr_free(ra);
}

/* ent: a user entry of RCPT naming SENDER. */
static struct store_uentry
ent(const char *rcpt, const char *sender, enum store_action a,
    enum store_usource src, int64_t created, const char *pin)
{
	struct store_uentry ue;

	memset(&ue, 0, sizeof(ue));
	snprintf(ue.recipient, sizeof(ue.recipient), "%s", rcpt);
	snprintf(ue.sender, sizeof(ue.sender), "%s", sender);
	ue.action = a;
	ue.source = src;
	ue.created = created;
	if (pin != NULL && store_canon_pin_bytes(pin, ue.pins[0]) == 0)
		ue.npins = 1;
	return ue;
}

/* senders: the senders of RCPT's user entries in J, as "a,b", in BUF. */
static const char *
senders(struct store_journal *j, const char *rcpt, char *buf, size_t bufsz)
{
	struct store_uentry *a = NULL;
	size_t n = 0, i;

	buf[0] = '\0';
	if (store_uentry_load(j, rcpt, &a, &n) == -1)
		snprintf(buf, bufsz, "error: %s", store_journal_error(j));
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), bufsz - strlen(buf), "%s%.*s",
		    i > 0 ? "," : "", (int)strcspn(a[i].sender, "@"),
		    a[i].sender);
	free(a);
	return buf;
}

static void
rows(void)
{
	char path[256], buf[512];
	struct store_journal *j;
	struct store_uentry ue, *a = NULL;
	enum store_err e;
	enum store_usource src;
	size_t n = 0, pruned = 9;
	const char *R = "carol@example.net";

	snprintf(path, sizeof(path), "%s/rows.db", dir);
	j = store_journal_open(path, STORE_CREATE, &e, buf, sizeof(buf));
	T_OK(j != NULL && store_journal_version(j) == 2, "a new journal "
	    "file has user entries (%s)", j == NULL ? buf : "v2");
	if (j == NULL)
		return;
	T_INTEQ(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name "
	    "= 'uentry'"), 1, "the table uentry");
	ue = ent(R, "dan@partner.org", STORE_ALLOW, STORE_US_IMAP, 100, PIN_A);
	ue.npins = 2;
	store_canon_pin_bytes(PIN_B, ue.pins[1]);
	T_INTEQ(store_uentry_put(j, &ue, 0, 0, NULL), 0, "a put is written");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM uentry"), 2,
	    "one row per pin");
	T_OK(store_uentry_load(j, R, &a, &n) == 0 && n == 1 &&
	    a[0].npins == 2 && a[0].action == STORE_ALLOW &&
	    a[0].source == STORE_US_IMAP && a[0].created == 100 &&
	    strcmp(a[0].sender, "dan@partner.org") == 0,
	    "read back as one entry with two pins");
	free(a);
	T_INTEQ(store_uentry_put(j, &ue, 0, 0, NULL), 1,
	    "the same again: nothing would change");
	ue = ent(R, "dan@partner.org", STORE_DENY, STORE_US_SENT, 150, NULL);
	T_INTEQ(store_uentry_put(j, &ue, 1, 0, NULL), 1,
	    "KEEP: an entry of the pair is left as it is");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM uentry WHERE action = "
	    "'allow'"), 2, "... untouched");
	T_INTEQ(store_uentry_put(j, &ue, 0, 0, NULL), 0,
	    "without KEEP a deny replaces the allow");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM uentry"), 1,
	    "every row of the pair replaced: one deny row");
	ue = ent(R, "*@partner.org", STORE_DENY, STORE_US_IMAP, 1, NULL);
	T_OK(store_uentry_put(j, &ue, 0, 0, NULL) == -1 &&
	    store_journal_errcode(j) == STORE_EDATA, "a *@domain sender is "
	    "refused: %s", store_journal_error(j));
	ue = ent(R, "eve@partner.org", STORE_DENY, STORE_US_IMAP, 1, PIN_A);
	T_OK(store_uentry_put(j, &ue, 0, 0, NULL) == -1 &&
	    store_journal_errcode(j) == STORE_EDATA, "a pinned deny is "
	    "refused");
	ue = ent("Carol@example.net", "eve@partner.org", STORE_DENY,
	    STORE_US_IMAP, 1, NULL);
	T_OK(store_uentry_put(j, &ue, 0, 0, NULL) == -1, "a recipient not "
	    "in canonical form is refused");

	/* the bound: 3 pairs; "sent" ones go first, then the oldest */
	store_uentry_forget(j, R, NULL, NULL, NULL);
	ue = ent(R, "a@x.test", STORE_ALLOW, STORE_US_IMAP, 100, NULL);
	store_uentry_put(j, &ue, 0, 3, NULL);
	ue = ent(R, "b@x.test", STORE_ALLOW, STORE_US_SENT, 200, NULL);
	store_uentry_put(j, &ue, 0, 3, NULL);
	ue = ent(R, "c@x.test", STORE_ALLOW, STORE_US_IMAP, 300, NULL);
	store_uentry_put(j, &ue, 0, 3, NULL);
	T_STREQ(senders(j, R, buf, sizeof(buf)), "a,b,c", "three pairs kept");
	ue = ent(R, "d@x.test", STORE_ALLOW, STORE_US_IMAP, 400, NULL);
	T_OK(store_uentry_put(j, &ue, 0, 3, &pruned) == 0 && pruned == 1,
	    "a fourth pair drops one");
	T_STREQ(senders(j, R, buf, sizeof(buf)), "a,c,d",
	    "the learned (sent) one went first, though not the oldest");
	ue = ent(R, "e@x.test", STORE_ALLOW, STORE_US_SENT, 500, NULL);
	T_OK(store_uentry_put(j, &ue, 0, 3, &pruned) == 0 && pruned == 1,
	    "a fifth drops one");
	T_STREQ(senders(j, R, buf, sizeof(buf)), "c,d,e",
	    "then the oldest; the pair just written stays");
	T_STREQ(senders(j, "dan@example.net", buf, sizeof(buf)), "",
	    "another recipient has none");

	/* forget */
	src = STORE_US_SENT;
	T_OK(store_uentry_forget(j, R, NULL, &src, &n) == 0 && n == 1,
	    "forget --source sent: one pair");
	T_STREQ(senders(j, R, buf, sizeof(buf)), "c,d", "the imap ones stay");
	T_OK(store_uentry_forget(j, R, "c@x.test", NULL, &n) == 0 && n == 1,
	    "forget one sender");
	T_OK(store_uentry_forget(j, R, "zz@x.test", NULL, &n) == 0 && n == 0,
	    "forgetting what is not there: 0");
	T_OK(store_uentry_forget(j, R, NULL, NULL, &n) == 0 && n == 1 &&
	    sql_int(path, "SELECT count(*) FROM uentry") == 0, "forget --all");

	/* a bad row fails the load */
	sql_exec(path, "INSERT INTO uentry VALUES ('carol@example.net', "
	    "'x@y.test', 'deny', '" PIN_A "', 'imap', 1)");
	T_OK(store_uentry_load(j, NULL, &a, &n) == -1 &&
	    store_journal_errcode(j) == STORE_ECORRUPT && a == NULL,
	    "a pinned deny row fails the load (%s)", store_journal_error(j));
	store_journal_free(j);
}

static void
migrated(void)
{
	char path[256], err[512];
	struct store_journal *j;
	struct store_uentry ue, *a = NULL;
	size_t n = 9;

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	T_OK(sql_exec(path, "CREATE TABLE journal (id INTEGER PRIMARY KEY, "
	    "dir TEXT NOT NULL CHECK (dir IN ('in', 'out')), recipient TEXT "
	    "NOT NULL, sender TEXT NOT NULL, day INTEGER NOT NULL, sig TEXT "
	    "NOT NULL, verdict TEXT NOT NULL, reason TEXT NOT NULL, tag TEXT "
	    "NOT NULL, pin TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR "
	    "length(pin) = 64), count INTEGER NOT NULL CHECK (count > 0), "
	    "first INTEGER NOT NULL, last INTEGER NOT NULL, UNIQUE "
	    "(recipient, sender, day, dir, sig, verdict, reason, tag, pin));"
	    "CREATE INDEX journal_last ON journal (last);"
	    "INSERT INTO journal VALUES (1, 'in', 'carol@example.net', "
	    "'dan@partner.org', 20000, 'pass', 'authorized', 'ok', "
	    "'authorized', '', 3, 1728000000, 1728000100);"
	    "PRAGMA user_version = 1;") == 0, "a journal file of version 1");
	j = store_journal_open(path, STORE_JOURNAL_RDONLY, NULL, err,
	    sizeof(err));
	T_OK(j != NULL && store_journal_version(j) == 1 &&
	    store_uentry_load(j, NULL, &a, &n) == 0 && n == 0, "read-only, "
	    "version 1 is read, with no user entries (%s)", j ? "ok" : err);
	ue = ent("carol@example.net", "dan@partner.org", STORE_ALLOW,
	    STORE_US_IMAP, 1, NULL);
	T_OK(j != NULL && store_uentry_put(j, &ue, 0, 0, NULL) == -1 &&
	    store_journal_errcode(j) == STORE_EPERM, "and never written");
	store_journal_free(j);
	j = store_journal_open(path, 0, NULL, err, sizeof(err));
	T_OK(j != NULL && store_journal_version(j) == 2 &&
	    sql_int(path, "PRAGMA user_version") == 2, "read-write: "
	    "migrated to version 2 (%s)", j ? "ok" : err);
	T_INTEQ(sql_int(path, "SELECT count FROM journal WHERE sender = "
	    "'dan@partner.org'"), 3, "the decision rows are kept");
	T_OK(j != NULL && store_uentry_put(j, &ue, 0, 0, NULL) == 0,
	    "and a user entry written");
	store_journal_free(j);
}

static void
locked(void)
{
	char path[256], buf[512];
	struct store_journal *j;
	struct store_uentry ue;
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/lock.db", dir);
	j = store_journal_open(path, STORE_CREATE, NULL, buf, sizeof(buf));
	if (j == NULL) {
		T_OK(0, "journal: %s", buf);
		return;
	}
	store_journal_set_busy(j, 50);
	sqlite3_open(path, &db);
	T_OK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK, "another writer holds the file");
	ue = ent("carol@example.net", "dan@partner.org", STORE_ALLOW,
	    STORE_US_IMAP, 1, NULL);
	T_OK(store_uentry_put(j, &ue, 0, 0, NULL) == -1 &&
	    store_journal_errcode(j) == STORE_EBUSY, "a put fails: EBUSY "
	    "(%s)", store_journal_error(j));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM uentry"), 0,
	    "nothing written");
	store_journal_free(j);
}

/* The daemon's set (resolver/uentry.c). */
static void
daemon_side(const struct store *rs)
{
	char path[256], buf[512];
	struct store_journal *other = NULL;
	struct store_jrow jr;
	struct uentry *u;
	sqlite3 *db = NULL;
	unsigned char fp[3][STORE_FP_LEN];
	const struct store_uentry *f;
	const char *R = "carol@example.net";

	snprintf(path, sizeof(path), "%s/daemon.db", dir);
	T_OK(uentry_put(NULL, R, "dan@partner.org", STORE_ALLOW, NULL, 0,
	    UENTRY_IMAP, 0, buf, sizeof(buf)) == -1, "journal off: -1 (%s)",
	    buf);
	if ((u = uentry_new(path, 10, rs, NULL)) == NULL) {
		T_OK(0, "uentry_new");
		return;
	}
	T_OK(uentry_count(u) == 0 && uentry_find(u, R, "dan@partner.org") ==
	    NULL, "a new file: none");
	store_canon_pin_bytes(PIN_A, fp[0]);
	store_canon_pin_bytes(PIN_B, fp[1]);
	store_canon_pin_bytes(PIN_A, fp[2]);
	T_INTEQ(uentry_put(u, R, "dan@partner.org", STORE_ALLOW,
	    (const unsigned char (*)[STORE_FP_LEN])fp, 3, UENTRY_IMAP, 0, buf,
	    sizeof(buf)), 0, "a put is written");
	f = uentry_find(u, R, "dan@partner.org");
	T_OK(f != NULL && f->npins == 2 && f->source == STORE_US_IMAP,
	    "and in memory at once, a key given twice pinned once");
	T_INTEQ(uentry_put(u, R, "dan@partner.org", STORE_DENY, NULL, 0,
	    UENTRY_SENT, 1, buf, sizeof(buf)), 1, "KEEP: left as it is");
	T_INTEQ(uentry_put(u, "bob@example.net", "carol@partner.org",
	    STORE_ALLOW, NULL, 0, UENTRY_SENT, 1, buf, sizeof(buf)), 1,
	    "KEEP: a pair the rules file names at the address level is left");
	T_OK(uentry_find(u, "bob@example.net", "carol@partner.org") == NULL &&
	    sql_int(path, "SELECT count(*) FROM uentry") == 2,
	    "... nothing written");
	T_INTEQ(uentry_put(u, R, "Dan@partner.org", STORE_DENY, NULL, 0,
	    UENTRY_IMAP, 0, buf, sizeof(buf)), -1, "an address not in "
	    "canonical form is refused (%s)", buf);

	/* locked: not written, memory as it was */
	sqlite3_open(path, &db);
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	T_INTEQ(uentry_put(u, R, "dan@partner.org", STORE_DENY, NULL, 0,
	    UENTRY_IMAP, 0, buf, sizeof(buf)), -1, "a locked file: -1 (%s)",
	    buf);
	f = uentry_find(u, R, "dan@partner.org");
	T_OK(f != NULL && f->action == STORE_ALLOW && f->npins == 2,
	    "memory unchanged");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	T_INTEQ(uentry_put(u, R, "dan@partner.org", STORE_DENY, NULL, 0,
	    UENTRY_IMAP, 0, buf, sizeof(buf)), 0, "unlocked: written");
	f = uentry_find(u, R, "dan@partner.org");
	T_OK(f != NULL && f->action == STORE_DENY && f->npins == 0,
	    "memory follows the commit");
	T_INTEQ(uentry_poll(u), 0, "our own commit: nothing to reload");

	/* another writer */
	other = store_journal_open(path, 0, NULL, buf, sizeof(buf));
	memset(&jr, 0, sizeof(jr));
	snprintf(jr.recipient, sizeof(jr.recipient), "%s", R);
	snprintf(jr.sender, sizeof(jr.sender), "x@y.test");
	jr.sig = VSIG_UNKNOWN;
	jr.verdict = VERDICT_UNTRUSTED;
	jr.reason = VR_NO_KEY;
	jr.tag = VT_UNTRUSTED;
	jr.count = 1;
	jr.first = jr.last = (int64_t)time(NULL);
	T_OK(other != NULL && store_journal_write(other, &jr, 1, jr.last, 30,
	    1000, NULL, NULL) == 0, "a decision journal batch committed");
	T_INTEQ(uentry_poll(u), 0, "... is not a change of the user entries");
	T_OK(store_uentry_forget(other, R, "dan@partner.org", NULL, NULL) ==
	    0, "another writer forgets dan");
	T_OK(uentry_find(u, R, "dan@partner.org") != NULL,
	    "until the poll the entry holds");
	T_INTEQ(uentry_poll(u), 1, "the poll reloads");
	T_OK(uentry_find(u, R, "dan@partner.org") == NULL &&
	    uentry_count(u) == 0, "and it is gone");
	T_INTEQ(uentry_poll(u), 0, "then nothing new");
	store_journal_free(other);
	uentry_free(u);
}

int
main(void)
{
	char path[256], cmd[300];
	struct store *s;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/p.db", dir);
	s = rules_store(path);
	T_OK(s != NULL, "the rules of verdicts.md 4.2");
	if (s != NULL) {
		merge(s);
		daemon_side(s);
	}
	rows();
	migrated();
	locked();
	store_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
