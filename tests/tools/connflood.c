/*
 * connflood: load and abuse generator for senderkeyd's sockets
 * (integration tests 93-load and 94-restart only).  One process, one
 * poll() loop, no threads.  Prints key=value figures on stdout, one
 * "key=value ..." line per phase; the scripts read RSS from /proc.
 *
 *   connflood [-p] [-r REQ] SOCKET hold N SECS
 *	open N connections, each sends one request and reads its reply;
 *	prints "held=K answered=K" (then stays until SECS pass or SIGUSR1),
 *	then asks again on every connection: "answered_after=K closed=C"
 *   connflood [-p] [-r REQ] SOCKET probe K
 *	K requests, one after the other, each on a fresh connection:
 *	"answered=A refused=R errors=E p50_us= p99_us= max_us="
 *   connflood [-p] SOCKET slow N DRIBBLE_MS SECS
 *	N connections send half a request, then one more octet every
 *	DRIBBLE_MS (never the end of the request): "slow_ready=N" once all
 *	are open, then, when the server closed them all or SECS passed,
 *	"closed=C replied=R open=O first_close_ms= last_close_ms="
 *   connflood SOCKET idle N SECS     likewise, sending nothing
 *   connflood [-p] [-r REQ] SOCKET abort M K
 *	M times: connect, pipeline K requests, read one octet of the
 *	replies, reset the connection (SO_LINGER 0): "aborted=M"
 *   connflood [-p] [-r REQ] SOCKET churn N SECS
 *	N clients ask in a loop for SECS (reconnecting when the server
 *	goes away): "ok=.. eof=.. partial=.. connect_fail=.. unexpected=..
 *	authorized=.. authorized_partial=.. gap_ms="; a reply cut short
 *	(octets without the final LF) is "partial"
 *   connflood [-p] [-r REQ] SOCKET wait MS
 *	connect and ask every 2 ms until a complete reply: "waited_ms="
 *   connflood [-p] [-r REQ] SOCKET once
 *	one connection: "connect=ok reply=FIRST-LINE", "connect=ok
 *	reply=EOF" (closed or reset before any octet: refused), "reply=partial"
 *	or "reply=timeout", or "connect=ENAME"
 *
 * -p: Postfix policy framing (a request is attribute lines and an empty
 * line; a reply ends with an empty line); else the line protocol.  -r:
 * the request (attribute lines separated by ","; default PING, or an
 * RCPT block for alice@example.test).  -e PREFIX: a reply must start
 * with PREFIX, else it counts as "unexpected" (hold, probe, churn).
 * Exit status 0 when the phase met its own conditions (listed per mode
 * in main), 1 otherwise, 2 on usage.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS	20000
#define HOLD_SETUP_S	120	/* hold: time to open and ask on all */

struct cl {
	int		 fd;
	int		 state;		/* S_* */
	char		 buf[1024];	/* the reply so far (truncated) */
	size_t		 len;
	size_t		 sent;		/* of the request */
	uint64_t	 t0;		/* ms or us, per mode */
};

enum { S_FREE, S_SEND, S_READ, S_HELD, S_DONE };

static int	 policy;
static char	 req[16384];
static size_t	 reqlen;
static const char *expect;
static volatile sig_atomic_t stop_hold;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
on_usr1(int sig)
{
	(void)sig;
	stop_hold = 1;
}

