/*
 * store_journal.c: the decision journal (specs/store.md section 6): a
 * file of its own beside the rules, written by senderkeyd in batches
 * and read by "senderkey policy report" and "--keep-history".  Here:
 * opening (creating, migrating) the file, writing one batch in one
 * transaction with the retention and the size bound, and reading one
 * recipient's rows summed over days, every row checked.  Not here: the
 * in-memory aggregate and when to flush it (resolver/journal.c), what
 * the rows mean for a report (cli/cmd_policy_report.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "store_int.h"

#define DAY	86400

/* The journal file's schema, one step per version (store_file.c's rule). */
static const char *const jsteps[STORE_JOURNAL_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE journal ("
	"  id INTEGER PRIMARY KEY,"
	"  dir TEXT NOT NULL CHECK (dir IN ('in', 'out')),"
	"  recipient TEXT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  sig TEXT NOT NULL,"
	"  verdict TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  pin TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	"  count INTEGER NOT NULL CHECK (count > 0),"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  UNIQUE (recipient, sender, day, dir, sig, verdict, reason, tag,"
	"    pin));"
	"CREATE INDEX journal_last ON journal (last);",
	/* 1 -> 2: user entries (specs/store.md 7) */
	"CREATE TABLE uentry ("
	"  recipient TEXT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('allow', 'deny')),"
	"  pin TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	"  source TEXT NOT NULL CHECK (source IN ('imap', 'sent')),"
	"  created INTEGER NOT NULL,"
	"  PRIMARY KEY (recipient, sender, pin));",
};

static const char *const dirs[] = { "in", "out" };

/* migrate: the schema of J's file to STORE_JOURNAL_VERSION, one step. */
static int
migrate(struct store_journal *j)
{
	long long v = 0;
	char sql[64];
	int i, rc;

	if (store_sql_exec(j->db, &j->f, "BEGIN IMMEDIATE",
	    "locking the journal") == -1)
		return -1;
	if ((rc = store_sql_int(j->db, "PRAGMA user_version", &v, 0)) !=
	    SQLITE_OK) {
		store_sql_fault(&j->f, j->db, rc, "reading the journal");
		goto fail;
	}
	if (v < 0 || v > STORE_JOURNAL_VERSION) {
		store_sql_refuse(&j->f, STORE_ECORRUPT, "journal version %lld "
		    "is not one this senderkey knows (0 to %d)", v,
		    STORE_JOURNAL_VERSION);
		goto fail;
	}
	for (i = (int)v; i < STORE_JOURNAL_VERSION; i++)
		if (store_sql_exec(j->db, &j->f, jsteps[i],
		    "creating the journal") == -1)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_JOURNAL_VERSION);
	if (store_sql_exec(j->db, &j->f, sql, "creating the journal") == -1 ||
	    store_sql_exec(j->db, &j->f, "COMMIT", "creating the journal") ==
	    -1)
		goto fail;
	j->version = STORE_JOURNAL_VERSION;
	return 0;
fail:
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* open_rw: J's read-write connection to PATH, WAL, synchronous=NORMAL. */
static int
open_rw(struct store_journal *j, const char *path)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	int rc, on = 1;

	rc = sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "opening");
	sqlite3_extended_result_codes(j->db, 0);
	sqlite3_busy_timeout(j->db, STORE_JOURNAL_BUSY_MS);
	/* -wal and -shm stay, for readers without write access (store.md 1) */
	sqlite3_file_control(j->db, NULL, SQLITE_FCNTL_PERSIST_WAL, &on);
	if ((rc = sqlite3_prepare_v2(j->db, "PRAGMA journal_mode = WAL", -1,
	    &st, NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_sql_fault(&j->f, j->db, rc, "setting WAL mode");
		goto fail;
	}
	jm = sqlite3_column_text(st, 0);
	if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
		store_sql_refuse(&j->f, STORE_EIO,
		    "cannot switch the journal to WAL mode");
		goto fail;
	}
	sqlite3_finalize(st);
	if (store_sql_exec(j->db, &j->f, "PRAGMA synchronous = NORMAL",
	    "setting synchronous") == -1)
		return -1;
	return migrate(j);
fail:
	sqlite3_finalize(st);
	return -1;
}

