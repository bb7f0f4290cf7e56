/*
 * store.c: the read side of the recipient policy store: a read-only SQLite
 * connection, an in-memory snapshot of every rule (sorted arrays searched
 * by binary search), change detection with PRAGMA data_version, and the
 * precedence rule of specs/verdicts.md section 4.2.  The schema belongs to
 * core/policydb.c; writing is never done here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "lib/addr.h"
#include "lib/errstr.h"
#include "lib/hex.h"
#include "lib/rcpt.h"
#include "policydb.h"
#include "store.h"

/* One snapshot: every rule, sorted. */
struct rules {
	struct store_rule	*modes;		/* sorted by recipient */
	size_t			 nmodes;
	struct store_rule	*entries;	/* by recipient, sender */
	size_t			 nentries;
	size_t			 cap;
	/*
	 * The domains with a restrictive rule (a deny mode, a deny entry or
	 * a pin, at the domain or at any of its addresses), sorted and
	 * unique: a recipient that cannot be put into its mailbox form gets
	 * the strictest outcome when its domain is here (verdicts.md 4.2).
	 */
	char			**strict;
	size_t			 nstrict;
};

struct store {
	char			*path;
	sqlite3			*db;
	enum verdict_mode	 default_mode;
	long long		 data_version;
	dev_t			 dev;
	ino_t			 ino;
	int			 version;
	struct rules		*rules;
};

/* scopy: SRC into DST of DSTSZ octets, truncated to fit. */
static void
scopy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
rules_free(struct rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nmodes; i++)
		free((char *)r->modes[i].recipient);
	for (i = 0; i < r->nentries; i++) {
		free((char *)r->entries[i].recipient);
		free((char *)r->entries[i].sender);
	}
	for (i = 0; i < r->nstrict; i++)
		free(r->strict[i]);
	free(r->strict);
	free(r->modes);
	free(r->entries);
	free(r);
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
 * strict_index: fill R->strict from R's rules (see struct rules).
 * Returns 0, or -1 when memory ran out.
 */
static int
strict_index(struct rules *r)
{
	const struct store_rule *e;
	size_t i, j, n = 0, cap = r->nmodes + r->nentries;

	if (cap == 0)
		return 0;
	if ((r->strict = calloc(cap, sizeof(*r->strict))) == NULL)
		return -1;
	for (i = 0; i < r->nmodes + r->nentries; i++) {
		e = i < r->nmodes ? &r->modes[i] : &r->entries[i - r->nmodes];
		if ((e->kind == STORE_RULE_MODE && e->mode != VM_DENY) ||
		    (e->kind == STORE_RULE_ALLOW && !e->has_pin))
			continue;
		if ((r->strict[n] = strdup(rule_domain(e))) == NULL) {
			r->nstrict = n;
			return -1;
		}
		n++;
	}
	qsort(r->strict, n, sizeof(*r->strict), cmp_str);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(r->strict[j - 1], r->strict[i]) == 0) {
			free(r->strict[i]);
			continue;
		}
		r->strict[j++] = r->strict[i];
	}
	r->nstrict = j;
	return 0;
}

