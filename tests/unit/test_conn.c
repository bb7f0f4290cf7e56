/*
 * test_conn: connection framing and I/O over socketpair(): line and block
 * framing, one request at a time in order, limits (long line, too many
 * lines, oversize block), half-close with a final line without LF, a
 * reply larger than the socket buffer (partial writes), the idle and
 * request timeouts, lingering close after an over-limit request, a
 * peer that vanishes while its request is pending, and the read buffer:
 * small at first, grown on demand to exactly the limits, given back
 * after the connection stays idle.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver/conn.h"
#include "resolver/loop.h"
#include "t.h"

struct srv {
	struct conn	*c;
	int		 nreq;
	char		 req[8][64];
	size_t		 reqlen[8];
	int		 over;
	int		 closed;
	int		 defer;		/* do not answer at once */
	size_t		 big;		/* answer with this many octets */
	int		 idle;		/* conn_ops.idle calls */
	uintptr_t	 sp_lo, sp_hi;	/* stack depth seen by on_request */
};

static void
on_request(void *arg, struct conn *c, const char *req, size_t len)
{
	struct srv *s = arg;
	char out[128];
	char *big;
	int n;
	uintptr_t sp = (uintptr_t)&n;

	if (s->sp_lo == 0 || sp < s->sp_lo)
		s->sp_lo = sp;
	if (sp > s->sp_hi)
		s->sp_hi = sp;
	if (s->nreq < 8) {
		snprintf(s->req[s->nreq], sizeof(s->req[0]), "%.*s",
		    (int)(len < 60 ? len : 60), req);
		s->reqlen[s->nreq] = len;
	}
	s->nreq++;
	if (s->defer)
		return;
	if (s->big > 0) {
		big = malloc(s->big);
		memset(big, 'x', s->big - 1);
		big[s->big - 1] = '\n';
		conn_reply(c, big, s->big);
		free(big);
		return;
	}
	n = snprintf(out, sizeof(out), "R%d %zu\n", s->nreq, len);
	conn_reply(c, out, (size_t)n);
}

static void
on_over(void *arg, struct conn *c)
{
	struct srv *s = arg;

	s->over++;
	conn_reply_close(c, "error line-too-long\n", 20);
}

static void
on_closed(void *arg, struct conn *c)
{
	struct srv *s = arg;

	(void)c;
	s->closed++;
	s->c = NULL;
}

static const struct conn_ops ops = { on_request, on_over, on_closed, NULL };

static void
on_idle(void *arg, struct conn *c)
{
	struct srv *s = arg;

	(void)c;
	s->idle++;
}

static const struct conn_ops idle_ops = {
	on_request, on_over, on_closed, on_idle
};

static int
setup(struct loop *l, struct srv *s, enum conn_framing f,
    const struct conn_limits *lim, int *client)
{
	int sv[2];
	struct conn_limits d;

	memset(s, 0, sizeof(*s));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	if (lim == NULL) {
		conn_default_limits(f, &d);
		lim = &d;
	}
	s->c = conn_new(l, sv[0], 1, f, lim, &ops, s);
	*client = sv[1];
	return s->c != NULL ? 0 : -1;
}

/* wr: write all of BUF to the client socket (a failure fails a check). */
static void
wr(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		T_OK(0, "write to the test socket");
}

/* spin: run the loop until COND or 3000 rounds of up to 10 ms. */
#define SPIN(l, cond) do {						\
	int spin_i_;							\
	for (spin_i_ = 0; !(cond) && spin_i_ < 3000; spin_i_++)		\
		loop_run_once((l), 10);					\
} while (0)

/* drain: a few short loop rounds, to let queued writes go out. */
static void
drain(struct loop *l)
{
	int i;

	for (i = 0; i < 5; i++)
		loop_run_once(l, 5);
}

