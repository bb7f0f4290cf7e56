/*
 * conn.c: the I/O of one connection.  A bounded read buffer (small at
 * first, grown on demand up to the largest request the framing allows,
 * and given back once the connection has been idle for a while), a framer that finds one request at a time,
 * a write queue, one timer whose meaning follows the state (idle, request,
 * write, linger), half-close and lingering close.  A conn never blocks
 * and never buffers more than its limits; it knows nothing of what a
 * request means.
 *
 * Re-entrancy: callbacks may call conn_reply; a conn that must close while
 * one of its functions is on the stack is only marked, and freed when the
 * outermost call returns (DEPTH).
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "loop.h"

enum tkind { T_NONE, T_IDLE, T_REQ, T_WRITE, T_LINGER };
enum frame { FRAME_NEED, FRAME_OK, FRAME_OVER };

struct conn {
	struct loop		*loop;
	int			 fd;
	uint64_t		 id;
	enum conn_framing	 framing;
	struct conn_limits	 lim;
	const struct conn_ops	*ops;
	void			*arg;
	void			*data;
	struct loop_timer	*timer;
	enum tkind		 tkind;
	uint64_t		 deadline;	/* loop ms, for TKIND */
	uint64_t		 armed_at;	/* when TIMER fires; 0 stopped */
	uint64_t		 shrink_at;	/* idle until then: shrink; 0 none */
	unsigned		 watching;	/* LOOP_* registered */

	char			*rbuf;
	size_t			 rlen, rcap;
	size_t			 rinit, rmax;	/* first and largest RCAP */

	char			*wbuf;
	size_t			 wlen, woff, wcap;

	size_t			 lingered;	/* octets discarded */
	int			 busy;		/* request delivered, no reply */
	int			 eof;		/* the peer half-closed */
	int			 closing;	/* close after the reply */
	int			 lingering;
	int			 dead;		/* close when DEPTH drops to 0 */
	int			 depth;
};

static void	pump(struct conn *c);
static void	update(struct conn *c);
static void	flush(struct conn *c);
static int	send_queued(struct conn *c);
static void	start_linger(struct conn *c);

void
conn_default_limits(enum conn_framing f, struct conn_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (f == CONN_BLOCK) {
		out->max_line = 2048;
		out->max_lines = 64;
		out->max_request = 16384;
	} else {
		out->max_line = 8192;
		out->max_lines = 1;
		out->max_request = 8192;
	}
	out->request_ms = 10000;
	out->idle_ms = 330000;
	out->write_ms = 10000;
	out->linger_ms = 2000;
	out->linger_bytes = 65536;
	/*
	 * A Postfix RCPT request is about 600-900 octets (more with client
	 * certificate attributes); line requests are about 100.  Larger
	 * requests grow the buffer once, up to the limits above.
	 */
	out->rbuf_init = f == CONN_BLOCK ? 1024 : 512;
	out->shrink_ms = 1000;
}

static void
destroy(struct conn *c)
{
	if (c->fd != -1) {
		loop_del(c->loop, c->fd);
		close(c->fd);
	}
	loop_timer_free(c->timer);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	destroy(c);
}

