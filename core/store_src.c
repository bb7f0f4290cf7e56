/*
 * store_src.c: the rules of a store read per pair (specs/store.md 2.1),
 * through store_db so that every backend serves: the whole store and its
 * change-log position in one read transaction (store_src_full), or the
 * current rows of the pairs the change log names after a position
 * (store_src_changes).  Every pair's rows are checked before they are
 * handed on; a bad pair fails the whole read.  What the rows mean is
 * store.c's; keeping them in memory store_index.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errstr.h"
#include "lib/rcpt.h"
#include "store_int.h"

/* The SELECTs give five columns: recipient, sender ('' for a mode), id,
   mode or action, pin ('' for a mode). */
#define FULL_MODES \
	"SELECT recipient, '', id, mode, '' FROM mode ORDER BY recipient, id"
#define FULL_ENTRIES \
	"SELECT recipient, sender, id, action, pin FROM entry " \
	"ORDER BY recipient, sender, id"
#define DELTA_PAIRS \
	"SELECT DISTINCT recipient, sender FROM change " \
	"WHERE seq > ?1 AND seq <= ?2"
#define DELTA_MODES \
	"SELECT c.recipient, '', m.id, m.mode, '' FROM (SELECT DISTINCT " \
	"recipient FROM change WHERE seq > ?1 AND seq <= ?2 AND " \
	"sender = '') AS c LEFT JOIN mode AS m ON m.recipient = c.recipient " \
	"ORDER BY c.recipient, m.id"
#define DELTA_ENTRIES \
	"SELECT c.recipient, c.sender, e.id, e.action, e.pin FROM (SELECT " \
	"DISTINCT recipient, sender FROM change WHERE seq > ?1 AND " \
	"seq <= ?2 AND sender <> '') AS c LEFT JOIN entry AS e ON " \
	"e.recipient = c.recipient AND e.sender = c.sender " \
	"ORDER BY c.recipient, c.sender, e.id"
#define PAIR_MODE \
	"SELECT recipient, '', id, mode, '' FROM mode WHERE recipient = ?1"
#define PAIR_ENTRIES \
	"SELECT recipient, sender, id, action, pin FROM entry " \
	"WHERE recipient = ?1 AND sender = ?2"

/* A row of a recipient stored unfolded, put aside (see legacy_flush). */
struct lrow {
	char			 rcpt[STORE_TARGET_MAX];	/* folded */
	char			 sender[STORE_TARGET_MAX];	/* '' mode */
	struct store_irow	 row;
};

/* One read: where the pairs go, the pair being gathered, put aside rows. */
struct rd {
	struct store_db		*db;
	struct store_fault	*f;
	store_pair_cb		 cb;
	void			*arg;
	int			 fold;		/* full: fold recipients */
	char			 rcpt[STORE_TARGET_MAX];
	char			 sender[STORE_TARGET_MAX];
	int			 have;		/* a pair is being gathered */
	struct store_irow	*rows;
	size_t			 n, cap;
	struct lrow		*legacy;
	size_t			 nlegacy, caplegacy;
};

/* check: store_snap_check_pair with the error in F. */
static int
check(struct store_fault *f, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	char err[STORE_ERR_MAX];

	if (store_snap_check_pair(rcpt, sender, rows, n, err,
	    sizeof(err)) == -1)
		return store_sql_refuse(f, STORE_ECORRUPT, "%s", err);
	return 0;
}

/*
 * parse_row: the id, mode or action, and pin texts of a row of a mode
 * (MODE) or an entry into R.  0, or -1 when they are not a row's.
 */
static int
parse_row(int mode, const char *id, const char *what, const char *pin,
    struct store_irow *r)
{
	char *end;
	long long v;

	memset(r, 0, sizeof(*r));
	if (id == NULL || what == NULL || pin == NULL)
		return -1;
	errno = 0;
	v = strtoll(id, &end, 10);
	if (*id == '\0' || *end != '\0' || errno != 0)
		return -1;
	r->id = v;
	if (mode) {
		r->kind = STORE_RULE_MODE;
		if (strcmp(what, "allow") == 0)
			r->mode = VM_ALLOW;
		else if (strcmp(what, "deny") == 0)
			r->mode = VM_DENY;
		else
			return -1;
		return *pin == '\0' ? 0 : -1;
	}
	if (strcmp(what, "allow") == 0)
		r->kind = STORE_RULE_ALLOW;
	else if (strcmp(what, "deny") == 0)
		r->kind = STORE_RULE_DENY;
	else
		return -1;
	if (*pin == '\0')
		return 0;
	r->has_pin = 1;
	return store_canon_pin_bytes(pin, r->pin);
}

