/*
 * test_store: core/store.c, the store as senderkeyd reads it.  The
 * recipient policy precedence of specs/verdicts.md 4.2 and the pins of
 * 4.3, table-driven: the worked examples of 4.2 and more (address over
 * domain over default, deny over allow at one level, pins, *@domain
 * recipients, case and IDN canonicalisation), evaluated by store_eval on
 * a store written by store_writer in a temp dir; store_explain; the
 * listing (store_rule, store_count, store_version); a store_reader
 * noticing a committed change (a delta, store_apply) and a replaced file
 * (a whole read, store_swap), the old rules kept when the new ones cannot
 * be read; store_errname.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/rcpt.h"
#include "core/store.h"
#include "store_t.h"
#include "t.h"

#define PIN_A	"3f" "0000000000000000000000000000000000000000000000000000" \
		"00000000" "9a"
#define PIN_B	"bb000000000000000000000000000000000000000000000000000000" \
		"00000001"

/* The store: the example of verdicts.md 4.2, then extra rules. */
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
	/* more */
	{ "Hal@Example.NET", "mode", "allow", NULL },		/* canonical */
	{ "hal@example.net", "allow", "Zed@BÜCHER.example", NULL },
	{ "ivy@example.net", "allow", "pat@partner.org", PIN_A },
	{ "ivy@example.net", "allow", "pat@partner.org", PIN_B },
	{ "jon@example.net", "allow", "pat@partner.org", PIN_A },
	{ "jon@example.net", "allow", "pat@partner.org", NULL },  /* unpins */
	{ "*@bücher.example", "mode", "deny", NULL },
	{ "*@bücher.example", "allow", "*@partner.org", NULL },
	{ "kim@other.test", "mode", "deny", NULL },
	{ "kim@other.test", "allow", "*@partner.org", NULL },
	{ "kim@other.test", "allow", "sam@partner.org", PIN_B },
	/* one restrictive rule per domain, and a domain without any */
	{ "zed@pins.test", "allow", "carol@partner.org", PIN_A },
	{ "*@denies.test", "deny", "x@elsewhere.test", NULL },
	{ "amy@denymode.test", "mode", "deny", NULL },
	{ "amy@lenient.test", "allow", "*@partner.org", NULL },
	{ "*@lenient.test", "mode", "allow", NULL },
};

static const struct {
	const char *sender, *rcpt, *mode, *list;
	int npins;
	const char *why;
} cases[] = {
	/* verdicts.md 4.2, in order */
	{ "dan@partner.org", "carol@example.net", "deny", "allow", 0,
	  "domain level: allow *@partner.org" },
	{ "mallory@partner.org", "carol@example.net", "deny", "deny", 0,
	  "domain level: the address entry beats the domain entry" },
	{ "mallory@partner.org", "alice@example.net", "allow", "deny", 0,
	  "alice has no entries; the domain level denies mallory" },
	{ "carol@partner.org", "bob@example.net", "deny", "allow", 1,
	  "bob's level: address entry beats bob's deny *@partner.org" },
	{ "dan@partner.org", "bob@example.net", "deny", "deny", 0,
	  "bob's level deny *@partner.org; domain level not consulted" },
	{ "trent@partner.org", "gus@example.net", "deny", "deny", 0,
	  "same level and specificity: deny beats allow" },
	{ "x@elsewhere.test", "carol@example.net", "deny", "none", 0,
	  "no entry matches" },
	{ "dan@sub.partner.org", "carol@example.net", "deny", "none", 0,
	  "subdomains do not match" },
	{ "x@elsewhere.test", "erin@other.test", "allow", "none", 0,
	  "DefaultMode" },
	/* more */
	{ "Carol@Partner.ORG", "BOB@example.net", "deny", "allow", 1,
	  "sender and recipient compared in canonical form" },
	{ "zed@xn--bcher-kva.example", "hal@example.net", "allow", "allow", 0,
	  "a U-label sender entry matches the A-label sender" },
	{ "zed@bücher.example", "hal@EXAMPLE.net", "allow", "allow", 0,
	  "a U-label sender matches too" },
	{ "x@elsewhere.test", "someone@xn--bcher-kva.example", "deny", "none",
	  0, "*@domain recipient mode written as a U-label" },
	{ "dan@partner.org", "someone@BÜCHER.example", "deny", "allow", 0,
	  "*@domain recipient entries" },
	{ "pat@partner.org", "ivy@example.net", "deny", "allow", 2,
	  "two pins on one sender" },
	{ "pat@partner.org", "jon@example.net", "deny", "allow", 0,
	  "an unpinned allow replaced the pin: no pin" },
	{ "sam@partner.org", "kim@other.test", "deny", "allow", 1,
	  "address entry with a pin beats the unpinned domain entry" },
	{ "dan@partner.org", "kim@other.test", "deny", "allow", 0,
	  "address-level domain entry, no pin" },
	{ "", "carol@example.net", "deny", "none", 0,
	  "the null sender matches no entry" },
	{ "not an address", "carol@example.net", "deny", "none", 0,
	  "an invalid sender matches no entry" },
	{ "dan@partner.org", "not-a-recipient", "deny", "none", 0,
	  "no mailbox and no domain: the strictest rule of the store" },
	{ "dan@partner.org", "hal@example.net", "allow", "allow", 0,
	  "hal's mode, but no entry for dan at hal's level: the domain "
	  "level allows *@partner.org" },
};