/* die: close C, tell the owner; freed when the outermost call returns. */
static void
die(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	loop_timer_stop(c->timer);
	if (c->fd != -1) {
		loop_del(c->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (c->ops->closed != NULL)
		c->ops->closed(c->arg, c);
}

static void
enter(struct conn *c)
{
	c->depth++;
}

/* leave: returns 1 when C was freed. */
static int
leave(struct conn *c)
{
	if (--c->depth == 0 && c->dead) {
		destroy(c);
		return 1;
	}
	return 0;
}

/*
 * Timers are lazy: the heap timer stays armed while the state changes
 * (idle, request, busy, idle again), and only DEADLINE moves; when it
 * fires early it is re-armed for what is left.  A request then costs no
 * heap operations at all.
 */
static void
arm(struct conn *c, uint64_t when)
{
	uint64_t now = loop_now(c->loop);

	if (loop_timer_set(c->timer, when > now ? when - now : 0) == -1) {
		c->armed_at = 0;
		die(c);
		return;
	}
	c->armed_at = when;
}

/*
 * shrink: give a grown read buffer back (only with nothing buffered);
 * when no memory is left for the small one, keep the large one.
 */
static void
shrink(struct conn *c)
{
	char *nb;

	if (c->rlen != 0 || c->rcap <= c->rinit ||
	    (nb = malloc(c->rinit)) == NULL)
		return;
	free(c->rbuf);
	c->rbuf = nb;
	c->rcap = c->rinit;
}

/* grow: double the read buffer, up to RMAX.  Returns 0 or -1. */
static int
grow(struct conn *c)
{
	char *nb;
	size_t cap = c->rcap * 2;

	if (cap > c->rmax || cap < c->rcap)
		cap = c->rmax;
	if ((nb = realloc(c->rbuf, cap)) == NULL)
		return -1;
	c->rbuf = nb;
	c->rcap = cap;
	return 0;
}

/*
 * went_idle: C has stayed idle for shrink_ms: give back a grown read
 * buffer and the write buffer, and tell the owner.
 */
static void
went_idle(struct conn *c)
{
	if (c->rlen != 0 || c->busy || c->woff < c->wlen)
		return;
	shrink(c);
	free(c->wbuf);
	c->wbuf = NULL;
	c->wlen = c->woff = c->wcap = 0;
	if (c->ops->idle != NULL)
		c->ops->idle(c->arg, c);
}

/*
 * idle_shrink: C just went idle after a request (or with a grown
 * buffer): shrink it and tell the owner once it has stayed idle for
 * shrink_ms (a client whose every request is large keeps its buffer: no
 * realloc per request).  The timer is lazy: armed only when it would
 * fire later than that, so a busy connection re-arms it about once per
 * shrink_ms, not per request.
 */
static void
idle_shrink(struct conn *c)
{
	if (c->lim.shrink_ms == 0) {
		went_idle(c);
		return;
	}
	c->shrink_at = loop_now(c->loop) + c->lim.shrink_ms;
	if (c->armed_at == 0 || c->armed_at > c->shrink_at)
		arm(c, c->shrink_at);
}

static void
on_timer(void *arg)
{
	struct conn *c = arg;
	uint64_t now, next;

	c->armed_at = 0;
	if (c->tkind != T_IDLE)
		c->shrink_at = 0;	/* not idle all along */
	if (c->tkind == T_NONE)
		return;
	enter(c);
	now = loop_now(c->loop);
	if (c->shrink_at != 0 && now >= c->shrink_at) {
		c->shrink_at = 0;
		went_idle(c);
	}
	if (now < c->deadline) {
		next = c->deadline;
		if (c->shrink_at != 0 && c->shrink_at < next)
			next = c->shrink_at;
		arm(c, next);
	} else {
		c->tkind = T_NONE;
		die(c);	/* every timeout closes without a reply */
	}
	leave(c);
}

static void
set_timer(struct conn *c, enum tkind k, unsigned ms)
{
	if (c->tkind == k)
		return;
	c->tkind = k;
	if (k == T_NONE)
		return;	/* a pending fire finds T_NONE and does nothing */
	c->deadline = loop_now(c->loop) + ms;
	if (c->armed_at == 0 || c->armed_at > c->deadline)
		arm(c, c->deadline);
}

/* wanted: the events the state needs watched. */
static unsigned
wanted(const struct conn *c)
{
	if (c->woff < c->wlen)
		return LOOP_WRITE;
	if (c->lingering)
		return LOOP_READ;
	if (!c->busy && !c->closing && !c->eof && c->rlen < c->rmax)
		return LOOP_READ;
	return 0;
}

/*
 * update: the events watched and the timer, from the state.  Events are
 * added at once but dropped lazily (STRICT, from on_io when one came
 * that is not wanted): a request answered at once then costs no
 * epoll_ctl.
 */
static void
update_events(struct conn *c, int strict)
{
	unsigned want;

	if (c->dead)
		return;
	want = wanted(c);
	if (!strict)
		want |= c->watching & LOOP_READ;
	if (want != c->watching) {
		if (loop_mod(c->loop, c->fd, want) == -1) {
			die(c);
			return;
		}
		c->watching = want;
	}
}

static void
update(struct conn *c)
{
	if (c->dead)
		return;
	update_events(c, 0);
	if (c->dead)
		return;
	if (c->lingering)
		set_timer(c, T_LINGER, c->lim.linger_ms);
	else if (c->woff < c->wlen)
		set_timer(c, T_WRITE, c->lim.write_ms);
	else if (c->busy || c->eof)
		set_timer(c, T_NONE, 0);
	else if (c->rlen > 0)
		set_timer(c, T_REQ, c->lim.request_ms);
	else {
		if (c->tkind != T_IDLE && (c->rcap > c->rinit ||
		    c->wbuf != NULL || c->ops->idle != NULL)) {
			idle_shrink(c);
			if (c->dead)
				return;
		}
		set_timer(c, T_IDLE, c->lim.idle_ms);
	}
}

/*
 * frame: find the first request in the buffer.  On FRAME_OK, *REQLEN is
 * what the owner gets and *USED what it occupies in the buffer.
 */
static enum frame
frame(const struct conn *c, size_t *reqlen, size_t *used)
{
	const char *b = c->rbuf, *nl;
	size_t p = 0, linelen, nlines = 0;

	if (c->framing == CONN_LINE) {
		if ((nl = memchr(b, '\n', c->rlen)) == NULL)
			return c->rlen >= c->lim.max_line ? FRAME_OVER :
			    FRAME_NEED;
		linelen = (size_t)(nl - b) + 1;
		if (linelen > c->lim.max_line)
			return FRAME_OVER;
		*reqlen = linelen - 1;
		*used = linelen;
		return FRAME_OK;
	}
	for (;;) {
		if ((nl = memchr(b + p, '\n', c->rlen - p)) == NULL) {
			if (c->rlen - p >= c->lim.max_line ||
			    c->rlen >= c->lim.max_request)
				return FRAME_OVER;
			return FRAME_NEED;
		}
		linelen = (size_t)(nl - (b + p)) + 1;
		if (linelen > c->lim.max_line)
			return FRAME_OVER;
		if (linelen == 1 || (linelen == 2 && b[p] == '\r')) {
			if (p + linelen > c->lim.max_request)
				return FRAME_OVER;
			*reqlen = p;
			*used = p + linelen;
			return FRAME_OK;
		}
		if (++nlines > c->lim.max_lines)
			return FRAME_OVER;
		p += linelen;
	}
}

static void
consume(struct conn *c, size_t n)
{
	memmove(c->rbuf, c->rbuf + n, c->rlen - n);
	c->rlen -= n;
}

/*
 * pump: deliver the buffered requests, one at a time, while each is
 * answered at once and its reply written in full.  A loop, not a call
 * back from flush(): a buffer of pipelined requests must not nest one
 * stack frame per request.
 */
static void
pump(struct conn *c)
{
	size_t reqlen = 0, used = 0;
	enum frame f;

	for (;;) {
		if (c->dead || c->busy || c->closing || c->lingering ||
		    c->woff < c->wlen)
			break;
		f = frame(c, &reqlen, &used);
		if (f == FRAME_NEED && c->eof) {
			if (c->framing == CONN_LINE && c->rlen > 0) {
				f = FRAME_OK;	/* a final line without LF */
				reqlen = used = c->rlen;
			} else {
				die(c);	/* everything answered */
				return;
			}
		}
		if (f == FRAME_OVER) {
			c->rlen = 0;
			c->busy = 1;
			c->closing = 1;
			update(c);
			c->ops->overlimit(c->arg, c);
			if (!c->dead && !c->busy)
				flush(c);
			return;
		}
		if (f != FRAME_OK)
			break;
		c->busy = 1;
		update(c);
		c->ops->request(c->arg, c, c->rbuf, reqlen);
		if (!c->dead)
			consume(c, used);
		if (c->dead || c->busy)
			return;
		/* answered at once: write it, then look at the next one */
		if (send_queued(c) != 1)
			return;
		if (c->closing) {
			start_linger(c);
			return;
		}
	}
	update(c);
}

static void
start_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->lingering = 1;
	c->rlen = 0;
	update(c);
}

/*
 * send_queued: write what is queued.  Returns 1 when all of it is out
 * (the write buffer is then given back), 0 when the socket is full (the
 * rest waits for POLLOUT), -1 when the connection died.
 */
static int
send_queued(struct conn *c)
{
	ssize_t n;

	while (c->woff < c->wlen) {
		n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			die(c);
			return -1;
		}
		c->woff += (size_t)n;
	}
	if (c->woff < c->wlen) {
		update(c);
		return 0;
	}
	/* all written: an idle connection keeps no write buffer */
	free(c->wbuf);
	c->wbuf = NULL;
	c->woff = c->wlen = c->wcap = 0;
	return 1;
}