/* push: append R to the pair being gathered; 0 or -1 (memory). */
static int
push(struct rd *rd, const struct store_irow *r)
{
	struct store_irow *nr;
	size_t cap;

	if (rd->n == rd->cap) {
		cap = rd->cap == 0 ? 8 : rd->cap * 2;
		if ((nr = realloc(rd->rows, cap * sizeof(*nr))) == NULL)
			return store_sql_refuse(rd->f, STORE_EINTERNAL,
			    "out of memory");
		rd->rows = nr;
		rd->cap = cap;
	}
	rd->rows[rd->n++] = *r;
	return 0;
}

/* put_aside: R of (RCPT folded, SENDER) for legacy_flush. */
static int
put_aside(struct rd *rd, const char *rcpt, const char *sender,
    const struct store_irow *r)
{
	struct lrow *nl;
	size_t cap;

	if (rd->nlegacy == rd->caplegacy) {
		cap = rd->caplegacy == 0 ? 8 : rd->caplegacy * 2;
		if ((nl = realloc(rd->legacy, cap * sizeof(*nl))) == NULL)
			return store_sql_refuse(rd->f, STORE_EINTERNAL,
			    "out of memory");
		rd->legacy = nl;
		rd->caplegacy = cap;
	}
	snprintf(rd->legacy[rd->nlegacy].rcpt, STORE_TARGET_MAX, "%s", rcpt);
	snprintf(rd->legacy[rd->nlegacy].sender, STORE_TARGET_MAX, "%s",
	    sender);
	rd->legacy[rd->nlegacy++].row = *r;
	return 0;
}

/* flush: hand the pair gathered (if any) to the callback, checked. */
static int
flush(struct rd *rd)
{
	const char *sender = rd->sender[0] != '\0' ? rd->sender : NULL;

	if (!rd->have)
		return 0;
	rd->have = 0;
	if (check(rd->f, rd->rcpt, sender, rd->rows, rd->n) == -1)
		return -1;
	if (rd->cb(rd->arg, rd->rcpt, sender, rd->rows, rd->n) != 0)
		return store_sql_refuse(rd->f, STORE_EINTERNAL,
		    "the read was stopped");
	return 0;
}

/*
 * one_row: the current row of Q (five columns, see the SELECTs): a new
 * pair starts when its recipient or sender differs from the last; no id
 * (a LEFT JOIN without a match) is a pair without rows.
 */
static int
one_row(struct rd *rd, struct store_dbq *q)
{
	const char *rc = store_dbq_text(q, 0), *snd = store_dbq_text(q, 1);
	const char *id = store_dbq_text(q, 2);
	char folded[STORE_TARGET_MAX];
	struct store_irow r;
	int mode;

	mode = snd != NULL && *snd == '\0';
	/* a recipient as the CLI writes it (only its non-ASCII case may be
	   unfolded, below): anything else was written by hand */
	if (rc == NULL || snd == NULL || strlen(rc) >= STORE_TARGET_MAX ||
	    strlen(snd) >= STORE_TARGET_MAX || store_canon_is(rc) == -1)
		return store_sql_refuse(rd->f, STORE_ECORRUPT, "%s rule %s is "
		    "malformed", mode ? "mode" : "entry", id ? id : "-");
	if (id != NULL && parse_row(mode, id, store_dbq_text(q, 3),
	    store_dbq_text(q, 4), &r) == -1)
		return store_sql_refuse(rd->f, STORE_ECORRUPT, "%s rule %s is "
		    "malformed", mode ? "mode" : "entry", id);
	/*
	 * A recipient stored before non-ASCII case was folded
	 * (record-format.md 1.3) is read as its folded mailbox: its rows
	 * are put aside and merged with that mailbox's (legacy_flush).
	 */
	if (*rc != '*' && rcpt_fold(rc, folded, sizeof(folded), NULL) == -1)
		return store_sql_refuse(rd->f, STORE_ECORRUPT, "%s rule %s is "
		    "malformed", mode ? "mode" : "entry", id ? id : "-");
	if (*rc != '*' && strcmp(folded, rc) != 0) {
		if (!rd->fold)
			return store_sql_refuse(rd->f, STORE_ECORRUPT,
			    "%s: not a folded recipient", rc);
		return id == NULL ? 0 : put_aside(rd, folded, snd, &r);
	}
	if (!rd->have || strcmp(rd->rcpt, rc) != 0 ||
	    strcmp(rd->sender, snd) != 0) {
		if (flush(rd) == -1)
			return -1;
		memcpy(rd->rcpt, rc, strlen(rc) + 1);
		memcpy(rd->sender, snd, strlen(snd) + 1);
		rd->n = 0;
		rd->have = 1;
	}
	return id == NULL ? 0 : push(rd, &r);
}

