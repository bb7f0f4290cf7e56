/*
 * test_store_snap: a store read whole (store_open: core/store_reader.c
 * and store_src.c, each pair checked by store_snap.c): the rules come
 * back listed sorted and typed (ids, kinds, pins as octets), the schema
 * version is reported, strict domains answer; every row that breaks the
 * rules of specs/store.md 2 (only a hand-edited store holds one) makes
 * the read fail, naming the row; rules stored under an unfolded
 * recipient apply to the folded mailbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lib/addr.h"
#include "lib/rcpt.h"
#include "core/store_int.h"
#include "t.h"

/* A schema 2 store without the CHECK constraints, as a hand could make. */
#define LOOSE_SCHEMA \
	"CREATE TABLE mode (id INTEGER PRIMARY KEY, recipient TEXT, " \
	"mode TEXT, changed INTEGER); CREATE TABLE entry (id INTEGER " \
	"PRIMARY KEY, recipient TEXT, action TEXT, sender TEXT, pin TEXT, " \
	"changed INTEGER); PRAGMA user_version = 2;"

/* load: store_open of a new file DIR/load-N.db made by SQL. */
static struct store *
load(const char *dir, const char *sql, char *err, size_t errsz)
{
	static int n;
	char path[256];
	sqlite3 *db = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/load-%d.db", dir, n++);
	snprintf(err, errsz, "setup failed");
	rc = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return rc ? store_open(path, VM_ALLOW, err, errsz) : NULL;
}

/* strict: whether an unresolved recipient of DOMAIN is in deny mode. */
static int
strict(const struct store *s, const char *domain)
{
	struct store_result r;

	store_eval(s, NULL, NULL, domain, &r);
	return r.strict;
}

static void
test_load(const char *dir)
{
	const struct store_rule *m[2], *e[4];
	struct store_writer *w;
	struct store *s;
	sqlite3 *db = NULL;
	char err[512], path[256];
	size_t k;

	/* A store made by the writer (the current schema), then rows. */
	snprintf(path, sizeof(path), "%s/load.db", dir);
	w = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	store_writer_free(w);
	if (w == NULL || sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "INSERT INTO mode (id, recipient, mode) VALUES "
	    "(5, 'b@x.test', 'deny'), (3, '*@x.test', 'allow');"
	    "INSERT INTO entry (id, recipient, action, sender, pin) VALUES "
	    "(9, 'b@x.test', 'allow', 'c@y.test', "
	    "'0100000000000000000000000000000000000000000000000000000000"
	    "0000ff'),"
	    "(8, 'b@x.test', 'deny', '*@y.test', ''),"
	    "(7, 'a@x.test', 'allow', '*@z.test', ''),"
	    "(6, 'b@x.test', 'allow', 'c@y.test', "
	    "'0000000000000000000000000000000000000000000000000000000000"
	    "000002')",
	    NULL, NULL, NULL) != SQLITE_OK) {
		T_OK(0, "a store (%s)", w == NULL ? err : "rows");
		sqlite3_close(db);
		return;
	}
	sqlite3_close(db);
	s = store_open(path, VM_ALLOW, err, sizeof(err));
	T_OK(s != NULL, "loaded (%s)", s ? "" : err);
	if (s == NULL)
		return;
	T_INTEQ(store_version(s), STORE_VERSION, "the schema version");
	T_INTEQ(store_count(s), 6, "six rules");
	for (k = 0; k < 2; k++)
		m[k] = store_rule(s, k);
	for (k = 0; k < 4; k++)
		e[k] = store_rule(s, 2 + k);
	T_OK(store_rule(s, 6) == NULL, "no seventh rule");
	T_OK(strcmp(m[0]->recipient, "*@x.test") == 0 && m[0]->id == 3 &&
	    m[0]->mode == VM_ALLOW && m[1]->id == 5 && m[1]->mode == VM_DENY &&
	    m[1]->kind == STORE_RULE_MODE && m[1]->sender == NULL,
	    "modes listed first, sorted by recipient, typed");
	T_OK(e[0]->id == 7 && strcmp(e[1]->sender, "*@y.test") == 0 &&
	    e[1]->kind == STORE_RULE_DENY, "entries sorted by recipient and "
	    "sender");
	T_OK(e[2]->kind == STORE_RULE_ALLOW && e[2]->has_pin &&
	    e[2]->id == 6 && e[2]->pin[31] == 0x02 && e[3]->id == 9 &&
	    e[3]->pin[0] == 0x01 && e[3]->pin[31] == 0xff,
	    "pins as octets, in pin order");
	T_OK(!e[0]->has_pin && !e[1]->has_pin, "no pin: has_pin 0");
	T_OK(store_has_entry(s, "b@x.test", "c@y.test") &&
	    !store_has_entry(s, "b@x.test", "d@y.test"), "has_entry");
	T_OK(strict(s, "x.test"), "strict: x.test has a deny");
	T_OK(!strict(s, "y.test"), "strict: y.test has none");
	T_OK(strict(s, "") && strict(s, NULL),
	    "strict: an unknown domain, when any domain is");
	store_free(s);
	store_free(NULL);

	s = load(dir, LOOSE_SCHEMA, err, sizeof(err));
	T_OK(s != NULL && store_count(s) == 0 && !strict(s, NULL),
	    "an empty store: nothing is strict (%s)", s ? "" : err);
	store_free(s);
}

