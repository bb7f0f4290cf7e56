/*
 * store_snap.c: a snapshot of the policy store's rules, read from the
 * file in one read transaction into sorted arrays: every pair's rows
 * checked against the rules of specs/store.md section 2
 * (store_snap_check_pair, which every reader calls: a store whose rules
 * cannot be trusted is refused, never half read), then handed to the
 * index senderkeyd decides with (store_snap_index, store_index.c).
 * What the rules mean is store_index.c's; the forms a row must be in
 * are store_canon.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lib/errstr.h"
#include "lib/rcpt.h"
#include "store_int.h"

void
store_snap_free(struct store_snap *sn)
{
	size_t i;

	if (sn == NULL)
		return;
	for (i = 0; i < sn->nmodes; i++)
		free((char *)sn->modes[i].recipient);
	for (i = 0; i < sn->nentries; i++) {
		free((char *)sn->entries[i].recipient);
		free((char *)sn->entries[i].sender);
	}
	for (i = 0; i < sn->nstrict; i++)
		free(sn->strict[i]);
	free(sn->strict);
	free(sn->modes);
	free(sn->entries);
	free(sn);
}

/* rule_domain: the domain part of a rule's recipient (after the '@'). */
static const char *
rule_domain(const struct store_rule *e)
{
	const char *at = strrchr(e->recipient, '@');

	return at != NULL ? at + 1 : e->recipient;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * strict_index: fill SN->strict from SN's rules (see struct store_snap).
 * Returns 0, or -1 when memory ran out.
 */
static int
strict_index(struct store_snap *sn)
{
	const struct store_rule *e;
	size_t i, j, n = 0, cap = sn->nmodes + sn->nentries;

	if (cap == 0)
		return 0;
	if ((sn->strict = calloc(cap, sizeof(*sn->strict))) == NULL)
		return -1;
	for (i = 0; i < sn->nmodes + sn->nentries; i++) {
		e = i < sn->nmodes ? &sn->modes[i] :
		    &sn->entries[i - sn->nmodes];
		if ((e->kind == STORE_RULE_MODE && e->mode != VM_DENY) ||
		    (e->kind == STORE_RULE_ALLOW && !e->has_pin))
			continue;
		if ((sn->strict[n] = strdup(rule_domain(e))) == NULL) {
			sn->nstrict = n;
			return -1;
		}
		n++;
	}
	qsort(sn->strict, n, sizeof(*sn->strict), cmp_str);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(sn->strict[j - 1], sn->strict[i]) == 0) {
			free(sn->strict[i]);
			continue;
		}
		sn->strict[j++] = sn->strict[i];
	}
	sn->nstrict = j;
	return 0;
}

int
store_snap_strict(const struct store_snap *sn, const char *domain)
{
	const char *key = domain;

	if (domain == NULL || *domain == '\0')
		return sn->nstrict > 0;
	return bsearch(&key, sn->strict, sn->nstrict, sizeof(*sn->strict),
	    cmp_str) != NULL;
}

/* text: column I as a NUL-free string, or NULL. */
static const char *
text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (s == NULL || (size_t)sqlite3_column_bytes(st, i) != strlen(s))
		return NULL;
	return s;
}

/*
 * read_row: the row of ST into R (zeroed): modes (id, recipient, mode),
 * entries (id, recipient, action, sender, pin).  Returns 0, -1 when the
 * row breaks the rules, -2 when memory ran out.  *REFOLDED is set when
 * the recipient was not stored case-folded.
 */
static int
read_row(sqlite3_stmt *st, int modes, struct store_rule *r, int *refolded)
{
	const char *rc_s, *what, *snd, *pin;
	char canon[STORE_TARGET_MAX];

	r->id = sqlite3_column_int64(st, 0);
	rc_s = text(st, 1);
	what = text(st, 2);
	snd = modes ? NULL : text(st, 3);
	pin = modes ? NULL : text(st, 4);
	if (rc_s == NULL || what == NULL || store_canon_is(rc_s) == -1)
		return -1;
	if (modes) {
		r->kind = STORE_RULE_MODE;
		if (strcmp(what, "allow") == 0)
			r->mode = VM_ALLOW;
		else if (strcmp(what, "deny") == 0)
			r->mode = VM_DENY;
		else
			return -1;
	} else {
		if (strcmp(what, "allow") == 0)
			r->kind = STORE_RULE_ALLOW;
		else if (strcmp(what, "deny") == 0)
			r->kind = STORE_RULE_DENY;
		else
			return -1;
		if (snd == NULL || pin == NULL)
			return -1;
		if (*pin != '\0') {
			/* Where a pin may be is store_snap_check_pair's. */
			if (store_canon_pin_bytes(pin, r->pin) == -1)
				return -1;
			r->has_pin = 1;
		}
	}
	/*
	 * A recipient stored before non-ASCII case was folded
	 * (record-format.md 1.3) is read as its folded mailbox, so the rule
	 * still applies; the caller sorts again.
	 */
	if (*rc_s != '*') {
		if (rcpt_fold(rc_s, canon, sizeof(canon), NULL) == -1)
			return -1;
		if (strcmp(canon, rc_s) != 0)
			*refolded = 1;
		rc_s = canon;
	}
	if (!modes && (r->sender = strdup(snd)) == NULL)
		return -2;
	if ((r->recipient = strdup(rc_s)) == NULL) {
		free((char *)r->sender);
		return -2;
	}
	return 0;
}

