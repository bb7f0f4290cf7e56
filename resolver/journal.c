/*
 * journal.c: the decision journal of senderkeyd (journal.h).  Two
 * aggregates: the loop adds to CUR; a flush hands CUR to the writer
 * thread as BATCH and takes the thread's empty one.  The thread writes
 * BATCH in one transaction and empties it; when the write fails it keeps
 * BATCH and the next flush asks again, while the loop goes on adding to
 * CUR.  Everything the two threads share is under MU; the loop only
 * reads the outcome of a write (and logs it) at its next flush, so the
 * thread never logs.  The wall clock is read once per flush; decisions
 * are stamped from the loop's monotonic clock in between.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "lib/errstr.h"
#include "jagg.h"
#include "journal.h"
#include "log.h"
#include "loop.h"

struct journal {
	struct loop		*loop;
	struct log		*log;
	struct loop_timer	*timer;
	struct store_journal	*sj;
	unsigned		 days;
	unsigned		 flush_ms;
	uint64_t		 max_rows;
	/* the loop's alone */
	struct jagg		*cur;
	int64_t			 wall0;		/* Unix time at mono0 */
	uint64_t		 mono0;		/* loop ms */
	int			 logged_fail;	/* the outage is logged */
	uint64_t		 dropped;	/* since the last log line */
	/* shared, under mu */
	pthread_mutex_t		 mu;
	pthread_cond_t		 wake, done;
	pthread_t		 th;
	int			 started;
	struct jagg		*spare;		/* empty, NULL while handed */
	struct jagg		*batch;		/* to write, or kept */
	int			 go, busy, stop;
	int64_t			 now;		/* of the asked write */
	uint64_t		 tries;		/* writes finished */
	int			 failing;	/* the last write failed */
	char			 why[STORE_ERR_MAX];
};

static void *
writer(void *arg)
{
	struct journal *j = arg;
	const struct store_jrow *rows;
	struct jagg *b;
	size_t n;
	int64_t now;
	int rc;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->go && !j->stop)
			pthread_cond_wait(&j->wake, &j->mu);
		if (!j->go)
			break;
		j->go = 0;
		j->busy = 1;
		b = j->batch;
		now = j->now;
		pthread_mutex_unlock(&j->mu);
		rows = jagg_rows(b, &n);
		rc = store_journal_write(j->sj, rows, n, now, j->days,
		    j->max_rows, NULL, NULL);
		pthread_mutex_lock(&j->mu);
		j->busy = 0;
		if (rc == 0) {
			jagg_clear(b);
			j->spare = b;
			j->batch = NULL;
			j->failing = 0;
		} else {
			j->failing = 1;
			snprintf(j->why, sizeof(j->why), "%s",
			    store_journal_error(j->sj));
		}
		j->tries++;
		pthread_cond_broadcast(&j->done);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* clock_base: the wall clock read once, tied to the loop's. */
static void
clock_base(struct journal *j)
{
	j->wall0 = (int64_t)time(NULL);
	j->mono0 = loop_now(j->loop);
}

/*
 * hand: under MU, log what the last write did, then give CUR to the
 * thread when it holds nothing (or ask it again for a kept batch).
 * Returns 1 when a write was asked, 0 when none was.
 */
static int
hand(struct journal *j)
{
	size_t n, kept = 0;

	clock_base(j);
	if (j->failing && !j->logged_fail) {
		if (j->batch != NULL)
			jagg_rows(j->batch, &kept);
		log_msg(j->log, LOG_ERR, "journal: not written: %s; %zu "
		    "decision keys kept, tried again every %u ms", j->why,
		    kept, j->flush_ms);
		j->logged_fail = 1;
	} else if (!j->failing && j->logged_fail) {
		log_msg(j->log, LOG_INFO, "journal: written again");
		j->logged_fail = 0;
	}
	j->dropped += jagg_take_dropped(j->cur);
	if (j->dropped > 0) {
		log_msg(j->log, LOG_WARNING, "journal: %llu decisions "
		    "dropped: aggregate full", (unsigned long long)j->dropped);
		j->dropped = 0;
	}
	if (j->busy)
		return 0;
	jagg_rows(j->cur, &n);
	if (j->batch == NULL && n > 0) {
		j->batch = j->cur;
		j->cur = j->spare;
		j->spare = NULL;
	}
	if (j->batch == NULL)
		return 0;
	j->now = j->wall0;
	j->go = 1;
	pthread_cond_signal(&j->wake);
	return 1;
}

static void
on_timer(void *arg)
{
	struct journal *j = arg;

	pthread_mutex_lock(&j->mu);
	hand(j);
	pthread_mutex_unlock(&j->mu);
	if (loop_timer_set(j->timer, j->flush_ms) == -1)
		log_msg(j->log, LOG_ERR, "journal: cannot re-arm the flush "
		    "timer; no more flushes until shutdown");
}

/* seen_in: ROWS (N) of RECIPIENT and SENDER, dir in, into *SEEN(_KEY). */
static void
seen_in(const struct store_jrow *rows, size_t n, const char *recipient,
    const char *sender, const unsigned char *key, int *seen, int *seen_key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rows[i].dir != STORE_JIN ||
		    strcmp(rows[i].recipient, recipient) != 0 ||
		    strcmp(rows[i].sender, sender) != 0)
			continue;
		*seen = 1;
		if (key != NULL && rows[i].has_pin &&
		    memcmp(rows[i].pin, key, STORE_FP_LEN) == 0)
			*seen_key = 1;
	}
}

