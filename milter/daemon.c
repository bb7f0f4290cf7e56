/*
 * daemon.c: talk to senderkeyd over its line socket (daemon.h).  Non-
 * blocking throughout: connect (lib/dial.h), writes and reads all wait in
 * poll() for what is left of one deadline, so a stuck daemon costs the
 * milter thread at most TIMEOUT_MS.  Connections whose replies were all
 * read and understood go back into a mutex-guarded pool and carry the
 * next request, of any thread; anything odd closes the connection.  The
 * LOOKUP and AUTHZ requests are built by the protocol's codec
 * (core/proto_line_req.h), the replies read through answer.h and
 * keycache.h.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/dial.h"
#include "lib/key.h"
#include "core/proto_line.h"
#include "core/proto_line_entry.h"
#include "core/proto_line_req.h"
#include "answer.h"
#include "daemon.h"
#include "keycache.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
daemon_replies_free(char **r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++)
		free(r[i]);
	free(r);
}

/* ---- the pool of idle connections ---- */

struct daemon_pool {
	const struct config_listen *l;
	pthread_mutex_t	 mu;
	int		*idle;		/* idle connections, the newest last */
	size_t		 nidle, max;
	unsigned long long dials, reuses;
};

struct daemon_pool *
daemon_pool_new(const struct config_listen *l, size_t max)
{
	struct daemon_pool *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (max > 0 && (p->idle = calloc(max, sizeof(*p->idle))) == NULL) {
		free(p);
		return NULL;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p->idle);
		free(p);
		return NULL;
	}
	p->l = l;
	p->max = max;
	return p;
}

void
daemon_pool_free(struct daemon_pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nidle; i++)
		close(p->idle[i]);
	pthread_mutex_destroy(&p->mu);
	free(p->idle);
	free(p);
}

void
daemon_pool_counts(struct daemon_pool *p, unsigned long long *dials,
    unsigned long long *reuses)
{
	pthread_mutex_lock(&p->mu);
	*dials = p->dials;
	*reuses = p->reuses;
	pthread_mutex_unlock(&p->mu);
}

/*
 * pool_take: an idle connection of P that is still quiet (no octet and
 * no end of stream waiting: a daemon that went away or timed the
 * connection out shows here, and a connection with anything unread is
 * never written to), or -1 when there is none.
 */
static int
pool_take(struct daemon_pool *p)
{
	struct pollfd pfd;
	int fd;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		fd = p->nidle > 0 ? p->idle[--p->nidle] : -1;
		pthread_mutex_unlock(&p->mu);
		if (fd == -1)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 0)
			break;
		close(fd);
	}
	pthread_mutex_lock(&p->mu);
	p->reuses++;
	pthread_mutex_unlock(&p->mu);
	return fd;
}

