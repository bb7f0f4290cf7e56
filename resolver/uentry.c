/*
 * uentry.c: senderkeyd's user entries (uentry.h): every user entry of
 * the journal file in memory, as an array of pointers sorted by
 * recipient then sender (binary search on the request path), written
 * through core/store_uentry.c on the daemon's own connection, and loaded
 * again when another writer changed them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <syslog.h>

#include "lib/errstr.h"
#include "log.h"
#include "uentry.h"

struct uentry {
	struct store_journal	*j;
	const struct store	*store;		/* KEEP's rules; NULL: none */
	uint64_t		 max;
	struct store_uentry	**e;		/* by recipient, sender */
	size_t			 n;
	long long		 dv;		/* data_version seen */
	long long		 stamp[2];	/* store_uentry_stamp seen */
	int			 stale;		/* reload at the next poll */
	struct log		*lg;
	char			 err[STORE_ERR_MAX]; /* the failure logged */
};

/* drop: the N entries of A and A itself. */
static void
drop(struct store_uentry **a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

/*
 * boxed: the N entries of A (store_uentry_load's) as an array of
 * pointers in *OUT.  0, or -1 when memory is short.
 */
static int
boxed(const struct store_uentry *a, size_t n, struct store_uentry ***out)
{
	struct store_uentry **p;
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((p = calloc(n, sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((p[i] = malloc(sizeof(*p[i]))) == NULL) {
			drop(p, i);
			return -1;
		}
		*p[i] = a[i];
	}
	*out = p;
	return 0;
}

/*
 * range: the index of the first entry of RECIPIENT (and SENDER, when not
 * NULL) in U, or where it would go; *END past its last.
 */
static size_t
range(const struct uentry *u, const char *recipient, const char *sender,
    size_t *end)
{
	size_t lo = 0, hi = u->n, mid, first;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(u->e[mid]->recipient, recipient);
		if (c == 0 && sender != NULL)
			c = strcmp(u->e[mid]->sender, sender);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < u->n && strcmp(u->e[lo]->recipient, recipient) == 0 &&
	    (sender == NULL || strcmp(u->e[lo]->sender, sender) == 0))
		lo++;
	*end = lo;
	return first;
}

/* load_all: every user entry of U's file in place of U's; 0 or -1. */
static int
load_all(struct uentry *u, char *err, size_t errsz)
{
	struct store_uentry *a = NULL, **p = NULL;
	long long dv = 0, stamp[2];
	size_t n = 0;

	if (store_journal_data_version(u->j, &dv) == -1 ||
	    store_uentry_stamp(u->j, stamp) == -1 ||
	    store_uentry_load(u->j, NULL, &a, &n) == -1) {
		errstr_set(err, errsz, "user entries: %s",
		    store_journal_error(u->j));
		return -1;
	}
	if (boxed(a, n, &p) == -1) {
		free(a);
		errstr_set(err, errsz, "user entries: out of memory");
		return -1;
	}
	free(a);
	drop(u->e, u->n);
	u->e = p;
	u->n = n;
	u->dv = dv;
	memcpy(u->stamp, stamp, sizeof(u->stamp));
	u->stale = 0;
	return 0;
}

struct uentry *
uentry_new(const char *path, uint64_t max, const struct store *st,
    struct log *lg)
{
	struct uentry *u;
	char why[STORE_ERR_MAX];

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		log_msg(lg, LOG_ERR, "user entries off: out of memory");
		return NULL;
	}
	u->max = max;
	u->store = st;
	u->lg = lg;
	if ((u->j = store_journal_open(path, STORE_CREATE, NULL, why,
	    sizeof(why))) == NULL)
		goto fail;
	store_journal_set_busy(u->j, UENTRY_BUSY_MS);
	if (load_all(u, why, sizeof(why)) == -1)
		goto fail;
	log_msg(lg, LOG_INFO, "user entries: path=%s entries=%zu "
	    "max_per_recipient=%llu", path, u->n, (unsigned long long)max);
	return u;
fail:
	log_msg(lg, LOG_ERR, "user entries off: %s", why);
	uentry_free(u);
	return NULL;
}

void
uentry_free(struct uentry *u)
{
	if (u == NULL)
		return;
	store_journal_free(u->j);
	drop(u->e, u->n);
	free(u);
}

void
uentry_set_store(struct uentry *u, const struct store *st)
{
	if (u != NULL)
		u->store = st;
}

void
uentry_set_max(struct uentry *u, uint64_t max)
{
	if (u != NULL)
		u->max = max;
}

const struct store_uentry *
uentry_find(const struct uentry *u, const char *recipient,
    const char *sender)
{
	size_t i, end;

	if (u == NULL || recipient == NULL || sender == NULL)
		return NULL;
	i = range(u, recipient, sender, &end);
	return i < end ? u->e[i] : NULL;
}

/*
 * refresh: RECIPIENT's entries of U read again from the file (after a
 * commit of ours: a put, and the pairs the bound dropped).  When that
 * fails, the whole set is read at the next poll.
 */
static void
refresh(struct uentry *u, const char *recipient)
{
	struct store_uentry *a = NULL, **p = NULL, **na;
	long long dv, stamp[2];
	size_t n = 0, lo, hi, i;

	if (store_uentry_load(u->j, recipient, &a, &n) == -1 ||
	    boxed(a, n, &p) == -1)
		goto stale;
	free(a);
	a = NULL;
	lo = range(u, recipient, NULL, &hi);
	if (u->n - (hi - lo) + n == 0)
		na = NULL;
	else if ((na = calloc(u->n - (hi - lo) + n, sizeof(*na))) == NULL)
		goto stale;
	for (i = lo; i < hi; i++)
		free(u->e[i]);
	if (na != NULL) {	/* u->e and p are NULL when empty */
		if (lo > 0)
			memcpy(na, u->e, lo * sizeof(*na));
		if (n > 0)
			memcpy(na + lo, p, n * sizeof(*na));
		if (u->n > hi)
			memcpy(na + lo + n, u->e + hi,
			    (u->n - hi) * sizeof(*na));
	}
	free(u->e);
	free(p);
	u->e = na;
	u->n = u->n - (hi - lo) + n;
	/*
	 * Our own commit does not change data_version.  When it is still
	 * the one seen (read after the stamp), no other writer committed
	 * since the last load, so the stamp now is ours; else reload.
	 */
	if (store_uentry_stamp(u->j, stamp) == -1 ||
	    store_journal_data_version(u->j, &dv) == -1 || dv != u->dv)
		u->stale = 1;
	else
		memcpy(u->stamp, stamp, sizeof(u->stamp));
	return;
stale:
	free(a);
	drop(p, n);
	u->stale = 1;
}

/* unique: the distinct fingerprints of PINS (N) into OUT; how many. */
static size_t
unique(const unsigned char (*pins)[STORE_FP_LEN], size_t n,
    unsigned char (*out)[STORE_FP_LEN], size_t max, int *over)
{
	size_t i, k, got = 0;

	*over = 0;
	for (i = 0; i < n; i++) {
		for (k = 0; k < got; k++)
			if (memcmp(out[k], pins[i], STORE_FP_LEN) == 0)
				break;
		if (k < got)
			continue;
		if (got == max) {
			*over = 1;
			break;
		}
		memcpy(out[got++], pins[i], STORE_FP_LEN);
	}
	return got;
}

int
uentry_put(struct uentry *u, const char *recipient, const char *sender,
    enum store_action action, const unsigned char (*pins)[STORE_FP_LEN],
    size_t npins, enum uentry_source src, int keep, char *err, size_t errsz)
{
	struct store_uentry ue;
	int over = 0, rc;

	memset(&ue, 0, sizeof(ue));
	if (u == NULL) {
		errstr_set(err, errsz, "user entries are off (JournalDays 0)");
		return -1;
	}
	if (recipient == NULL || sender == NULL ||
	    store_canon_is(recipient) != STORE_T_ADDR ||
	    store_canon_is(sender) != STORE_T_ADDR) {
		errstr_set(err, errsz, "user entry: not a canonical mailbox "
		    "and sender address");
		return -1;
	}
	memcpy(ue.recipient, recipient, strlen(recipient) + 1);
	memcpy(ue.sender, sender, strlen(sender) + 1);
	ue.action = action;
	ue.source = src == UENTRY_SENT ? STORE_US_SENT : STORE_US_IMAP;
	ue.created = (int64_t)time(NULL);
	if (action == STORE_ALLOW && pins != NULL)
		ue.npins = unique(pins, npins, ue.pins, STORE_MAX_PINS, &over);
	if (over) {
		errstr_set(err, errsz, "user entry: more than %d keys to pin",
		    STORE_MAX_PINS);
		return -1;
	}
	if (keep && u->store != NULL && store_is_unread(u->store)) {
		/* whether the operator's rules name the pair is unknown */
		errstr_set(err, errsz, "user entry not written: the policy "
		    "store has not been read yet");
		return -1;
	}
	if (keep && u->store != NULL && store_has_entry(u->store, recipient,
	    sender))
		return 1;
	if ((rc = store_uentry_put(u->j, &ue, keep, u->max, NULL)) == -1) {
		errstr_set(err, errsz, "user entry not written: %s",
		    store_journal_error(u->j));
		return -1;
	}
	if (rc == 0)
		refresh(u, recipient);
	return rc;
}

/* poll: uentry_poll without the logging; the failure in ERR. */
static int
poll(struct uentry *u, char *err, size_t errsz)
{
	long long dv, stamp[2];

	if (store_journal_data_version(u->j, &dv) == -1) {
		errstr_set(err, errsz, "user entries: %s",
		    store_journal_error(u->j));
		return -1;
	}
	if (dv == u->dv && !u->stale)
		return 0;
	if (store_uentry_stamp(u->j, stamp) == -1) {
		errstr_set(err, errsz, "user entries: %s",
		    store_journal_error(u->j));
		return -1;
	}
	if (!u->stale && stamp[0] == u->stamp[0] && stamp[1] == u->stamp[1]) {
		u->dv = dv;	/* the decision journal's batch, not ours */
		return 0;
	}
	return load_all(u, err, errsz) == -1 ? -1 : 1;
}

int
uentry_poll(struct uentry *u)
{
	char err[STORE_ERR_MAX] = "";
	int rc;

	if (u == NULL)
		return 0;
	if ((rc = poll(u, err, sizeof(err))) == 1)
		log_msg(u->lg, LOG_INFO, "user entries reloaded: entries=%zu",
		    u->n);
	if (rc == -1 && strcmp(err, u->err) != 0)
		log_msg(u->lg, LOG_ERR, "%s; the user entries loaded before "
		    "stay in use", err);
	else if (rc != -1 && u->err[0] != '\0')
		log_msg(u->lg, LOG_INFO, "user entries readable again");
	memcpy(u->err, err, sizeof(u->err));
	return rc;
}

size_t
uentry_count(const struct uentry *u)
{
	return u->n;
}