/* test_refused: rows and files the reader refuses, and what it says. */
static void
test_refused(const char *dir)
{
	static const struct {
		const char	*sql;
		const char	*msg;
	} c[] = {
		{ "INSERT INTO mode VALUES (4, 'a@x.test', 'maybe', 0)",
		  "mode rule 4 is malformed" },
		{ "INSERT INTO entry VALUES (6, 'a@x.test', 'perhaps', "
		  "'b@y.test', '', 0)", "entry rule 6 is malformed" },
		{ "INSERT INTO entry VALUES (7, 'a@x.test', 'allow', NULL, "
		  "'', 0)",
		  "entry rule 7 is malformed" },
		{ "INSERT INTO mode VALUES (8, NULL, 'deny', 0)",
		  "mode rule 8 is malformed" },
		{ "INSERT INTO mode VALUES (9, CAST('a@x.test' || char(0) || "
		  "'z' AS TEXT), 'deny', 0)", "mode rule 9 is malformed" },
		{ "INSERT INTO entry VALUES (10, 'a@x.test', 'allow', "
		  "'b@y.test', '12', 0)", "entry rule 10 is malformed" },
		{ "PRAGMA user_version = 4", "schema version 4: newer" },
		{ "PRAGMA user_version = 0", "schema version 0: not a policy" },
		{ "DROP TABLE entry", "no such table: entry" },
	};
	struct store *s;
	char sql[1024], err[512];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(sql, sizeof(sql), "%s %s", LOOSE_SCHEMA, c[i].sql);
		s = load(dir, sql, err, sizeof(err));
		T_OK(s == NULL && strstr(err, c[i].msg) != NULL,
		    "refused: %s (%s)", c[i].msg, s ? "loaded" : err);
		store_free(s);
	}
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
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('Bob@example.net', 'allow', 'eve@example.org', '')",
		  "a recipient not in canonical form" },
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'allow', '*@Example.org', '')",
		  "a sender not in canonical form" },
		{ "INSERT INTO entry(recipient, action, sender, pin) VALUES "
		  "('bob@example.net', 'allow', 'eve@example.org', '"
		  "0000000000000000000000000000000000000000000000000000000000"
		  "0000AB')", "a pin not in lowercase" },
		{ "INSERT INTO entry(recipient, action, sender, pin) "
		  "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		  "FROM k WHERE i < 17) SELECT 'bob@example.net', 'allow', "
		  "'eve@example.org', printf('%064x', i) FROM k",
		  "17 pins for one sender" },
	};
	char path[256], err[512];
	struct store_writer *db;
	struct store *s;
	sqlite3 *raw;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.db", dir, i);
		db = store_writer_open(path, STORE_CREATE, NULL, err,
		    sizeof(err));
		store_writer_free(db);
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
	struct store_writer *db;
	struct store *s;
	struct store_result r;
	struct addr *sa, *mb;
	sqlite3 *raw;

	snprintf(path, sizeof(path), "%s/unfolded.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	store_writer_free(db);
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
	char dir[] = "/tmp/test_store_snap.XXXXXX", cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_load(dir);
	test_refused(dir);
	bad_rows(dir);
	unfolded(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
