/*
 * test_store: the recipient policy precedence of specs/verdicts.md 4.2 and
 * the pins of 4.3, table-driven: the worked examples of 4.2 and more
 * (address over domain over default, deny over allow at one level, pins,
 * *@domain recipients, case and IDN canonicalisation), evaluated by
 * core/store.c on a store written by core/policydb.c in a temp dir;
 * and store_poll noticing a committed change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/rcpt.h"
#include "core/policydb.h"
#include "core/store.h"
#include <sqlite3.h>

#include "t.h"

#define PIN_A	"3f" "000000000000000000000000000000000000000000000000000000000000" "9a"
#define PIN_B	"bb00000000000000000000000000000000000000000000000000000000000001"

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
fill(struct policydb *db)
{
	char r[POLICYDB_TARGET_MAX], s[POLICYDB_TARGET_MAX];
	size_t i;

	if (policydb_begin(db) == -1)
		return -1;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (policydb_canon(rules[i].rcpt, r, NULL, 0) == -1)
			return -1;
		if (strcmp(rules[i].what, "mode") == 0) {
			if (policydb_set_mode(db, r, rules[i].sender,
			    NULL) == -1)
				return -1;
			continue;
		}
		if (policydb_canon(rules[i].sender, s, NULL, 0) == -1 ||
		    policydb_add(db, r, rules[i].what[0] == 'a' ?
		    POLICYDB_ALLOW : POLICYDB_DENY, s, rules[i].pin,
		    NULL) == -1)
			return -1;
	}
	return policydb_commit(db, "test_store fill");
}

/*
 * bad_rows: rows that only a hand-edited store can hold (the CLI never
 * writes them) make store_open refuse the store (specs/store.md 2).
 */
static void
bad_rows(const char *dir)
{
	static const struct {
		const char	*sql;
		const char	*what;
	} bad[] = {
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'deny', 'eve@example.org', '"
		  "0000000000000000000000000000000000000000000000000000000000"
		  "000001')", "a pin on a deny entry" },
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'allow', '*@example.org', '"
		  "0000000000000000000000000000000000000000000000000000000000"
		  "000001')", "a pin on a *@domain entry" },
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'allow', 'eve@example.org', ''); "
		  "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'allow', 'eve@example.org', '"
		  "0000000000000000000000000000000000000000000000000000000000"
		  "000001')", "pinned and unpinned allow entries mixed" },
	};
	char path[256], err[512];
	struct policydb *db;
	struct store *s;
	sqlite3 *raw;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.db", dir, i);
		db = policydb_open(path, POLICYDB_CREATE, NULL, err,
		    sizeof(err));
		policydb_free(db);
		if (sqlite3_open(path, &raw) != SQLITE_OK ||
		    sqlite3_exec(raw, bad[i].sql, NULL, NULL, NULL) !=
		    SQLITE_OK) {
			T_OK(0, "%s: cannot write the row", bad[i].what);
			sqlite3_close(raw);
			continue;
		}
		sqlite3_close(raw);
		s = store_open(path, VM_ALLOW, err, sizeof(err));
		T_OK(s == NULL, "store refused: %s (%s)", bad[i].what,
		    s == NULL ? err : "opened");
		store_free(s);
	}
}

/*
 * unfolded: rules written before recipients' non-ASCII case was folded
 * (a store of an older senderkey, never opened by the CLI since) apply to
 * the folded mailbox; of two mode rules that meet, deny wins.
 */
static void
unfolded(const char *dir)
{
	char path[256], err[512], dom[256];
	struct policydb *db;
	struct store *s;
	struct store_result r;
	struct addr *sa, *mb;
	sqlite3 *raw;

	snprintf(path, sizeof(path), "%s/unfolded.db", dir);
	db = policydb_open(path, POLICYDB_CREATE, NULL, err, sizeof(err));
	policydb_free(db);
	if (sqlite3_open(path, &raw) != SQLITE_OK ||
	    sqlite3_exec(raw, "INSERT INTO mode(recipient, mode) VALUES "
	    "('\xc3\x89mile@example.net', 'deny'); "
	    "INSERT INTO mode(recipient, mode) VALUES "
	    "('j\xc3\x96rg@example.net', 'allow'); "
	    "INSERT INTO mode(recipient, mode) VALUES "
	    "('j\xc3\xb6rg@example.net', 'deny'); "
	    "INSERT INTO entry(recipient, action, sender, pin) VALUES "
	    "('\xc3\x89mile@example.net', 'deny', 'x@elsewhere.test', '')",
	    NULL, NULL, NULL) != SQLITE_OK) {
		T_OK(0, "unfolded: cannot write the rows");
		sqlite3_close(raw);
		return;
	}
	sqlite3_close(raw);
	if ((s = store_open(path, VM_ALLOW, err, sizeof(err))) == NULL) {
		T_OK(0, "unfolded: store_open (%s)", err);
		return;
	}
	sa = addr_parse("x@elsewhere.test", NULL, NULL);
	mb = rcpt_mailbox("\xc3\x89MILE@example.net", ADDR_FORM_SMTP, NULL,
	    dom, sizeof(dom), NULL);
	store_eval(s, sa, mb, dom, &r);
	T_OK(mb != NULL && r.mode == VM_DENY && r.list == VL_DENY,
	    "a rule stored under \"\xc3\x89mile\" applies to the folded "
	    "mailbox");
	addr_free(mb);
	mb = rcpt_mailbox("J\xc3\x96RG@example.net", ADDR_FORM_SMTP, NULL,
	    dom, sizeof(dom), NULL);
	store_eval(s, sa, mb, dom, &r);
	T_OK(mb != NULL && r.mode == VM_DENY,
	    "two mode rules of one folded mailbox: deny wins");
	addr_free(mb);
	addr_free(sa);
	store_free(s);
}

int
main(void)
{
	char dir[] = "/tmp/test_store.XXXXXX", path[256], err[512];
	struct policydb *db = NULL;
	struct store *s = NULL;
	struct store_result r;
	unsigned char fa[1][STORE_FP_LEN], fb[2][STORE_FP_LEN];
	size_t i;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/p.db", dir);
	db = policydb_open(path, POLICYDB_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "policydb_open creates a store (%s)",
	    db ? "ok" : err);
	if (db == NULL)
		return t_done();
	T_OK(fill(db) == 0, "the rules are written (%s)", policydb_error(db));
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

	/* store_poll */
	T_INTEQ(store_poll(s, err, sizeof(err)), 0, "no change: poll is 0");
	T_OK(policydb_begin(db) == 0 && policydb_set_mode(db,
	    "erin@other.test", "deny", NULL) == 0 &&
	    policydb_commit(db, "set erin deny") == 0, "a change commits");
	eval(s, "x@elsewhere.test", "erin@other.test", &r);
	T_STREQ(verdict_mode_name(r.mode), "allow",
	    "before the poll the old snapshot answers");
	T_INTEQ(store_poll(s, err, sizeof(err)), 1, "poll sees the change");
	eval(s, "x@elsewhere.test", "erin@other.test", &r);
	T_STREQ(verdict_mode_name(r.mode), "deny", "after it the new one");
	T_INTEQ(store_poll(s, err, sizeof(err)), 0, "and then nothing new");
	T_OK(policydb_begin(db) == 0, "an open write transaction");
	T_INTEQ(store_poll(s, err, sizeof(err)), 0,
	    "an uncommitted change is not seen");
	policydb_rollback(db);

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
	bad_rows(dir);
	unfolded(dir);
done:
	store_free(s);
	policydb_free(db);
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	if (system(err) != 0)
		return 1;
	return t_done();
}