/* open_ro: J's read-only connection to PATH, of the version known. */
static int
open_ro(struct store_journal *j, const char *path)
{
	long long v = 0;
	int rc;

	if (access(path, F_OK) == -1)
		return store_sql_refuse(&j->f, errno == ENOENT ? STORE_ENOENT :
		    STORE_EPERM, "%s", strerror(errno));
	rc = sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "opening");
	sqlite3_extended_result_codes(j->db, 0);
	sqlite3_busy_timeout(j->db, STORE_JOURNAL_BUSY_MS);
	if ((rc = store_sql_int(j->db, "PRAGMA user_version", &v, 0)) !=
	    SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "reading");
	/* version 1 (before user entries): read, with no user entries */
	if (v < 1 || v > STORE_JOURNAL_VERSION)
		return store_sql_refuse(&j->f, STORE_ECORRUPT, "journal "
		    "version %lld: %s", v, v == 0 ? "not a journal" :
		    "not one this senderkey reads");
	j->version = (int)v;
	return 0;
}

int
store_journal_path(const char *store, const char *journal_file, char *out,
    size_t outsz)
{
	const char *slash;
	int n;

	if (journal_file != NULL)
		n = snprintf(out, outsz, "%s", journal_file);
	else if (store_db_is_pg(store))
		return -1;	/* a database has no directory to use */
	else if ((slash = strrchr(store, '/')) == NULL)
		n = snprintf(out, outsz, "journal.db");
	else
		n = snprintf(out, outsz, "%.*s/journal.db",
		    (int)(slash - store), store);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

struct store_journal *
store_journal_open(const char *path, unsigned flags, enum store_err *e,
    char *err, size_t errsz)
{
	struct store_journal *j;
	int exists, rc;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		if (e != NULL)
			*e = STORE_EINTERNAL;
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	j->rdonly = (flags & STORE_JOURNAL_RDONLY) != 0;
	if (j->rdonly) {
		if (open_ro(j, path) == -1)
			goto fail;
		return j;
	}
	if ((rc = store_file_perms(path, &exists, j->f.text,
	    sizeof(j->f.text))) != 0) {
		j->f.code = rc == -1 ? STORE_EPERM : STORE_ENOENT;
		goto fail;
	}
	if (!exists && !(flags & STORE_CREATE)) {
		store_sql_refuse(&j->f, STORE_ENOENT, "no such journal");
		goto fail;
	}
	if ((!exists && store_sql_create(&j->f, path) == -1) ||
	    open_rw(j, path) == -1)
		goto fail;
	return j;
fail:
	if (e != NULL)
		*e = j->f.code;
	errstr_set(err, errsz, "%s: %s", path, j->f.text);
	store_journal_free(j);
	return NULL;
}

void
store_journal_free(struct store_journal *j)
{
	if (j == NULL)
		return;
	sqlite3_close_v2(j->db);
	free(j);
}

/* bind_row: the key and counts of R as ?1..?13 of the upsert ST. */
static int
bind_row(sqlite3_stmt *st, const struct store_jrow *r, char *pin)
{
	int rc;

	pin[0] = '\0';
	if (r->has_pin)
		store_canon_pin_hex(r->pin, pin);
	if ((rc = sqlite3_bind_text(st, 1, dirs[r->dir], -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 2, r->recipient, -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 3, r->sender, -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 4, r->last / DAY)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 5, verdict_sig_name(r->sig), -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 6, verdict_name(r->verdict), -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 7, verdict_reason_name(r->reason), -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 8, verdict_tag_name(r->tag), -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 9, pin, -1, SQLITE_STATIC)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 10, (sqlite3_int64)r->count)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 11, r->first)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_int64(st, 12, r->last);
}

/* row_ok: whether R may be written (canonical targets, sane counts). */
static int
row_ok(const struct store_jrow *r)
{
	return (r->dir == STORE_JIN || r->dir == STORE_JOUT) &&
	    store_canon_is(r->recipient) == STORE_T_ADDR &&
	    store_canon_is(r->sender) == STORE_T_ADDR &&
	    r->count > 0 && r->count <= INT64_MAX && r->first >= 0 &&
	    r->first <= r->last && r->first / DAY == r->last / DAY &&
	    strcmp(verdict_sig_name(r->sig), "?") != 0 &&
	    strcmp(verdict_name(r->verdict), "?") != 0 &&
	    strcmp(verdict_reason_name(r->reason), "?") != 0 &&
	    strcmp(verdict_tag_name(r->tag), "?") != 0 &&
	    (!r->has_pin || r->verdict == VERDICT_AUTHORIZED);
}

