/*
 * store.c: the policy store as senderkeyd reads it: a read-only SQLite
 * connection, the index of every rule it decides with (store_index.c,
 * loaded through store_snap.c), change detection with PRAGMA
 * data_version and the file's identity, the pins of specs/verdicts.md
 * 4.3 and a result in words.  The precedence of 4.2 is
 * store_index_eval's.  Never writes (store_writer.c does).
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
	struct store_index	*idx;
	struct store_rule	*list;	/* store_rule's, made on first call */
	size_t			 nlist;
};

const char *
store_errname(enum store_err e)
{
	static const char *const names[] = {
		"ok", "enoent", "eperm", "ecreate", "eio", "ecorrupt",
		"ebusy", "edata", "einternal", "eunavail",
	};

	if ((size_t)e < sizeof(names) / sizeof(names[0]))
		return names[e];
	return "?";
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

/* load: a new index of S's connection's rules, or NULL with ERR. */
static struct store_index *
load(struct store *s, char *err, size_t errsz)
{
	struct store_snap *sn;
	struct store_index *idx;

	sn = store_snap_load(s->db, &s->version, &s->data_version, err,
	    errsz);
	if (sn == NULL)
		return NULL;
	idx = store_snap_index(sn, err, errsz);
	store_snap_free(sn);
	return idx;
}

/* swap: IDX becomes S's index; the old one and its listing go. */
static void
swap(struct store *s, struct store_index *idx)
{
	store_index_free(s->idx);
	free(s->list);
	s->list = NULL;
	s->nlist = 0;
	s->idx = idx;
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
	if ((s->idx = load(s, why, sizeof(why))) == NULL) {
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
	swap(s, NULL);
	free(s->path);
	free(s);
}

/* reopen: S's file was replaced: a new connection and snapshot. */
static int
reopen(struct store *s, char *err, size_t errsz)
{
	struct store_index *nidx;
	sqlite3 *old = s->db;
	char why[STORE_ERR_MAX];

	s->db = NULL;
	if (open_ro(s, err, errsz) == -1) {
		s->db = old;
		return -1;
	}
	if ((nidx = load(s, why, sizeof(why))) == NULL) {
		sqlite3_close_v2(s->db);
		s->db = old;
		s->dev = 0;	/* try again next time */
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, why);
		return -1;
	}
	sqlite3_close_v2(old);
	swap(s, nidx);
	return 1;
}

int
store_poll(struct store *s, char *err, size_t errsz)
{
	struct stat st;
	struct store_index *nidx;
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
	if ((nidx = load(s, why, sizeof(why))) == NULL) {
		errstr_set(err, errsz, "%s: %s (keeping the rules loaded)",
		    s->path, why);
		return -1;
	}
	swap(s, nidx);
	return 1;
}

void
store_eval(const struct store *s, const struct addr *sender,
    const struct addr *recipient, const char *domain,
    struct store_result *r)
{
	store_index_eval(s->idx, s->default_mode, sender, recipient, domain,
	    r);
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
	return store_index_count(s->idx);
}

const struct store_rule *
store_rule(const struct store *s, size_t i)
{
	struct store *m = (struct store *)s;	/* the listing, made once */

	if (s->list == NULL && store_index_count(s->idx) > 0 &&
	    (m->list = store_index_list(s->idx, &m->nlist)) == NULL)
		return NULL;
	return i < s->nlist ? &s->list[i] : NULL;
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
	return store_index_has_entry(s->idx, recipient, sender);
}