/* read_pairs: every row of SQL (NARGS texts A1, A2) through one_row. */
static int
read_pairs(struct rd *rd, const char *sql, int nargs, const char *a1,
    const char *a2)
{
	struct store_dbq *q;
	int rc;

	if ((q = store_db_query(rd->db, rd->f, sql, nargs, a1, a2)) == NULL)
		return -1;
	while ((rc = store_dbq_next(q)) == 1)
		if (one_row(rd, q) == -1)
			break;
	store_dbq_free(q);
	if (rc != 0 || flush(rd) == -1)
		return -1;
	return 0;
}

static int
cmp_lrow(const void *a, const void *b)
{
	const struct lrow *x = a, *y = b;
	int c = strcmp(x->rcpt, y->rcpt);

	if (c == 0)
		c = strcmp(x->sender, y->sender);
	if (c == 0)
		c = x->row.id < y->row.id ? -1 : x->row.id > y->row.id;
	return c;
}

/* same_rule: whether A and B say the same (one of them is dropped). */
static int
same_rule(const struct store_irow *a, const struct store_irow *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == STORE_RULE_MODE)
		return 1;	/* one mode per pair: merge_rows keeps deny */
	return a->has_pin == b->has_pin &&
	    (!a->has_pin || memcmp(a->pin, b->pin, STORE_FP_LEN) == 0);
}

/* merge_rows: RD's rows with the duplicates dropped; a deny mode wins. */
static void
merge_rows(struct rd *rd)
{
	size_t i, j, k = 0;

	for (i = 0; i < rd->n; i++) {
		for (j = 0; j < k; j++)
			if (same_rule(&rd->rows[j], &rd->rows[i]))
				break;
		if (j == k)
			rd->rows[k++] = rd->rows[i];
		else if (rd->rows[i].kind == STORE_RULE_MODE &&
		    rd->rows[i].mode == VM_DENY)
			rd->rows[j] = rd->rows[i];
	}
	rd->n = k;
}

/*
 * legacy_flush: each pair with rows put aside, merged with the rows
 * stored under its folded recipient (read again: they were handed on
 * already, and a pair's rows are handed on whole), handed on again.
 */
static int
legacy_flush(struct rd *rd)
{
	struct store_irow r;
	struct store_dbq *q;
	struct lrow *l;
	size_t i, j;
	int rc, mode;

	if (rd->nlegacy > 0)
		qsort(rd->legacy, rd->nlegacy, sizeof(*rd->legacy), cmp_lrow);
	for (i = 0; i < rd->nlegacy; i = j) {
		l = &rd->legacy[i];
		mode = l->sender[0] == '\0';
		rd->n = 0;
		for (j = i; j < rd->nlegacy &&
		    strcmp(rd->legacy[j].rcpt, l->rcpt) == 0 &&
		    strcmp(rd->legacy[j].sender, l->sender) == 0; j++)
			if (push(rd, &rd->legacy[j].row) == -1)
				return -1;
		if ((q = mode ? store_db_query(rd->db, rd->f, PAIR_MODE, 1,
		    l->rcpt) : store_db_query(rd->db, rd->f, PAIR_ENTRIES, 2,
		    l->rcpt, l->sender)) == NULL)
			return -1;
		while ((rc = store_dbq_next(q)) == 1) {
			if (parse_row(mode, store_dbq_text(q, 2),
			    store_dbq_text(q, 3), store_dbq_text(q, 4),
			    &r) == -1) {
				rc = store_sql_refuse(rd->f, STORE_ECORRUPT,
				    "a rule of %s is malformed", l->rcpt);
				break;
			}
			if ((rc = push(rd, &r)) == -1)
				break;
		}
		store_dbq_free(q);
		if (rc != 0)
			return -1;
		merge_rows(rd);
		memcpy(rd->rcpt, l->rcpt, sizeof(rd->rcpt));
		memcpy(rd->sender, l->sender, sizeof(rd->sender));
		rd->have = 1;
		if (flush(rd) == -1)
			return -1;
	}
	return 0;
}

/*
 * position: the change-log position of the open read transaction's
 * snapshot of DB (schema V) in POS, and store_meta.pruned in *PRUNED.
 */
static int
position(struct store_db *db, struct store_fault *f, long long v,
    struct store_pos *pos, long long *pruned)
{
	struct store_dbq *q;
	const char *id, *pr;
	long long top = 0;
	int rc, ok = 0;

