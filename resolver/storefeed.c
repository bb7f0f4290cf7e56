/*
 * storefeed.c: senderkeyd's reader thread for the policy store
 * (storefeed.h).  The thread alone uses the store_reader; the loop alone
 * uses the live store.  Between them, under MU: a queue of what the
 * thread read (a delta, or a whole new store), the stores the loop is
 * done with (for the thread to free: freeing millions of rules must not
 * pause the loop either), and the thread's state (failing, why, when the
 * rules were last confirmed current).  Each side wakes the other through
 * a pipe; the thread also sleeps on the database's descriptor
 * (PostgreSQL notifications).  The thread never logs: the loop logs
 * what the thread's state says, once per change of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/errstr.h"
#include "log.h"
#include "loop.h"
#include "storefeed.h"

/* One thing read by the thread: a whole store, or a delta. */
struct fmsg {
	struct fmsg		*next;
	struct store		*full;
	struct store_delta	*delta;
};

struct storefeed {
	struct loop		*loop;
	struct log		*log;
	struct store		*live;
	char			*spec;
	enum verdict_mode	 mode;
	int			 to_loop[2];	/* the thread wakes the loop */
	int			 to_thread[2];	/* the loop wakes the thread */
	pthread_t		 th;
	int			 started;
	/* the thread's alone */
	struct store_reader	*r;
	int			 need_full;
	/* shared, under mu */
	pthread_mutex_t		 mu;
	struct fmsg		*head, **tail;
	struct fmsg		*trash;		/* stores to free */
	int			 stop;
	int			 want_full;	/* the loop asks a reload */
	int			 failing;
	char			 why[STORE_ERR_MAX];
	int64_t			 confirmed;	/* Unix time */
	/* the loop's alone */
	int			 logged_fail;
	int64_t			 fail_at;
	int64_t			 since;		/* started, Unix time */
	uint64_t		 updates, reloads;
	void			(*on_first)(void *, int, const char *);
	void			*first_arg;	/* on_first's */
	struct loop_timer	*first_t;	/* calls it, off on_wake */
	int			 first_told;	/* the first read is over */
	int			 first_ok;
	char			 first_why[STORE_ERR_MAX];
};

/* poke: one octet into pipe FD[1]; a full pipe wakes the reader anyway. */
static void
poke(const int fd[2])
{
	ssize_t n;

	do
		n = write(fd[1], "x", 1);
	while (n == -1 && errno == EINTR);
}

/* drain: empty pipe FD[0]. */
static void
drain(const int fd[2])
{
	char buf[64];

	while (read(fd[0], buf, sizeof(buf)) > 0)
		;
}

static void
fmsg_free(struct fmsg *m)
{
	struct fmsg *next;

	for (; m != NULL; m = next) {
		next = m->next;
		store_free(m->full);
		store_delta_free(m->delta);
		free(m);
	}
}

/* --- the first load --- */

static enum verdict_mode
cfg_mode(const struct config *cfg)
{
	return cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY : VM_ALLOW;
}

/*
 * from_copy: CFG's PolicyStoreCopy into *OUT, with a reader that resumes
 * at the copy's position (connected later) in *READER and the time the
 * copy was last current in *LOADED.  0, or -1 with ERR set.
 */
static int
from_copy(const struct config *cfg, struct store **out,
    struct store_reader **reader, int64_t *loaded, char *err, size_t errsz)
{
	struct store_pos pos;

	if ((*out = store_copy_load(cfg->policy_store_copy, cfg_mode(cfg),
	    &pos, loaded, NULL, err, errsz)) == NULL)
		return -1;
	if ((*reader = store_reader_new(cfg->policy_store,
	    cfg->policy_store_passfile)) == NULL) {
		store_free(*out);
		*out = NULL;
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	store_reader_resume(*reader, &pos);
	return 0;
}

int
storefeed_load(const struct config *cfg, struct log *lg, struct store **out,
    struct store_reader **reader, int64_t *loaded, char *err, size_t errsz)
{
	enum store_err e = STORE_OK;
	char why[512], cwhy[256];