/* slurp: read what the client has now (non-blocking) into BUF. */
static size_t
slurp(int fd, char *buf, size_t cap, int *eof)
{
	size_t n = 0;
	ssize_t r;

	*eof = 0;
	while (n + 1 < cap) {
		r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
		if (r == 0) {
			*eof = 1;
			break;
		}
		if (r < 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return n;
}

static void
test_lines(struct loop *l)
{
	struct srv s;
	int cl, eof;
	char buf[256];

	setup(l, &s, CONN_LINE, NULL, &cl);
	wr(cl, "PING\nLOOKUP a@b\r\nST", 19);
	SPIN(l, s.nreq >= 2);
	T_INTEQ(s.nreq, 2, "two complete lines, two requests");
	T_STREQ(s.req[0], "PING", "first request without its LF");
	T_STREQ(s.req[1], "LOOKUP a@b\r", "second, CR kept for the parser");
	wr(cl, "ATS\n", 4);
	SPIN(l, s.nreq >= 3);
	T_STREQ(s.req[2], "STATS", "a line split across reads is joined");
	drain(l);
	slurp(cl, buf, sizeof(buf), &eof);
	T_STREQ(buf, "R1 4\nR2 11\nR3 5\n", "replies in request order");
	T_OK(!eof && s.closed == 0, "the connection stays open");
	conn_free(s.c);
	close(cl);
}

static void
test_one_at_a_time(struct loop *l)
{
	struct srv s;
	int cl, eof;
	char buf[256];

	setup(l, &s, CONN_LINE, NULL, &cl);
	s.defer = 1;
	wr(cl, "A\nB\n", 4);
	SPIN(l, s.nreq >= 1);
	loop_run_once(l, 20);
	T_INTEQ(s.nreq, 1, "the second request waits for the first reply");
	T_OK(conn_busy(s.c), "busy while unanswered");
	s.defer = 0;
	conn_reply(s.c, "one\n", 4);
	SPIN(l, s.nreq >= 2);
	T_INTEQ(s.nreq, 2, "then the second is delivered");
	drain(l);
	slurp(cl, buf, sizeof(buf), &eof);
	T_STREQ(buf, "one\nR2 1\n", "both replies, in order");
	conn_free(s.c);
	close(cl);
}

/*
 * test_pipelined: a buffer full of pipelined requests, each answered at
 * once, is served by a loop: on_request is reached at a bounded stack
 * depth, whatever the number of requests.  Before, pump() and flush() called each other once
 * per request (a stack frame pair each; without sibling-call
 * optimisation, as at -O1 under make asan, the ~280 replies that fit
 * in an unread socket buffer nested 30 KiB deep, and a full 64 KiB buffer of short lines could overflow
 * a small stack).
 */
static void
test_pipelined(struct loop *l)
{
	struct srv s;
	char *req, buf[256];
	int cl, i, eof;
	enum { N = 2000 };

	setup(l, &s, CONN_LINE, NULL, &cl);
	if ((req = malloc(2 * N)) == NULL)
		return;
	for (i = 0; i < N; i++)
		memcpy(req + 2 * i, "a\n", 2);
	wr(cl, req, 2 * N);
	free(req);
	/* read the replies as they come: each small one costs a whole
	 * socket buffer slot, so an unread socket fills after ~300 */
	for (i = 0; s.nreq < N && i < 3000; i++) {
		loop_run_once(l, 10);
		slurp(cl, buf, sizeof(buf), &eof);
	}
	T_INTEQ(s.nreq, N, "every pipelined request is delivered");
	/* entered from the read path (do_read's 4 KiB discard buffer) or
	 * from the write path: two depths, a few KiB apart, never more */
	T_OK(s.sp_hi - s.sp_lo < 16384,
	    "no stack growth per request (spread %zu octets)",
	    (size_t)(s.sp_hi - s.sp_lo));
	conn_free(s.c);
	close(cl);
}

static void
test_half_close(struct loop *l)
{
	struct srv s;
	int cl, eof = 0;
	char buf[256];
	size_t n = 0;
	int i;

	setup(l, &s, CONN_LINE, NULL, &cl);
	wr(cl, "PING\nAUTHZ x", 12);
	shutdown(cl, SHUT_WR);
	SPIN(l, s.closed);
	T_INTEQ(s.nreq, 2, "half-close: the final line without LF counts");
	T_STREQ(s.req[1], "AUTHZ x", "the final line");
	for (i = 0; i < 100 && !eof; i++)
		n += slurp(cl, buf + n, sizeof(buf) - n, &eof);
	T_STREQ(buf, "R1 4\nR2 7\n", "half-close: both answers");
	T_OK(eof, "then EOF");
	T_INTEQ(s.closed, 1, "the server side closed");
	close(cl);

	setup(l, &s, CONN_LINE, NULL, &cl);
	shutdown(cl, SHUT_WR);
	SPIN(l, s.closed);
	T_INTEQ(s.nreq, 0, "half-close with nothing sent: no request");
	T_INTEQ(s.closed, 1, "and a close");
	close(cl);
}

static void
test_long_line(struct loop *l)
{
	struct srv s;
	int cl, eof = 0, i;
	char *big = malloc(9000), buf[256];
	size_t n = 0;

	memset(big, 'a', 9000);
	setup(l, &s, CONN_LINE, NULL, &cl);
	wr(cl, big, 9000);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "a line over 8192 octets is over the limit");
	T_INTEQ(s.nreq, 0, "and is not delivered");
	for (i = 0; i < 300 && !eof; i++) {
		loop_run_once(l, 10);
		n += slurp(cl, buf + n, sizeof(buf) - n, &eof);
	}
	T_STREQ(buf, "error line-too-long\n", "the reply arrives");
	T_OK(eof, "then EOF (lingering close)");
	close(cl);
	SPIN(l, s.closed);
	T_INTEQ(s.closed, 1, "closed after lingering");

	setup(l, &s, CONN_LINE, NULL, &cl);
	memcpy(big + 8191, "\n", 1);
	wr(cl, big, 8192);
	SPIN(l, s.nreq || s.over);
	T_INTEQ(s.nreq, 1, "exactly 8192 octets with the LF is allowed");
	T_INTEQ(s.reqlen[0], 8191, "delivered without the LF");
	conn_free(s.c);
	close(cl);
	free(big);
}

static void
test_blocks(struct loop *l)
{
	struct srv s;
	int cl, i, eof;
	char buf[4096];

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	wr(cl, "request=x\nsender=a\n\nrequest=y\r\n\r\n", 33);
	SPIN(l, s.nreq >= 2);
	T_INTEQ(s.nreq, 2, "two blocks, two requests");
	T_STREQ(s.req[0], "request=x\nsender=a\n",
	    "a block with its LFs, without the empty line");
	T_STREQ(s.req[1], "request=y\r\n", "CRLF ends a block too");
	conn_free(s.c);
	close(cl);

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	for (i = 0; i < 65; i++)
		wr(cl, "a=b\n", 4);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "65 attribute lines are over the limit");
	T_INTEQ(s.nreq, 0, "not delivered");
	drain(l);
	slurp(cl, buf, sizeof(buf), &eof);
	T_STREQ(buf, "error line-too-long\n", "the owner's reply is sent");
	close(cl);
	SPIN(l, s.closed);

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	memset(buf, 'v', sizeof(buf));
	wr(cl, "a=", 2);
	wr(cl, buf, 2100);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "a 2100-octet attribute line is over the limit");
	close(cl);
	SPIN(l, s.closed);

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	memset(buf, 'v', 2000);
	buf[0] = 'a';
	buf[1] = '=';
	buf[1999] = '\n';
	for (i = 0; i < 9; i++)
		wr(cl, buf, 2000);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "a block over 16384 octets is over the limit");
	close(cl);
	SPIN(l, s.closed);
}