/* upsert: the valid ones of the N ROWS added inside J's transaction. */
static int
upsert(struct store_journal *j, const struct store_jrow *rows, size_t n,
    size_t *skipped)
{
	sqlite3_stmt *st = NULL;
	char pin[STORE_PIN_HEX];
	size_t i;
	int rc;

	if ((rc = sqlite3_prepare_v2(j->db, "INSERT INTO journal (dir, "
	    "recipient, sender, day, sig, verdict, reason, tag, pin, count, "
	    "first, last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12) ON CONFLICT (recipient, sender, day, dir, sig, "
	    "verdict, reason, tag, pin) DO UPDATE SET count = count + "
	    "excluded.count, first = min(first, excluded.first), "
	    "last = max(last, excluded.last)", -1, &st, NULL)) != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "writing the journal");
	for (i = 0; i < n; i++) {
		if (!row_ok(&rows[i])) {
			(*skipped)++;
			continue;
		}
		if ((rc = bind_row(st, &rows[i], pin)) != SQLITE_OK ||
		    (rc = sqlite3_step(st)) != SQLITE_DONE) {
			store_sql_fault(&j->f, j->db, rc,
			    "writing the journal");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

static int
by_rcpt(const void *a, const void *b)
{
	const struct store_jrow *const *x = a, *const *y = b;

	return strcmp((*x)->recipient, (*y)->recipient);
}

/*
 * prune_rcpts: each recipient of the N ROWS down to J->rcpt_max rows,
 * its least recently seen dropped first.
 */
static int
prune_rcpts(struct store_journal *j, const struct store_jrow *rows,
    size_t n, size_t *pruned)
{
	const struct store_jrow **ix;
	char max[32];
	size_t i;
	int rc = 0;

	if (j->rcpt_max == 0 || n == 0)
		return 0;
	if ((ix = calloc(n, sizeof(*ix))) == NULL)
		return store_sql_refuse(&j->f, STORE_EINTERNAL,
		    "out of memory");
	for (i = 0; i < n; i++)
		ix[i] = &rows[i];
	qsort(ix, n, sizeof(*ix), by_rcpt);
	snprintf(max, sizeof(max), "%llu", (unsigned long long)j->rcpt_max);
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 && strcmp(ix[i]->recipient, ix[i - 1]->recipient)
		    == 0)
			continue;
		rc = store_sql_run(j->db, &j->f, "DELETE FROM journal WHERE "
		    "id IN (SELECT id FROM journal WHERE recipient = ?1 "
		    "ORDER BY last DESC, id DESC LIMIT -1 OFFSET CAST(?2 AS "
		    "INTEGER))", pruned, 2, ix[i]->recipient, max);
	}
	free(ix);
	return rc;
}

/* prune: retention (DAYS before NOW) and the bound MAX_ROWS. */
static int
prune(struct store_journal *j, int64_t now, unsigned days,
    uint64_t max_rows, size_t *pruned)
{
	char cut[32], max[32];
	long long nrows = 0;
	int rc;

	snprintf(cut, sizeof(cut), "%lld", (long long)now -
	    (long long)days * DAY);
	if (store_sql_run(j->db, &j->f, "DELETE FROM journal WHERE last < "
	    "CAST(?1 AS INTEGER)", pruned, 1, cut) == -1)
		return -1;
	if ((rc = store_sql_int(j->db, "SELECT count(*) FROM journal",
	    &nrows, 0)) != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "reading the journal");
	if ((uint64_t)nrows <= max_rows)
		return 0;
	snprintf(max, sizeof(max), "%llu",
	    (unsigned long long)((uint64_t)nrows - max_rows));
	return store_sql_run(j->db, &j->f, "DELETE FROM journal WHERE id IN "
	    "(SELECT id FROM journal ORDER BY last, id LIMIT CAST(?1 AS "
	    "INTEGER))", pruned, 1, max);
}

int
store_journal_write(struct store_journal *j, const struct store_jrow *rows,
    size_t n, int64_t now, unsigned days, uint64_t max_rows, size_t *pruned,
    size_t *skipped)
{
	size_t dummy = 0, dummy2 = 0;

	if (pruned == NULL)
		pruned = &dummy;
	if (skipped == NULL)
		skipped = &dummy2;
	*pruned = *skipped = 0;
	if (j->rdonly)
		return store_sql_refuse(&j->f, STORE_EPERM, "the journal is "
		    "open read-only");
	if (store_sql_exec(j->db, &j->f, "BEGIN IMMEDIATE",
	    "locking the journal") == -1)
		return -1;
	if (upsert(j, rows, n, skipped) == -1 ||
	    prune_rcpts(j, rows, n, pruned) == -1 ||
	    prune(j, now, days, max_rows, pruned) == -1 ||
	    store_sql_exec(j->db, &j->f, "COMMIT", "committing the journal")
	    == -1) {
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		*pruned = *skipped = 0;
		return -1;
	}
	return 0;
}

/* text_col: column I of ST copied into OUT (OUTSZ); 0, or -1 if bad. */
static int
text_col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (s == NULL || n < 0 || (size_t)n >= outsz ||
	    strlen((const char *)s) != (size_t)n)
		return -1;
	memcpy(out, s, (size_t)n + 1);
	return 0;
}