static int
dial(const char *path, int *err)
{
	struct sockaddr_un sun;
	struct timeval tv = { 5, 0 };	/* a full listen queue blocks */
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		*err = errno;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *b, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(fd, b, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* complete: 1 when BUF holds a whole reply. */
static int
complete(const char *b, size_t len)
{
	if (policy)
		return len >= 2 && b[len - 1] == '\n' && b[len - 2] == '\n';
	return len >= 1 && b[len - 1] == '\n';
}

static int
expected(const char *b)
{
	return expect == NULL || strncmp(b, expect, strlen(expect)) == 0;
}

/*
 * read_reply: read into C until a whole reply, EOF or an error.  Returns
 * 1 whole, 0 EOF or reset before any octet, -1 cut short (octets but no
 * end), -2 timeout.  Blocking with poll, TIMEOUT_MS.
 */
static int
read_reply(struct cl *c, int timeout_ms)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	char tmp[4096];
	ssize_t n;
	size_t k;

	c->len = 0;
	for (;;) {
		if (poll(&p, 1, timeout_ms) <= 0)
			return -2;
		n = recv(c->fd, tmp, sizeof(tmp), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return c->len == 0 ? 0 : -1;
		k = (size_t)n;
		if (k > sizeof(c->buf) - 1 - c->len) {
			/* keep the tail: the end is what "complete" needs */
			size_t keep = sizeof(c->buf) - 1 - k;

			if (k >= sizeof(c->buf) - 1) {
				memcpy(c->buf, tmp + k - (sizeof(c->buf) - 1),
				    sizeof(c->buf) - 1);
				c->len = sizeof(c->buf) - 1;
			} else {
				memmove(c->buf, c->buf + c->len - keep, keep);
				memcpy(c->buf + keep, tmp, k);
				c->len = keep + k;
			}
		} else {
			memcpy(c->buf + c->len, tmp, k);
			c->len += k;
		}
		c->buf[c->len] = '\0';
		if (complete(c->buf, c->len))
			return 1;
	}
}

static void
raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < (rlim_t)need + 32) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- hold ---- */

static int
do_hold(const char *path, long n, long secs)
{
	struct cl *c;
	long i, held = 0, answered = 0, after = 0, closed = 0, bad = 0;
	uint64_t end;
	int err, r;

	raise_nofile(n);
	if ((c = calloc((size_t)n, sizeof(*c))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		c[i].fd = -1;
	/* a daemon that stops answering fails the phase, not hangs it */
	end = now_us() + (uint64_t)HOLD_SETUP_S * 1000000;
	for (i = 0; i < n && now_us() < end; i++) {
		if ((c[i].fd = dial(path, &err)) == -1) {
			fprintf(stderr, "connflood: connection %ld: %s\n", i,
			    strerror(err));
			continue;
		}
		held++;
		if (send_all(c[i].fd, req, reqlen) == -1)
			continue;
		if ((r = read_reply(&c[i], 5000)) == 1) {
			answered++;
			bad += !expected(c[i].buf);
		}
	}
	printf("held=%ld answered=%ld unexpected=%ld\n", held, answered, bad);
	fflush(stdout);
	signal(SIGUSR1, on_usr1);
	end = now_us() + (uint64_t)secs * 1000000;
	while (!stop_hold && now_us() < end)
		usleep(20000);
	for (i = 0; i < n; i++) {
		if (c[i].fd == -1)
			continue;
		if (send_all(c[i].fd, req, reqlen) == 0 &&
		    (r = read_reply(&c[i], 5000)) == 1)
			after++;
		else
			closed++;
		close(c[i].fd);
	}
	printf("answered_after=%ld closed=%ld\n", after, closed);
	free(c);
	return held == n && answered == n && after == n && bad == 0 ? 0 : 1;
}

/* ---- probe ---- */

static int
do_probe(const char *path, long k)
{
	struct cl c;
	uint64_t *lat, t0;
	long i, ans = 0, refused = 0, errors = 0, bad = 0;
	int err, r;

	if ((lat = calloc((size_t)k + 1, sizeof(*lat))) == NULL)
		return 1;
	for (i = 0; i < k; i++) {
		memset(&c, 0, sizeof(c));
		t0 = now_us();
		if ((c.fd = dial(path, &err)) == -1) {
			errors++;
			continue;
		}
		if (send_all(c.fd, req, reqlen) == -1) {
			refused++;
			close(c.fd);
			continue;
		}
		r = read_reply(&c, WAIT_MS);
		close(c.fd);
		if (r == 1) {
			lat[ans++] = now_us() - t0;
			bad += !expected(c.buf);
		} else if (r == 0)
			refused++;
		else
			errors++;
	}
	qsort(lat, (size_t)ans, sizeof(*lat), cmp_u64);
	printf("answered=%ld refused=%ld errors=%ld unexpected=%ld "
	    "p50_us=%llu p99_us=%llu max_us=%llu\n", ans, refused, errors,
	    bad, ans ? (unsigned long long)lat[ans / 2] : 0ULL,
	    ans ? (unsigned long long)lat[(ans * 99) / 100 < ans ?
	    (ans * 99) / 100 : ans - 1] : 0ULL,
	    ans ? (unsigned long long)lat[ans - 1] : 0ULL);
	free(lat);
	return ans == k && bad == 0 ? 0 : 1;
}

/* ---- slow and idle ---- */

static int
do_slow(const char *path, long n, long dribble_ms, long secs, int idle)
{
	struct pollfd *p;
	struct cl *c;
	char tmp[4096];
	long i, open = 0, closed = 0, replied = 0;
	uint64_t start, end, last_drip, first = 0, last = 0, t;
	size_t half = reqlen / 2;
	ssize_t r;
	int err;

	raise_nofile(n);
	if ((c = calloc((size_t)n, sizeof(*c))) == NULL ||
	    (p = calloc((size_t)n, sizeof(*p))) == NULL)
		return 1;
	start = now_us();
	for (i = 0; i < n; i++) {
		p[i].fd = -1;
		if ((c[i].fd = dial(path, &err)) == -1) {
			fprintf(stderr, "connflood: slow %ld: %s\n", i,
			    strerror(err));
			continue;
		}
		if (!idle && send_all(c[i].fd, req, half) == -1)
			continue;
		p[i].fd = c[i].fd;
		p[i].events = POLLIN;
		open++;
	}
	printf("slow_ready=%ld\n", open);
	fflush(stdout);
	end = start + (uint64_t)secs * 1000000;
	last_drip = now_us();
	while (open > 0 && (t = now_us()) < end) {
		if (poll(p, (nfds_t)n, 50) == -1 && errno != EINTR)
			break;
		t = now_us();
		for (i = 0; i < n; i++) {
			if (p[i].fd == -1 || p[i].revents == 0)
				continue;
			r = recv(p[i].fd, tmp, sizeof(tmp), MSG_DONTWAIT);
			if (r > 0) {
				replied++;
				continue;	/* a reply: counted, keep on */
			}
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(p[i].fd);
			p[i].fd = -1;
			open--;
			closed++;
			if (first == 0)
				first = t;
			last = t;
		}
		if (!idle && t - last_drip >= (uint64_t)dribble_ms * 1000) {
			last_drip = t;
			for (i = 0; i < n; i++)
				if (p[i].fd != -1 &&
				    send(p[i].fd, "x", 1, MSG_NOSIGNAL |
				    MSG_DONTWAIT) == -1 && errno == EPIPE)
					p[i].revents = POLLIN;
		}
	}
	printf("closed=%ld replied=%ld open=%ld first_close_ms=%llu "
	    "last_close_ms=%llu\n", closed, replied, open,
	    first ? (unsigned long long)(first - start) / 1000 : 0ULL,
	    last ? (unsigned long long)(last - start) / 1000 : 0ULL);
	for (i = 0; i < n; i++)
		if (p[i].fd != -1)
			close(p[i].fd);
	free(c);
	free(p);
	return closed == n && replied == 0 ? 0 : 1;
}

/* ---- abort ---- */

static int
do_abort(const char *path, long m, long k)
{
	struct linger lg = { 1, 0 };
	char one;
	long i, j, done = 0;
	int fd, err;

	for (i = 0; i < m; i++) {
		if ((fd = dial(path, &err)) == -1)
			continue;
		for (j = 0; j < k; j++)
			if (send_all(fd, req, reqlen) == -1)
				break;
		/* one octet of the replies, then a reset mid-reply */
		if (recv(fd, &one, 1, 0) == 1)
			done++;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
	}
	printf("aborted=%ld\n", done);
	return done == m ? 0 : 1;
}

/* ---- churn ---- */

static int
do_churn(const char *path, long n, long secs)
{
	struct pollfd *p;
	struct cl *c;
	char tmp[4096];
	long i, ok = 0, eof = 0, partial = 0, cfail = 0, bad = 0, authz = 0;
	long authz_partial = 0;
	uint64_t end, t, last_ok, gap = 0;
	ssize_t r;
	int err;

	raise_nofile(n);
	if ((c = calloc((size_t)n, sizeof(*c))) == NULL ||
	    (p = calloc((size_t)n, sizeof(*p))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		c[i].fd = p[i].fd = -1;
	last_ok = now_us();
	end = last_ok + (uint64_t)secs * 1000000;
	while ((t = now_us()) < end) {
		for (i = 0; i < n; i++) {
			if (c[i].fd != -1)
				continue;
			if ((c[i].fd = dial(path, &err)) == -1) {
				cfail++;
				continue;
			}
			c[i].len = 0;
			c[i].state = S_READ;
			if (send_all(c[i].fd, req, reqlen) == -1) {
				close(c[i].fd);
				c[i].fd = -1;
				eof++;
				continue;
			}
		}
		for (i = 0; i < n; i++) {
			p[i].fd = c[i].fd;
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, (nfds_t)n, 10) == -1 && errno != EINTR)
			break;
		if (cfail > 0)
			usleep(2000);	/* the socket is gone: do not spin */
		for (i = 0; i < n; i++) {
			if (c[i].fd == -1 || p[i].revents == 0)
				continue;
			r = recv(c[i].fd, tmp, sizeof(tmp), MSG_DONTWAIT);
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r > 0) {
				size_t k = (size_t)r;

				if (k > sizeof(c[i].buf) - 1 - c[i].len)
					k = sizeof(c[i].buf) - 1 - c[i].len;
				memcpy(c[i].buf + c[i].len, tmp, k);
				c[i].len += k;
				c[i].buf[c[i].len] = '\0';
				if (!complete(c[i].buf, c[i].len))
					continue;
				ok++;
				bad += !expected(c[i].buf);
				authz += strncmp(c[i].buf, "authorized", 10)
				    == 0;
				t = now_us();
				if (t - last_ok > gap)
					gap = t - last_ok;
				last_ok = t;
				/* next request on the same connection */
				c[i].len = 0;
				if (send_all(c[i].fd, req, reqlen) == 0)
					continue;
			} else if (c[i].len == 0)
				eof++;
			else {
				partial++;
				authz_partial += strncmp(c[i].buf, "author",
				    c[i].len < 6 ? c[i].len : 6) == 0;
				fprintf(stderr, "connflood: cut short: '%s'\n",
				    c[i].buf);
			}
			close(c[i].fd);
			c[i].fd = -1;
		}
	}
	for (i = 0; i < n; i++)
		if (c[i].fd != -1)
			close(c[i].fd);
	printf("ok=%ld eof=%ld partial=%ld connect_fail=%ld unexpected=%ld "
	    "authorized=%ld authorized_partial=%ld gap_ms=%llu\n", ok, eof,
	    partial, cfail, bad, authz, authz_partial,
	    (unsigned long long)gap / 1000);
	free(c);
	free(p);
	return partial == 0 && bad == 0 && ok > 0 ? 0 : 1;
}

/* ---- wait ---- */

static int
do_wait(const char *path, long ms)
{
	struct cl c;
	uint64_t t0 = now_us(), end = t0 + (uint64_t)ms * 1000;
	int err;

	while (now_us() < end) {
		memset(&c, 0, sizeof(c));
		if ((c.fd = dial(path, &err)) != -1) {
			if (send_all(c.fd, req, reqlen) == 0 &&
			    read_reply(&c, 1000) == 1) {
				close(c.fd);
				printf("waited_ms=%llu\n", (unsigned long long)
				    (now_us() - t0) / 1000);
				return 0;
			}
			close(c.fd);
		}
		usleep(2000);
	}
	printf("waited_ms=timeout\n");
	return 1;
}

/* ---- once ---- */

static const char *
errname(int e)
{
	switch (e) {
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	default:	return "other";
	}
}

static int
do_once(const char *path)
{
	struct cl c;
	char *nl;
	int err = 0, r;

	memset(&c, 0, sizeof(c));
	if ((c.fd = dial(path, &err)) == -1) {
		printf("connect=%s\n", errname(err));
		return 1;
	}
	/* refused: the send fails, or EOF or a reset before any octet */
	r = send_all(c.fd, req, reqlen) == -1 ? 0 : read_reply(&c, WAIT_MS);
	if (r != 1) {
		printf("connect=ok reply=%s\n", r == 0 ? "EOF" : r == -1 ?
		    "partial" : "timeout");
		close(c.fd);
		return 1;
	}
	close(c.fd);
	if ((nl = strchr(c.buf, '\n')) != NULL)
		*nl = '\0';
	printf("connect=ok reply=%s\n", c.buf);
	return 0;
}

static void
set_request(const char *r)
{
	size_t i, n = strlen(r);

	if (n + 3 > sizeof(req)) {
		fprintf(stderr, "connflood: request too long\n");
		exit(2);
	}
	memcpy(req, r, n);
	if (policy)
		for (i = 0; i < n; i++)
			if (req[i] == ',')
				req[i] = '\n';
	req[n++] = '\n';
	if (policy)
		req[n++] = '\n';
	reqlen = n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: connflood [-p] [-r REQ] [-e PREFIX] SOCKET "
	    "hold|probe|slow|idle|abort|churn|wait|once ARGS...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *r = NULL, *path, *mode;
	long a1, a2, a3;
	int ch;

	while ((ch = getopt(argc, argv, "pr:e:")) != -1) {
		switch (ch) {
		case 'p':
			policy = 1;
			break;
		case 'r':
			r = optarg;
			break;
		case 'e':
			expect = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (r == NULL)
		r = policy ? "request=smtpd_access_policy,protocol_state=RCPT,"
		    "sender=alice@example.test,recipient=bob@example.net,"
		    "instance=cf.1" : "PING";
	set_request(r);
	path = argv[0];
	mode = argv[1];
	a1 = argc > 2 ? atol(argv[2]) : 0;
	a2 = argc > 3 ? atol(argv[3]) : 0;
	a3 = argc > 4 ? atol(argv[4]) : 0;
	if (strcmp(mode, "hold") == 0 && argc == 4 && a1 > 0)
		return do_hold(path, a1, a2);
	if (strcmp(mode, "probe") == 0 && argc == 3 && a1 > 0)
		return do_probe(path, a1);
	if (strcmp(mode, "slow") == 0 && argc == 5 && a1 > 0 && a2 > 0)
		return do_slow(path, a1, a2, a3, 0);
	if (strcmp(mode, "idle") == 0 && argc == 4 && a1 > 0)
		return do_slow(path, a1, 0, a2, 1);
	if (strcmp(mode, "abort") == 0 && argc == 4 && a1 > 0 && a2 > 0)
		return do_abort(path, a1, a2);
	if (strcmp(mode, "churn") == 0 && argc == 4 && a1 > 0)
		return do_churn(path, a1, a2);
	if (strcmp(mode, "wait") == 0 && argc == 3 && a1 > 0)
		return do_wait(path, a1);
	if (strcmp(mode, "once") == 0 && argc == 2)
		return do_once(path);
	usage();
	return 2;
}