static void
test_big_reply(struct loop *l)
{
	struct srv s;
	int cl, eof = 0, i;
	size_t n = 0, want = 1 << 20;
	char *buf = malloc(want + 16);

	setup(l, &s, CONN_LINE, NULL, &cl);
	s.big = want;
	wr(cl, "X\n", 2);
	for (i = 0; i < 5000 && n < want; i++) {
		loop_run_once(l, 5);
		n += slurp(cl, buf + n, want + 16 - n, &eof);
	}
	T_INTEQ(n, want, "a 1 MiB reply arrives whole (partial writes)");
	T_OK(buf[want - 1] == '\n', "ending with its LF");
	conn_free(s.c);
	close(cl);
	free(buf);
}

static void
test_timeouts(struct loop *l)
{
	struct srv s;
	struct conn_limits lim;
	int cl;

	conn_default_limits(CONN_LINE, &lim);
	lim.idle_ms = 30;
	lim.request_ms = 30;
	setup(l, &s, CONN_LINE, &lim, &cl);
	SPIN(l, s.closed);
	T_INTEQ(s.closed, 1, "an idle connection is closed");
	close(cl);

	setup(l, &s, CONN_LINE, &lim, &cl);
	wr(cl, "PIN", 3);
	SPIN(l, s.closed);
	T_INTEQ(s.closed, 1, "an unfinished request is closed at its limit");
	T_INTEQ(s.nreq, 0, "without delivering it");
	close(cl);

	setup(l, &s, CONN_LINE, &lim, &cl);
	s.defer = 1;
	wr(cl, "PING\n", 5);
	SPIN(l, s.nreq);
	close(cl);
	SPIN(l, s.closed);
	T_INTEQ(s.closed, 1, "a peer gone while its request is pending: "
	    "closed, owner told");
}

