/*
 * policy_load.c: the load generator of `make bench` (bench/policy).  Opens
 * C persistent connections to a policy server and keeps exactly one
 * request in flight on each (closed loop, like Postfix's smtpd processes),
 * until N requests are answered or T seconds have passed.  Prints one
 * key=value line: requests/s and latency quantiles from every sample,
 * sorted (CLOCK_MONOTONIC, microseconds).  Figures only: it asserts
 * nothing about them.  Not a correctness test of any server.
 *
 *	policy_load -s unix:/PATH|inet:127.0.0.1:PORT [-m policy|line]
 *	    [-c CONNS] [-n REQUESTS] [-d SECONDS] [-g SECONDS] [-r RATE]
 *	    [-T THREADS] [-S SENDER] [-R RECIPIENT] [-L LINE] [-l LABEL] [-v]
 *	    [-F FILE [-o]]
 *
 * policy: a realistic Postfix RCPT attribute block (the attributes and
 * order Postfix 3.7 sends), a new instance= per request; a reply ends with
 * an empty line and must start with "action=".  line: LINE (default
 * "AUTHZ sender=S recipient=R") per request; a reply is one line.
 * Replies that do not frame or start right count as errors.  -v prints
 * the first reply to stderr.  Replies still missing -g SECONDS (default 5)
 * after the deadline count as errors and end the run (bench/store gives
 * a server that stalls for a full reload longer).  Exit 1 when no
 * connection could be made.
 *
 * -r RATE: open loop instead.  The requests fall due at RATE a second
 * in all (each connection's every CONNS / RATE seconds, the connections
 * staggered), one in flight per connection still; a request is sent
 * when due, or at once when the reply before it came late, and its
 * latency counts from when it was due, not from when it was sent.  So a
 * server that stalls for 400 ms shows it in every request that fell due
 * meanwhile, as mail arriving at that rate would see it; the closed loop
 * counts such a stall once per connection (coordinated omission).  Pick
 * RATE below what the server sustains, or the backlog is what is
 * measured.  The line then says rate=RATE (0: closed loop).
 *
 * -F FILE: the senders, one address a line, in place of -S: each request
 * takes one of them at random (uniform; a xorshift64* stream per
 * connection, seeded by its number, so the runs repeat), or with -o the
 * next in the file's order (one counter for all connections: -n equal to
 * the number of lines asks for each sender once).  In line mode LINE then
 * holds "%s" once, replaced by the sender (default "AUTHZ sender=%s
 * recipient=R"); bench/cache fills senderkeyd's cache with -o and compares
 * random senders from a large and a small set.
 *
 * Build: cc -O2 -pthread -o build/bench/policy_load bench/policy_load.c
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PL_MAX_CONNS	4096
#define PL_MAX_THREADS	64
#define PL_MAX_REQ	4096
#define PL_MAX_REPLY	65536
#define PL_MAX_N	10000000UL

enum pl_mode {
	PL_POLICY,
	PL_LINE
};

struct pl_conf {
	const char	*endpoint;
	enum pl_mode	 mode;
	const char	*sender;
	const char	*recipient;
	const char	*line;
	int		 verbose;
	uint64_t	 deadline_ns;	/* CLOCK_MONOTONIC */
	uint64_t	 grace_ns;	/* replies awaited after the deadline */
	uint64_t	 interval_ns;	/* -r: between one connection's
					   requests; 0: closed loop */
	char		**senders;	/* -F: the list, NULL: -S */
	size_t		 nsenders;
	int		 ordered;	/* -o: in the file's order */
	const char	*lsuf;		/* -F, line mode: LINE after "%s"
					   (LINE is cut there) */
};

/* -o: the next sender of the list, for every connection. */
static atomic_uint_fast64_t pl_next;

struct pl_conn {
	int		 fd;
	unsigned	 id;
	uint64_t	 seq;
	uint64_t	 sent_ns;	/* -r: when it was due */
	uint64_t	 due_ns;	/* -r: when the next one is due */
	uint64_t	 rng;		/* -F: xorshift64* state */
	int		 waiting;	/* -r: idle until due_ns */
	size_t		 rlen;
	char		 req[PL_MAX_REQ];
	size_t		 reqlen;
	char		 reply[PL_MAX_REPLY];
};

