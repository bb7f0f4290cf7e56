/*
 * store_gen.c: a policy store of N generated rules for bench/store, written
 * fast: every row in canonical form (bench/store_names.h), in one
 * transaction, bulk.  Deterministic for a seed.  Figures only: this is a
 * benchmark's input, never a test.
 *
 *	store_gen -n RULES [-s SEED] -f STORE	(SQLite)
 *	store_gen -n RULES [-s SEED] -c		(PostgreSQL: COPY blocks)
 *
 * -f: STORE must exist with the real schema (the caller runs "senderkey
 * policy -f STORE set x@example.test allow" first); in one transaction
 * its rules are deleted (through the triggers, so a change log says
 * so), the triggers on mode and entry are set aside, the rules inserted
 * with one prepared statement each, the triggers put back as they were,
 * and store_meta.pruned (schema 3) raised to the last change, so that a
 * reader never takes the log for the history of the bulk rows.  -c:
 * the two COPY ... FROM stdin blocks (modes, then entries) for psql; the
 * caller wraps them in its transaction (bench/store).
 *
 * The spread: recipients with 1 to 3 entries (95 %), 10 to 100 (5 %),
 * 1000 to 5000 (0.1 %); a mode on a tenth of them; entries deny 10 %,
 * allow 90 %; a fifth of allow entries naming an address pinned (one
 * pin, sometimes two); every 20th sender a *@domain, every 500th
 * recipient a *@domain.  Recipient 0, bob@example.net, allows
 * alice@example.test (the sender bench/store asks about).  A summary
 * line goes to stderr: rules= modes= entries= recipients= pins=
 * max_entries= senders=.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_names.h"

#define SG_MAX_TRIGGERS	32

struct gen {
	uint64_t	 want;		/* rules to write */
	uint64_t	 seed;
	uint64_t	 pool;		/* distinct senders */
	long long	 now;
	/* what was written */
	uint64_t	 rules, modes, entries, rcpts, pins, max_entries;
	/* output: -f */
	sqlite3		*db;
	sqlite3_stmt	*ins_mode, *ins_entry;
	/* output: -c; PASS 0 modes, 1 entries */
	int		 copy;
	int		 pass;
};

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "store_gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void
dbdie(sqlite3 *db, const char *what)
{
	fprintf(stderr, "store_gen: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void
emit_mode(struct gen *g, const char *rcpt, const char *mode)
{
	g->rules++;
	g->modes++;
	if (g->copy) {
		if (g->pass == 0)
			printf("%s\t%s\t%lld\n", rcpt, mode, g->now);
		return;
	}
	sqlite3_bind_text(g->ins_mode, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(g->ins_mode, 2, mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(g->ins_mode, 3, g->now);
	if (sqlite3_step(g->ins_mode) != SQLITE_DONE)
		dbdie(g->db, "inserting a mode");
	sqlite3_reset(g->ins_mode);
}

static void
emit_entry(struct gen *g, const char *rcpt, const char *action,
    const char *sender, const char *pin)
{
	g->rules++;
	g->entries++;
	if (*pin != '\0')
		g->pins++;
	if (g->copy) {
		if (g->pass == 1)
			printf("%s\t%s\t%s\t%s\t%lld\n", rcpt, action, sender,
			    pin, g->now);
		return;
	}
	sqlite3_bind_text(g->ins_entry, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(g->ins_entry, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(g->ins_entry, 3, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(g->ins_entry, 4, pin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(g->ins_entry, 5, g->now);
	if (sqlite3_step(g->ins_entry) != SQLITE_DONE)
		dbdie(g->db, "inserting an entry");
	sqlite3_reset(g->ins_entry);
}

/* nentries: how many entries the next recipient gets. */
static uint64_t
nentries(uint64_t *rng)
{
	uint64_t u = sn_rand(rng) % 10000;

	if (u < 10)
		return 1000 + sn_rand(rng) % 4001;
	if (u < 510)
		return 10 + sn_rand(rng) % 91;
	return 1 + sn_rand(rng) % 3;
}

/* recipient: the rules of recipient R, as many as still wanted. */
static void
recipient(struct gen *g, uint64_t r, uint64_t *rng)
{
	char rcpt[SN_NAME_MAX], snd[SN_NAME_MAX], pin[65];
	uint64_t k, j, base, before = g->entries, t;
	int dom;

	sn_rcpt(r, rcpt);
	k = nentries(rng);
	if (k >= g->pool)
		k = g->pool - 1;
	base = sn_rand(rng) % g->pool;
	if (sn_rand(rng) % 10 == 0)
		emit_mode(g, rcpt, sn_rand(rng) % 3 == 0 ? "allow" : "deny");
	if (r == 0 && g->rules < g->want)
		emit_entry(g, rcpt, "allow", "alice@example.test", "");
	/* Distinct senders within a recipient: BASE + J, J < K < POOL. */
	for (j = 0; j < k && g->rules < g->want; j++) {
		dom = sn_sender((base + j) % g->pool, snd);
		t = sn_rand(rng) % 100;
		if (t < 10) {
			emit_entry(g, rcpt, "deny", snd, "");
			continue;
		}
		if (dom || t >= 28) {	/* (t - 10) / 90: a fifth pinned */
			emit_entry(g, rcpt, "allow", snd, "");
			continue;
		}
		sn_pin(rng, pin);
		emit_entry(g, rcpt, "allow", snd, pin);
		if (sn_rand(rng) % 10 == 0 && g->rules < g->want) {
			sn_pin(rng, pin);
			emit_entry(g, rcpt, "allow", snd, pin);
		}
	}
	if (g->entries - before > g->max_entries)
		g->max_entries = g->entries - before;
}

/* generate: every rule, in recipient order. */
static void
generate(struct gen *g)
{
	uint64_t rng = g->seed, r;

	g->rules = g->modes = g->entries = g->rcpts = g->pins = 0;
	g->max_entries = 0;
	for (r = 0; g->rules < g->want; r++) {
		recipient(g, r, &rng);
		g->rcpts = r + 1;
	}
}

/* exec: SQL on DB, or die. */
static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "store_gen: %s: %s\n", sql,
		    msg != NULL ? msg : "?");
		exit(1);
	}
}

static int
has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		dbdie(db, "reading the schema");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW;
}

/*
 * to_sqlite: the rules into the store PATH (see the top of the file).
 */
static void
to_sqlite(struct gen *g, const char *path)
{
	sqlite3_stmt *st;
	char *trig[SG_MAX_TRIGGERS], *name[SG_MAX_TRIGGERS], sql[256];
	int ntrig = 0, i;

	if (access(path, R_OK | W_OK) == -1)
		die("%s: no store (make it with senderkey policy first)",
		    path);
	if (sqlite3_open_v2(path, &g->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		dbdie(g->db, path);
	sqlite3_busy_timeout(g->db, 5000);
	/* A bench input: no fsync per page, a large page cache. */
	exec(g->db, "PRAGMA synchronous = OFF");
	exec(g->db, "PRAGMA cache_size = -1048576");
	exec(g->db, "BEGIN IMMEDIATE");
	exec(g->db, "DELETE FROM entry");
	exec(g->db, "DELETE FROM mode");
	if (sqlite3_prepare_v2(g->db, "SELECT name, sql FROM sqlite_master "
	    "WHERE type = 'trigger' AND tbl_name IN ('mode', 'entry')", -1,
	    &st, NULL) != SQLITE_OK)
		dbdie(g->db, "reading the triggers");
	while (sqlite3_step(st) == SQLITE_ROW && ntrig < SG_MAX_TRIGGERS) {
		name[ntrig] = strdup((const char *)sqlite3_column_text(st, 0));
		trig[ntrig] = strdup((const char *)sqlite3_column_text(st, 1));
		if (name[ntrig] == NULL || trig[ntrig] == NULL)
			die("%s", "out of memory");
		ntrig++;
	}
	sqlite3_finalize(st);
	for (i = 0; i < ntrig; i++) {
		snprintf(sql, sizeof(sql), "DROP TRIGGER \"%s\"", name[i]);
		exec(g->db, sql);
	}
	if (sqlite3_prepare_v2(g->db, "INSERT INTO mode (recipient, mode, "
	    "changed) VALUES (?1, ?2, ?3)", -1, &g->ins_mode, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(g->db, "INSERT INTO entry (recipient, action, "
	    "sender, pin, changed) VALUES (?1, ?2, ?3, ?4, ?5)", -1,
	    &g->ins_entry, NULL) != SQLITE_OK)
		dbdie(g->db, "preparing the inserts");
	generate(g);
	sqlite3_finalize(g->ins_mode);
	sqlite3_finalize(g->ins_entry);
	for (i = 0; i < ntrig; i++) {
		exec(g->db, trig[i]);
		free(trig[i]);
		free(name[i]);
	}
	if (has_table(g->db, "store_meta"))
		exec(g->db, "UPDATE store_meta SET pruned = "
		    "(SELECT coalesce(max(seq), 0) FROM change)");
	snprintf(sql, sizeof(sql), "INSERT INTO audit (at, uid, user, what) "
	    "VALUES (%lld, %lu, 'bench', 'store_gen %" PRIu64 " rules')",
	    g->now, (unsigned long)getuid(), g->rules);
	exec(g->db, sql);
	exec(g->db, "COMMIT");
	/* The main file alone holds the store (bench/store copies it). */
	exec(g->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	if (sqlite3_close(g->db) != SQLITE_OK)
		dbdie(g->db, "closing");
}

/* to_copy: the COPY blocks on stdout: the rules generated twice. */
static void
to_copy(struct gen *g)
{
	g->copy = 1;
	printf("COPY mode (recipient, mode, changed) FROM stdin;\n");
	g->pass = 0;
	generate(g);
	printf("\\.\nCOPY entry (recipient, action, sender, pin, changed) "
	    "FROM stdin;\n");
	g->pass = 1;
	generate(g);
	printf("\\.\n");
	if (fflush(stdout) == EOF || ferror(stdout))
		die("writing: %s", strerror(errno));
}

static uint64_t
number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		die("not a number: %s", s);
	return v;
}

int
main(int argc, char *argv[])
{
	struct gen g;
	const char *path = NULL;
	int ch, copy = 0;

	memset(&g, 0, sizeof(g));
	g.want = 1000;
	g.seed = 17;
	while ((ch = getopt(argc, argv, "cf:n:s:")) != -1) {
		switch (ch) {
		case 'c':
			copy = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			g.want = number(optarg);
			break;
		case 's':
			g.seed = number(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || (path == NULL) == !copy)
		goto usage;
	/* Senders: a third of the rules, enough for the biggest recipient. */
	g.pool = g.want / 3 > 10000 ? g.want / 3 : 10000;
	g.now = (long long)time(NULL);
	if (copy)
		to_copy(&g);
	else
		to_sqlite(&g, path);
	fprintf(stderr, "rules=%" PRIu64 " modes=%" PRIu64 " entries=%" PRIu64
	    " recipients=%" PRIu64 " pins=%" PRIu64 " max_entries=%" PRIu64
	    " senders=%" PRIu64 "\n", g.rules, g.modes, g.entries, g.rcpts,
	    g.pins, g.max_entries, g.pool);
	return 0;
usage:
	fprintf(stderr, "usage: store_gen -n RULES [-s SEED] -f STORE | -c\n");
	return 2;
}