/* flush: write what is queued; then continue with the state. */
static void
flush(struct conn *c)
{
	if (send_queued(c) != 1)
		return;
	if (c->closing) {
		start_linger(c);
		return;
	}
	pump(c);
}

static void
do_read(struct conn *c)
{
	char discard[4096];
	size_t want;
	ssize_t n;

	if (c->lingering) {
		for (;;) {
			n = recv(c->fd, discard, sizeof(discard),
			    MSG_DONTWAIT);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK))
				return;
			if (n <= 0) {
				die(c);
				return;
			}
			c->lingered += (size_t)n;
			if (c->lingered > c->lim.linger_bytes) {
				die(c);
				return;
			}
		}
	}
	if (c->busy || c->closing || c->eof)
		return;
	while (c->rlen < c->rmax) {
		if (c->rlen == c->rcap && grow(c) == -1) {
			die(c);
			return;
		}
		want = c->rcap - c->rlen;
		n = recv(c->fd, c->rbuf + c->rlen, want, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			die(c);
			return;
		}
		if (n == 0) {
			c->eof = 1;
			break;
		}
		c->rlen += (size_t)n;
		/*
		 * A short read drained the socket (as far as we can tell):
		 * epoll is level-triggered and reports what comes later, so
		 * save the recv that would only say EAGAIN.
		 */
		if ((size_t)n < want)
			break;
	}
	pump(c);
}