/*
 * eval: store_eval on SENDER and RCPT as written (a recipient that does
 * not parse is passed as NULL with the domain after its last '@').
 */
static void
eval(const struct store *s, const char *sender, const char *rcpt,
    struct store_result *r)
{
	struct addr *sa = addr_parse(sender, NULL, NULL);
	struct addr *ra = addr_parse(rcpt, NULL, NULL);
	const char *at = strrchr(rcpt, '@');

	store_eval(s, sa, ra, at != NULL ? at + 1 : NULL, r);
	addr_free(sa);
	addr_free(ra);
}

/*
 * unresolved: a recipient that names no certain mailbox gets the strictest
 * outcome of its domain (verdicts.md 4.2): deny mode when the domain has
 * a deny mode, a deny entry or a pin anywhere, or DefaultMode is deny.
 */
static void
unresolved(const struct store *s, const struct store *sdeny)
{
	static const struct {
		const char	*domain;
		int		 strict;
		const char	*why;
	} c[] = {
		{ "example.net", 1, "a domain-level deny mode" },
		{ "other.test", 1, "one address in deny mode" },
		{ "denymode.test", 1, "only an address-level deny mode" },
		{ "pins.test", 1, "a pin on an address of the domain" },
		{ "denies.test", 1, "a deny entry for another sender" },
		{ "xn--bcher-kva.example", 1, "a domain written as a U-label" },
		{ "lenient.test", 0, "only allow mode and unpinned allows" },
		{ "nowhere.test", 0, "no rule at all, DefaultMode allow" },
		{ "", 1, "no domain: the strictest rule anywhere" },
	};
	struct addr *sa = addr_parse("dan@partner.org", NULL, NULL);
	struct store_result r;
	char buf[STORE_EXPLAIN_MAX];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		store_eval(s, sa, NULL, c[i].domain, &r);
		T_OK(r.recipient_invalid && r.strict == c[i].strict &&
		    r.mode == (c[i].strict ? VM_DENY : VM_ALLOW) &&
		    r.list == VL_NONE && r.npins == 0,
		    "no mailbox, domain '%s': %s (%s)", c[i].domain,
		    c[i].strict ? "deny" : "allow", c[i].why);
	}
	store_eval(s, sa, NULL, NULL, &r);
	T_OK(r.strict && r.mode == VM_DENY, "no mailbox, domain NULL: deny");
	store_explain(&r, buf, sizeof(buf));
	T_OK(strstr(buf, "strictest") != NULL, "explain says why (%s)", buf);
	store_eval(sdeny, sa, NULL, "lenient.test", &r);
	T_OK(r.strict && r.mode == VM_DENY,
	    "no mailbox under DefaultMode deny: deny");
	store_eval(s, NULL, NULL, "example.net", &r);
	T_OK(r.mode == VM_DENY && r.sender_invalid,
	    "null sender: deny mode too (rule 1 still decides)");
	addr_free(sa);
}

static int
fill(struct store_writer *db)
{
	char r[STORE_TARGET_MAX], s[STORE_TARGET_MAX];
	size_t i;

	if (store_writer_begin(db) == -1)
		return -1;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (store_canon(rules[i].rcpt, r, NULL, 0) == -1)
			return -1;
		if (strcmp(rules[i].what, "mode") == 0) {
			if (store_writer_set_mode(db, r, rules[i].sender,
			    NULL) == -1)
				return -1;
			continue;
		}
		if (store_canon(rules[i].sender, s, NULL, 0) == -1 ||
		    store_writer_add(db, r, rules[i].what[0] == 'a' ?
		    STORE_ALLOW : STORE_DENY, s, rules[i].pin,
		    NULL) == -1)
			return -1;
	}
	return store_writer_commit(db, "test_store fill");
}

