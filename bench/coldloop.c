/*
 * coldloop.c: the floor for senderkeyd's cold LOOKUPs in make bench
 * (bench/cold).  A bare libunbound asynchronous loop: one new context
 * (empty caches), set up as core/lookup.c sets up senderkeyd's (answers
 * from a thread, the same config file and trust anchor, the same cache
 * and logging options), then the TXT records of the owner names in FILE
 * (one a line), INFLIGHT of them asked at once (ub_resolve_async), ub_fd
 * polled and ub_process called until every answer is in.  Nothing is
 * parsed or decided: each answer is only counted by what libunbound said
 * of it.  Prints one key=value line:
 *
 *	names= secure= insecure= bogus= servfail= nxdomain= other= secs= rps=
 *	    cpu_us=
 *
 * secure: validated with data (what a cold LOOKUP of a published sender
 * gets); the rest by the first that applies: bogus, insecure (not
 * secure, answered), servfail (rcode SERVFAIL), nxdomain, other.  cpu_us:
 * the process's CPU time (user + system, libunbound's thread included)
 * per name, from the first query to the last answer.
 *
 * Usage: coldloop -C UBCONF -A ANCHOR [-c INFLIGHT] FILE
 *
 * The pure parts (coldloop_split, coldloop_class) are in
 * tests/unit/test_coldloop.c, which includes this file with
 * COLDLOOP_NO_MAIN defined.
 */
#include <sys/resource.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#define COLDLOOP_TXT	16
#define COLDLOOP_IN	1

enum coldloop_class {
	CL_SECURE,
	CL_INSECURE,
	CL_BOGUS,
	CL_SERVFAIL,
	CL_NXDOMAIN,
	CL_OTHER,
	CL_NCLASS
};

/*
 * coldloop_split: the non-empty lines of BUF (LEN octets, NUL-terminated
 * at LEN), cut in place, into a new array *OUT (caller frees).  Returns
 * their number, or -1 when out of memory.
 */
static long
coldloop_split(char *buf, size_t len, char ***out)
{
	char **v, *p, *nl, *end = buf + len;
	size_t n = 0;

	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n += nl > p;
	}
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -1;
	n = 0;
	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p)
			v[n++] = p;
	}
	*out = v;
	return (long)n;
}

/*
 * coldloop_class: the class of an answer from libunbound's ERR (0: a
 * result) and its secure, bogus, rcode and havedata fields.
 */
static enum coldloop_class
coldloop_class(int err, int secure, int bogus, int rcode, int havedata)
{
	if (err != 0)
		return CL_OTHER;
	if (bogus)
		return CL_BOGUS;
	if (secure && rcode == 0 && havedata)
		return CL_SECURE;
	if (rcode == 2)
		return CL_SERVFAIL;
	if (rcode == 3)
		return CL_NXDOMAIN;
	if (!secure && rcode == 0)
		return CL_INSECURE;
	return CL_OTHER;
}

#ifndef COLDLOOP_NO_MAIN

struct run {
	struct ub_ctx	*ctx;
	char		**names;
	long		 n, next, done;
	unsigned long	 cls[CL_NCLASS];
	int		 failed;
};

static void submit(struct run *r);

static void
on_result(void *arg, int err, struct ub_result *res)
{
	struct run *r = arg;

	r->cls[coldloop_class(err, res != NULL && res->secure,
	    res != NULL && res->bogus, res != NULL ? res->rcode : -1,
	    res != NULL && res->havedata)]++;
	if (res != NULL)
		ub_resolve_free(res);
	r->done++;
	submit(r);
}

/* submit: ask the next name, if any is left. */
static void
submit(struct run *r)
{
	int rc;

	if (r->next >= r->n)
		return;
	rc = ub_resolve_async(r->ctx, r->names[r->next], COLDLOOP_TXT,
	    COLDLOOP_IN, r, on_result, NULL);
	if (rc != 0) {
		fprintf(stderr, "coldloop: %s: %s\n", r->names[r->next],
		    ub_strerror(rc));
		r->failed = 1;
		r->done++;
	}
	r->next++;
}

