/*
 * test_store_src: core/store_src.c, the rules read per pair through
 * store_db (specs/store.md 2.1): a full read hands on every pair of a
 * store the writer made, with its rows and the change-log position;
 * after writes, the changes since a position are exactly the pairs
 * written, with their current rows (none for a pair that is gone); each
 * condition that needs a full read instead (another store_id, the log
 * pruned past the position, the log behind it, too many pairs, an
 * unfolded recipient) says so and hands on nothing; a schema 2 store is
 * read in full at position 0 and gets a change log from a writer; a bad
 * pair fails the whole read; recipients stored unfolded are merged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store_int.h"
#include "store_t.h"
#include "t.h"

static char dir[] = "/tmp/test_store_src.XXXXXX";

/* What the callback got: one line per pair, "RCPT SENDER|- ROWS". */
struct got {
	char	 text[8192];
	size_t	 pairs;
	int	 stop;		/* return nonzero at this pair (1-based) */
};

static int
collect(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	struct got *g = arg;
	char line[1024], pin[STORE_PIN_HEX];
	size_t i, len, have = strlen(g->text);

	g->pairs++;
	len = (size_t)snprintf(line, sizeof(line), "%s %s", rcpt,
	    sender != NULL ? sender : "-");
	for (i = 0; i < n && len < sizeof(line); i++) {
		if (rows[i].has_pin)
			store_canon_pin_hex(rows[i].pin, pin);
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    " %s%s%.4s", rows[i].kind == STORE_RULE_MODE ?
		    (rows[i].mode == VM_DENY ? "mode=deny" : "mode=allow") :
		    rows[i].kind == STORE_RULE_DENY ? "deny" : "allow",
		    rows[i].has_pin ? ":" : "", rows[i].has_pin ? pin + 60 :
		    "");
	}
	if (len < sizeof(line) && have + len + 2 <= sizeof(g->text))
		snprintf(g->text + have, sizeof(g->text) - have, "%s\n",
		    line);
	return g->stop != 0 && g->pairs == (size_t)g->stop;
}

/* has_line: whether G got exactly the line LINE. */
static int
has_line(const struct got *g, const char *line)
{
	const char *p = g->text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == g->text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

/*
 * last: whether the last line G got for the pair of PREFIX ("RCPT
 * SENDER") is LINE: a pair handed on twice holds the rows of the last.
 */
static int
last(const struct got *g, const char *prefix, const char *line)
{
	const char *p = g->text, *l = NULL, *nl;
	size_t n = strlen(prefix);

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		if (strncmp(p, prefix, n) == 0 && (p[n] == ' ' || p[n] == '\n'))
			l = p;
	}
	return l != NULL && strncmp(l, line, strlen(line)) == 0 &&
	    l[strlen(line)] == '\n';
}

/* write: one transaction of the writer on PATH, the changes of FN. */
static int
write_tx(const char *path, int (*fn)(struct store_writer *))
{
	struct store_writer *w;
	int rc = -1;

	if ((w = store_writer_open(path, STORE_CREATE, NULL, NULL, 0)) ==
	    NULL)
		return -1;
	if (store_writer_begin(w) == 0 && fn(w) == 0 &&
	    store_writer_commit(w, "test") == 0)
		rc = 0;
	store_writer_free(w);
	return rc;
}

static int
first(struct store_writer *w)
{
	char pin[STORE_PIN_HEX];

	snprintf(pin, sizeof(pin), "%064x", 0xabcd);
	return store_writer_set_mode(w, "a@x.test", "deny", NULL) |
	    store_writer_set_mode(w, "*@x.test", "allow", NULL) |
	    store_writer_add(w, "a@x.test", STORE_ALLOW, "b@y.test", pin,
	    NULL) |
	    store_writer_add(w, "a@x.test", STORE_DENY, "*@z.test", NULL,
	    NULL) |
	    store_writer_add(w, "c@x.test", STORE_ALLOW, "*@y.test", NULL,
	    NULL);
}

static int
second(struct store_writer *w)
{
	return store_writer_set_mode(w, "a@x.test", "allow", NULL) |
	    store_writer_set_mode(w, "*@x.test", NULL, NULL) |
	    store_writer_remove(w, "a@x.test", "*@z.test", NULL, NULL) |
	    store_writer_add(w, "a@x.test", STORE_ALLOW, "b@y.test", NULL,
	    NULL) |
	    store_writer_add(w, "d@x.test", STORE_DENY, "e@y.test", NULL,
	    NULL);
}