	*out = NULL;
	*reader = NULL;
	*loaded = (int64_t)time(NULL);
	if (cfg->policy_store == NULL)
		return 0;
	if ((*reader = store_reader_open(cfg->policy_store,
	    cfg->policy_store_passfile, &e, why, sizeof(why))) != NULL &&
	    (*out = store_reader_full(*reader, cfg_mode(cfg))) == NULL) {
		e = store_reader_errcode(*reader);
		snprintf(why, sizeof(why), "%s", store_reader_error(*reader));
		store_reader_free(*reader);
		*reader = NULL;
	}
	if (*out != NULL)
		return 0;
	if (e == STORE_EUNAVAIL && cfg->policy_store_copy != NULL) {
		if (from_copy(cfg, out, reader, loaded, cwhy,
		    sizeof(cwhy)) == 0) {
			log_msg(lg, LOG_WARNING, "PolicyStore %s: %s; "
			    "starting from PolicyStoreCopy %s, current %lld "
			    "s ago", cfg->policy_store, why,
			    cfg->policy_store_copy,
			    (long long)((int64_t)time(NULL) - *loaded));
			return 0;
		}
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
		    "; PolicyStoreCopy %s: %s", cfg->policy_store_copy, cwhy);
	}
	if (e == STORE_EUNAVAIL && cfg->policy_store_tempfail &&
	    (*out = store_unread(cfg_mode(cfg))) != NULL) {
		if ((*reader = store_reader_new(cfg->policy_store,
		    cfg->policy_store_passfile)) != NULL) {
			log_msg(lg, LOG_WARNING, "PolicyStore %s: %s; starting "
			    "without rules (PolicyStoreUnreachable tempfail): "
			    "every recipient gets a temporary failure until "
			    "the store is read", cfg->policy_store, why);
			return 0;
		}
		store_free(*out);
		*out = NULL;
		snprintf(why, sizeof(why), "out of memory");
	}
	if (snprintf(err, errsz, "PolicyStore %s: %s", cfg->policy_store,
	    why) >= (int)errsz && errsz > 4)
		memcpy(err + errsz - 4, "...", 4);	/* truncated */
	return -1;
}

/* --- the thread --- */

/* post: hand FULL or DELTA to the loop (both NULL: the state changed). */
static void
post(struct storefeed *f, struct store *full, struct store_delta *delta,
    int failing)
{
	struct fmsg *m = NULL;
	int oom = 0, wake = 0;

	if ((full != NULL || delta != NULL) &&
	    (m = calloc(1, sizeof(*m))) == NULL) {
		/* out of memory: drop it and read everything again later */
		store_free(full);
		store_delta_free(delta);
		f->need_full = 1;
		failing = oom = 1;
	}
	pthread_mutex_lock(&f->mu);
	if (m != NULL) {
		m->full = full;
		m->delta = delta;
		*f->tail = m;
		f->tail = &m->next;
	}
	if (failing) {
		snprintf(f->why, sizeof(f->why), "%s", oom ?
		    "out of memory" : store_reader_error(f->r));
	} else
		f->confirmed = (int64_t)time(NULL);
	if (m != NULL || failing != f->failing) {
		f->failing = failing;
		wake = 1;
	}
	pthread_mutex_unlock(&f->mu);
	if (wake)	/* not under MU: this thread runs at nice 19 */
		poke(f->to_loop);
}

/* step: one read of the store: a whole one when due, else the changes. */
static void
step(struct storefeed *f)
{
	struct store_delta *d = NULL;
	struct store *s;
	int rc;

	if (!f->need_full) {
		rc = store_reader_poll(f->r, &d);
		if (rc == -1) {
			post(f, NULL, NULL, 1);
			return;
		}
		if (rc != 2) {
			post(f, NULL, d, 0);
			return;
		}
		f->need_full = 1;
	}
	if ((s = store_reader_full(f->r, f->mode)) == NULL) {
		post(f, NULL, NULL, 1);
		return;
	}
	f->need_full = 0;
	post(f, s, NULL, 0);
}

/* sleep_until_due: until the loop pokes, a notification, or the timeout. */
static void
sleep_until_due(struct storefeed *f, int failing)
{
	struct pollfd pfd[2];
	int fd, ms, n = 1;

	pfd[0].fd = f->to_thread[0];
	pfd[0].events = POLLIN;
	fd = failing ? -1 : store_reader_fd(f->r);
	if (fd >= 0) {
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		n = 2;
	}
	ms = failing ? STOREFEED_RETRY_MS : fd >= 0 ? STOREFEED_CATCHUP_MS :
	    STOREFEED_POLL_MS;
	if (poll(pfd, (nfds_t)n, ms) > 0 && (pfd[0].revents & POLLIN))
		drain(f->to_thread);
}