/* read_row: the current row of ST (see store_journal_read) into R. */
static int
read_row(sqlite3_stmt *st, struct store_jrow *r)
{
	char sig[16], v[16], reason[32], tag[16], pin[STORE_PIN_HEX];
	sqlite3_int64 count;

	if (text_col(st, 0, r->sender, sizeof(r->sender)) == -1 ||
	    store_canon_is(r->sender) != STORE_T_ADDR ||
	    text_col(st, 1, sig, sizeof(sig)) == -1 ||
	    verdict_sig_from_name(sig, &r->sig) == -1 ||
	    text_col(st, 2, v, sizeof(v)) == -1 ||
	    verdict_from_name(v, &r->verdict) == -1 ||
	    text_col(st, 3, reason, sizeof(reason)) == -1 ||
	    verdict_reason_from_name(reason, &r->reason) == -1 ||
	    text_col(st, 4, tag, sizeof(tag)) == -1 ||
	    verdict_tag_from_name(tag, &r->tag) == -1 ||
	    text_col(st, 5, pin, sizeof(pin)) == -1)
		return -1;
	r->has_pin = pin[0] != '\0';
	if (r->has_pin && (r->verdict != VERDICT_AUTHORIZED ||
	    store_canon_pin_bytes(pin, r->pin) == -1))
		return -1;
	if ((count = sqlite3_column_int64(st, 6)) <= 0)
		return -1;
	r->count = (uint64_t)count;
	r->first = sqlite3_column_int64(st, 7);
	r->last = sqlite3_column_int64(st, 8);
	return r->first <= r->last ? 0 : -1;
}

int
store_journal_read(struct store_journal *j, const char *recipient,
    enum store_jdir dir, int64_t since, struct store_jrow **rows, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct store_jrow *a = NULL, *t;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (store_canon_is(recipient) != STORE_T_ADDR ||
	    (dir != STORE_JIN && dir != STORE_JOUT))
		return store_sql_refuse(&j->f, STORE_EDATA, "%s: not a "
		    "canonical mailbox", recipient);
	/* The sum is done in SQLite; a total past 2^63 is an error there. */
	if ((rc = sqlite3_prepare_v2(j->db, "SELECT sender, sig, verdict, "
	    "reason, tag, pin, sum(count), min(first), max(last) FROM journal "
	    "WHERE recipient = ?1 AND dir = ?2 AND last >= ?3 GROUP BY "
	    "sender, sig, verdict, reason, tag, pin ORDER BY sender, sig, "
	    "verdict, reason, tag, pin", -1, &st, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC)) !=
	    SQLITE_OK || (rc = sqlite3_bind_text(st, 2, dirs[dir], -1,
	    SQLITE_STATIC)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 3, since)) != SQLITE_OK) {
		store_sql_fault(&j->f, j->db, rc, "reading the journal");
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((t = reallocarray(a, cap, sizeof(*a))) == NULL) {
				store_sql_refuse(&j->f, STORE_EINTERNAL,
				    "out of memory");
				goto fail;
			}
			a = t;
		}
		memset(&a[*n], 0, sizeof(a[*n]));
		a[*n].dir = dir;
		memcpy(a[*n].recipient, recipient, strlen(recipient) + 1);
		if (read_row(st, &a[*n]) == -1) {
			store_sql_refuse(&j->f, STORE_ECORRUPT, "a journal row "
			    "of %s is not valid", recipient);
			goto fail;
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		store_sql_fault(&j->f, j->db, rc, "reading the journal");
		goto fail;
	}
	sqlite3_finalize(st);
	*rows = a;
	if (*n == 0) {
		free(a);
		*rows = NULL;
	}
	return 0;
