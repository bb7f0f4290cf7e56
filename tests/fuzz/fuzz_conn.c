/*
 * fuzz_conn.c: libFuzzer target for resolver/conn.c, the connection I/O of
 * senderkeyd, driven through the real code: a conn on one end of a Unix
 * socketpair inside a real loop (resolver/loop.c), the input written to
 * the other end in chunks of pseudo-random sizes between loop rounds, the
 * replies read back.  The first 6 octets set the conn:
 *   [0] bit 0 block framing (else line); bit 1 shrink at once (shrink_ms
 *       0); bit 2 answer later (in the next round, not in the callback);
 *       bit 3 large replies (partial writes on a small socket buffer);
 *       bit 4 timeouts of 0 to 3 ms (bits 4-5 of [3]; the idle one 2 ms
 *       more, shrink after 1 ms) and loop rounds that wait 1 ms, so timers
 *       fire early and late; bit 5 half-close after the input; bit 6
 *       the client stops reading; bit 7 a request starting with 'Q' gets
 *       conn_reply_close
 *   [1] rbuf_init, [2] max_line, [3] max_lines, [4] max_request (small,
 *       so growth and every limit are reached), [5] the chunking seed.
 * Checks, beyond the sanitizers: every request delivered is exactly the
 * next octets of the stream and ends as the framing says (LF, or an empty
 * line), is within the limits, comes only when the previous one was
 * answered, never after an over-limit request or the close; the read
 * buffer stays within [rbuf_init, largest request].
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver/conn.h"
#include "resolver/loop.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CFG_LEN		6
#define BIG_REPLY	20000
#define ROUNDS_AFTER	64	/* loop rounds once all input is written */
#define ROUNDS_TIMED	8	/* the same with timeouts of a few ms */

struct st {
	struct conn		*c;
	struct conn_limits	 lim;
	enum conn_framing	 framing;
	const uint8_t		*s;	/* the stream the client sends */
	size_t			 slen, sent, pos;	/* POS: delivered up to */
	uint8_t			 flags;
	int			 wait_ms;	/* per loop round */
	int			 pending;	/* request not answered yet */
	int			 over, closed, eof;
	size_t			 rmax, rinit;
};

static char big[BIG_REPLY];

static void
check_buf(const struct st *st)
{
	size_t n;

	if (st->c == NULL)
		return;
	n = conn_bufsize(st->c);
	if (n > st->rmax || n < st->rinit)
		abort();
}

static void
answer(struct st *st, struct conn *c, int close_it)
{
	const char *r = (st->flags & 8) ? big : "ok\n";
	size_t n = (st->flags & 8) ? sizeof(big) : 3;

	st->pending = 0;
	if (close_it)
		conn_reply_close(c, r, n);
	else
		conn_reply(c, r, n);
}

static void
on_request(void *arg, struct conn *c, const char *req, size_t len)
{
	struct st *st = arg;
	size_t end, term = 0;

	if (st->pending || st->over || st->closed || !conn_busy(c))
		abort();
	/* REQ is the next LEN octets of the stream */
	if (len > st->sent - st->pos || memcmp(req, st->s + st->pos, len) != 0)
		abort();
	end = st->pos + len;
	if (st->framing == CONN_LINE) {
		if (len + 1 > st->lim.max_line)
			abort();
		if (end < st->sent && st->s[end] == '\n')
			term = 1;
		else if (!(st->eof && end == st->sent))
			abort();	/* no LF: only a last line at EOF */
		if (memchr(req, '\n', len) != NULL)
			abort();
	} else {
		if (end < st->sent && st->s[end] == '\n')
			term = 1;
		else if (end + 1 < st->sent && st->s[end] == '\r' &&
		    st->s[end + 1] == '\n')
			term = 2;
		else
			abort();	/* a block ends with an empty line */
		if (len + term > st->lim.max_request)
			abort();
		if (len > 0 && req[len - 1] != '\n')
			abort();
	}
	st->pos = end + term;
	st->pending = 1;
	check_buf(st);
	if (st->flags & 4)
		return;		/* answered in the next round */
	answer(st, c, (st->flags & 0x80) && len > 0 && req[0] == 'Q');
}