/* listing: the snapshot's rules as "senderkey policy show" lists them. */
static void
listing(const struct store *s)
{
	const struct store_rule *r, *prev = NULL;
	size_t i, n = store_count(s), modes = 0;
	int sorted = 1, grouped = 1;

	T_INTEQ(store_version(s), STORE_VERSION, "the schema version read");
	for (i = 0; (r = store_rule(s, i)) != NULL; i++) {
		if (r->kind == STORE_RULE_MODE) {
			modes++;
			if (i >= modes)
				grouped = 0;	/* a mode after an entry */
		}
		if (prev != NULL && (prev->kind == STORE_RULE_MODE) ==
		    (r->kind == STORE_RULE_MODE) &&
		    strcmp(prev->recipient, r->recipient) > 0)
			sorted = 0;
		prev = r;
	}
	T_INTEQ(i, n, "store_rule lists store_count rules, then NULL");
	T_OK(modes == 7 && n == 7 + 16, "7 modes and 16 entries (%zu, %zu)",
	    modes, n);
	T_OK(grouped, "modes first, then entries");
	T_OK(sorted, "each sorted by recipient");
	T_OK(store_rule(s, n + 100) == NULL, "far past the end: NULL");
}

/*
 * swap: FROM renamed over TO, with its -wal and -shm files; TO's own go
 * to KEEP (a connection may still use them), as 22-daemon-store does.
 */
static int
swap(const char *from, const char *to, const char *keep)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char a[300], b[300];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(a, sizeof(a), "%s%s", to, sfx[i]);
		snprintf(b, sizeof(b), "%s%s", keep, sfx[i]);
		rename(a, b);
		snprintf(a, sizeof(a), "%s%s", from, sfx[i]);
		snprintf(b, sizeof(b), "%s%s", to, sfx[i]);
		rename(a, b);
	}
	return rename(from, to);
}

/*
 * poll_rd: what senderkeyd's reader thread and loop do, in one: R's changes
 * into S (a delta applied, or a whole read swapped in).  1 when S
 * changed, 0 when nothing did, -1 with ERR when the store cannot be read
 * (S unchanged).
 */
static int
poll_rd(struct store *s, struct store_reader *r, char *err, size_t errsz)
{
	struct store_delta *d = NULL;
	struct store *fresh;
	int rc;

	rc = store_reader_poll(r, &d);
	if (rc == 1) {
		rc = store_apply(s, d) == 0 ? 1 : -1;
		store_delta_free(d);
		return rc;
	}
	if (rc == 2) {
		if ((fresh = store_reader_full(r, VM_ALLOW)) == NULL)
			rc = -1;
		else {
			store_swap(s, fresh);
			store_free(fresh);
			return 1;
		}
	}
	if (rc == -1)
		snprintf(err, errsz, "%s", store_reader_error(r));
	return rc;
}

/*
 * replaced: a store file replaced by another (rename over it) is seen by
 * the reader; one that cannot be read keeps the old rules, and the
 * reader tries again.
 */
static void
replaced(const char *dir)
{
	char path[256], other[256], keep[256], err[512];
	struct store_writer *db;
	struct store_reader *r;
	struct store *s;

	snprintf(path, sizeof(path), "%s/r.db", dir);
	snprintf(other, sizeof(other), "%s/r2.db", dir);
	snprintf(keep, sizeof(keep), "%s/keep.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	store_writer_free(db);
	db = store_writer_open(other, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL && store_writer_begin(db) == 0 &&
	    store_writer_set_mode(db, "a@x.test", "deny", NULL) == 0 &&
	    store_writer_commit(db, "one rule") == 0, "a second store");
	store_writer_free(db);
	if ((r = store_reader_open(path, NULL, NULL, err,
	    sizeof(err))) == NULL || (s = store_reader_full(r,
	    VM_ALLOW)) == NULL) {
		T_OK(0, "replaced: store_reader_open (%s)", err);
		store_reader_free(r);
		return;
	}
	T_INTEQ(store_count(s), 0, "the first store has no rule");
	T_OK(swap(other, path, keep) == 0, "replaced by the second");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), 1, "poll sees a new file");
	T_INTEQ(store_count(s), 1, "and reads its rule");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), 0, "then nothing new");
	T_OK(sql_exec(other, "CREATE TABLE x (y); PRAGMA user_version = 9;") ==
	    0 && swap(other, path, keep) == 0, "replaced by a newer schema");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), -1, "poll fails");
	T_OK(strstr(err, "newer than this senderkey") != NULL,
	    "saying why (%s)", err);
	T_INTEQ(store_count(s), 1, "the old rules stay");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), -1, "and it tries again");
	T_OK(unlink(path) == 0, "the file removed");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), -1, "poll fails");
	T_OK(strstr(err, "No such file") != NULL, "saying so (%s)", err);
	T_INTEQ(store_count(s), 1, "the old rules stay");
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	store_writer_free(db);
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), 1, "a store there again");
	T_INTEQ(store_count(s), 0, "its rules are read");
	store_free(s);
	store_free(NULL);
	store_reader_free(r);
	store_reader_free(NULL);
	T_OK(store_open(other, VM_ALLOW, err, sizeof(err)) == NULL &&
	    strstr(err, "No such file") != NULL, "no file, no store (%s)",
	    err);
}