/* pool_put: FD, its replies all read, back into P (closed when full). */
static void
pool_put(struct daemon_pool *p, int fd)
{
	pthread_mutex_lock(&p->mu);
	if (p->nidle < p->max) {
		p->idle[p->nidle++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&p->mu);
	if (fd != -1)
		close(fd);
}

/* ---- one exchange ---- */

/* What exchange() leaves behind. */
enum xchg {
	XC_OK,		/* NLINES lines read, nothing more */
	XC_EXTRA,	/* NLINES lines read, and octets past them */
	XC_FAIL,		/* an error, in ERR */
	XC_GONE		/* closed or reset before a single reply octet */
};

/*
 * exchange: on FD (connecting when INPROG), write REQ and read into BUF
 * (CAP octets, plus one for a NUL) until NLINES lines are in, all before
 * DEADLINE; *HAVE the octets read.
 */
static enum xchg
exchange(const struct config_listen *l, int fd, int inprog, const char *req,
    size_t nlines, long long deadline, unsigned timeout_ms, char *buf,
    size_t cap, size_t *have, char *err, size_t errsz)
{
	struct pollfd pfd;
	size_t reqlen = strlen(req), sent = 0, got = 0, last = 0;
	long long left;
	ssize_t r;
	char *p, *nl;

	*have = 0;
	pfd.fd = fd;
	while (got < nlines) {
		if ((left = deadline - now_ms()) <= 0) {
			snprintf(err, errsz, "senderkeyd did not answer "
			    "within %u ms", timeout_ms);
			return XC_FAIL;
		}
		pfd.events = POLLIN | (inprog || sent < reqlen ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "poll: %s", strerror(errno));
			return XC_FAIL;
		}
		if (inprog && (pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
			if (dial_finish(fd) == -1) {
				snprintf(err, errsz, "cannot connect to "
				    "senderkeyd at %s: %s", l->spec != NULL ?
				    l->spec : "?", strerror(errno));
				return XC_FAIL;
			}
			inprog = 0;
			continue;
		}
		if (!inprog && sent < reqlen && (pfd.revents & POLLOUT)) {
			r = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);
			if (r == -1 && errno != EAGAIN && errno != EINTR) {
				snprintf(err, errsz, "write to senderkeyd: "
				    "%s", strerror(errno));
				return *have == 0 && (errno == EPIPE ||
				    errno == ECONNRESET) ? XC_GONE : XC_FAIL;
			}
			if (r > 0)
				sent += (size_t)r;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (*have == cap) {
				snprintf(err, errsz, "senderkeyd reply too "
				    "long");
				return XC_FAIL;
			}
			r = recv(fd, buf + *have, cap - *have, 0);
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				snprintf(err, errsz, "senderkeyd closed the "
				    "connection after %zu of %zu replies",
				    got, nlines);
				return *have == 0 && (r == 0 ||
				    errno == ECONNRESET) ? XC_GONE : XC_FAIL;
			}
			*have += (size_t)r;
			buf[*have] = '\0';
			for (p = buf + last; got < nlines && (nl = memchr(p,
			    '\n', *have - (size_t)(p - buf))) != NULL;
			    p = nl + 1)
				got++;
			last = (size_t)(p - buf);
		}
	}
	return last == *have ? XC_OK : XC_EXTRA;
}

/* split: the first NLINES lines of BUF (HAVE octets) into OUT. */
static int
split(char *buf, size_t have, size_t nlines, char **out, char *err,
    size_t errsz)
{
	char *p, *nl;
	size_t i;

	for (p = buf, i = 0; i < nlines; i++) {
		nl = memchr(p, '\n', have - (size_t)(p - buf));
		if ((out[i] = strndup(p, (size_t)(nl - p))) == NULL) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		if (strlen(out[i]) != (size_t)(nl - p)) {
			snprintf(err, errsz, "senderkeyd sent a NUL octet");
			return -1;
		}
		p = nl + 1;
	}
	return 0;
}