static void
on_io(void *arg, int fd, unsigned events)
{
	struct conn *c = arg;

	(void)fd;
	enter(c);
	if ((events & LOOP_WRITE) && !c->dead)
		flush(c);
	if ((events & LOOP_READ) && !c->dead)
		do_read(c);
	/* a full close by the peer while we wait for DNS: nothing to do */
	if ((events & LOOP_HUP) && !c->dead && !c->lingering &&
	    (c->busy || c->woff < c->wlen || c->eof))
		die(c);
	/* readable while we cannot read (busy, EOF): stop watching now */
	if ((events & LOOP_READ) && !c->dead && !(wanted(c) & LOOP_READ))
		update_events(c, 1);
	leave(c);
}

struct conn *
conn_new(struct loop *l, int fd, uint64_t id, enum conn_framing f,
    const struct conn_limits *limits, const struct conn_ops *ops, void *arg)
{
	struct conn *c;
	int fl;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->loop = l;
	c->fd = fd;
	c->id = id;
	c->framing = f;
	c->lim = *limits;
	c->ops = ops;
	c->arg = arg;
	c->rmax = f == CONN_LINE ? c->lim.max_line : c->lim.max_request;
	c->rinit = c->lim.rbuf_init;
	if (c->rinit == 0 || c->rinit > c->rmax)
		c->rinit = c->rmax;
	c->rcap = c->rinit;
	if (c->rcap == 0 || (c->rbuf = malloc(c->rcap)) == NULL)
		goto fail;
	if ((c->timer = loop_timer_new(l, on_timer, c)) == NULL)
		goto fail;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		goto fail;
	if (loop_add(l, fd, LOOP_READ, on_io, c) == -1)
		goto fail;
	c->watching = LOOP_READ;
	update(c);
	return c;
fail:
	loop_timer_free(c->timer);
	free(c->rbuf);
	free(c);
	return NULL;
}

static int
queue(struct conn *c, const char *reply, size_t len)
{
	char *nb;
	size_t need, cap;

	if (len > SIZE_MAX - c->wlen)
		return -1;
	need = c->wlen + len;
	if (need > c->wcap) {
		cap = c->wcap == 0 ? 256 : c->wcap;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((nb = realloc(c->wbuf, cap)) == NULL)
			return -1;
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, reply, len);
	c->wlen = need;
	return 0;
}

int
conn_reply(struct conn *c, const char *reply, size_t len)
{
	int rc = 0;

	if (c->dead)
		return -1;
	enter(c);
	c->busy = 0;
	if (queue(c, reply, len) == -1) {
		die(c);
		rc = -1;
	} else if (c->depth == 1)
		flush(c);
	/* else inside a request callback: pump() flushes when it returns */
	leave(c);
	return rc;
}

void
conn_reply_close(struct conn *c, const char *reply, size_t len)
{
	if (c->dead)
		return;
	c->closing = 1;
	conn_reply(c, reply, len);
}

int
conn_busy(const struct conn *c)
{
	return c->busy;
}

uint64_t
conn_id(const struct conn *c)
{
	return c->id;
}

size_t
conn_bufsize(const struct conn *c)
{
	return c->rcap;
}

int
conn_fd(const struct conn *c)
{
	return c->fd;
}

int
conn_peercred(const struct conn *c, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    len != sizeof(uc))
		return -1;
	*pid = uc.pid;
	*uid = uc.uid;
	*gid = uc.gid;
	return 0;
}

void
conn_set_data(struct conn *c, void *data)
{
	c->data = data;
}

void *
conn_data(const struct conn *c)
{
	return c->data;
}
