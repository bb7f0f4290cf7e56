/*
 * store.c: the store senderkeyd and the CLI decide with: the index of
 * every rule (store_index.c) and what DefaultMode is, the pins of
 * specs/verdicts.md 4.3 and a result in words.  The precedence of 4.2 is
 * store_index_eval's.  Reading the rules is store_reader.c's (a whole
 * store at once; senderkeyd's reader thread then keeps it current with
 * store_apply and store_swap); writing them is store_writer.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/errstr.h"
#include "store_int.h"

struct store {
	enum verdict_mode	 default_mode;
	int			 version;	/* the schema read */
	int			 unread;	/* no rules read yet */
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

/* unlist: drop the listing made by store_rule (the index changed). */
static void
unlist(struct store *s)
{
	free(s->list);
	s->list = NULL;
	s->nlist = 0;
}

struct store *
store_make(struct store_index *idx, enum verdict_mode default_mode,
    int version)
{
	struct store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->default_mode = default_mode;
	s->version = version;
	s->idx = idx;
	return s;
}

struct store *
store_unread(enum verdict_mode default_mode)
{
	struct store_index *idx;
	struct store *s;

	if ((idx = store_index_new()) == NULL)
		return NULL;
	if ((s = store_make(idx, default_mode, 0)) == NULL) {
		store_index_free(idx);
		return NULL;
	}
	s->unread = 1;
	return s;
}

int
store_is_unread(const struct store *s)
{
	return s->unread;
}

struct store_index *
store_get_index(struct store *s)
{
	unlist(s);	/* the caller changes it */
	return s->idx;
}

void
store_swap(struct store *live, struct store *fresh)
{
	struct store_index *idx = live->idx;

	unlist(live);
	unlist(fresh);
	live->idx = fresh->idx;
	live->version = fresh->version;
	live->unread = fresh->unread;
	fresh->idx = idx;
}

int
store_is_pg(const char *spec)
{
	return store_db_is_pg(spec);
}

/* set_pair: the store_pair_cb of store_apply. */
static int
set_pair(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	return store_index_set(arg, rcpt, sender, rows, n);
}

int
store_apply(struct store *s, const struct store_delta *d)
{
	unlist(s);
	return store_delta_each(d, set_pair, s->idx);
}

struct store *
store_load(const char *spec, const char *passfile,
    enum verdict_mode default_mode, enum store_err *e, char *err,
    size_t errsz)
{
	struct store_reader *r;
	struct store *s;

	if ((r = store_reader_open(spec, passfile, e, err, errsz)) == NULL)
		return NULL;
	if ((s = store_reader_full(r, default_mode)) == NULL) {
		if (e != NULL)
			*e = store_reader_errcode(r);
		errstr_set(err, errsz, "%s: %s", spec, store_reader_error(r));
	}
	store_reader_free(r);
	return s;
}

struct store *
store_open(const char *path, enum verdict_mode default_mode, char *err,
    size_t errsz)
{
	return store_load(path, NULL, default_mode, NULL, err, errsz);
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	unlist(s);
	store_index_free(s->idx);
	free(s);
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