int
daemon_ask(struct daemon_pool *pool, const char *req, size_t nlines,
    unsigned timeout_ms, char ***replies, int *conn, char *err,
    size_t errsz)
{
	const struct config_listen *l = pool->l;
	char **out = NULL, *buf = NULL;
	size_t have = 0, cap;
	long long deadline = now_ms() + timeout_ms;
	enum xchg x;
	int fd = -1, inprog = 0, reused;

	*replies = NULL;
	*conn = -1;
	if (nlines == 0 || nlines > SIZE_MAX / DAEMON_REPLY_MAX) {
		snprintf(err, errsz, "bad request count");
		return -1;
	}
	cap = nlines * DAEMON_REPLY_MAX;
	if ((out = calloc(nlines, sizeof(*out))) == NULL ||
	    (buf = malloc(cap + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	for (;;) {
		reused = (fd = pool_take(pool)) != -1;
		if (!reused) {
			if ((fd = dial_open(l, DIAL_NONBLOCK, &inprog)) ==
			    -1) {
				snprintf(err, errsz, "cannot connect to "
				    "senderkeyd at %s: %s", l->spec != NULL ?
				    l->spec : "?", strerror(errno));
				goto fail;
			}
			pthread_mutex_lock(&pool->mu);
			pool->dials++;
			pthread_mutex_unlock(&pool->mu);
		}
		x = exchange(l, fd, inprog, req, nlines, deadline, timeout_ms,
		    buf, cap, &have, err, errsz);
		if (x == XC_OK || x == XC_EXTRA)
			break;
		close(fd);
		fd = -1;
		/* a kept connection the daemon dropped meanwhile: once more,
		   on a new one (nothing of the request was answered) */
		if (x != XC_GONE || !reused)
			goto fail;
	}
	if (split(buf, have, nlines, out, err, errsz) == -1)
		goto fail;
	*conn = x == XC_OK ? fd : -1;
	if (x != XC_OK)
		close(fd);	/* more than asked for: never reused */
	free(buf);
	*replies = out;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	daemon_replies_free(out, nlines);
	return -1;
}

void
daemon_release(struct daemon_pool *pool, int conn, int ok)
{
	if (conn == -1)
		return;
	if (ok)
		pool_put(pool, conn);
	else
		close(conn);
}

/* ---- the requests the milter sends, through the codec ---- */

int
daemon_lookup_replies(struct daemon_pool *pool, unsigned timeout_ms,
    const char *sender, struct answer_dkimkey *dk, char **line, char *err,
    size_t errsz)
{
	static const enum proto_line_cmd cmds[2] = { PLC_LOOKUP, PLC_DKIMKEY };
	struct proto_line_request *rq;
	struct answer_lookup_raw raw;
	enum proto_line_err e;
	char req[2 * PROTO_LINE_MAX + 1], **rep = NULL;
	size_t i, n = dk != NULL ? 2 : 1, len = 0;
	int rc = -1, conn = -1;

	*line = NULL;
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		rq->cmd = cmds[i];
		rq->address = sender;
		if ((rc = proto_line_req_build(req + len, sizeof(req) - len,
		    rq, &e)) == -1) {
			snprintf(err, errsz, "cannot send %s %s: %s",
			    proto_line_cmdname(cmds[i]), sender,
			    proto_line_errname(e));
			goto done;
		}
		len += (size_t)rc;
	}
	rc = -1;
	if (daemon_ask(pool, req, n, timeout_ms, &rep, &conn, err,
	    errsz) == -1)
		goto done;
	if (answer_lookup_split(rep[0], &raw) == -1) {
		snprintf(err, errsz, "unexpected LOOKUP reply");
		goto done;
	}
	answer_lookup_raw_free(&raw);
	if (dk != NULL && answer_dkimkey_parse(rep[1], dk) == -1) {
		snprintf(err, errsz, "unexpected DKIMKEY reply");
		goto done;
	}
	*line = rep[0];
	rep[0] = NULL;
	rc = 0;
done:
	daemon_release(pool, conn, rc == 0);
	daemon_replies_free(rep, n);
	free(rq);
	return rc;
}

int
daemon_lookup(struct daemon_pool *pool, unsigned timeout_ms,
    struct keycache *kc, struct sig_verify *v, const char *sender,
    char *err, size_t errsz)
{
	struct answer_dkimkey dk;
	char *line = NULL;
	int rc = -1, dkim = sig_verify_need_dkim(v);

	if (daemon_lookup_replies(pool, timeout_ms, sender, dkim ? &dk : NULL,
	    &line, err, errsz) == -1)
		return -1;
	/* the DKIM record first: it bounds the keys of bridge signatures */
	if (dkim)
		sig_verify_dkim(v, dk.state,
		    (const char (*)[KEY_FP_SIZE])dk.fps, dk.nfps);
	if (keycache_verify_reply(kc, v, line, time(NULL)) == -1)
		snprintf(err, errsz, "unexpected LOOKUP reply");
	else
		rc = 0;
	free(line);
	return rc;
}

/* sig_of: the AUTHZ sig= value of a message result (signature.md 6.2). */
static enum verdict_sig
sig_of(enum sig_result r)
{
	switch (r) {
	case SIG_PASS:
		return VSIG_PASS;
	case SIG_FAIL:
		return VSIG_FAIL;
	case SIG_NONE:
		return VSIG_NONE;
	case SIG_TEMPERROR:
		return VSIG_TEMPERROR;
	case SIG_PERMERROR:
		break;
	}
	return VSIG_PERMERROR;
}

/*
 * requests: RQ (its cmd and the fields of every line set; RQ owned and
 * freed here) once per recipient of RCPTS, built by the codec, as one
 * malloc'd string; NULL with ERR set when one cannot be sent.
 */
static char *
requests(struct proto_line_request *rq, const char *const *rcpts,
    size_t nrcpts, char *err, size_t errsz)
{
	enum proto_line_err e;
	char line[PROTO_LINE_MAX + 1], *req = NULL, *nreq;
	size_t i, len = 0;
	int n;

	for (i = 0; i < nrcpts; i++) {
		rq->recipient = rcpts[i];
		if ((n = proto_line_req_build(line, sizeof(line), rq,
		    &e)) == -1) {
			snprintf(err, errsz, "cannot send %s for %s: %s",
			    rq->cmd == PLC_LEARN ? "LEARN" : "AUTHZ", rcpts[i],
			    proto_line_errname(e));
			goto fail;
		}
		if ((nreq = realloc(req, len + (size_t)n + 1)) == NULL)
			goto fail;
		req = nreq;
		memcpy(req + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	free(rq);
	return req;
fail:
	free(rq);
	free(req);
	return NULL;
}

/* authz_requests: one AUTHZ line per recipient (requests). */
static char *
authz_requests(const char *sender, const struct sig_outcome *o,
    const char *qid, const char *const *rcpts, size_t nrcpts, char *err,
    size_t errsz)
{
	struct proto_line_request *rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->cmd = PLC_AUTHZ;
	rq->sender = sender;
	rq->sig = sig_of(o->result);
	if (o->result == SIG_PASS &&
	    key_fingerprint_parse(o->fp, rq->key) == 0)
		rq->have_key = 1;
	rq->queue_id = qid;
	return requests(rq, rcpts, nrcpts, err, errsz);
}

int
daemon_authz(struct daemon_pool *pool, unsigned timeout_ms,
    const char *sender, const struct sig_outcome *o, const char *qid,
    const char *const *rcpts, size_t nrcpts, struct answer_authz *ans,
    char *err, size_t errsz)
{
	char *req, **rep = NULL;
	size_t i;
	int rc = -1, conn = -1;

	if ((req = authz_requests(sender, o, qid, rcpts, nrcpts, err,
	    errsz)) == NULL)
		return -1;
	if (daemon_ask(pool, req, nrcpts, timeout_ms, &rep, &conn, err,
	    errsz) == -1)
		goto done;
	for (i = 0; i < nrcpts; i++)
		if (answer_authz_parse(rep[i], &ans[i]) == -1) {
			snprintf(err, errsz, "unexpected AUTHZ reply for %s",
			    rcpts[i]);
			goto done;
		}
	rc = 0;
done:
	daemon_release(pool, conn, rc == 0);
	daemon_replies_free(rep, nrcpts);
	free(req);
	return rc;
}

/* learn_requests: one LEARN line per recipient (requests). */
static char *
learn_requests(const char *login, const char *sender,
    const char *const *rcpts, size_t nrcpts, char *err, size_t errsz)
{
	struct proto_line_request *rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->cmd = PLC_LEARN;
	rq->user = login;
	rq->sender = sender;
	return requests(rq, rcpts, nrcpts, err, errsz);
}

int
daemon_learn(struct daemon_pool *pool, unsigned timeout_ms,
    const char *login, const char *sender, const char *const *rcpts,
    size_t nrcpts, size_t n[3], char *err, size_t errsz)
{
	struct proto_line_entry_reply r;
	enum proto_line_err e;
	char *req, **rep = NULL;
	size_t i;
	int rc = -1, conn = -1;

	n[0] = n[1] = n[2] = 0;
	if ((req = learn_requests(login, sender, rcpts, nrcpts, err,
	    errsz)) == NULL)
		return -1;
	if (daemon_ask(pool, req, nrcpts, timeout_ms, &rep, &conn, err,
	    errsz) == -1)
		goto done;
	for (i = 0; i < nrcpts; i++) {
		if (proto_line_entry_decode(rep[i], strlen(rep[i]), &r) ==
		    0) {
			n[r.entry]++;
			continue;
		}
		if (proto_line_error_decode(rep[i], strlen(rep[i]), &e) == 0)
			snprintf(err, errsz, "LEARN for %s: error %s",
			    rcpts[i], proto_line_errname(e));
		else
			snprintf(err, errsz, "unexpected LEARN reply for %s",
			    rcpts[i]);
		goto done;
	}
	rc = 0;
done:
	daemon_release(pool, conn, rc == 0);
	daemon_replies_free(rep, nrcpts);
	free(req);
	return rc;
}