/* unhex: 64 lowercase hex digits into OUT; 0 or -1. */
static int
unhex(const char *s, unsigned char out[STORE_FP_LEN])
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * STORE_FP_LEN ||
	    strspn(s, "0123456789abcdef") != 2 * STORE_FP_LEN)
		return -1;
	for (i = 0; i < STORE_FP_LEN; i++) {
		if ((hi = hex_digit(s[2 * i])) < 0 ||
		    (lo = hex_digit(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
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
 * load_rows: run SQL and append its rows to *ARR.  Modes: (id, recipient,
 * mode); entries: (id, recipient, action, sender, pin).  Every row is
 * checked: a store whose rules cannot be trusted is refused.
 */
static int
load_rows(sqlite3 *db, const char *sql, int modes, struct store_rule **arr,
    size_t *n, int *refolded, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	struct store_rule *r, *na;
	size_t cap = 0;
	const char *rc_s, *what, *snd, *pin;
	char canon[POLICYDB_TARGET_MAX];
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > SIZE_MAX / sizeof(**arr) ||
			    (na = realloc(*arr, cap * sizeof(**arr))) == NULL) {
				errstr_set(err, errsz, "out of memory");
				goto fail;
			}
			*arr = na;
		}
		r = &(*arr)[*n];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		rc_s = text(st, 1);
		what = text(st, 2);
		snd = modes ? NULL : text(st, 3);
		pin = modes ? NULL : text(st, 4);
		if (rc_s == NULL || what == NULL ||
		    policydb_canon(rc_s, canon, NULL, 0) == -1 ||
		    strcmp(canon, rc_s) != 0)
			goto bad;
		if (modes) {
			r->kind = STORE_RULE_MODE;
			if (strcmp(what, "allow") == 0)
				r->mode = VM_ALLOW;
			else if (strcmp(what, "deny") == 0)
				r->mode = VM_DENY;
			else
				goto bad;
		} else {
			if (strcmp(what, "allow") == 0)
				r->kind = STORE_RULE_ALLOW;
			else if (strcmp(what, "deny") == 0)
				r->kind = STORE_RULE_DENY;
			else
				goto bad;
			if (snd == NULL || pin == NULL ||
			    policydb_canon(snd, canon, NULL, 0) == -1 ||
			    strcmp(canon, snd) != 0)
				goto bad;
			if (*pin != '\0') {
				/* Pins: allow entries naming an address only. */
				if (r->kind != STORE_RULE_ALLOW || *snd == '*' ||
				    unhex(pin, r->pin) == -1)
					goto bad;
				r->has_pin = 1;
			}
			if ((r->sender = strdup(snd)) == NULL) {
				errstr_set(err, errsz, "out of memory");
				goto fail;
			}
		}
		/*
		 * A recipient stored before non-ASCII case was folded
		 * (record-format.md 1.3) is read as its folded mailbox, so
		 * the rule still applies; the caller sorts again.
		 */
		if (*rc_s != '*') {
			if (rcpt_fold(rc_s, canon, sizeof(canon), NULL) == -1)
				goto bad;
			if (strcmp(canon, rc_s) != 0)
				*refolded = 1;
			rc_s = canon;
		}
		if ((r->recipient = strdup(rc_s)) == NULL) {
			free((char *)r->sender);
			errstr_set(err, errsz, "out of memory");
			goto fail;
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return 0;
bad:
	errstr_set(err, errsz, "%s rule %lld is malformed", modes ? "mode" :
	    "entry", (long long)sqlite3_column_int64(st, 0));
	goto fail;
dberr:
	errstr_set(err, errsz, "%s", sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	return -1;
}

/*
 * check_pins: the entries (sorted by recipient, sender, action, pin) keep
 * the rules of specs/store.md 2: per (recipient, sender) allow, either
 * one unpinned entry or at most STORE_MAX_PINS pinned ones.
 */
static int
check_pins(const struct store_rule *e, size_t n, char *err, size_t errsz)
{
	size_t i, j, pins;
	int unpinned;

	for (i = 0; i < n; i = j) {
		pins = 0;
		unpinned = 0;
		for (j = i; j < n && e[j].kind == e[i].kind &&
		    strcmp(e[j].recipient, e[i].recipient) == 0 &&
		    strcmp(e[j].sender, e[i].sender) == 0; j++) {
			if (e[j].has_pin)
				pins++;
			else
				unpinned = 1;
		}
		if (pins > STORE_MAX_PINS || (pins > 0 && unpinned)) {
			errstr_set(err, errsz,
			    "entry rule %lld: %s for %s -> %s",
			    (long long)e[i].id, pins > STORE_MAX_PINS ?
			    "more pins than allowed" :
			    "pinned and unpinned allow entries mixed",
			    e[i].sender, e[i].recipient);
			return -1;
		}
	}
	return 0;
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

/* load: a new snapshot in one read transaction, or NULL with ERR. */
static struct rules *
load(struct store *s, char *err, size_t errsz)
{
	struct rules *r = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	int rc, tx = 0, refolded = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if ((rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
		goto dberr;
	tx = 1;
	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW)
		goto dberr;
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (v < 1 || v > POLICYDB_VERSION) {
		errstr_set(err, errsz, "schema version %lld: %s", v, v == 0 ?
		    "not a policy store (create it with senderkey policy)" :
		    "newer than this senderkey");
		goto fail;
	}
	/* The C locale's byte order (BINARY collation) is the bsearch one. */
	if (load_rows(s->db, "SELECT id, recipient, mode FROM mode "
	    "ORDER BY recipient", 1, &r->modes, &r->nmodes, &refolded, err,
	    errsz) == -1 ||
	    load_rows(s->db, "SELECT id, recipient, action, sender, pin "
	    "FROM entry ORDER BY recipient, sender, action, pin, id", 0,
	    &r->entries, &r->nentries, &refolded, err, errsz) == -1)
		goto fail;
	if (refolded) {
		qsort(r->modes, r->nmodes, sizeof(*r->modes), cmp_mode);
		qsort(r->entries, r->nentries, sizeof(*r->entries), cmp_entry);
	}
	if (check_pins(r->entries, r->nentries, err, errsz) == -1)
		goto fail;
	if (strict_index(r) == -1) {
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st,
	    NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW)
		goto dberr;
	s->data_version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s->version = (int)v;
	return r;
dberr:
	errstr_set(err, errsz, "%s", sqlite3_errmsg(s->db));
fail:
	sqlite3_finalize(st);
	if (tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	rules_free(r);
	return NULL;
}

static int
connect(struct store *s, char *err, size_t errsz)
{
	struct stat st;
	int rc;

	if (stat(s->path, &st) == -1) {
		errstr_set(err, errsz, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errstr_set(err, errsz, "%s: not a regular file", s->path);
		return -1;
	}
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		errstr_set(err, errsz, "%s: %s", s->path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close_v2(s->db);
		s->db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(s->db, 1000);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

struct store *
store_open(const char *path, enum verdict_mode default_mode, char *err,
    size_t errsz)
{
	struct store *s;
	char why[POLICYDB_ERR_MAX];

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	s->default_mode = default_mode;
	if (connect(s, err, errsz) == -1)
		goto fail;
	if ((s->rules = load(s, why, sizeof(why))) == NULL) {
		errstr_set(err, errsz, "%s: %s", path, why);
		goto fail;
	}
	return s;
fail:
	store_free(s);
	return NULL;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close_v2(s->db);
	rules_free(s->rules);
	free(s->path);
	free(s);
}

int
store_poll(struct store *s, char *err, size_t errsz)
{
	struct stat st;
	struct rules *nr;
	sqlite3_stmt *q = NULL;
	sqlite3 *old;
	char why[POLICYDB_ERR_MAX];
	long long v;
	int rc;

	if (stat(s->path, &st) == -1) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, strerror(errno));
		return -1;
	}
	if (st.st_dev != s->dev || st.st_ino != s->ino) {
		/* Replaced: a new connection to the new file. */
		old = s->db;
		s->db = NULL;
		if (connect(s, err, errsz) == -1) {
			s->db = old;
			return -1;
		}
		if ((nr = load(s, why, sizeof(why))) == NULL) {
			sqlite3_close_v2(s->db);
			s->db = old;
			s->dev = 0;	/* try again next time */
			errstr_set(err, errsz,
			    "%s: %s (keeping the rules loaded)",
			    s->path, why);
			return -1;
		}
		sqlite3_close_v2(old);
		rules_free(s->rules);
		s->rules = nr;
		return 1;
	}
	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q,
	    NULL)) != SQLITE_OK || (rc = sqlite3_step(q)) != SQLITE_ROW) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(q);
		return -1;
	}
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (v == s->data_version)
		return 0;
	if ((nr = load(s, why, sizeof(why))) == NULL) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, why);
		return -1;
	}
	rules_free(s->rules);
	s->rules = nr;
	return 1;
}

/* first: index of the first rule with RECIPIENT (and SENDER) or N. */
static size_t
first(const struct store_rule *a, size_t n, const char *rcpt,
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

/*
 * decide: the entries of (RCPT, SENDER) into R; 1 when there are any.
 */
static int
decide(const struct rules *ru, const char *rcpt, const char *sender,
    struct store_result *r)
{
	const struct store_rule *e, *deny = NULL, *allow = NULL;
	size_t i, npins = 0;
	int unpinned = 0;

	i = first(ru->entries, ru->nentries, rcpt, sender);
	for (; i < ru->nentries; i++) {
		e = &ru->entries[i];
		if (strcmp(e->recipient, rcpt) != 0 ||
		    strcmp(e->sender, sender) != 0)
			break;
		if (e->kind == STORE_RULE_DENY) {
			if (deny == NULL)
				deny = e;
			continue;
		}
		if (allow == NULL)
			allow = e;
		if (!e->has_pin)
			unpinned = 1;
		else if (npins < STORE_MAX_PINS)
			memcpy(r->pins[npins++], e->pin, STORE_FP_LEN);
	}
	if (deny == NULL && allow == NULL)
		return 0;
	e = deny != NULL ? deny : allow;
	r->list = deny != NULL ? VL_DENY : VL_ALLOW;
	r->beat_allow = deny != NULL && allow != NULL;
	r->rule_id = e->id;
	scopy(r->rule_recipient, sizeof(r->rule_recipient), rcpt);
	scopy(r->rule_sender, sizeof(r->rule_sender), sender);
	r->npins = deny == NULL && !unpinned ? npins : 0;
	if (r->npins == 0)
		memset(r->pins, 0, sizeof(r->pins));
	return 1;
}

/*
 * eval_unresolved: the strictest outcome for a recipient that could not
 * be put into its mailbox form, of DOMAIN ("" or NULL: unknown): deny
 * mode without entries (so unauthorized, unless the sender is null) when
 * DefaultMode is deny or the domain has a restrictive rule (for an
 * unknown domain: any domain), else allow mode without entries.
 */
static void
eval_unresolved(const struct store *s, const char *domain,
    struct store_result *r)
{
	const struct rules *ru = s->rules;
	const char *key = domain;
	int strict;

	r->recipient_invalid = 1;
	if (domain == NULL || *domain == '\0')
		strict = ru->nstrict > 0;
	else
		strict = bsearch(&key, ru->strict, ru->nstrict,
		    sizeof(*ru->strict), cmp_str) != NULL;
	r->strict = strict || s->default_mode == VM_DENY;
	r->mode = r->strict ? VM_DENY : VM_ALLOW;
}

void
store_eval(const struct store *s, const struct addr *sender,
    const struct addr *recipient, const char *domain,
    struct store_result *r)
{
	const struct rules *ru = s->rules;
	char rlevel[2][POLICYDB_TARGET_MAX], sdom[POLICYDB_TARGET_MAX];
	const char *spec[2];
	size_t i, j, k;

	memset(r, 0, sizeof(*r));
	r->mode = s->default_mode;
	r->list = VL_NONE;
	if (sender == NULL)
		r->sender_invalid = 1;
	if (recipient == NULL) {
		eval_unresolved(s, domain, r);
		return;
	}
	scopy(rlevel[0], sizeof(rlevel[0]), addr_canon(recipient));
	snprintf(rlevel[1], sizeof(rlevel[1]), "*@%s", addr_domain(recipient));
	for (i = 0; i < 2; i++) {
		k = first(ru->modes, ru->nmodes, rlevel[i], NULL);
		if (k < ru->nmodes) {
			r->mode = ru->modes[k].mode;
			r->mode_id = ru->modes[k].id;
			r->mode_level = i == 0 ? STORE_LEVEL_ADDRESS :
			    STORE_LEVEL_DOMAIN;
			break;
		}
	}
	if (sender == NULL)
		return;
	snprintf(sdom, sizeof(sdom), "*@%s", addr_domain(sender));
	spec[0] = addr_canon(sender);
	spec[1] = sdom;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			if (!decide(ru, rlevel[i], spec[j], r))
				continue;
			r->list_level = i == 0 ? STORE_LEVEL_ADDRESS :
			    STORE_LEVEL_DOMAIN;
			r->by_domain = j == 1;
			r->beat_domain = j == 0 && first(ru->entries,
			    ru->nentries, rlevel[i], sdom) < ru->nentries;
			return;
		}
	}
}

enum verdict_pin
store_pin(const struct store_result *r,
    const unsigned char (*fps)[STORE_FP_LEN], size_t n)
{
	size_t i, j;

	if (r->list != VL_ALLOW || r->npins == 0)
		return VP_NONE;
	for (i = 0; i < n; i++)
		for (j = 0; j < r->npins; j++)
			if (memcmp(fps[i], r->pins[j], STORE_FP_LEN) == 0)
				return VP_MATCH;
	return VP_MISMATCH;
}

void
store_explain(const struct store_result *r, char *buf, size_t bufsz)
{
	char mode[POLICYDB_TARGET_MAX + 64], list[2 * POLICYDB_TARGET_MAX + 256];
	const char *lvl;

	if (r->recipient_invalid)
		snprintf(mode, sizeof(mode), "mode %s: the recipient names no "
		    "mailbox for certain, so no entries apply and %s",
		    verdict_mode_name(r->mode), r->strict ? "its domain's "
		    "strictest rule holds" : "neither its domain nor "
		    "DefaultMode restricts anyone");
	else if (r->mode_level == STORE_LEVEL_NONE)
		snprintf(mode, sizeof(mode), "mode %s: DefaultMode (no mode "
		    "rule for the recipient or its domain)",
		    verdict_mode_name(r->mode));
	else
		snprintf(mode, sizeof(mode), "mode %s: rule m%lld, the %s's "
		    "mode", verdict_mode_name(r->mode), (long long)r->mode_id,
		    r->mode_level == STORE_LEVEL_ADDRESS ? "recipient address" :
		    "recipient domain");
	if (r->recipient_invalid)
		snprintf(list, sizeof(list), "list none");
	else if (r->sender_invalid)
		snprintf(list, sizeof(list), "list none: the null or an "
		    "invalid sender matches no entry");
	else if (r->list == VL_NONE)
		snprintf(list, sizeof(list), "list none: no entry of the "
		    "recipient or its domain matches the sender%s",
		    r->mode == VM_DENY ? " (not-allowlisted)" : "");
	else {
		lvl = r->list_level == STORE_LEVEL_ADDRESS ? "recipient "
		    "address level" : "domain level";
		snprintf(list, sizeof(list), "list %s%s: %s, rule e%lld "
		    "`%s %s %s`%s%s%s", verdict_list_name(r->list),
		    r->npins > 0 ? ", pinned" : "", lvl, (long long)r->rule_id,
		    r->rule_recipient, verdict_list_name(r->list),
		    r->rule_sender,
		    r->beat_domain ? "; the address entry beats the domain "
		    "entry" : "",
		    r->beat_allow ? "; same level and specificity: deny beats "
		    "allow" : "",
		    r->list_level == STORE_LEVEL_ADDRESS ? "; the domain level "
		    "is not consulted" : "");
	}
	snprintf(buf, bufsz, "%s; %s", mode, list);
}

size_t
store_count(const struct store *s)
{
	return s->rules->nmodes + s->rules->nentries;
}

const struct store_rule *
store_rule(const struct store *s, size_t i)
{
	if (i < s->rules->nmodes)
		return &s->rules->modes[i];
	i -= s->rules->nmodes;
	if (i < s->rules->nentries)
		return &s->rules->entries[i];
	return NULL;
}

int
store_version(const struct store *s)
{
	return s->version;
}
