/*
 * storecopy.c: the copy thread (storecopy.h).  It owns a store_reader of
 * its own and the copy file; it shares with the loop only its state
 * (failing, why) under MU and a pipe that wakes it to stop.
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

#include "lib/errstr.h"
#include "log.h"
#include "loop.h"
#include "storecopy.h"
#include "core/store.h"

struct storecopy {
	char			*path;
	struct store_reader	*r;
	int			 wake[2];
	pthread_t		 th;
	int			 started;
	/* the thread's alone */
	int			 stale;		/* a whole copy is due */
	int64_t			 touched;	/* the last write, Unix time */
	/* shared, under mu */
	pthread_mutex_t		 mu;
	int			 stop;
	int			 failing;
	char			 why[STORE_ERR_MAX];
	/* the loop's alone */
	int			 logged;
};

/* state: the outcome of one round, for the loop to log. */
static void
state(struct storecopy *c, int failing, const char *why)
{
	pthread_mutex_lock(&c->mu);
	c->failing = failing;
	if (failing)
		snprintf(c->why, sizeof(c->why), "%s", why);
	pthread_mutex_unlock(&c->mu);
}

/* changes: the changes since the copy's position into it. */
static int
changes(struct storecopy *c, char *err, size_t errsz)
{
	struct store_delta *d = NULL;
	struct store_pos from, to;
	int64_t now = (int64_t)time(NULL);
	int rc;

	store_reader_pos(c->r, &from);
	rc = store_reader_poll(c->r, &d);
	if (rc == -1) {
		snprintf(err, errsz, "%s", store_reader_error(c->r));
		return -1;
	}
	if (rc == 2) {
		c->stale = 1;
		return 0;
	}
	store_reader_pos(c->r, &to);
	if (d == NULL && to.seq == from.seq &&
	    now - c->touched < STORECOPY_TOUCH_S)
		return 0;
	rc = store_copy_delta(c->path, d, &from, &to, err, errsz);
	store_delta_free(d);
	if (rc != 0)
		c->stale = 1;	/* the reader moved on: write it whole */
	if (rc == -1)
		return -1;
	c->touched = now;
	return 0;
}

static void *
run(void *arg)
{
	struct storecopy *c = arg;
	char err[STORE_ERR_MAX];
	struct pollfd pfd[2];
	int rc, stop, fd, n;
	char buf[16];

	(void)loop_background();	/* best effort: answers first */

	for (;;) {
		pthread_mutex_lock(&c->mu);
		stop = c->stop;
		pthread_mutex_unlock(&c->mu);
		if (stop)
			break;
		err[0] = '\0';
		if (c->stale) {
			rc = store_copy_full(c->path, c->r, err, sizeof(err));
			if (rc == 0) {
				c->stale = 0;
				c->touched = (int64_t)time(NULL);
			}
		} else
			rc = changes(c, err, sizeof(err));
		state(c, rc == -1, err);
		if (rc == 0 && c->stale)
			continue;
		pfd[0].fd = c->wake[0];
		pfd[0].events = POLLIN;
		n = 1;
		fd = rc == -1 ? -1 : store_reader_fd(c->r);
		if (fd >= 0) {
			pfd[1].fd = fd;
			pfd[1].events = POLLIN;
			n = 2;
		}
		if (poll(pfd, (nfds_t)n, rc == -1 ? STORECOPY_RETRY_MS :
		    STORECOPY_POLL_MS) > 0 && (pfd[0].revents & POLLIN))
			while (read(c->wake[0], buf, sizeof(buf)) > 0)
				;
	}
	return NULL;
}

struct storecopy *
storecopy_new(const char *spec, const char *passfile, const char *path,
    char *err, size_t errsz)
{
	struct storecopy *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->wake[0] = c->wake[1] = -1;
	pthread_mutex_init(&c->mu, NULL);
	c->stale = 1;
	if ((c->path = strdup(path)) == NULL ||
	    (c->r = store_reader_new(spec, passfile)) == NULL)
		goto nomem;
	if (pipe2(c->wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		errstr_set(err, errsz, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((errno = pthread_create(&c->th, NULL, run, c)) != 0) {
		errstr_set(err, errsz, "copy thread: %s", strerror(errno));
		goto fail;
	}
	c->started = 1;
	return c;
nomem:
	errstr_set(err, errsz, "out of memory");
fail:
	storecopy_free(c);
	return NULL;
}

void
storecopy_free(struct storecopy *c)
{
	ssize_t w;

	if (c == NULL)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = 1;
		pthread_mutex_unlock(&c->mu);
		/* a full pipe: the thread sees stop within a poll anyway */
		w = write(c->wake[1], "x", 1);
		(void)w;
		pthread_join(c->th, NULL);
	}
	if (c->wake[0] != -1)
		close(c->wake[0]);
	if (c->wake[1] != -1)
		close(c->wake[1]);
	store_reader_free(c->r);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	free(c);
}

void
storecopy_log(struct storecopy *c, struct log *lg)
{
	char why[STORE_ERR_MAX];
	int failing;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	failing = c->failing;
	snprintf(why, sizeof(why), "%s", c->why);
	pthread_mutex_unlock(&c->mu);
	if (failing && !c->logged)
		log_msg(lg, LOG_WARNING, "PolicyStoreCopy %s: not written: "
		    "%s; tried again every %d s", c->path, why,
		    STORECOPY_RETRY_MS / 1000);
	else if (!failing && c->logged)
		log_msg(lg, LOG_INFO, "PolicyStoreCopy %s written again",
		    c->path);
	c->logged = failing;
}