static void
on_over(void *arg, struct conn *c)
{
	struct st *st = arg;

	if (st->pending || st->over || st->closed)
		abort();
	st->over = 1;
	conn_reply_close(c, "error\n", 6);
}

static void
on_closed(void *arg, struct conn *c)
{
	struct st *st = arg;

	(void)c;
	if (st->closed)
		abort();
	st->closed = 1;
	st->c = NULL;
}

static void
on_idle(void *arg, struct conn *c)
{
	struct st *st = arg;

	if (conn_bufsize(c) != st->rinit)
		abort();	/* idle: the buffer is back to its first size */
}

static const struct conn_ops ops = { on_request, on_over, on_closed, on_idle };

/* one_round: one loop round, the client's side, the deferred answer. */
static void
one_round(struct loop *l, struct st *st, int client)
{
	char buf[4096];
	ssize_t n;

	loop_run_once(l, st->wait_ms);
	if (!(st->flags & 0x40))
		while ((n = recv(client, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			;
	if (st->c != NULL && st->pending && (st->flags & 4))
		answer(st, st->c, 0);
	check_buf(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loop *l;
	struct st st;
	uint32_t seed;
	size_t n, i, stuck = 0;
	ssize_t w;
	int sv[2], small = 4096;

	if (size < CFG_LEN)
		return 0;
	if (l == NULL) {
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		if ((l = loop_new()) == NULL)
			return 0;
	}
	memset(&st, 0, sizeof(st));
	st.flags = data[0];
	st.framing = (data[0] & 1) ? CONN_BLOCK : CONN_LINE;
	conn_default_limits(st.framing, &st.lim);
	st.lim.rbuf_init = 1 + data[1] % 64;
	st.lim.max_line = 1 + data[2];
	st.lim.max_lines = 1 + data[3] % 16;
	st.lim.max_request = 1 + (size_t)data[4] * 4;
	st.lim.linger_bytes = 64;
	if (data[0] & 2)
		st.lim.shrink_ms = 0;
	if (data[0] & 0x10) {
		st.lim.request_ms = st.lim.write_ms = st.lim.linger_ms =
		    (data[3] >> 4) & 3;
		st.lim.idle_ms = st.lim.request_ms + 2;
		if (st.lim.shrink_ms != 0)
			st.lim.shrink_ms = 1;
		st.wait_ms = 1;
	}
	st.rmax = st.framing == CONN_LINE ? st.lim.max_line :
	    st.lim.max_request;
	st.rinit = st.lim.rbuf_init > st.rmax ? st.rmax : st.lim.rbuf_init;
	seed = data[5] * 2654435761u + 1;
	st.s = data + CFG_LEN;
	st.slen = size - CFG_LEN;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	(void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if ((st.c = conn_new(l, sv[0], 1, st.framing, &st.lim, &ops,
	    &st)) == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	check_buf(&st);
	while (st.sent < st.slen && st.c != NULL && stuck < ROUNDS_AFTER) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 300;
		if (n > st.slen - st.sent)
			n = st.slen - st.sent;
		w = send(sv[1], st.s + st.sent, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w > 0) {
			st.sent += (size_t)w;
			stuck = 0;
		} else if (w == -1 && errno == EAGAIN)
			stuck++;	/* the conn does not read: not for ever */
		else if (w == -1 && errno != EAGAIN && errno != EINTR)
			break;	/* the conn closed its end */
		one_round(l, &st, sv[1]);
	}
	if (st.flags & 0x20) {
		shutdown(sv[1], SHUT_WR);
		st.eof = 1;
	}
	for (i = 0; i < (st.wait_ms ? ROUNDS_TIMED : ROUNDS_AFTER) &&
	    st.c != NULL; i++)
		one_round(l, &st, sv[1]);
	if (st.c != NULL)
		conn_free(st.c);
	close(sv[1]);
	return 0;
}