/*
 * unread: the store senderkeyd decides nothing with until a first whole
 * read (PolicyStoreUnreachable tempfail): unread while the reader cannot
 * read, read (with its rules) after the first read that succeeds.
 */
static void
unread(const char *dir)
{
	char path[256], err[512];
	struct store_writer *db;
	struct store_reader *r;
	struct store *s;

	snprintf(path, sizeof(path), "%s/u.db", dir);
	if ((s = store_unread(VM_DENY)) == NULL ||
	    (r = store_reader_new(path, NULL)) == NULL) {
		T_OK(0, "unread: out of memory");
		store_free(s);
		return;
	}
	T_OK(store_is_unread(s), "a new unread store is unread");
	T_INTEQ(store_count(s), 0, "and holds no rules");
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), -1, "no file: no read");
	T_OK(store_is_unread(s), "still unread after a failed read");
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL && store_writer_begin(db) == 0 &&
	    store_writer_set_mode(db, "a@x.test", "allow", NULL) == 0 &&
	    store_writer_commit(db, "one rule") == 0, "a store appears");
	store_writer_free(db);
	T_INTEQ(poll_rd(s, r, err, sizeof(err)), 1, "read whole (%s)", err);
	T_OK(!store_is_unread(s), "read at last");
	T_INTEQ(store_count(s), 1, "with its rule");
	store_free(s);
	store_reader_free(r);
}

static void
errnames(void)
{
	T_STREQ(store_errname(STORE_OK), "ok", "errname ok");
	T_STREQ(store_errname(STORE_EIO), "eio", "errname eio");
	T_STREQ(store_errname(STORE_EINTERNAL), "einternal",
	    "errname einternal");
	T_STREQ(store_errname((enum store_err)99), "?", "errname of no error");
}