static void *
reader(void *arg)
{
	struct storefeed *f = arg;
	struct fmsg *trash;
	int stop, failing;

	(void)loop_background();	/* best effort: answers first */

	for (;;) {
		pthread_mutex_lock(&f->mu);
		stop = f->stop;
		trash = f->trash;
		f->trash = NULL;
		if (f->want_full)
			f->need_full = 1;
		f->want_full = 0;
		pthread_mutex_unlock(&f->mu);
		fmsg_free(trash);
		if (stop)
			break;
		step(f);
		pthread_mutex_lock(&f->mu);
		failing = f->failing;
		pthread_mutex_unlock(&f->mu);
		sleep_until_due(f, failing);
	}
	return NULL;
}

/* --- the loop --- */

/* apply: M's delta or store into the live store; M's old store to TRASH. */
static int
apply(struct storefeed *f, struct fmsg *m)
{
	if (m->full != NULL) {
		if (store_is_unread(f->live) && f->on_first != NULL)
			;	/* a reload's: it says what it takes */
		else if (store_is_unread(f->live))
			log_msg(f->log, LOG_INFO, "policy store read: path=%s "
			    "rules=%zu after %lld s; deciding with it from now "
			    "on", f->spec, store_count(m->full),
			    (long long)((int64_t)time(NULL) - f->since));
		else {
			f->reloads++;
			log_msg(f->log, LOG_INFO, "policy store reloaded: "
			    "path=%s rules=%zu", f->spec,
			    store_count(m->full));
		}
		store_swap(f->live, m->full);	/* M->full now holds the old */
		return 1;
	}
	if (store_apply(f->live, m->delta) == -1) {
		log_msg(f->log, LOG_ERR, "policy store %s: out of memory "
		    "applying a change; reading it all again", f->spec);
		pthread_mutex_lock(&f->mu);
		f->want_full = 1;
		pthread_mutex_unlock(&f->mu);
		poke(f->to_thread);
		return 0;
	}
	f->updates++;
	log_msg(f->log, LOG_INFO, "policy store updated: path=%s pairs=%zu "
	    "rules=%zu", f->spec, store_delta_pairs(m->delta),
	    store_count(f->live));
	return 0;
}

/* state: log the thread's state when it changed since the last line. */
static void
state(struct storefeed *f, int failing, const char *why, int64_t confirmed)
{
	int64_t now = (int64_t)time(NULL);

	if (store_is_unread(f->live) && f->on_first != NULL)
		return;		/* a reload's: on_first says it failed */
	if (failing && !f->logged_fail && store_is_unread(f->live)) {
		log_msg(f->log, LOG_ERR, "policy store %s: %s; still no "
		    "rules after %lld s: trying again every %d s", f->spec,
		    why, (long long)(now - f->since),
		    STOREFEED_RETRY_MS / 1000);
		f->logged_fail = 1;
		f->fail_at = now;
	} else if (failing && !f->logged_fail) {
		log_msg(f->log, LOG_ERR, "policy store %s: %s; the rules "
		    "loaded before stay in use (confirmed current %lld s "
		    "ago)", f->spec, why, (long long)(now - confirmed));
		f->logged_fail = 1;
		f->fail_at = now;
	} else if (!failing && f->logged_fail) {
		log_msg(f->log, LOG_INFO, "policy store %s readable again "
		    "after %lld s; changes made meanwhile are applied",
		    f->spec, (long long)(now - f->fail_at));
		f->logged_fail = 0;
	}
}

/*
 * first: once the first read of an unread live store is over (read, or
 * failed: WHY), have on_first told, from a timer: it may free F.
 */
static void
first(struct storefeed *f, int failing, const char *why)
{
	if (f->on_first == NULL || f->first_told)
		return;
	if (!store_is_unread(f->live))
		f->first_ok = 1;
	else if (failing)
		f->first_ok = 0;
	else
		return;			/* not read yet, not failed yet */
	f->first_told = 1;
	snprintf(f->first_why, sizeof(f->first_why), "%s", why);
	if (loop_timer_set(f->first_t, 0) == -1)
		log_msg(f->log, LOG_ERR, "policy store %s: out of memory",
		    f->spec);
}

