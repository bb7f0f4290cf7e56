/*
 * cache_get_cost: the CPU cost of one cache hit in a bare process, the
 * figure bench/README.md "bench/cache" quotes.  Fills senderkeyd's cache
 * (resolver/cache.c) with N answers, each the real lookup_classify answer
 * of one Ed25519 key record, through a backend that answers at once, then
 * times G random cache_get hits over all N and over the first 1,000 (the
 * owner name formatted per get, as the daemon does, and the answer read
 * as an AUTHZ reads it: its state, its keys, each key's testing flag).
 * Prints CPU ns per get for each set; run it under `perf stat -e
 * cache-misses` to count where the VM has the counters.
 *
 *   cache_get_cost [N [G]]        (defaults 1000000, 3000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lookup.h"
#include "resolver/cache.h"
#include "resolver/loop.h"

static const char rec[] = "v=SK1; k=ed25519; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

/* The one lookup started: answered right after cache_get returns. */
static lookup_cb pend_cb;
static void *pend_arg;

static int
fake_start(void *barg, const char *qname, enum lookup_kind kind,
    lookup_cb cb, void *cbarg, int *id)
{
	(void)barg;
	(void)qname;
	(void)kind;
	pend_cb = cb;
	pend_arg = cbarg;
	*id = 0;
	return 0;
}

static void
answer_pending(void)
{
	struct lookup_txt t = { rec, sizeof(rec) - 1 };
	struct lookup_input in = { 0 };

	if (pend_cb == NULL)
		return;
	in.kind = LOOKUP_KEY;
	in.secure = 1;
	in.ttl = 86400;
	in.txt = &t;
	in.ntxt = 1;
	in.now = (int64_t)time(NULL);
	pend_cb(pend_arg, 0, lookup_classify(&in));
	pend_cb = NULL;
}

static void
fake_cancel(void *barg, int id)
{
	(void)barg;
	(void)id;
}

static void
on_result(void *arg, struct cache_result *r)
{
	(void)arg;
	cache_result_release(r);
}

static void
name_of(char *buf, size_t sz, unsigned long i)
{
	snprintf(buf, sz, "k%055lx._senderkey.cachebench.test.", i);
}

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
run(struct cache *c, unsigned long set, unsigned long gets)
{
	struct cache_result *hit;
	struct cache_waiter *w;
	char name[128];
	const struct lookup_answer *a;
	unsigned long i, missed = 0, testing = 0;
	uint64_t x = 88172645463325252ULL;
	double t0;

	t0 = cpu_ns();
	for (i = 0; i < gets; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		name_of(name, sizeof(name), (unsigned long)(x % set));
		if (cache_get(c, name, LOOKUP_KEY, 5000, on_result, NULL,
		    &hit, &w) == -1 || hit == NULL) {
			missed++;
			continue;
		}
		a = cache_result_answer(hit);	/* read as AUTHZ does */
		if (a->state == LOOKUP_SECURE_KEY && a->nkeys > 0)
			testing += keyrec_get(a->keys[0])->testing;
		cache_result_release(hit);
	}
	if (missed > 0 || testing > 0)
		fprintf(stderr, "cache_get_cost: %lu gets missed\n", missed);
	return (cpu_ns() - t0) / (double)gets;
}

int
main(int argc, char **argv)
{
	static const struct cache_backend be = { fake_start, fake_cancel };
	struct cache_opts o;
	struct cache_stats st;
	struct cache_result *hit;
	struct cache_waiter *w;
	struct loop *l;
	struct cache *c;
	char name[128];
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	unsigned long g = argc > 2 ? strtoul(argv[2], NULL, 10) : 3000000;
	unsigned long i, small = n < 1000 ? n : 1000;

	if (n == 0 || (l = loop_new()) == NULL)
		return 1;
	cache_default_opts(&o);
	o.max_entries = n + 1000;
	o.max_bytes = (size_t)n * 1024 + 64 * 1024 * 1024;
	if ((c = cache_new(l, &be, NULL, &o)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		name_of(name, sizeof(name), i);
		if (cache_get(c, name, LOOKUP_KEY, 5000, on_result, NULL, &hit,
		    &w) == -1)
			return 1;
		cache_result_release(hit);
		answer_pending();
	}
	cache_get_stats(c, &st);
	printf("entries %zu bytes %zu (%.0f per entry, counted)\n",
	    st.entries, st.bytes, (double)st.bytes / (double)st.entries);
	printf("random of %lu: %.0f ns per get\n", small, run(c, small, g));
	printf("random of %lu: %.0f ns per get\n", n, run(c, n, g));
	printf("random of %lu: %.0f ns per get\n", small, run(c, small, g));
	printf("random of %lu: %.0f ns per get\n", n, run(c, n, g));
	cache_free(c);
	loop_free(l);
	return 0;
}
