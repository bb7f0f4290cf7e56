/*
 * milter_load.c: a milter load generator (bench/milter, issue 18).  It
 * plays the MTA of the Sendmail milter protocol (bench/milter_wire.h)
 * against one milter on a Unix socket: C connections at once (epoll, one
 * thread), each carrying one whole message and then closed, as Postfix
 * opens a milter connection per SMTP session.  A message is OPTNEG
 * (version 6, every action, every protocol bit up to HDR_LEADSPC
 * offered), CONNECT, HELO, MAIL, RCPT, DATA, one HEADER per field, EOH,
 * BODY in chunks of at most 65535 octets, end of message, with the
 * macros Postfix sends that milters read ({daemon_name}, j, i, ...);
 * commands the milter declined (SMFIP_NO*) are left out, and those it
 * answers without a reply (SMFIP_NR_*) are not waited for.  The time of
 * a message runs from connect(2) (so the option negotiation counts, as
 * it does for Postfix) to the final reply.  Not a test: it prints
 * figures and counts, never judges them.
 *
 *	milter_load -s unix:PATH [-c CONNS] [-n MESSAGES] [-d SECONDS]
 *	    [-p PASS] [-r RCPT] MSGFILE...
 *
 * Messages are taken from the files in turn (a shared counter), N in all
 * (default: as many as files).  -p PASS: a message "passes" when a header
 * field the milter added or inserted contains PASS (e.g. "dkim=pass",
 * "senderkey=pass").  Prints one line of key=value:
 *	msgs secs rate p50_ms p99_ms accept continue reject tempfail discard
 *	errors added ar skt pass proto waits cpu_ms
 * (continue: a CONTINUE as the final reply to end of message, which the
 * MTA takes as accept; added: header fields added or inserted; ar, skt:
 * of those, Authentication-Results and Sender-Key-Trust; pass: messages
 * that passed; proto: the protocol bits the milter negotiated, in hex;
 * waits: the replies waited for per message, OPTNEG's included: the
 * round trips a message costs; cpu_ms: this program's own CPU time per
 * message, user and system, to show it is not what limits the rate).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "milter_wire.h"

#define MAX_CONNS	1024
#define MAX_STEPS_HDR	512	/* header fields sent per message, at most */

struct field {
	char	*name;
	char	*value;		/* CRLF turned into LF; leading blanks kept */
};

struct msg {
	struct field	*f;
	size_t		 nf;
	const char	*body;
	size_t		 bodylen;
	char		*raw;
	char		 from[256];
};

struct step {
	size_t	end;		/* offset in out just past this command */
	char	cmd;
	int	answered;
};

enum cstate { C_IDLE, C_OPTNEG, C_RUN };

struct conn {
	int		 fd;
	enum cstate	 st;
	struct mw_buf	 out;
	struct mw_buf	 in;
	struct step	*steps;
	size_t		 nsteps, capsteps, si, off, eom;
	int		 waiting;
	int		 pass;
	unsigned long	 msgno;
	struct timespec	 t0;
};

struct run {
	const char	*path;
	const char	*pass;
	const char	*rcpt;
	struct msg	*m;
	size_t		 nm;
	unsigned long	 n, started, done;
	uint32_t	 proto;		/* as the milter negotiated */
	double		*lat;
	unsigned long	 accept, cont, reject, tempfail, discard, errors;
	unsigned long	 added, ar, skt, npass;
	unsigned long	 waits;		/* replies waited for, OPTNEG's too */
	int		 ep;
	int		 stop;
};