/* blockof: a block of N octets (final empty line included) in BUF. */
static size_t
blockof(char *buf, size_t n)
{
	size_t p = 0, len;

	while (n - p > 1) {
		len = n - p - 1 > 2048 ? 2048 : n - p - 1;
		if (n - p - 1 - len == 1)	/* no 1-octet line: "\n" ends it */
			len--;
		memset(buf + p, 'v', len - 1);
		buf[p] = 'a';
		buf[p + 1] = '=';
		buf[p + len - 1] = '\n';
		p += len;
	}
	buf[p++] = '\n';
	return p;
}

static void
test_buffer(struct loop *l)
{
	struct srv s;
	struct conn_limits lim;
	int cl;
	char *buf = malloc(20000);
	size_t n;

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	T_INTEQ(conn_bufsize(s.c), 1024, "a policy connection starts with "
	    "a 1 KiB buffer");
	n = blockof(buf, 700);
	wr(cl, buf, n);
	SPIN(l, s.nreq);
	T_INTEQ(s.reqlen[0], 699, "a 700-octet block is delivered");
	T_INTEQ(conn_bufsize(s.c), 1024, "without growing the buffer");
	n = blockof(buf, 16384);
	wr(cl, buf, n);
	SPIN(l, s.nreq >= 2);
	T_INTEQ(s.nreq, 2, "a block of exactly 16384 octets is delivered");
	T_INTEQ(s.reqlen[1], 16383, "whole");
	T_INTEQ(conn_bufsize(s.c), 16384, "the buffer grew to the limit");
	T_INTEQ(s.over, 0, "not over the limit");
	wr(cl, buf, n);
	SPIN(l, s.nreq >= 3);
	T_INTEQ(conn_bufsize(s.c), 16384, "a connection with large requests "
	    "keeps its buffer between them");
	conn_free(s.c);
	close(cl);

	setup(l, &s, CONN_BLOCK, NULL, &cl);
	n = blockof(buf, 16385);
	wr(cl, buf, n);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "a block of 16385 octets is over the limit");
	T_INTEQ(s.nreq, 0, "and not delivered");
	close(cl);
	SPIN(l, s.closed);

	setup(l, &s, CONN_LINE, NULL, &cl);
	T_INTEQ(conn_bufsize(s.c), 512, "a line connection starts at 512");
	memset(buf, 'a', 8193);
	wr(cl, buf, 8193);
	SPIN(l, s.over);
	T_INTEQ(s.over, 1, "8193 octets without LF: over the limit");
	close(cl);
	SPIN(l, s.closed);

	conn_default_limits(CONN_LINE, &lim);
	lim.shrink_ms = 0;
	setup(l, &s, CONN_LINE, &lim, &cl);
	buf[3000] = '\n';
	wr(cl, buf, 3001);
	SPIN(l, s.nreq);
	T_INTEQ(s.reqlen[0], 3000, "a 3000-octet line is delivered");
	drain(l);
	T_INTEQ(conn_bufsize(s.c), 512, "shrink_ms 0: the buffer shrinks "
	    "as soon as the connection is idle");
	wr(cl, "PING\n", 5);
	SPIN(l, s.nreq >= 2);
	T_STREQ(s.req[1], "PING", "and the connection goes on");
	conn_free(s.c);
	close(cl);

	lim.shrink_ms = 30;
	setup(l, &s, CONN_LINE, &lim, &cl);
	wr(cl, "PI", 2);
	loop_run_once(l, 5);
	wr(cl, "NG\n", 3);
	wr(cl, buf, 3001);
	SPIN(l, s.nreq >= 2);
	T_INTEQ(s.reqlen[1], 3000, "a large line after a small one");
	SPIN(l, conn_bufsize(s.c) == 512);
	T_INTEQ(conn_bufsize(s.c), 512, "the grown buffer is given back "
	    "once the connection stays idle");
	T_INTEQ(s.closed, 0, "the connection stays open");
	wr(cl, "PING\n", 5);
	SPIN(l, s.nreq >= 3);
	T_STREQ(s.req[2], "PING", "and serves the next request");
	conn_free(s.c);
	close(cl);
	free(buf);
}