static struct store_db *
ro(const char *path)
{
	struct store_fault f;

	return store_db_open(path, STORE_DB_RDONLY, NULL, &f);
}

static void
test_full_and_changes(void)
{
	struct store_fault f;
	struct store_pos pos, to, back;
	struct store_db *db;
	struct got g;
	char path[256];

	snprintf(path, sizeof(path), "%s/a.db", dir);
	T_OK(write_tx(path, first) == 0, "a store with five rules");
	if ((db = ro(path)) == NULL) {
		T_OK(0, "read-only open");
		return;
	}
	memset(&g, 0, sizeof(g));
	T_INTEQ(store_src_full(db, collect, &g, &pos, &f), 0, "a full read "
	    "(%s)", f.text);
	T_INTEQ(g.pairs, 5, "five pairs");
	T_OK(has_line(&g, "a@x.test - mode=deny") &&
	    has_line(&g, "*@x.test - mode=allow") &&
	    has_line(&g, "a@x.test b@y.test allow:abcd") &&
	    has_line(&g, "a@x.test *@z.test deny") &&
	    has_line(&g, "c@x.test *@y.test allow"), "with their rows:\n%s",
	    g.text);
	T_OK(strlen(pos.store_id) == 32 && strcmp(pos.store_id,
	    "00000000000000000000000000000000") != 0 && pos.seq ==
	    sql_int(path, "SELECT max(seq) FROM change"),
	    "the position: the store id and the last seq (%lld)",
	    (long long)pos.seq);
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == 0 &&
	    g.pairs == 0 && to.seq == pos.seq && strcmp(to.store_id,
	    pos.store_id) == 0, "no change since: nothing, same position");

	T_OK(write_tx(path, second) == 0, "a second write");
	memset(&g, 0, sizeof(g));
	T_INTEQ(store_src_changes(db, &pos, collect, &g, &to, &f), 0,
	    "the changes (%s)", f.text);
	T_INTEQ(g.pairs, 5, "exactly the five pairs written");
	T_OK(has_line(&g, "a@x.test - mode=allow") &&
	    has_line(&g, "*@x.test -") &&
	    has_line(&g, "a@x.test b@y.test allow") &&
	    has_line(&g, "a@x.test *@z.test") &&
	    has_line(&g, "d@x.test e@y.test deny"), "their rows now, none "
	    "for the pairs that went:\n%s", g.text);
	T_OK(!has_line(&g, "c@x.test *@y.test allow"), "not the pair "
	    "nobody wrote");
	T_OK(to.seq == sql_int(path, "SELECT max(seq) FROM change") &&
	    to.seq > pos.seq, "the new position");
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &to, collect, &g, &back, &f) == 0 &&
	    g.pairs == 0, "from there: nothing");

	/* the log behind FROM: a store that went back */
	back = to;
	back.seq = to.seq + 5;
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &back, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0, "a position past the log: a full read, nothing "
	    "handed on");
	/* another store id */
	back = pos;
	back.store_id[0] = back.store_id[0] == 'a' ? 'b' : 'a';
	T_OK(store_src_changes(db, &back, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0, "another store id: a full read");
	/* pruned past FROM */
	T_INTEQ(sql_exec(path, "UPDATE change SET at = at - 8 * 86400 WHERE "
	    "seq <= 2"), 0, "two old change rows");
	T_OK(write_tx(path, first) == 0 && sql_int(path, "SELECT pruned "
	    "FROM store_meta") == 2, "pruned by the next write");
	back = pos;
	back.seq = 1;
	T_OK(store_src_changes(db, &back, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0, "a position before pruned: a full read");
	back.seq = 2;
	T_OK(store_src_changes(db, &back, collect, &g, &to, &f) == 0 &&
	    g.pairs > 0, "at pruned: the changes");
	store_db_close(db);
}

static void
test_replaced(void)
{
	struct store_fault f;
	struct store_pos pos, to;
	struct store_db *db;
	struct got g;
	char path[256], cmd[1024];

	snprintf(path, sizeof(path), "%s/r.db", dir);
	if (write_tx(path, first) == -1 || (db = ro(path)) == NULL) {
		T_OK(0, "a store");
		return;
	}
	memset(&g, 0, sizeof(g));
	store_src_full(db, collect, &g, &pos, &f);
	store_db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", path,
	    path, path);
	T_OK(system(cmd) == 0 && write_tx(path, first) == 0 &&
	    write_tx(path, second) == 0, "the file replaced by another store");
	if ((db = ro(path)) == NULL)
		return;
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0 && strcmp(to.store_id, pos.store_id) != 0,
	    "its store id differs: a full read");
	store_db_close(db);
}