int
main(void)
{
	char dir[] = "/tmp/test_store.XXXXXX", path[256], err[512];
	struct store_writer *db = NULL;
	struct store_reader *rd = NULL;
	struct store *s = NULL;
	struct store_result r;
	unsigned char fa[1][STORE_FP_LEN], fb[2][STORE_FP_LEN];
	size_t i;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/p.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "store_writer_open creates a store (%s)",
	    db ? "ok" : err);
	if (db == NULL)
		return t_done();
	T_OK(fill(db) == 0, "the rules are written (%s)",
	    store_writer_error(db));
	s = store_open(path, VM_ALLOW, err, sizeof(err));
	T_OK(s != NULL, "store_open reads them (%s)", s ? "ok" : err);
	if (s == NULL)
		goto done;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eval(s, cases[i].sender, cases[i].rcpt, &r);
		T_STREQ(verdict_mode_name(r.mode), cases[i].mode,
		    "%s -> %s: mode %s (%s)", cases[i].sender, cases[i].rcpt,
		    cases[i].mode, cases[i].why);
		T_STREQ(verdict_list_name(r.list), cases[i].list,
		    "%s -> %s: list %s (%s)", cases[i].sender, cases[i].rcpt,
		    cases[i].list, cases[i].why);
		T_INTEQ(r.npins, cases[i].npins, "%s -> %s: %d pins",
		    cases[i].sender, cases[i].rcpt, cases[i].npins);
	}

	/* pins: 4.3 */
	memset(fa, 0, sizeof(fa));
	fa[0][0] = 0x3f;
	fa[0][31] = 0x9a;
	memset(fb, 0x11, sizeof(fb));
	eval(s, "carol@partner.org", "bob@example.net", &r);
	T_INTEQ(store_pin(&r, (const unsigned char (*)[32])fa, 1), VP_MATCH,
	    "the pinned key matches");
	T_INTEQ(store_pin(&r, (const unsigned char (*)[32])fb, 2),
	    VP_MISMATCH, "another key is a mismatch");
	T_INTEQ(store_pin(&r, NULL, 0), VP_MISMATCH,
	    "no key at all is a mismatch");
	eval(s, "dan@partner.org", "carol@example.net", &r);
	T_INTEQ(store_pin(&r, (const unsigned char (*)[32])fa, 1), VP_NONE,
	    "no pin on the deciding entry: pin -");
	eval(s, "trent@partner.org", "gus@example.net", &r);
	T_INTEQ(store_pin(&r, (const unsigned char (*)[32])fa, 1), VP_NONE,
	    "a deny never has a pin");
	eval(s, "pat@partner.org", "ivy@example.net", &r);
	memset(fb, 0, sizeof(fb));
	fb[1][0] = 0xbb;
	fb[1][31] = 0x01;
	T_INTEQ(store_pin(&r, (const unsigned char (*)[32])fb, 2), VP_MATCH,
	    "any of two pins matches any of the keys");

	/* explain */
	eval(s, "mallory@partner.org", "carol@example.net", &r);
	store_explain(&r, err, sizeof(err));
	T_OK(strstr(err, "address entry beats the domain entry") != NULL &&
	    strstr(err, "domain level") != NULL,
	    "explain names the level and why (%s)", err);
	eval(s, "trent@partner.org", "gus@example.net", &r);
	store_explain(&r, err, sizeof(err));
	T_OK(strstr(err, "deny beats allow") != NULL, "explain: deny beats "
	    "allow");
	eval(s, "x@elsewhere.test", "erin@other.test", &r);
	store_explain(&r, err, sizeof(err));
	T_OK(strstr(err, "mode allow: DefaultMode") != NULL &&
	    strstr(err, "list none: no entry") != NULL,
	    "explain: DefaultMode and no entry (%s)", err);
	eval(s, "", "alice@example.net", &r);
	store_explain(&r, err, sizeof(err));
	T_OK(strstr(err, "the recipient address's mode") != NULL &&
	    strstr(err, "null or an invalid sender") != NULL,
	    "explain: an address's mode rule and the null sender (%s)", err);
	listing(s);

	/* a reader, as senderkeyd keeps one */
	if ((rd = store_reader_open(path, NULL, NULL, err,
	    sizeof(err))) == NULL) {
		T_OK(0, "a reader (%s)", err);
		goto done;
	}
	T_INTEQ(poll_rd(s, rd, err, sizeof(err)), 1,
	    "a new reader reads the store whole");
	T_INTEQ(poll_rd(s, rd, err, sizeof(err)), 0, "no change: poll is 0");
	T_OK(store_writer_begin(db) == 0 && store_writer_set_mode(db,
	    "erin@other.test", "deny", NULL) == 0 &&
	    store_writer_commit(db, "set erin deny") == 0, "a change commits");
	eval(s, "x@elsewhere.test", "erin@other.test", &r);
	T_STREQ(verdict_mode_name(r.mode), "allow",
	    "before the poll the old snapshot answers");
	T_INTEQ(poll_rd(s, rd, err, sizeof(err)), 1, "poll sees the change");
	eval(s, "x@elsewhere.test", "erin@other.test", &r);
	T_STREQ(verdict_mode_name(r.mode), "deny", "after it the new one");
	T_INTEQ(poll_rd(s, rd, err, sizeof(err)), 0, "and then nothing new");
	T_OK(store_writer_begin(db) == 0, "an open write transaction");
	T_INTEQ(poll_rd(s, rd, err, sizeof(err)), 0,
	    "an uncommitted change is not seen");
	store_writer_rollback(db);

	/* a default-deny server */
	{
		struct store *sd = store_open(path, VM_DENY, err, sizeof(err));

		unresolved(s, sd);
		store_free(sd);
	}
	store_free(s);
	s = store_open(path, VM_DENY, err, sizeof(err));
	eval(s, "x@elsewhere.test", "nobody@nowhere.test", &r);
	T_STREQ(verdict_mode_name(r.mode), "deny", "DefaultMode deny applies");
	replaced(dir);
	unread(dir);
	errnames();
done:
	store_free(s);
	store_reader_free(rd);
	store_writer_free(db);
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	if (system(err) != 0)
		return 1;
	return t_done();
}