/*
 * test_idle: conn_ops.idle is called once a connection has stayed idle
 * for shrink_ms after a request (even a small one), once per idle
 * period, never while a request is unanswered.
 */
static void
test_idle(struct loop *l)
{
	struct srv s;
	struct conn_limits lim;
	int sv[2], i;

	memset(&s, 0, sizeof(s));
	conn_default_limits(CONN_BLOCK, &lim);
	lim.shrink_ms = 30;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    (s.c = conn_new(l, sv[0], 1, CONN_BLOCK, &lim, &idle_ops,
	    &s)) == NULL) {
		T_OK(0, "idle: connection set up");
		return;
	}
	s.defer = 1;
	wr(sv[1], "a=1\n\n", 5);
	SPIN(l, s.nreq);
	for (i = 0; i < 10; i++)
		loop_run_once(l, 10);
	T_INTEQ(s.idle, 0, "idle: not called while a request is unanswered");
	conn_reply(s.c, "ok\n\n", 4);
	SPIN(l, s.idle);
	T_INTEQ(s.idle, 1, "idle: called once the connection stayed idle "
	    "after a small request");
	for (i = 0; i < 10; i++)
		loop_run_once(l, 10);
	T_INTEQ(s.idle, 1, "idle: once per idle period");
	s.defer = 0;
	wr(sv[1], "a=2\n\n", 5);
	SPIN(l, s.idle >= 2);
	T_INTEQ(s.nreq, 2, "idle: the connection serves the next request");
	T_INTEQ(s.idle, 2, "idle: and is called again after it");
	conn_free(s.c);
	close(sv[1]);
}

int
main(void)
{
	struct loop *l = loop_new();

	T_OK(l != NULL, "loop_new");
	test_lines(l);
	test_idle(l);
	test_one_at_a_time(l);
	test_pipelined(l);
	test_half_close(l);
	test_long_line(l);
	test_blocks(l);
	test_big_reply(l);
	test_timeouts(l);
	test_buffer(l);
	loop_free(l);
	return t_done();
}