static void
test_too_many(void)
{
	struct store_fault f;
	struct store_pos pos, to;
	struct store_db *db;
	struct got g;
	char path[256], sql[400];
	int rc;

	snprintf(path, sizeof(path), "%s/many.db", dir);
	if (write_tx(path, first) == -1 || (db = ro(path)) == NULL) {
		T_OK(0, "a store");
		return;
	}
	memset(&g, 0, sizeof(g));
	store_src_full(db, collect, &g, &pos, &f);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION "
	    "ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO change (at, "
	    "recipient, sender) SELECT 0, 'r' || i || '@x.test', '' FROM n",
	    STORE_DELTA_MAX);
	T_INTEQ(sql_exec(path, sql), 0, "%d changed pairs", STORE_DELTA_MAX);
	memset(&g, 0, sizeof(g));
	rc = store_src_changes(db, &pos, collect, &g, &to, &f);
	T_OK(rc == 0 && g.pairs == STORE_DELTA_MAX, "read as changes (%zu)",
	    g.pairs);
	T_INTEQ(sql_exec(path, "INSERT INTO change (at, recipient, sender) "
	    "VALUES (0, 'one-more@x.test', '')"), 0, "one more");
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0, "more than STORE_DELTA_MAX: a full read");
	store_db_close(db);
}

static void
test_v2(void)
{
	struct store_fault f;
	struct store_pos pos, to;
	struct store_db *db;
	struct got g;
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s/v2.db", dir);
	T_INTEQ(sql_exec(path, "CREATE TABLE mode (id INTEGER PRIMARY KEY, "
	    "recipient TEXT NOT NULL UNIQUE, mode TEXT NOT NULL, changed "
	    "INTEGER NOT NULL DEFAULT 0); CREATE TABLE entry (id INTEGER "
	    "PRIMARY KEY, recipient TEXT NOT NULL, action TEXT NOT NULL, "
	    "sender TEXT NOT NULL, pin TEXT NOT NULL DEFAULT '', changed "
	    "INTEGER NOT NULL DEFAULT 0, UNIQUE (recipient, sender, action, "
	    "pin)); CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER "
	    "NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL, what TEXT "
	    "NOT NULL); INSERT INTO mode (recipient, mode) VALUES "
	    "('a@x.test', 'deny'); INSERT INTO entry (recipient, action, "
	    "sender) VALUES ('a@x.test', 'allow', 'b@y.test'); "
	    "PRAGMA user_version = 2;"), 0, "a schema 2 store");
	chmod(path, 0640);
	if ((db = ro(path)) == NULL)
		return;
	memset(&g, 0, sizeof(g));
	T_OK(store_src_full(db, collect, &g, &pos, &f) == 0 && g.pairs == 2 &&
	    pos.seq == 0 && pos.store_id[0] == '\0', "read in full at "
	    "position 0, no store id (%s)", f.text);
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == 1,
	    "no change log: always a full read");
	store_db_close(db);
	T_OK(write_tx(path, second) == 0, "a writer migrates it");
	T_INTEQ(sql_int(path, "PRAGMA user_version"), STORE_VERSION,
	    "to the current schema");
	if ((db = ro(path)) == NULL)
		return;
	memset(&g, 0, sizeof(g));
	rc = store_src_full(db, collect, &g, &pos, &f);
	T_OK(rc == 0 && strlen(pos.store_id) == 32 && pos.seq > 0 &&
	    has_line(&g, "a@x.test - mode=allow") &&
	    has_line(&g, "a@x.test b@y.test allow"),
	    "with a change log (seq %lld):\n%s", (long long)pos.seq, g.text);
	store_db_close(db);
}