/* load_rows: run SQL and append its rows (read_row) to *ARR. */
static int
load_rows(sqlite3 *db, const char *sql, int modes, struct store_rule **arr,
    size_t *n, int *refolded, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	struct store_rule *na;
	size_t cap = 0;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > SIZE_MAX / sizeof(**arr) ||
			    (na = realloc(*arr, cap * sizeof(**arr))) == NULL)
				goto nomem;
			*arr = na;
		}
		memset(&(*arr)[*n], 0, sizeof(**arr));
		rc = read_row(st, modes, &(*arr)[*n], refolded);
		if (rc == -2)
			goto nomem;
		if (rc == -1) {
			errstr_set(err, errsz, "%s rule %lld is malformed",
			    modes ? "mode" : "entry",
			    (long long)sqlite3_column_int64(st, 0));
			goto fail;
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return 0;
nomem:
	errstr_set(err, errsz, "out of memory");
	goto fail;
dberr:
	errstr_set(err, errsz, "%s", sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	return -1;
}

int
store_snap_check_pair(const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n, char *err, size_t errsz)
{
	const char *what = NULL;
	size_t i, pins = 0;
	int plain = 0, k = -1;

	if (n == 0)
		return 0;
	if (store_canon_is(rcpt) == -1)
		what = "the recipient is not a canonical target";
	else if (sender != NULL && (k = store_canon_is(sender)) == -1)
		what = "the sender is not a canonical target";
	else if (sender == NULL && n > 1)
		what = "more than one mode rule";
	for (i = 0; what == NULL && i < n; i++) {
		if ((rows[i].kind == STORE_RULE_MODE) != (sender == NULL) ||
		    (rows[i].kind == STORE_RULE_MODE && rows[i].mode !=
		    VM_ALLOW && rows[i].mode != VM_DENY))
			what = "a rule of the wrong kind";
		else if (rows[i].has_pin && rows[i].kind != STORE_RULE_ALLOW)
			what = "a pin on a rule other than allow";
		else if (rows[i].has_pin && k != STORE_T_ADDR)
			what = "a pin on a *@domain sender";
		else if (rows[i].kind == STORE_RULE_ALLOW && rows[i].has_pin)
			pins++;
		else if (rows[i].kind == STORE_RULE_ALLOW)
			plain = 1;
		if (what == NULL && pins > STORE_MAX_PINS)
			what = "more pins than allowed";
		else if (what == NULL && pins > 0 && plain)
			what = "pinned and unpinned allow entries mixed";
	}
	if (what == NULL)
		return 0;
	i = i > 0 ? i - 1 : 0;
	errstr_set(err, errsz, "%s rule %lld: %s for %s%s%s",
	    sender == NULL ? "mode" : "entry", (long long)rows[i].id, what,
	    sender != NULL ? sender : "", sender != NULL ? " -> " : "", rcpt);
	return -1;
}

/* to_irow: rule E as a row of its pair. */
static void
to_irow(const struct store_rule *e, struct store_irow *r)
{
	memset(r, 0, sizeof(*r));
	r->id = e->id;
	r->kind = e->kind;
	r->mode = e->mode;
	r->has_pin = e->has_pin;
	if (e->has_pin)
		memcpy(r->pin, e->pin, STORE_FP_LEN);
}

typedef int (*pair_fn)(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n, char *err, size_t errsz);

/*
 * each_pair: FN (with ARG) for every pair of A (N rules sorted by
 * recipient, then sender), its rows in one call; 0, or the first -1.
 */
static int
each_pair(const struct store_rule *a, size_t n, pair_fn fn, void *arg,
    char *err, size_t errsz)
{
	struct store_irow *rows = NULL, *nr;
	size_t i, j, cap = 0;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i = j) {
		for (j = i; j < n && strcmp(a[j].recipient, a[i].recipient) ==
		    0 && (a[i].sender == NULL ? a[j].sender == NULL :
		    a[j].sender != NULL && strcmp(a[j].sender, a[i].sender) ==
		    0); j++) {
			if (j - i == cap) {
				cap = cap == 0 ? 32 : cap * 2;
				if (cap > SIZE_MAX / sizeof(*rows) ||
				    (nr = realloc(rows, cap * sizeof(*rows))) ==
				    NULL) {
					errstr_set(err, errsz, "out of memory");
					free(rows);
					return -1;
				}
				rows = nr;
			}
			to_irow(&a[j], &rows[j - i]);
		}
		rc = fn(arg, a[i].recipient, a[i].sender, rows, j - i, err,
		    errsz);
	}
	free(rows);
	return rc;
}