/* read_file: PATH whole, NUL-terminated, into *BUF and *LEN. */
static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *fp;
	char *b = NULL;
	size_t cap = 0, n = 0, got;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			if ((b = realloc(b, cap)) == NULL) {
				fclose(fp);
				return -1;
			}
		}
		got = fread(b + n, 1, cap - n - 1, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp)) {
		perror(path);
		fclose(fp);
		free(b);
		return -1;
	}
	fclose(fp);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* ctx_new: a context set up as core/lookup.c's lookup_new sets one up. */
static struct ub_ctx *
ctx_new(const char *conf, const char *anchor, FILE *devnull)
{
	struct ub_ctx *ctx;
	int rc;

	if ((ctx = ub_ctx_create()) == NULL)
		return NULL;
	if ((rc = ub_ctx_async(ctx, 1)) != 0 ||
	    (rc = ub_ctx_config(ctx, conf)) != 0 ||
	    (rc = ub_ctx_set_option(ctx, "cache-min-ttl:", "0")) != 0 ||
	    (rc = ub_ctx_set_option(ctx, "serve-expired:", "no")) != 0 ||
	    (rc = ub_ctx_set_option(ctx, "serve-original-ttl:", "no")) != 0 ||
	    (rc = ub_ctx_add_ta_file(ctx, anchor)) != 0 ||
	    (rc = ub_ctx_set_option(ctx, "val-log-level:", "2")) != 0 ||
	    (rc = ub_ctx_debugout(ctx, devnull)) != 0) {
		fprintf(stderr, "coldloop: %s\n", ub_strerror(rc));
		ub_ctx_delete(ctx);
		return NULL;
	}
	return ctx;
}

/* cpu_s: CPU time of the process so far (all threads), seconds. */
static double
cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct run r;
	struct pollfd pfd;
	const char *conf = NULL, *anchor = NULL;
	char *buf = NULL, *end;
	size_t len;
	long inflight = 64, i;
	double t0, t1, c0, c1;
	FILE *devnull;
	int ch;

	while ((ch = getopt(argc, argv, "A:c:C:")) != -1) {
		switch (ch) {
		case 'A':
			anchor = optarg;
			break;
		case 'c':
			errno = 0;
			inflight = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || inflight < 1 ||
			    inflight > 100000)
				goto usage;
			break;
		case 'C':
			conf = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || conf == NULL || anchor == NULL)
		goto usage;
	memset(&r, 0, sizeof(r));
	if (read_file(argv[optind], &buf, &len) == -1 ||
	    (r.n = coldloop_split(buf, len, &r.names)) < 0) {
		fprintf(stderr, "coldloop: cannot read the names\n");
		return 1;
	}
	if ((devnull = fopen("/dev/null", "w")) == NULL ||
	    (r.ctx = ctx_new(conf, anchor, devnull)) == NULL)
		return 1;
	t0 = now_s();
	c0 = cpu_s();
	for (i = 0; i < inflight; i++)
		submit(&r);
	pfd.fd = ub_fd(r.ctx);
	pfd.events = POLLIN;
	while (r.done < r.n) {
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		if (ub_process(r.ctx) != 0) {
			fprintf(stderr, "coldloop: ub_process failed\n");
			return 1;
		}
	}
	t1 = now_s();
	c1 = cpu_s();
	printf("names=%ld secure=%lu insecure=%lu bogus=%lu servfail=%lu "
	    "nxdomain=%lu other=%lu secs=%.3f rps=%.0f cpu_us=%.1f\n", r.n,
	    r.cls[CL_SECURE], r.cls[CL_INSECURE], r.cls[CL_BOGUS],
	    r.cls[CL_SERVFAIL], r.cls[CL_NXDOMAIN], r.cls[CL_OTHER], t1 - t0,
	    t1 > t0 ? (double)r.n / (t1 - t0) : 0.0,
	    r.n > 0 ? (c1 - c0) * 1e6 / (double)r.n : 0.0);
	ub_ctx_delete(r.ctx);
	fclose(devnull);
	free(r.names);
	free(buf);
	return r.failed;
usage:
	fprintf(stderr, "usage: coldloop -C UBCONF -A ANCHOR [-c INFLIGHT] "
	    "FILE\n");
	return 64;
}

#endif /* COLDLOOP_NO_MAIN */