fail:
	sqlite3_finalize(st);
	free(a);
	*n = 0;
	return -1;
}

void
store_journal_set_rcpt_max(struct store_journal *j, uint64_t max)
{
	j->rcpt_max = max;
}

const char *
store_journal_deny_name(enum store_journal_deny d)
{
	static const char *const names[] = { "accept", "denylisted",
	    "not-allowlisted", "pin-mismatch", "unsigned" };

	if ((size_t)d < sizeof(names) / sizeof(names[0]))
		return names[d];
	return "?";
}

enum store_journal_deny
store_journal_deny(const struct store_result *r,
    const struct store_jrow *rows, size_t n, const char *sender)
{
	size_t i, k;

	if (r->list == VL_DENY)
		return STORE_JD_DENYLISTED;
	if (r->list != VL_ALLOW)
		return STORE_JD_NOT_ALLOWLISTED;
	for (i = 0; i < n; i++) {
		if (rows[i].verdict != VERDICT_AUTHORIZED ||
		    strcmp(rows[i].sender, sender) != 0)
			continue;
		if (r->npins == 0)
			return STORE_JD_ACCEPT;
		for (k = 0; k < r->npins && rows[i].has_pin; k++)
			if (memcmp(r->pins[k], rows[i].pin, STORE_FP_LEN) == 0)
				return STORE_JD_ACCEPT;
	}
	return r->npins > 0 ? STORE_JD_PIN_MISMATCH : STORE_JD_UNSIGNED;
}

size_t
store_journal_pins(const struct store_jrow *rows, size_t n,
    const char *sender, unsigned char (*pins)[STORE_FP_LEN], size_t max)
{
	const struct store_jrow *best;
	int64_t below = INT64_MAX;
	size_t i, k, got = 0;
	int dup;

	/* Pick the most recent pin not yet taken, MAX times (N is small). */
	while (got < max) {
		best = NULL;
		for (i = 0; i < n; i++) {
			if (!rows[i].has_pin || rows[i].verdict !=
			    VERDICT_AUTHORIZED || rows[i].last > below ||
			    strcmp(rows[i].sender, sender) != 0)
				continue;
			for (dup = 0, k = 0; k < got && !dup; k++)
				dup = memcmp(pins[k], rows[i].pin,
				    STORE_FP_LEN) == 0;
			if (!dup && (best == NULL || rows[i].last > best->last))
				best = &rows[i];
		}
		if (best == NULL)
			break;
		memcpy(pins[got++], best->pin, STORE_FP_LEN);
		below = best->last;
	}
	return got;
}

enum store_err
store_journal_errcode(const struct store_journal *j)
{
	return j->f.code;
}

const char *
store_journal_error(const struct store_journal *j)
{
	return j->f.text;
}

void
store_journal_set_busy(struct store_journal *j, unsigned ms)
{
	sqlite3_busy_timeout(j->db, ms > INT32_MAX ? INT32_MAX : (int)ms);
}

int
store_journal_data_version(struct store_journal *j, long long *v)
{
	int rc;

	if ((rc = store_sql_int(j->db, "PRAGMA data_version", v, 0)) !=
	    SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc, "reading the journal");
	return 0;
}

int
store_journal_version(const struct store_journal *j)
{
	return j->version;
}