static int
check_fn(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n, char *err, size_t errsz)
{
	(void)arg;
	return store_snap_check_pair(rcpt, sender, rows, n, err, errsz);
}

static int
set_fn(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n, char *err, size_t errsz)
{
	if (store_index_set(arg, rcpt, sender, rows, n) == -1) {
		errstr_set(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

struct store_index *
store_snap_index(const struct store_snap *sn, char *err, size_t errsz)
{
	struct store_index *idx;

	if ((idx = store_index_new()) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if (each_pair(sn->modes, sn->nmodes, set_fn, idx, err, errsz) == -1 ||
	    each_pair(sn->entries, sn->nentries, set_fn, idx, err, errsz) ==
	    -1) {
		store_index_free(idx);
		return NULL;
	}
	return idx;
}

/*
 * fold_modes: after recipients were folded, the mode rules of one
 * mailbox meet; the first (deny before allow, cmp_mode) stays, as the
 * lookup of a sorted array took it.
 */
static void
fold_modes(struct store_snap *sn)
{
	size_t i, j;

	for (i = j = 0; i < sn->nmodes; i++) {
		if (j > 0 && strcmp(sn->modes[j - 1].recipient,
		    sn->modes[i].recipient) == 0) {
			free((char *)sn->modes[i].recipient);
			continue;
		}
		sn->modes[j++] = sn->modes[i];
	}
	sn->nmodes = j;
}

/*
 * cmp_mode, cmp_entry: the orders of the SELECTs below (byte order, as
 * SQLite's BINARY collation), for a snapshot whose recipients were
 * folded after reading.  Two mode rules of one folded recipient put
 * deny first: the lookup takes the first, the stricter.
 */
static int
cmp_mode(const void *a, const void *b)
{
	const struct store_rule *x = a, *y = b;
	int c = strcmp(x->recipient, y->recipient);

	if (c != 0)
		return c;
	if (x->mode != y->mode)
		return x->mode == VM_DENY ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct store_rule *x = a, *y = b;
	int c = strcmp(x->recipient, y->recipient);

	if (c == 0)
		c = strcmp(x->sender, y->sender);
	if (c != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct store_snap *
store_snap_load(sqlite3 *db, int *version, long long *data_version,
    char *err, size_t errsz)
{
	struct store_snap *sn = NULL;
	long long v = -1, dv = -1;
	int tx = 0, refolded = 0;

	if ((sn = calloc(1, sizeof(*sn))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto dberr;
	tx = 1;
	if (store_sql_int(db, "PRAGMA user_version", &v, 0) != SQLITE_OK)
		goto dberr;
	if (store_file_readable(v, err, errsz) == -1)
		goto fail;
	/* The C locale's byte order (BINARY collation) is the bsearch one. */
	if (load_rows(db, "SELECT id, recipient, mode FROM mode "
	    "ORDER BY recipient", 1, &sn->modes, &sn->nmodes, &refolded, err,
	    errsz) == -1 ||
	    load_rows(db, "SELECT id, recipient, action, sender, pin "
	    "FROM entry ORDER BY recipient, sender, action, pin, id", 0,
	    &sn->entries, &sn->nentries, &refolded, err, errsz) == -1)
		goto fail;
	if (refolded) {
		qsort(sn->modes, sn->nmodes, sizeof(*sn->modes), cmp_mode);
		qsort(sn->entries, sn->nentries, sizeof(*sn->entries),
		    cmp_entry);
		fold_modes(sn);
	}
	if (each_pair(sn->modes, sn->nmodes, check_fn, NULL, err, errsz) ==
	    -1 || each_pair(sn->entries, sn->nentries, check_fn, NULL, err,
	    errsz) == -1)
		goto fail;
	if (strict_index(sn) == -1) {
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	if (store_sql_int(db, "PRAGMA data_version", &dv, 0) != SQLITE_OK)
		goto dberr;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	*version = (int)v;
	*data_version = dv;
	return sn;
dberr:
	errstr_set(err, errsz, "%s", sqlite3_errmsg(db));
fail:
	if (tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	store_snap_free(sn);
	return NULL;
}

size_t
store_snap_find(const struct store_rule *a, size_t n, const char *rcpt,
    const char *sender)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(a[mid].recipient, rcpt);
		if (c == 0 && sender != NULL)
			c = strcmp(a[mid].sender, sender);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strcmp(a[lo].recipient, rcpt) == 0 &&
	    (sender == NULL || strcmp(a[lo].sender, sender) == 0))
		return lo;
	return n;
}