	memset(pos, 0, sizeof(*pos));
	*pruned = 0;
	if (v < 3)
		return 0;		/* no change log: seq 0, store_id "" */
	if ((q = store_db_query(db, f, "SELECT store_id, pruned FROM "
	    "store_meta WHERE id = 1", 0)) == NULL)
		return -1;
	if ((rc = store_dbq_next(q)) == 1) {
		id = store_dbq_text(q, 0);
		pr = store_dbq_text(q, 1);
		if (id != NULL && pr != NULL && strlen(id) == 32 &&
		    strspn(id, "0123456789abcdef") == 32) {
			memcpy(pos->store_id, id, 33);
			*pruned = strtoll(pr, NULL, 10);
			ok = 1;
		}
	}
	store_dbq_free(q);
	if (rc == -1)
		return -1;
	if (!ok)
		return store_sql_refuse(f, STORE_ECORRUPT,
		    "no valid store id (store_meta)");
	if (store_db_int(db, f, "SELECT coalesce(max(seq), 0) FROM change",
	    &top, 0) == -1)
		return -1;
	pos->seq = top > *pruned ? top : *pruned;
	return 0;
}

/* begin: a read transaction of DB and the schema version in *V. */
static int
begin(struct store_db *db, struct store_fault *f, long long *v)
{
	char err[STORE_ERR_MAX];

	if (store_db_begin(db, f, 0) == -1)
		return -1;
	if (store_db_version(db, f, v) == -1)
		goto fail;
	if (store_file_readable(*v, err, sizeof(err)) == -1) {
		store_sql_refuse(f, STORE_ECORRUPT, "%s", err);
		goto fail;
	}
	return 0;
fail:
	store_db_rollback(db);
	return -1;
}

int
store_src_full(struct store_db *db, store_pair_cb cb, void *arg,
    struct store_pos *pos, struct store_fault *f)
{
	struct rd rd = { .db = db, .f = f, .cb = cb, .arg = arg, .fold = 1 };
	long long v, pruned;

	f->code = STORE_OK;
	f->text[0] = '\0';
	if (begin(db, f, &v) == -1)
		return -1;
	if (position(db, f, v, pos, &pruned) == -1 ||
	    read_pairs(&rd, FULL_MODES, 0, NULL, NULL) == -1 ||
	    read_pairs(&rd, FULL_ENTRIES, 0, NULL, NULL) == -1 ||
	    legacy_flush(&rd) == -1 || store_db_commit(db, f) == -1)
		goto fail;
	free(rd.rows);
	free(rd.legacy);
	return 0;
fail:
	store_db_rollback(db);
	free(rd.rows);
	free(rd.legacy);
	return -1;
}

/*
 * delta_ok: whether the pairs the change log names in (FROM, TO] are few
 * enough (STORE_DELTA_MAX) and all stored folded: 1 yes, 0 no (a full
 * read is needed), -1 error.
 */
static int
delta_ok(struct store_db *db, struct store_fault *f, const char *from,
    const char *to)
{
	char folded[STORE_TARGET_MAX];
	struct store_dbq *q;
	const char *rc;
	size_t n = 0;
	int r, ok = 1;

	if ((q = store_db_query(db, f, DELTA_PAIRS, 2, from, to)) == NULL)
		return -1;
	while ((r = store_dbq_next(q)) == 1) {
		rc = store_dbq_text(q, 0);
		if (++n > STORE_DELTA_MAX || (rc != NULL && *rc != '*' &&
		    (rcpt_fold(rc, folded, sizeof(folded), NULL) == -1 ||
		    strcmp(folded, rc) != 0))) {
			ok = 0;
			break;
		}
	}
	store_dbq_free(q);
	return r == -1 ? -1 : ok;
}

int
store_src_changes(struct store_db *db, const struct store_pos *from,
    store_pair_cb cb, void *arg, struct store_pos *to,
    struct store_fault *f)
{
	struct rd rd = { .db = db, .f = f, .cb = cb, .arg = arg };
	char a1[32], a2[32];
	long long v, pruned;
	int ok;

	f->code = STORE_OK;
	f->text[0] = '\0';
	if (begin(db, f, &v) == -1)
		return -1;
	if (position(db, f, v, to, &pruned) == -1)
		goto fail;
	if (v < 3 || strcmp(to->store_id, from->store_id) != 0 ||
	    from->seq < pruned || from->seq > to->seq)
		goto full;
	snprintf(a1, sizeof(a1), "%lld", (long long)from->seq);
	snprintf(a2, sizeof(a2), "%lld", (long long)to->seq);
	if (from->seq < to->seq) {
		if ((ok = delta_ok(db, f, a1, a2)) == -1)
			goto fail;
		if (!ok)
			goto full;
		if (read_pairs(&rd, DELTA_MODES, 2, a1, a2) == -1 ||
		    read_pairs(&rd, DELTA_ENTRIES, 2, a1, a2) == -1)
			goto fail;
	}
	free(rd.rows);
	return store_db_commit(db, f);
full:
	store_db_rollback(db);
	return 1;
fail:
	store_db_rollback(db);
	free(rd.rows);
	return -1;
}