static void die(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("milter_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double
now_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* load_msg: reads PATH and splits it into fields and body. */
static void
load_msg(const char *path, struct msg *m)
{
	FILE *fp;
	long sz;
	size_t pos = 0, nl, vl, i, j;
	const char *n, *v, *lt, *gt;
	int r;

	if ((fp = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) == -1 || (sz = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1)
		die("%s: cannot size", path);
	if ((m->raw = malloc((size_t)sz + 1)) == NULL ||
	    fread(m->raw, 1, (size_t)sz, fp) != (size_t)sz)
		die("%s: cannot read", path);
	fclose(fp);
	m->raw[sz] = '\0';
	if ((m->f = calloc(MAX_STEPS_HDR, sizeof(*m->f))) == NULL)
		die("out of memory");
	while ((r = mw_field(m->raw, (size_t)sz, &pos, &n, &nl, &v,
	    &vl)) == 1) {
		if (m->nf == MAX_STEPS_HDR)
			die("%s: more than %d header fields", path,
			    MAX_STEPS_HDR);
		if ((m->f[m->nf].name = strndup(n, nl)) == NULL ||
		    (m->f[m->nf].value = malloc(vl + 1)) == NULL)
			die("out of memory");
		for (i = j = 0; i < vl; i++)
			if (!(v[i] == '\r' && i + 1 < vl && v[i + 1] == '\n'))
				m->f[m->nf].value[j++] = v[i];
		m->f[m->nf].value[j] = '\0';
		if (strcasecmp(m->f[m->nf].name, "From") == 0 &&
		    (lt = strchr(m->f[m->nf].value, '<')) != NULL &&
		    (gt = strchr(lt, '>')) != NULL &&
		    (size_t)(gt - lt) < sizeof(m->from) - 1)
			snprintf(m->from, sizeof(m->from), "%.*s",
			    (int)(gt - lt + 1), lt);
		m->nf++;
	}
	if (r == -1)
		die("%s: a header line that is not a field", path);
	if (m->from[0] == '\0')
		snprintf(m->from, sizeof(m->from), "<>");
	m->body = m->raw + pos;
	m->bodylen = (size_t)sz - pos;
}

static void
step(struct conn *c, char cmd, uint32_t proto)
{
	if (c->nsteps == c->capsteps) {
		c->capsteps = c->capsteps ? 2 * c->capsteps : 64;
		c->steps = realloc(c->steps, c->capsteps * sizeof(*c->steps));
		if (c->steps == NULL)
			die("out of memory");
	}
	c->steps[c->nsteps].end = c->out.len;
	c->steps[c->nsteps].cmd = cmd;
	c->steps[c->nsteps].answered = mw_answered(cmd, proto);
	c->nsteps++;
}

/* script: every command of message M after OPTNEG, into C's buffer. */
static void
script(struct run *rn, struct conn *c, const struct msg *m)
{
	uint32_t p = rn->proto;
	char qid[32];
	char rcpt[300];
	const char *v, *kv[8], *one[2];
	size_t i, off;
	int bad = 0;

	snprintf(qid, sizeof(qid), "B%08lX", c->msgno);
	snprintf(rcpt, sizeof(rcpt), "<%s>", rn->rcpt);
	c->out.len = 0;
	c->nsteps = c->si = c->off = 0;
	kv[0] = "j"; kv[1] = "mx.bench.test";
	kv[2] = "{daemon_name}"; kv[3] = "mx.bench.test";
	kv[4] = "_"; kv[5] = "client.bench.test [192.0.2.1]";
	kv[6] = "{client_addr}"; kv[7] = "192.0.2.1";
	bad |= mw_macros(&c->out, 'C', kv, 4); step(c, 'D', p);
	if (mw_sent('C', p)) {
		bad |= mw_connect(&c->out, "client.bench.test", "192.0.2.1",
		    25025);
		step(c, 'C', p);
	}
	if (mw_sent('H', p)) {
		one[0] = "client.bench.test";
		bad |= mw_strs(&c->out, 'H', one, 1); step(c, 'H', p);
	}
	kv[0] = "{mail_addr}"; kv[1] = m->from;
	kv[2] = "i"; kv[3] = qid;
	bad |= mw_macros(&c->out, 'M', kv, 2); step(c, 'D', p);
	if (mw_sent('M', p)) {
		one[0] = m->from;
		bad |= mw_strs(&c->out, 'M', one, 1); step(c, 'M', p);
	}
	kv[0] = "{rcpt_addr}"; kv[1] = rn->rcpt;
	bad |= mw_macros(&c->out, 'R', kv, 1); step(c, 'D', p);
	if (mw_sent('R', p)) {
		one[0] = rcpt;
		bad |= mw_strs(&c->out, 'R', one, 1); step(c, 'R', p);
	}
	if (mw_sent('T', p)) {
		bad |= mw_cmd(&c->out, 'T', NULL, 0); step(c, 'T', p);
	}
	if (mw_sent('L', p))
		for (i = 0; i < m->nf; i++) {
			v = m->f[i].value;
			if (!(p & MW_P_HDR_LEADSPC))
				while (*v == ' ' || *v == '\t')
					v++;
			one[0] = m->f[i].name;
			one[1] = v;
			bad |= mw_strs(&c->out, 'L', one, 2); step(c, 'L', p);
		}
	if (mw_sent('N', p)) {
		bad |= mw_cmd(&c->out, 'N', NULL, 0); step(c, 'N', p);
	}
	if (mw_sent('B', p))
		for (off = 0; off < m->bodylen; off += MW_CHUNK) {
			size_t k = m->bodylen - off;

			if (k > MW_CHUNK)
				k = MW_CHUNK;
			bad |= mw_cmd(&c->out, 'B', m->body + off, k);
			step(c, 'B', p);
		}
	bad |= mw_cmd(&c->out, 'E', NULL, 0);
	step(c, 'E', p);
	c->eom = c->nsteps - 1;
	if (bad)
		die("message %lu cannot be encoded", c->msgno);
}

static void start(struct run *, struct conn *);

static void
watch(struct run *rn, struct conn *c, int out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
	    .data.ptr = c };

	if (epoll_ctl(rn->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
}

/* finish: the message on C ends with KIND (or an error when ERR). */
static void
finish(struct run *rn, struct conn *c, enum mw_kind kind, int err,
    const char *why)
{
	struct timespec t;
	unsigned char q[5] = { 0, 0, 0, 1, 'Q' };

	if (err) {
		rn->errors++;
		if (rn->errors <= 3)
			fprintf(stderr, "milter_load: message %lu: %s\n",
			    c->msgno, why);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &t);
		rn->lat[rn->done - rn->errors] = now_diff(&c->t0, &t);
		switch (kind) {
		case MW_K_ACCEPT: rn->accept++; break;
		case MW_K_CONTINUE: rn->cont++; break;
		case MW_K_REJECT: rn->reject++; break;
		case MW_K_TEMPFAIL: rn->tempfail++; break;
		case MW_K_DISCARD: rn->discard++; break;
		default: break;
		}
		if (c->pass)
			rn->npass++;
		(void)!write(c->fd, q, sizeof(q));
	}
	rn->done++;
	close(c->fd);
	c->fd = -1;
	c->st = C_IDLE;
	if (rn->errors > 50 && rn->errors * 2 > rn->done)
		rn->stop = 1;	/* nothing works: do not spin */
	start(rn, c);
}

/* pump: writes C's commands up to the next one that waits for a reply. */
static void
pump(struct run *rn, struct conn *c)
{
	ssize_t w;

	while (c->si < c->nsteps) {
		size_t end = c->steps[c->si].end;

		while (c->off < end) {
			w = write(c->fd, c->out.p + c->off, end - c->off);
			if (w == -1 && errno == EAGAIN) {
				watch(rn, c, 1);
				return;
			}
			if (w == -1) {
				finish(rn, c, MW_K_BAD, 1, strerror(errno));
				return;
			}
			c->off += (size_t)w;
		}
		if (c->steps[c->si].answered) {
			c->waiting = 1;
			rn->waits++;
			watch(rn, c, 0);
			return;
		}
		c->si++;
	}
}

static void
note_header(struct run *rn, struct conn *c, const struct mw_reply *r)
{
	const char *name, *value;

	if (r->cmd != 'h' && r->cmd != 'i')
		return;
	if (mw_header_parse(r, &name, &value) == -1)
		return;
	rn->added++;
	if (strcasecmp(name, "Authentication-Results") == 0)
		rn->ar++;
	if (strcasecmp(name, "Sender-Key-Trust") == 0)
		rn->skt++;
	if (rn->pass != NULL && strstr(value, rn->pass) != NULL)
		c->pass = 1;
}

/* reply: one framed reply R on C; 0 to go on reading, -1 when C ended. */
static int
reply(struct run *rn, struct conn *c, const struct mw_reply *r)
{
	enum mw_kind k = mw_kind(r);
	uint32_t ver, act, proto;
	char why[64];

	if (c->st == C_OPTNEG) {
		rn->waits++;
		if (k != MW_K_OPTNEG || mw_optneg_parse(r, &ver, &act,
		    &proto) == -1) {
			finish(rn, c, k, 1, "no OPTNEG reply");
			return -1;
		}
		if (proto & ~MW_P_OFFER) {
			finish(rn, c, k, 1, "protocol bits not offered");
			return -1;
		}
		rn->proto = proto;
		c->st = C_RUN;
		script(rn, c, &rn->m[c->msgno % rn->nm]);
		pump(rn, c);
		return c->st == C_RUN ? 0 : -1;
	}
	if (!c->waiting && k != MW_K_PROGRESS) {
		snprintf(why, sizeof(why), "reply '%c' to no command",
		    r->cmd);
		finish(rn, c, k, 1, why);
		return -1;
	}
	switch (k) {
	case MW_K_PROGRESS:
		return 0;
	case MW_K_MODIFY:
		note_header(rn, c, r);
		return 0;
	case MW_K_CONTINUE:
		if (c->si == c->eom) {
			finish(rn, c, k, 0, NULL);
			return -1;
		}
		c->waiting = 0;
		c->si++;
		pump(rn, c);
		return c->st == C_RUN ? 0 : -1;
	case MW_K_SKIP:
		if (c->steps[c->si].cmd != 'B') {
			finish(rn, c, k, 1, "SKIP not after a body chunk");
			return -1;
		}
		c->waiting = 0;
		c->off = c->steps[c->eom - 1].end;
		c->si = c->eom;
		pump(rn, c);
		return c->st == C_RUN ? 0 : -1;
	case MW_K_ACCEPT:
	case MW_K_REJECT:
	case MW_K_TEMPFAIL:
	case MW_K_DISCARD:
		finish(rn, c, k, 0, NULL);
		return -1;
	default:
		snprintf(why, sizeof(why), "reply '%c' (bad or failure)",
		    r->cmd);
		finish(rn, c, k, 1, why);
		return -1;
	}
}

static void
readable(struct run *rn, struct conn *c)
{
	struct mw_reply r;
	ssize_t n;
	long t;
	size_t at = 0;

	if (mw_buf_room(&c->in, 65536) == -1)
		die("out of memory");
	n = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		finish(rn, c, MW_K_BAD, 1, n == 0 ? "the milter closed" :
		    strerror(errno));
		return;
	}
	c->in.len += (size_t)n;
	while ((t = mw_frame(c->in.p + at, c->in.len - at, &r)) > 0) {
		at += (size_t)t;
		if (reply(rn, c, &r) == -1) {
			c->in.len = 0;
			return;
		}
	}
	if (t == -1) {
		finish(rn, c, MW_K_BAD, 1, "a reply that does not frame");
		c->in.len = 0;
		return;
	}
	memmove(c->in.p, c->in.p + at, c->in.len - at);
	c->in.len -= at;
}

/* start: the next message on C, if any is left. */
static void
start(struct run *rn, struct conn *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	unsigned char neg[17];
	struct mw_buf b = { neg, 0, sizeof(neg) };

	if (rn->stop || rn->started >= rn->n)
		return;
	c->msgno = rn->started++;
	c->in.len = 0;
	c->pass = c->waiting = 0;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", rn->path);
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	c->st = C_OPTNEG;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		finish(rn, c, MW_K_BAD, 1, strerror(errno));
		return;
	}
	if (mw_optneg(&b, MW_VERSION, MW_ACTIONS_ALL, MW_P_OFFER) == -1 ||
	    write(c->fd, neg, b.len) != (ssize_t)b.len) {
		finish(rn, c, MW_K_BAD, 1, "OPTNEG not written");
		return;
	}
	if (fcntl(c->fd, F_SETFL, O_NONBLOCK) == -1 ||
	    epoll_ctl(rn->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		die("fcntl/epoll_ctl: %s", strerror(errno));
}

/* cpu_secs: user and system time in RU, in seconds. */
static double
cpu_secs(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec +
	    (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int
main(int argc, char **argv)
{
	struct run rn = { .rcpt = "bob@example.net" };
	struct conn *cs;
	struct epoll_event evs[64];
	struct timespec t0, t1;
	struct rusage ru0, ru;
	unsigned long conns = 1;
	double secs = 60, el;
	size_t i, ok;
	int o, k, nev;

	while ((o = getopt(argc, argv, "s:c:n:d:p:r:")) != -1) {
		switch (o) {
		case 's':
			rn.path = strncmp(optarg, "unix:", 5) == 0 ?
			    optarg + 5 : optarg;
			break;
		case 'c': conns = strtoul(optarg, NULL, 10); break;
		case 'n': rn.n = strtoul(optarg, NULL, 10); break;
		case 'd': secs = strtod(optarg, NULL); break;
		case 'p': rn.pass = optarg; break;
		case 'r': rn.rcpt = optarg; break;
		default:
			die("usage: milter_load -s unix:PATH [-c CONNS] "
			    "[-n MESSAGES] [-d SECONDS] [-p PASS] [-r RCPT] "
			    "MSGFILE...");
		}
	}
	if (rn.path == NULL || optind >= argc || conns == 0 ||
	    conns > MAX_CONNS)
		die("usage: milter_load -s unix:PATH [-c 1..%d] ... MSGFILE...",
		    MAX_CONNS);
	if (strlen(rn.path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		die("%s: path too long", rn.path);
	rn.nm = (size_t)(argc - optind);
	if ((rn.m = calloc(rn.nm, sizeof(*rn.m))) == NULL)
		die("out of memory");
	for (i = 0; i < rn.nm; i++)
		load_msg(argv[optind + (int)i], &rn.m[i]);
	if (rn.n == 0)
		rn.n = rn.nm;
	if ((rn.lat = calloc(rn.n, sizeof(*rn.lat))) == NULL ||
	    (cs = calloc(conns, sizeof(*cs))) == NULL)
		die("out of memory");
	if ((rn.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));

	if (getrusage(RUSAGE_SELF, &ru0) == -1)
		memset(&ru0, 0, sizeof(ru0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < conns; i++) {
		cs[i].fd = -1;
		start(&rn, &cs[i]);
	}
	while (rn.done < rn.started) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (now_diff(&t0, &t1) > secs)
			rn.stop = 1;	/* finish what is in flight */
		nev = epoll_wait(rn.ep, evs, 64, 1000);
		if (nev == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (k = 0; k < nev; k++) {
			struct conn *c = evs[k].data.ptr;

			if (c->fd == -1)
				continue;
			if (evs[k].events & EPOLLOUT && c->st == C_RUN) {
				pump(&rn, c);
				continue;
			}
			readable(&rn, c);
		}
		if (rn.stop && now_diff(&t0, &t1) > secs + 30)
			break;	/* a milter that never answers */
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = now_diff(&t0, &t1);
	ok = rn.done - rn.errors;
	if (getrusage(RUSAGE_SELF, &ru) == -1)
		memset(&ru, 0, sizeof(ru));
	qsort(rn.lat, ok, sizeof(*rn.lat), cmp_double);
	printf("msgs=%zu secs=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f "
	    "accept=%lu continue=%lu reject=%lu tempfail=%lu discard=%lu "
	    "errors=%lu added=%lu ar=%lu skt=%lu pass=%lu proto=0x%x "
	    "waits=%.1f cpu_ms=%.3f\n", ok, el,
	    el > 0 ? (double)ok / el : 0, pct(rn.lat, ok, 0.50) * 1e3,
	    pct(rn.lat, ok, 0.99) * 1e3, rn.accept, rn.cont, rn.reject,
	    rn.tempfail, rn.discard, rn.errors + (rn.started - rn.done),
	    rn.added, rn.ar, rn.skt, rn.npass, (unsigned)rn.proto,
	    rn.done > 0 ? (double)rn.waits / (double)rn.done : 0,
	    rn.done > 0 ? (cpu_secs(&ru) - cpu_secs(&ru0)) * 1e3 /
	    (double)rn.done : 0);
	return 0;
}