int
journal_seen(struct journal *j, const char *recipient, const char *sender,
    const unsigned char *key, int *seen, int *seen_key, char *err,
    size_t errsz)
{
	const struct store_jrow *agg;
	struct store_jrow *rows = NULL;
	size_t n = 0;
	int64_t since;
	int rc = 0;

	*seen = *seen_key = 0;
	agg = jagg_rows(j->cur, &n);
	seen_in(agg, n, recipient, sender, key, seen, seen_key);
	pthread_mutex_lock(&j->mu);
	while (j->busy)		/* the thread owns SJ and BATCH meanwhile */
		pthread_cond_wait(&j->done, &j->mu);
	if (j->batch != NULL) {
		agg = jagg_rows(j->batch, &n);
		seen_in(agg, n, recipient, sender, key, seen, seen_key);
	}
	since = (int64_t)time(NULL) - (int64_t)j->days * 86400;
	if ((!*seen || (key != NULL && !*seen_key)) &&
	    store_journal_read(j->sj, recipient, STORE_JIN, since, &rows,
	    &n) == 0) {
		seen_in(rows, n, recipient, sender, key, seen, seen_key);
		free(rows);
	} else if (!*seen || (key != NULL && !*seen_key)) {
		errstr_set(err, errsz, "%s", store_journal_error(j->sj));
		rc = -1;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int
journal_flush(struct journal *j)
{
	uint64_t target;
	int rc = 0;

	pthread_mutex_lock(&j->mu);
	while (j->busy)
		pthread_cond_wait(&j->done, &j->mu);
	target = j->tries + 1;
	if (hand(j)) {
		while (j->tries < target)
			pthread_cond_wait(&j->done, &j->mu);
		rc = j->failing ? -1 : 0;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

struct journal *
journal_new(struct loop *l, struct log *lg, const char *path, unsigned days,
    uint64_t max_rows, uint64_t rcpt_rows, unsigned flush_ms, char *err,
    size_t errsz)
{
	struct journal *j;
	int rc;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	j->loop = l;
	j->log = lg;
	j->days = days;
	j->max_rows = max_rows;
	j->flush_ms = flush_ms;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->wake, NULL);
	pthread_cond_init(&j->done, NULL);
	if ((j->sj = store_journal_open(path, STORE_CREATE, NULL, err,
	    errsz)) == NULL)
		goto fail;
	store_journal_set_rcpt_max(j->sj, rcpt_rows);
	if ((j->cur = jagg_new(JOURNAL_PENDING)) == NULL ||
	    (j->spare = jagg_new(JOURNAL_PENDING)) == NULL ||
	    (j->timer = loop_timer_new(l, on_timer, j)) == NULL ||
	    loop_timer_set(j->timer, j->flush_ms) == -1) {
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	if ((rc = pthread_create(&j->th, NULL, writer, j)) != 0) {
		errstr_set(err, errsz, "cannot start its thread: %s",
		    strerror(rc));
		goto fail;
	}
	j->started = 1;
	clock_base(j);
	return j;
fail:
	journal_free(j);
	return NULL;
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->started) {
		if (journal_flush(j) == -1)
			log_msg(j->log, LOG_ERR, "journal: the last batch "
			    "was not written: %s", j->why);
		pthread_mutex_lock(&j->mu);
		j->stop = 1;
		j->go = 0;
		pthread_cond_signal(&j->wake);
		pthread_mutex_unlock(&j->mu);
		pthread_join(j->th, NULL);
	}
	loop_timer_free(j->timer);
	jagg_free(j->cur);
	jagg_free(j->spare);
	jagg_free(j->batch);
	store_journal_free(j->sj);
	pthread_cond_destroy(&j->wake);
	pthread_cond_destroy(&j->done);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

void
journal_note(struct journal *j, const char *recipient, const char *sender,
    enum verdict_sig sig, const struct verdict_output *v,
    const unsigned char *key)
{
	struct jagg_key k;
	int64_t now;

	k.dir = STORE_JIN;
	k.recipient = recipient;
	k.sender = sender;
	k.sig = sig;
	k.verdict = v->verdict;
	k.reason = v->reason;
	k.tag = v->tag;
	k.pin = v->verdict == VERDICT_AUTHORIZED && sig == VSIG_PASS ? key :
	    NULL;
	now = j->wall0 + (int64_t)((loop_now(j->loop) - j->mono0) / 1000);
	jagg_add(j->cur, &k, now);
}

void
journal_note_out(struct journal *j, const char *user, const char *peer,
    const struct verdict_output *v)
{
	struct jagg_key k;
	int64_t now;

	k.dir = STORE_JOUT;
	k.recipient = user;
	k.sender = peer;
	k.sig = VSIG_UNKNOWN;
	k.verdict = v->verdict;
	k.reason = v->reason;
	k.tag = v->tag;
	k.pin = NULL;
	now = j->wall0 + (int64_t)((loop_now(j->loop) - j->mono0) / 1000);
	jagg_add(j->cur, &k, now);
}