static void
test_bad(void)
{
	struct store_fault f;
	struct store_pos pos, to;
	struct store_db *db;
	struct got g;
	char path[256], pin[STORE_PIN_HEX], sql[300];
	int i;

	snprintf(path, sizeof(path), "%s/bad.db", dir);
	if (write_tx(path, first) == -1 || (db = ro(path)) == NULL) {
		T_OK(0, "a store");
		return;
	}
	memset(&g, 0, sizeof(g));
	store_src_full(db, collect, &g, &pos, &f);
	g.stop = 2;
	g.pairs = 0;
	T_OK(store_src_full(db, collect, &g, &to, &f) == -1 && g.pairs == 2,
	    "a callback's nonzero return stops the read (%s)", f.text);
	T_OK(sql_exec(path, "INSERT INTO entry (recipient, action, sender) "
	    "VALUES ('a@x.test', 'allow', 'b@y.test')") == 0,
	    "by hand: an unpinned allow beside a pinned one");
	memset(&g, 0, sizeof(g));
	T_OK(store_src_full(db, collect, &g, &to, &f) == -1 &&
	    f.code == STORE_ECORRUPT && strstr(f.text, "mixed") != NULL,
	    "the full read fails (%s)", f.text);
	memset(&g, 0, sizeof(g));
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == -1 &&
	    f.code == STORE_ECORRUPT, "and the changes (%s)", f.text);
	sql_exec(path, "DELETE FROM entry WHERE pin = '' AND sender = "
	    "'b@y.test'");
	for (i = 0; i < STORE_MAX_PINS; i++) {
		snprintf(pin, sizeof(pin), "%064x", i + 1);
		snprintf(sql, sizeof(sql), "INSERT INTO entry (recipient, "
		    "action, sender, pin) VALUES ('a@x.test', 'allow', "
		    "'b@y.test', '%s')", pin);
		sql_exec(path, sql);
	}
	memset(&g, 0, sizeof(g));
	T_OK(store_src_full(db, collect, &g, &to, &f) == -1 &&
	    strstr(f.text, "more pins") != NULL, "17 pins (%s)", f.text);
	snprintf(sql, sizeof(sql), "DELETE FROM entry WHERE pin = '%064x'; "
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('a@x.test', 'deny', 'B@y.test')", 1);
	sql_exec(path, sql);
	memset(&g, 0, sizeof(g));
	T_OK(store_src_full(db, collect, &g, &to, &f) == -1 &&
	    strstr(f.text, "canonical") != NULL, "a sender not in its "
	    "canonical form (%s)", f.text);
	sql_exec(path, "DELETE FROM entry WHERE sender = 'B@y.test'; "
	    "INSERT INTO entry (recipient, action, sender, pin) VALUES "
	    "('a@x.test', 'deny', 'q@y.test', '" "0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789abcdef')");
	memset(&g, 0, sizeof(g));
	T_OK(store_src_full(db, collect, &g, &to, &f) == -1 &&
	    strstr(f.text, "a pin on a rule other than allow") != NULL,
	    "a pin on a deny (%s)", f.text);
	store_db_close(db);
}

static void
test_unfolded(void)
{
	struct store_fault f;
	struct store_pos pos, to;
	struct store_db *db;
	struct got g;
	char path[256];

	snprintf(path, sizeof(path), "%s/fold.db", dir);
	if (write_tx(path, first) == -1) {
		T_OK(0, "a store");
		return;
	}
	T_INTEQ(sql_exec(path, "INSERT INTO mode (recipient, mode) VALUES "
	    "('Émile@x.test', 'deny'), ('émile@x.test', 'allow');"
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('Émile@x.test', 'deny', 'q@y.test'), "
	    "('émile@x.test', 'deny', 'q@y.test'), "
	    "('Émile@x.test', 'allow', 'p@y.test')"), 0,
	    "rules stored unfolded by hand");
	if ((db = ro(path)) == NULL)
		return;
	memset(&g, 0, sizeof(g));
	T_INTEQ(store_src_full(db, collect, &g, &pos, &f), 0, "a full read "
	    "(%s)", f.text);
	T_OK(last(&g, "émile@x.test -", "émile@x.test - mode=deny") &&
	    last(&g, "émile@x.test q@y.test", "émile@x.test q@y.test deny") &&
	    last(&g, "émile@x.test p@y.test", "émile@x.test p@y.test allow") &&
	    strstr(g.text, "Émile") == NULL, "merged into the folded "
	    "mailbox's pairs, deny kept:\n%s", g.text);
	memset(&g, 0, sizeof(g));
	pos.seq -= 1;
	T_OK(store_src_changes(db, &pos, collect, &g, &to, &f) == 1 &&
	    g.pairs == 0, "a change of an unfolded recipient: a full read");
	store_db_close(db);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_full_and_changes();
	test_replaced();
	test_too_many();
	test_v2();
	test_bad();
	test_unfolded();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
