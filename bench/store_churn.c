/*
 * store_churn.c: changes to a policy store at a steady rate, for
 * bench/store, through the store module's writer (store_writer_*: the
 * same transactions, audit rows and durability as "senderkey policy").
 * Figures only: it asserts nothing about them.
 *
 *	store_churn -f STORE -R RECIPIENTS [-t TX_PER_SECOND] [-k CHANGES]
 *	    [-d SECONDS] [-s SEED]
 *
 * TX_PER_SECOND (default 100) transactions a second, each of CHANGES
 * (default 10) changes to random recipients of store_gen's store (its
 * first RECIPIENTS, bench/store_names.h): an allow entry for a new sender
 * (c<n>@churn.example; a fifth of them pinned) is added, and once 500
 * are pending every other change removes the oldest pending one instead,
 * so the store keeps its size.  The transactions start on a fixed
 * schedule; one that falls behind starts at once, and the schedule is
 * not caught up by bursts.  Runs SECONDS (default 10) or until SIGTERM
 * or SIGINT, then prints one line: tx= changes= secs= tx_per_s=
 * changes_per_s= tx_p50_ms= tx_p99_ms= tx_max_ms= errors=.  Exit 1 when
 * the store cannot be opened.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store.h"
#include "store_names.h"

#define SC_PENDING	500	/* adds kept before removing the oldest */
#define SC_MAX_TX	1000000	/* latency samples kept */

struct pending {
	char	 rcpt[SN_NAME_MAX];
	char	 sender[SN_NAME_MAX];
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v == 0 || v > max) {
		fprintf(stderr, "store_churn: bad number: %s\n", s);
		exit(2);
	}
	return v;
}

/*
 * one_tx: one transaction of K changes; 0, or -1 (rolled back: the
 * pending adds it made are forgotten again).
 */
static int
one_tx(struct store_writer *w, unsigned long k, uint64_t *rng,
    struct pending *fifo, size_t *head, size_t *len, uint64_t *next_sender,
    uint64_t nrcpt, uint64_t txno)
{
	struct pending *p;
	char pin[STORE_PIN_HEX], what[64];
	size_t len0 = *len, head0 = *head;
	unsigned long i;
	int pinned;

	if (store_writer_begin(w) == -1)
		return -1;
	for (i = 0; i < k; i++) {
		if (*len >= SC_PENDING && i % 2 == 1) {
			p = &fifo[*head];
			if (store_writer_remove(w, p->rcpt, p->sender, NULL,
			    NULL) == -1)
				goto fail;
			*head = (*head + 1) % (2 * SC_PENDING);
			(*len)--;
			continue;
		}
		p = &fifo[(*head + *len) % (2 * SC_PENDING)];
		sn_rcpt(nrcpt > 1 ? 1 + sn_rand(rng) % (nrcpt - 1) : 0,
		    p->rcpt);
		snprintf(p->sender, sizeof(p->sender), "c%" PRIu64
		    "@churn.example", (*next_sender)++);
		pinned = p->rcpt[0] != '*' && sn_rand(rng) % 5 == 0;
		if (pinned)
			sn_pin(rng, pin);
		if (store_writer_add(w, p->rcpt, STORE_ALLOW, p->sender,
		    pinned ? pin : NULL, NULL) == -1)
			goto fail;
		(*len)++;
	}
	snprintf(what, sizeof(what), "bench churn %" PRIu64, txno);
	if (store_writer_commit(w, what) == -1)
		goto undo;
	return 0;
fail:
	store_writer_rollback(w);
undo:
	*head = head0;
	*len = len0;
	return -1;
}

int
main(int argc, char *argv[])
{
	struct store_writer *w = NULL;
	struct pending *fifo = NULL;
	struct timespec ts;
	enum store_err e;
	char err[STORE_ERR_MAX];
	const char *path = NULL;
	uint64_t *lat = NULL, rng = 1, nrcpt = 0, next_sender = 0;
	uint64_t t0, t1, start, next, period, ntx = 0, nlat = 0, errors = 0;
	unsigned long tps = 100, k = 10, secs = 10;
	size_t head = 0, len = 0;
	double el;
	int ch;

	while ((ch = getopt(argc, argv, "d:f:k:R:s:t:")) != -1) {
		switch (ch) {
		case 'd':
			secs = number(optarg, 86400);
			break;
		case 'f':
			path = optarg;
			break;
		case 'k':
			k = number(optarg, 1000);
			break;
		case 'R':
			nrcpt = number(optarg, ~0UL);
			break;
		case 's':
			rng = number(optarg, ~0UL);
			break;
		case 't':
			tps = number(optarg, 100000);
			break;
		default:
			goto usage;
		}
	}
	if (path == NULL || nrcpt == 0 || optind != argc)
		goto usage;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((fifo = calloc(2 * SC_PENDING, sizeof(*fifo))) == NULL ||
	    (lat = calloc(SC_MAX_TX, sizeof(*lat))) == NULL) {
		fprintf(stderr, "store_churn: out of memory\n");
		return 1;
	}
	if ((w = store_writer_open(path, 0, &e, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store_churn: %s (%s)\n", err,
		    store_errname(e));
		return 1;
	}
	period = 1000000000u / tps;
	start = next = now_ns();
	while (!stop && now_ns() < start + (uint64_t)secs * 1000000000u) {
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) != 0 && stop)
			break;
		t0 = now_ns();
		if (one_tx(w, k, &rng, fifo, &head, &len, &next_sender, nrcpt,
		    ntx) == -1) {
			if (errors++ == 0)
				fprintf(stderr, "store_churn: %s\n",
				    store_writer_error(w));
		}
		t1 = now_ns();
		ntx++;
		if (nlat < SC_MAX_TX)
			lat[nlat++] = t1 - t0;
		next += period;
		if (next < t1)
			next = t1;	/* behind: no catch-up burst */
	}
	el = (double)(now_ns() - start) / 1e9;
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("tx=%" PRIu64 " changes=%" PRIu64 " secs=%.3f tx_per_s=%.1f "
	    "changes_per_s=%.0f tx_p50_ms=%.2f tx_p99_ms=%.2f tx_max_ms=%.2f "
	    "errors=%" PRIu64 "\n", ntx - errors, (ntx - errors) * k, el,
	    el > 0 ? (double)(ntx - errors) / el : 0.0,
	    el > 0 ? (double)((ntx - errors) * k) / el : 0.0,
	    nlat ? (double)lat[nlat / 2] / 1e6 : 0.0,
	    nlat ? (double)lat[(uint64_t)(0.99 * (double)(nlat - 1))] / 1e6 :
	    0.0, nlat ? (double)lat[nlat - 1] / 1e6 : 0.0, errors);
	store_writer_free(w);
	free(fifo);
	free(lat);
	return 0;
usage:
	fprintf(stderr, "usage: store_churn -f STORE -R RECIPIENTS "
	    "[-t TX_PER_SECOND] [-k CHANGES] [-d SECONDS] [-s SEED]\n");
	return 2;
}
