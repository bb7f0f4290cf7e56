/*
 * store.c: the policy store as senderkeyd reads it: a read-only SQLite
 * connection, the snapshot of every rule it decides with (store_snap.c),
 * change detection with PRAGMA data_version and the file's identity, and
 * what a recipient's rules mean: the precedence of specs/verdicts.md
 * section 4.2 and the pins of 4.3.  Never writes (store_writer.c does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "lib/addr.h"
#include "lib/errstr.h"
#include "store_int.h"

struct store {
	char			*path;
	sqlite3			*db;
	enum verdict_mode	 default_mode;
	long long		 data_version;
	dev_t			 dev;
	ino_t			 ino;
	int			 version;
	struct store_snap	*snap;
};

const char *
store_errname(enum store_err e)
{
	static const char *const names[] = {
		"ok", "enoent", "eperm", "ecreate", "eio", "ecorrupt",
		"ebusy", "edata", "einternal",
	};

	if ((size_t)e < sizeof(names) / sizeof(names[0]))
		return names[e];
	return "?";
}

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

/* open_ro: a read-only connection to S->path, a regular file. */
static int
open_ro(struct store *s, char *err, size_t errsz)
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

/* load: a new snapshot of S's connection, or NULL with ERR. */
static struct store_snap *
load(struct store *s, char *err, size_t errsz)
{
	return store_snap_load(s->db, &s->version, &s->data_version, err,
	    errsz);
}

struct store *
store_open(const char *path, enum verdict_mode default_mode, char *err,
    size_t errsz)
{
	struct store *s;
	char why[STORE_ERR_MAX];

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	s->default_mode = default_mode;
	if (open_ro(s, err, errsz) == -1)
		goto fail;
	if ((s->snap = load(s, why, sizeof(why))) == NULL) {
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
	store_snap_free(s->snap);
	free(s->path);
	free(s);
}

/* reopen: S's file was replaced: a new connection and snapshot. */
static int
reopen(struct store *s, char *err, size_t errsz)
{
	struct store_snap *nsn;
	sqlite3 *old = s->db;
	char why[STORE_ERR_MAX];

	s->db = NULL;
	if (open_ro(s, err, errsz) == -1) {
		s->db = old;
		return -1;
	}
	if ((nsn = load(s, why, sizeof(why))) == NULL) {
		sqlite3_close_v2(s->db);
		s->db = old;
		s->dev = 0;	/* try again next time */
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, why);
		return -1;
	}
	sqlite3_close_v2(old);
	store_snap_free(s->snap);
	s->snap = nsn;
	return 1;
}

int
store_poll(struct store *s, char *err, size_t errsz)
{
	struct stat st;
	struct store_snap *nsn;
	char why[STORE_ERR_MAX];
	long long v;

	if (stat(s->path, &st) == -1) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, strerror(errno));
		return -1;
	}
	if (st.st_dev != s->dev || st.st_ino != s->ino)
		return reopen(s, err, errsz);
	if (store_sql_int(s->db, "PRAGMA data_version", &v, 0) != SQLITE_OK) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (v == s->data_version)
		return 0;
	if ((nsn = load(s, why, sizeof(why))) == NULL) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, why);
		return -1;
	}
	store_snap_free(s->snap);
	s->snap = nsn;
	return 1;
}

/*
 * decide: the entries of (RCPT, SENDER) into R; 1 when there are any.
 */
static int
decide(const struct store_snap *sn, const char *rcpt, const char *sender,
    struct store_result *r)
{
	const struct store_rule *e, *deny = NULL, *allow = NULL;
	size_t i, npins = 0;
	int unpinned = 0;

	i = store_snap_find(sn->entries, sn->nentries, rcpt, sender);
	for (; i < sn->nentries; i++) {
		e = &sn->entries[i];
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
	r->recipient_invalid = 1;
	r->strict = store_snap_strict(s->snap, domain) ||
	    s->default_mode == VM_DENY;
	r->mode = r->strict ? VM_DENY : VM_ALLOW;
}

void
store_eval(const struct store *s, const struct addr *sender,
    const struct addr *recipient, const char *domain,
    struct store_result *r)
{
	const struct store_snap *sn = s->snap;
	char rlevel[2][STORE_TARGET_MAX], sdom[STORE_TARGET_MAX];
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
		k = store_snap_find(sn->modes, sn->nmodes, rlevel[i], NULL);
		if (k < sn->nmodes) {
			r->mode = sn->modes[k].mode;
			r->mode_id = sn->modes[k].id;
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
			if (!decide(sn, rlevel[i], spec[j], r))
				continue;
			r->list_level = i == 0 ? STORE_LEVEL_ADDRESS :
			    STORE_LEVEL_DOMAIN;
			r->by_domain = j == 1;
			r->beat_domain = j == 0 && store_snap_find(sn->entries,
			    sn->nentries, rlevel[i], sdom) < sn->nentries;
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

/* user_explain: the list part of store_explain for a user entry. */
static void
user_explain(const struct store_result *r, char *buf, size_t bufsz)
{
	char when[32];
	struct tm tm;
	time_t t = (time_t)r->user_created;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	snprintf(buf, bufsz, "list %s%s: recipient address level, user entry "
	    "(%s %s) `%s %s %s`%s; the domain level is not consulted",
	    verdict_list_name(r->list), r->npins > 0 ? ", pinned" : "",
	    store_uentry_source_name((enum store_usource)r->user_source), when,
	    r->rule_recipient, verdict_list_name(r->list), r->rule_sender,
	    r->beat_domain ? "; the address entry beats the domain entry" :
	    "");
}

void
store_explain(const struct store_result *r, char *buf, size_t bufsz)
{
	char mode[STORE_TARGET_MAX + 64], list[2 * STORE_TARGET_MAX + 256];
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
	else if (r->by_user)
		user_explain(r, list, sizeof(list));
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
	return s->snap->nmodes + s->snap->nentries;
}

const struct store_rule *
store_rule(const struct store *s, size_t i)
{
	if (i < s->snap->nmodes)
		return &s->snap->modes[i];
	i -= s->snap->nmodes;
	if (i < s->snap->nentries)
		return &s->snap->entries[i];
	return NULL;
}

int
store_version(const struct store *s)
{
	return s->version;
}

int
store_has_entry(const struct store *s, const char *recipient,
    const char *sender)
{
	return store_snap_find(s->snap->entries, s->snap->nentries, recipient,
	    sender) < s->snap->nentries;
}