static void
on_first_timer(void *arg)
{
	struct storefeed *f = arg;

	f->on_first(f->first_arg, f->first_ok, f->first_why);
}

static void
on_wake(void *arg, int fd, unsigned events)
{
	struct storefeed *f = arg;
	struct fmsg *q, *m, *done = NULL;
	char why[STORE_ERR_MAX];
	int64_t confirmed;
	int failing;

	(void)fd;
	(void)events;
	drain(f->to_loop);
	pthread_mutex_lock(&f->mu);
	q = f->head;
	f->head = NULL;
	f->tail = &f->head;
	failing = f->failing;
	confirmed = f->confirmed;
	snprintf(why, sizeof(why), "%s", f->why);
	pthread_mutex_unlock(&f->mu);
	while ((m = q) != NULL) {
		q = m->next;
		m->next = NULL;
		if (apply(f, m)) {
			m->next = done;		/* the old rules, to free */
			done = m;
		} else
			fmsg_free(m);
	}
	state(f, failing, why, confirmed);
	if (done != NULL) {
		pthread_mutex_lock(&f->mu);
		for (m = done; m->next != NULL; m = m->next)
			;
		m->next = f->trash;
		f->trash = done;
		pthread_mutex_unlock(&f->mu);
		poke(f->to_thread);
	}
	first(f, failing, why);
}

struct storefeed *
storefeed_new(struct loop *l, struct log *lg, struct store *live,
    struct store_reader *r, enum verdict_mode default_mode,
    const char *spec, int64_t loaded, char *err, size_t errsz)
{
	struct storefeed *f;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->spec = strdup(spec)) == NULL) {
		free(f);
		store_reader_free(r);
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	f->loop = l;
	f->log = lg;
	f->live = live;
	f->r = r;
	f->mode = default_mode;
	f->confirmed = loaded;
	f->since = (int64_t)time(NULL);
	f->need_full = store_is_unread(live);
	f->tail = &f->head;
	f->to_loop[0] = f->to_loop[1] = f->to_thread[0] =
	    f->to_thread[1] = -1;
	pthread_mutex_init(&f->mu, NULL);
	if (pipe2(f->to_loop, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    pipe2(f->to_thread, O_NONBLOCK | O_CLOEXEC) == -1) {
		errstr_set(err, errsz, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (loop_add(l, f->to_loop[0], LOOP_READ, on_wake, f) == -1) {
		errstr_set(err, errsz, "cannot watch the reader's pipe");
		goto fail;
	}
	if ((errno = pthread_create(&f->th, NULL, reader, f)) != 0) {
		errstr_set(err, errsz, "reader thread: %s", strerror(errno));
		loop_del(l, f->to_loop[0]);
		goto fail;
	}
	f->started = 1;
	return f;
fail:
	storefeed_free(f);
	return NULL;
}

void
storefeed_free(struct storefeed *f)
{
	int i;

	if (f == NULL)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_mutex_unlock(&f->mu);
		poke(f->to_thread);
		pthread_join(f->th, NULL);
		loop_del(f->loop, f->to_loop[0]);
	}
	loop_timer_free(f->first_t);
	fmsg_free(f->head);
	fmsg_free(f->trash);
	store_reader_free(f->r);
	for (i = 0; i < 2; i++) {
		if (f->to_loop[i] != -1)
			close(f->to_loop[i]);
		if (f->to_thread[i] != -1)
			close(f->to_thread[i]);
	}
	pthread_mutex_destroy(&f->mu);
	free(f->spec);
	free(f);
}

int
storefeed_on_first(struct storefeed *f, void (*cb)(void *, int,
    const char *), void *arg)
{
	if ((f->first_t = loop_timer_new(f->loop, on_first_timer, f)) ==
	    NULL)
		return -1;
	f->on_first = cb;
	f->first_arg = arg;
	return 0;
}

void
storefeed_stats(struct storefeed *f, struct storefeed_stats *st)
{
	int64_t now = (int64_t)time(NULL), confirmed;

	pthread_mutex_lock(&f->mu);
	confirmed = f->confirmed;
	pthread_mutex_unlock(&f->mu);
	st->age = now > confirmed ? (uint64_t)(now - confirmed) : 0;
	st->updates = f->updates;
	st->reloads = f->reloads;
	st->unread = store_is_unread(f->live);
}