struct pl_thread {
	const struct pl_conf *conf;
	pthread_t	 tid;
	unsigned	 first;		/* first connection id */
	unsigned	 nconns;
	uint64_t	 quota;		/* requests this thread sends */
	uint64_t	*samples;	/* latency in ns, one per reply */
	uint64_t	 done;
	uint64_t	 errors;
	int		 failed;
	int		 printed;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: policy_load -s unix:/PATH|inet:127.0.0.1:PORT"
	    " [-m policy|line] [-c CONNS] [-n REQUESTS] [-d SECONDS]"
	    " [-g SECONDS] [-r RATE] [-T THREADS] [-S SENDER] [-R RECIPIENT] [-L LINE] [-l LABEL]"
	    " [-v] [-F FILE [-o]]\n");
	exit(2);
}

static int
connect_to(const char *ep)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	const char *p;
	char *end;
	long port;
	int fd = -1;

	if (strncmp(ep, "unix:/", 6) == 0) {
		p = ep + 5;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(p) >= sizeof(sun.sun_path))
			return -1;
		memcpy(sun.sun_path, p, strlen(p) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			goto fail;
	} else if (strncmp(ep, "inet:127.0.0.1:", 15) == 0) {
		errno = 0;
		port = strtol(ep + 15, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
			return -1;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	} else
		return -1;
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* The sender of connection C's next request (-F: from the list). */
static const char *
pick_sender(const struct pl_conf *conf, struct pl_conn *c)
{
	uint64_t i;

	if (conf->nsenders == 0)
		return conf->sender;
	if (conf->ordered)
		i = atomic_fetch_add(&pl_next, 1);
	else {
		c->rng ^= c->rng >> 12;
		c->rng ^= c->rng << 25;
		c->rng ^= c->rng >> 27;
		i = (c->rng * 2685821657736338717ULL) >> 11;
	}
	return conf->senders[i % conf->nsenders];
}

/* Build connection C's next request into c->req; -1 if it does not fit. */
static int
build_request(const struct pl_conf *conf, struct pl_conn *c)
{
	const char *sender = pick_sender(conf, c);
	int n;

	if (conf->mode == PL_LINE && conf->nsenders > 0)
		n = snprintf(c->req, sizeof(c->req), "%s%s%s\n", conf->line,
		    sender, conf->lsuf);
	else if (conf->mode == PL_LINE)
		n = snprintf(c->req, sizeof(c->req), "%s\n", conf->line);
	else
		n = snprintf(c->req, sizeof(c->req),
		    "request=smtpd_access_policy\n"
		    "protocol_state=RCPT\n"
		    "protocol_name=ESMTP\n"
		    "client_address=192.0.2.10\n"
		    "client_name=mail.example.org\n"
		    "client_port=%u\n"
		    "reverse_client_name=mail.example.org\n"
		    "server_address=192.0.2.25\n"
		    "server_port=25\n"
		    "helo_name=mail.example.org\n"
		    "sender=%s\n"
		    "recipient=%s\n"
		    "recipient_count=0\n"
		    "queue_id=\n"
		    "instance=%x.%llx.0\n"
		    "size=0\n"
		    "etrn_domain=\n"
		    "stress=\n"
		    "sasl_method=\n"
		    "sasl_username=\n"
		    "sasl_sender=\n"
		    "ccert_subject=\n"
		    "ccert_issuer=\n"
		    "ccert_fingerprint=\n"
		    "ccert_pubkey_fingerprint=\n"
		    "encryption_protocol=\n"
		    "encryption_cipher=\n"
		    "encryption_keysize=0\n"
		    "policy_context=\n"
		    "\n", 40000 + c->id, sender, conf->recipient, c->id,
		    (unsigned long long)c->seq);
	if (n < 0 || (size_t)n >= sizeof(c->req))
		return -1;
	c->reqlen = (size_t)n;
	return 0;
}

static int
send_request(struct pl_thread *t, struct pl_conn *c)
{
	if (build_request(t->conf, c) == -1)
		return -1;
	c->seq++;
	c->rlen = 0;
	c->sent_ns = t->conf->interval_ns != 0 ? c->due_ns : now_ns();
	c->waiting = 0;
	/* A request is far below the socket buffer: one send. */
	if (send(c->fd, c->req, c->reqlen, MSG_NOSIGNAL) !=
	    (ssize_t)c->reqlen)
		return -1;
	return 0;
}

/* 1: a complete reply is in c->reply; 0: not yet; -1: broken. */
static int
reply_complete(const struct pl_conf *conf, const struct pl_conn *c)
{
	if (conf->mode == PL_LINE)
		return memchr(c->reply, '\n', c->rlen) != NULL;
	if (c->rlen >= 2 && memcmp(c->reply + c->rlen - 2, "\n\n", 2) == 0)
		return 1;
	return 0;
}

static int
reply_ok(const struct pl_conf *conf, const struct pl_conn *c)
{
	const char *nl;

	if (conf->mode == PL_LINE) {
		nl = memchr(c->reply, '\n', c->rlen);
		return nl == c->reply + c->rlen - 1;
	}
	return c->rlen > 7 && memcmp(c->reply, "action=", 7) == 0 &&
	    memchr(c->reply, '\n', c->rlen) == c->reply + c->rlen - 2;
}

/*
 * kick (-r): send the requests of waiting connections that are due,
 * forget those due at or after the deadline or beyond the quota, and
 * arm TFD for the next one due.  Returns 0, or -1 when a send failed.
 */
static int
kick(struct pl_thread *t, struct pl_conn *conns, int tfd, uint64_t *sent,
    unsigned *nwait)
{
	const struct pl_conf *conf = t->conf;
	struct itimerspec its;
	uint64_t now = now_ns(), next = 0;
	unsigned i;

	for (i = 0; i < t->nconns && *nwait > 0; i++) {
		if (!conns[i].waiting)
			continue;
		if (*sent >= t->quota || conns[i].due_ns >= conf->deadline_ns) {
			conns[i].waiting = 0;
			(*nwait)--;
		} else if (conns[i].due_ns <= now) {
			if (send_request(t, &conns[i]) == -1)
				return -1;
			(*sent)++;
			(*nwait)--;
		} else if (next == 0 || conns[i].due_ns < next)
			next = conns[i].due_ns;
	}
	if (next == 0)
		return 0;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(next / 1000000000u);
	its.it_value.tv_nsec = (long)(next % 1000000000u);
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void *
run_thread(void *arg)
{
	struct pl_thread *t = arg;
	const struct pl_conf *conf = t->conf;
	struct epoll_event ev, evs[256];
	struct pl_conn *conns = NULL, *c;
	uint64_t sent = 0, now, tick;
	unsigned i, open = 0, nwait = 0;
	ssize_t r;
	int efd = -1, tfd = -1, n, k, rc;

	if ((conns = calloc(t->nconns, sizeof(*conns))) == NULL ||
	    (efd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	for (i = 0; i < t->nconns; i++) {
		c = &conns[i];
		c->id = t->first + i;
		c->rng = 0x9e3779b97f4a7c15ULL * (c->id + 1);
		if ((c->fd = connect_to(conf->endpoint)) == -1) {
			fprintf(stderr, "policy_load: connect %s: %s\n",
			    conf->endpoint, strerror(errno));
			goto fail;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(efd, EPOLL_CTL_ADD, c->fd, &ev) == -1)
			goto fail;
		open++;
	}
	if (conf->interval_ns != 0) {
		/* Open loop: each connection's requests fall due every
		   interval, the connections staggered across it. */
		if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
		    TFD_NONBLOCK)) == -1)
			goto fail;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = NULL;
		if (epoll_ctl(efd, EPOLL_CTL_ADD, tfd, &ev) == -1)
			goto fail;
		now = now_ns();
		for (i = 0; i < t->nconns; i++) {
			conns[i].due_ns = now + conf->interval_ns * i /
			    t->nconns;
			conns[i].waiting = 1;
			nwait++;
		}
		if (kick(t, conns, tfd, &sent, &nwait) == -1)
			goto fail;
	}
	for (i = 0; conf->interval_ns == 0 && i < t->nconns &&
	    sent < t->quota; i++) {
		if (send_request(t, &conns[i]) == -1)
			goto fail;
		sent++;
	}
	while (t->done < sent || nwait > 0) {
		if ((n = epoll_wait(efd, evs, 256, 1000)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		now = now_ns();
		if (now > conf->deadline_ns + conf->grace_ns) {
			fprintf(stderr, "policy_load: %llu replies missing "
			    "%llu s after the deadline\n",
			    (unsigned long long)(sent - t->done),
			    (unsigned long long)(conf->grace_ns / 1000000000u));
			t->errors += sent - t->done;
			break;
		}
		for (k = 0; k < n; k++) {
			if ((c = evs[k].data.ptr) == NULL) {
				/* the timer: kicked below */
				if (read(tfd, &tick, sizeof(tick)) == -1 &&
				    errno != EAGAIN)
					goto fail;
				continue;
			}
			r = read(c->fd, c->reply + c->rlen,
			    sizeof(c->reply) - c->rlen);
			if (r <= 0) {
				if (r == -1 && errno == EINTR)
					continue;
				fprintf(stderr, "policy_load: connection %u "
				    "closed by the server\n", c->id);
				goto fail;
			}
			c->rlen += (size_t)r;
			if ((rc = reply_complete(conf, c)) == 0) {
				if (c->rlen == sizeof(c->reply))
					goto fail;
				continue;
			}
			t->samples[t->done++] = now - c->sent_ns;
			if (!reply_ok(conf, c))
				t->errors++;
			if (conf->verbose && !t->printed && t->first == 0) {
				fprintf(stderr, "policy_load: first reply: "
				    "%.*s", (int)c->rlen, c->reply);
				t->printed = 1;
			}
			if (conf->interval_ns != 0) {
				c->due_ns += conf->interval_ns;
				c->waiting = 1;
				nwait++;
			} else if (sent < t->quota && now < conf->deadline_ns) {
				if (send_request(t, c) == -1)
					goto fail;
				sent++;
			}
		}
		if (nwait > 0 && kick(t, conns, tfd, &sent, &nwait) == -1)
			goto fail;
	}
	goto out;
fail:
	t->failed = 1;
out:
	for (i = 0; conns != NULL && i < open; i++)
		close(conns[i].fd);
	if (efd != -1)
		close(efd);
	if (tfd != -1)
		close(tfd);
	free(conns);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
quantile_us(const uint64_t *s, uint64_t n, double q)
{
	uint64_t i;

	if (n == 0)
		return 0;
	i = (uint64_t)(q * (double)(n - 1) + 0.5);
	return (double)s[i] / 1000.0;
}

/*
 * load_senders: FILE's lines (empty ones skipped) into CONF's list; the
 * file stays in memory.  Exits on error.
 */
static void
load_senders(struct pl_conf *conf, const char *file)
{
	FILE *fp;
	char *buf = NULL, *p, *nl;
	size_t cap = 0, len = 0, n = 0;
	size_t r;

	if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "policy_load: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	do {
		if (len + 65536 + 1 > cap) {
			cap = (len + 65536 + 1) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				goto nomem;
		}
		r = fread(buf + len, 1, cap - len - 1, fp);
		len += r;
	} while (r > 0);
	if (ferror(fp)) {
		fprintf(stderr, "policy_load: %s: read error\n", file);
		exit(1);
	}
	fclose(fp);
	buf[len] = '\0';
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		n += nl > p;
	}
	if (n == 0) {
		fprintf(stderr, "policy_load: %s: no senders\n", file);
		exit(1);
	}
	if ((conf->senders = calloc(n, sizeof(*conf->senders))) == NULL)
		goto nomem;
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (nl > p)
			conf->senders[conf->nsenders++] = p;
	}
	return;
nomem:
	fprintf(stderr, "policy_load: out of memory\n");
	exit(1);
}

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	struct pl_conf conf;
	struct pl_thread th[PL_MAX_THREADS];
	const char *label = "-", *sfile = NULL;
	char linebuf[1024], *pct;
	uint64_t *all = NULL, total = 0, errors = 0, nreq = 20000, off;
	uint64_t t0, t1;
	unsigned long conns = 1, threads = 1, secs = 10, i, per, extra;
	unsigned long rate = 0;
	double el;
	int ch, failed = 0;

	memset(&conf, 0, sizeof(conf));
	conf.mode = PL_POLICY;
	conf.sender = "alice@example.test";
	conf.recipient = "bob@example.net";
	conf.grace_ns = 5000000000u;
	while ((ch = getopt(argc, argv, "c:d:F:g:l:L:m:n:or:R:s:S:T:v")) != -1) {
		switch (ch) {
		case 'c':
			conns = number(optarg, PL_MAX_CONNS);
			break;
		case 'd':
			secs = number(optarg, 3600);
			break;
		case 'F':
			sfile = optarg;
			break;
		case 'g':
			conf.grace_ns = (uint64_t)number(optarg, 3600) *
			    1000000000u;
			break;
		case 'l':
			label = optarg;
			break;
		case 'L':
			conf.line = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "policy") == 0)
				conf.mode = PL_POLICY;
			else if (strcmp(optarg, "line") == 0)
				conf.mode = PL_LINE;
			else
				usage();
			break;
		case 'n':
			nreq = number(optarg, PL_MAX_N);
			break;
		case 'o':
			conf.ordered = 1;
			break;
		case 'r':
			rate = number(optarg, 10000000);
			break;
		case 'R':
			conf.recipient = optarg;
			break;
		case 's':
			conf.endpoint = optarg;
			break;
		case 'S':
			conf.sender = optarg;
			break;
		case 'T':
			threads = number(optarg, PL_MAX_THREADS);
			break;
		case 'v':
			conf.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (conf.endpoint == NULL || optind != argc ||
	    (conf.ordered && sfile == NULL))
		usage();
	if (conf.line == NULL) {
		snprintf(linebuf, sizeof(linebuf), "AUTHZ sender=%s "
		    "recipient=%s", sfile != NULL ? "%s" : conf.sender,
		    conf.recipient);
		conf.line = linebuf;
	}
	if (strchr(conf.line, '\n') != NULL)
		usage();
	if (sfile != NULL) {
		load_senders(&conf, sfile);
		/* line mode: LINE is cut at its one "%s" */
		if (conf.mode == PL_LINE) {
			if (strlen(conf.line) >= sizeof(linebuf) ||
			    (pct = strstr(conf.line, "%s")) == NULL ||
			    strstr(pct + 2, "%s") != NULL)
				usage();
			if (conf.line != linebuf)
				conf.line = strcpy(linebuf, conf.line);
			pct = strstr(linebuf, "%s");
			*pct = '\0';
			conf.lsuf = pct + 2;
		}
	}
	if (threads > conns)
		threads = conns;
	if (nreq < conns)
		nreq = conns;
	if (rate != 0)
		conf.interval_ns = 1000000000ULL * conns / rate;
	if (rate != 0 && conf.interval_ns == 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if ((all = calloc(nreq, sizeof(*all))) == NULL) {
		fprintf(stderr, "policy_load: out of memory\n");
		return 1;
	}
	memset(th, 0, sizeof(th));
	t0 = now_ns();
	conf.deadline_ns = t0 + (uint64_t)secs * 1000000000u;
	off = 0;
	per = conns / threads;
	extra = conns % threads;
	for (i = 0; i < threads; i++) {
		th[i].conf = &conf;
		th[i].nconns = (unsigned)(per + (i < extra));
		th[i].first = i == 0 ? 0 : th[i - 1].first + th[i - 1].nconns;
		th[i].quota = nreq / threads + (i < nreq % threads);
		th[i].samples = all + off;
		off += th[i].quota;
	}
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i].tid, NULL, run_thread, &th[i]) != 0) {
			fprintf(stderr, "policy_load: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < threads; i++)
		pthread_join(th[i].tid, NULL);
	t1 = now_ns();
	/* Gather the samples of all threads at the front, then sort. */
	for (i = 0, off = 0; i < threads; i++) {
		memmove(all + total, th[i].samples, th[i].done * sizeof(*all));
		total += th[i].done;
		errors += th[i].errors;
		failed |= th[i].failed;
		off += th[i].quota;
	}
	qsort(all, total, sizeof(*all), cmp_u64);
	el = (double)(t1 - t0) / 1e9;
	printf("label=%s mode=%s conns=%lu threads=%lu rate=%lu requests=%llu "
	    "errors=%llu secs=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f "
	    "p999_us=%.1f max_us=%.1f%s\n", label,
	    conf.mode == PL_POLICY ? "policy" : "line", conns, threads, rate,
	    (unsigned long long)total, (unsigned long long)errors, el,
	    el > 0 ? (double)total / el : 0.0,
	    quantile_us(all, total, 0.50), quantile_us(all, total, 0.99),
	    quantile_us(all, total, 0.999),
	    total > 0 ? (double)all[total - 1] / 1000.0 : 0.0,
	    failed ? " failed=1" : "");
	free(all);
	return total == 0 ? 1 : 0;
}
