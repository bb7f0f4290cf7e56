/*
 * test_cache: the answer cache with a fake lookup backend: hits and
 * misses, TTL clamps (bogus, tempfail, max), eviction by entries and by
 * bytes (second-chance order, bounds with marked entries), a held
 * result outliving its entry, coalescing of 100 waiters into one
 * lookup, per-waiter deadlines while the lookup goes on, cancellation,
 * and cache_free with lookups in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "resolver/cache.h"
#include "resolver/loop.h"
#include "t.h"

#define MAXQ 256

struct fake {
	int		 started, cancelled;
	struct {
		char		 qname[300];
		enum lookup_kind kind;
		lookup_cb	 cb;
		void		*arg;
		int		 live;
	} q[MAXQ];
	int		 fail_next;
};

static int
fake_start(void *barg, const char *qname, enum lookup_kind kind,
    lookup_cb cb, void *cbarg, int *id)
{
	struct fake *f = barg;
	int i = f->started;

	if (f->fail_next) {
		f->fail_next = 0;
		return -1;
	}
	if (i >= MAXQ)
		return -1;
	snprintf(f->q[i].qname, sizeof(f->q[i].qname), "%s", qname);
	f->q[i].kind = kind;
	f->q[i].cb = cb;
	f->q[i].arg = cbarg;
	f->q[i].live = 1;
	f->started++;
	*id = i;
	return 0;
}

static void
fake_cancel(void *barg, int id)
{
	struct fake *f = barg;

	if (id >= 0 && id < MAXQ && f->q[id].live) {
		f->q[id].live = 0;
		f->cancelled++;
	}
}

static const struct cache_backend fake_be = { fake_start, fake_cancel };

/* answer query I with STATE, TTL and a reason of RLEN octets. */
static void
fake_answer(struct fake *f, int i, enum lookup_state state, uint32_t ttl,
    size_t rlen)
{
	struct lookup_answer *a = calloc(1, sizeof(*a));

	a->state = state;
	a->kind = f->q[i].kind;
	a->ttl = ttl;
	a->rcode = 0;
	if (rlen > 0) {
		a->reason = malloc(rlen + 1);
		memset(a->reason, 'r', rlen);
		a->reason[rlen] = '\0';
	}
	f->q[i].live = 0;
	f->q[i].cb(f->q[i].arg, i, a);
}

struct got {
	int			 calls;
	enum lookup_state	 state;
	char			 reason[64];
};

static void
on_result(void *arg, struct cache_result *r)
{
	struct got *g = arg;
	const struct lookup_answer *a;

	g->calls++;
	if (r == NULL)
		return;
	a = cache_result_answer(r);
	g->state = a->state;
	snprintf(g->reason, sizeof(g->reason), "%s",
	    a->reason != NULL ? a->reason : "");
	cache_result_release(r);
}

/* get: cache_get; returns 1 for a hit (released), 0 for a wait, -1. */
static int
get(struct cache *c, const char *name, struct got *g, unsigned ms,
    struct cache_waiter **wp)
{
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;

	if (cache_get(c, name, LOOKUP_KEY, ms, on_result, g, &hit, &w) == -1)
		return -1;
	if (wp != NULL)
		*wp = w;
	if (hit != NULL) {
		cache_result_release(hit);
		return 1;
	}
	return 0;
}

/*
 * The key folds ASCII 'A'-'Z' only, eight octets at a time: case across
 * the 8-octet words and in the tail, octets next to the letters ('@',
 * '[', '`', '{') and octets with the high bit are kept as they are.
 */
static void
test_key_fold(struct loop *l)
{
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct got g = { 0 };
	char longname[1026];

	T_INTEQ(get(c, "Mixed-Case.SenderKey.EXAMPLE.tesT.", &g, 5000, NULL),
	    0, "fold: a cold mixed-case name waits");
	fake_answer(&f, 0, LOOKUP_SECURE_KEY, 300, 0);
	T_INTEQ(get(c, "mixed-case.senderkey.example.TEST.", &g, 5000, NULL),
	    1, "fold: the same name in other cases hits");
	T_INTEQ(get(c, "\xc1" "ghijklmn.example.", &g, 5000, NULL), 0,
	    "fold: a name with a high octet waits");
	fake_answer(&f, 1, LOOKUP_SECURE_KEY, 300, 0);
	T_INTEQ(get(c, "\xe1" "ghijklmn.example.", &g, 5000, NULL), 0,
	    "fold: 0xE1 is not 0xC1 folded (only ASCII letters fold)");
	fake_answer(&f, 2, LOOKUP_SECURE_KEY, 300, 0);
	T_INTEQ(get(c, "@[.example.", &g, 5000, NULL), 0,
	    "fold: '@' and '[' wait");
	fake_answer(&f, 3, LOOKUP_SECURE_KEY, 300, 0);
	T_INTEQ(get(c, "`{.example.", &g, 5000, NULL), 0,
	    "fold: '`' and '{' are not '@' and '[' folded");
	fake_answer(&f, 4, LOOKUP_SECURE_KEY, 300, 0);
	memset(longname, 'A', 1024);
	longname[1024] = '\0';
	T_INTEQ(get(c, longname, &g, 5000, NULL), 0,
	    "fold: a name of 1024 octets is a key");
	fake_answer(&f, 5, LOOKUP_SECURE_KEY, 300, 0);
	longname[5] = 'a';
	T_INTEQ(get(c, longname, &g, 5000, NULL), 1,
	    "fold: and hits with an octet in another case");
	longname[1024] = 'A';
	longname[1025] = '\0';
	T_INTEQ(get(c, longname, &g, 5000, NULL), -1,
	    "fold: a name of 1025 octets is refused");
	cache_free(c);
}

static void
test_hit_miss(struct loop *l)
{
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct cache_stats st;
	struct got g = { 0 };
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;

	T_OK(c != NULL, "cache_new with defaults");
	T_INTEQ(get(c, "a.example.", &g, 5000, NULL), 0,
	    "a cold name waits for a lookup");
	T_INTEQ(f.started, 1, "one lookup started");
	T_OK(g.calls == 0, "no callback before the answer");
	fake_answer(&f, 0, LOOKUP_SECURE_KEY, 300, 0);
	T_INTEQ(g.calls, 1, "the waiter is called once with the answer");
	T_INTEQ(g.state, LOOKUP_SECURE_KEY, "the waiter gets the state");
	T_INTEQ(get(c, "A.Example.", &g, 5000, NULL), 1,
	    "the second get hits, case-insensitively");
	T_INTEQ(f.started, 1, "no new lookup for a hit");
	T_OK(cache_get(c, "a.example.", LOOKUP_POLICY, 5000, on_result, &g,
	    &hit, &w) == 0 && hit == NULL && w != NULL,
	    "the same name as another kind is another entry");
	fake_answer(&f, 1, LOOKUP_SECURE_NOKEY, 300, 0);
	cache_get_stats(c, &st);
	T_INTEQ(st.hits, 1, "stats: one hit");
	T_INTEQ(st.misses, 2, "stats: two misses");
	T_INTEQ(st.entries, 2, "stats: two entries");
	f.fail_next = 1;
	T_INTEQ(get(c, "b.example.", &g, 5000, NULL), -1,
	    "a lookup that cannot start is an error");
	cache_get_stats(c, &st);
	T_INTEQ(st.waiters, 0, "no waiter left after a failed start");
	cache_free(c);
}

/*
 * kind_get: cache_get of NAME as KIND into G; 1 for a hit (released, G
 * filled), 0 for a wait, -1.
 */
static int
kind_get(struct cache *c, const char *name, enum lookup_kind kind,
    struct got *g)
{
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;

	if (cache_get(c, name, kind, 5000, on_result, g, &hit, &w) == -1)
		return -1;
	if (hit == NULL)
		return 0;
	on_result(g, hit);
	return 1;
}

/*
 * Each kind has its own key space, in flight and cached: a DKIM key
 * record answer (DKIMKEY) is never served for a key or policy lookup of
 * the same name, nor the other way round.
 */
static void
test_kind_spaces(struct loop *l)
{
	static const enum lookup_kind kinds[] = { LOOKUP_KEY, LOOKUP_DKIM,
	    LOOKUP_POLICY };
	static const enum lookup_state states[] = { LOOKUP_SECURE_KEY,
	    LOOKUP_PERMERROR, LOOKUP_SECURE_NOKEY };
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct cache_stats st;
	struct got g[3], h;
	int i, own = 0, hits = 0;

	memset(g, 0, sizeof(g));
	for (i = 0; i < 3; i++)
		T_INTEQ(kind_get(c, "same.example.", kinds[i], &g[i]), 0,
		    "kind %d: a cold name waits", (int)kinds[i]);
	T_INTEQ(f.started, 3, "one lookup per kind for one name, none "
	    "joined another kind's in flight");
	cache_get_stats(c, &st);
	T_INTEQ(st.coalesced, 0, "no kind coalesced with another");
	for (i = 0; i < f.started && i < 3; i++)
		fake_answer(&f, i, states[f.q[i].kind == LOOKUP_KEY ? 0 :
		    f.q[i].kind == LOOKUP_DKIM ? 1 : 2], 300, 0);
	for (i = 0; i < 3; i++) {
		memset(&h, 0, sizeof(h));
		hits += kind_get(c, "same.example.", kinds[i], &h) == 1;
		own += h.state == states[i] && g[i].state == states[i];
	}
	T_INTEQ(hits, 3, "each kind hits its own entry");
	T_INTEQ(own, 3, "each kind gets its own answer, waiting and cached");
	cache_get_stats(c, &st);
	T_INTEQ(st.entries, 3, "three entries for one name");
	cache_free(c);
}

static void
test_ttl(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;
	struct got g = { 0 };

	cache_default_opts(&o);
	o.max_ttl = 3600;
	c = cache_new(l, &fake_be, &f, &o);
	get(c, "bogus.", &g, 5000, NULL);
	fake_answer(&f, 0, LOOKUP_BOGUS, 86400, 0);
	get(c, "tf.", &g, 5000, NULL);
	fake_answer(&f, 1, LOOKUP_TEMPFAIL, 0, 0);
	get(c, "long.", &g, 5000, NULL);
	fake_answer(&f, 2, LOOKUP_SECURE_KEY, 86400, 0);
	get(c, "zero.", &g, 5000, NULL);
	fake_answer(&f, 3, LOOKUP_SECURE_KEY, 0, 0);

	cache_get(c, "bogus.", LOOKUP_KEY, 5000, on_result, &g, &hit, &w);
	T_OK(hit != NULL && cache_result_ttl(c, hit) <= 60 &&
	    cache_result_ttl(c, hit) > 0, "bogus is cached at most 60 s");
	cache_result_release(hit);
	cache_get(c, "tf.", LOOKUP_KEY, 5000, on_result, &g, &hit, &w);
	T_OK(hit != NULL && cache_result_ttl(c, hit) <= 10 &&
	    cache_result_ttl(c, hit) > 0, "tempfail is cached at most 10 s");
	cache_result_release(hit);
	cache_get(c, "long.", LOOKUP_KEY, 5000, on_result, &g, &hit, &w);
	T_OK(hit != NULL && cache_result_ttl(c, hit) <= 3600 &&
	    cache_result_ttl(c, hit) > 3500, "a long TTL is capped by max_ttl");
	cache_result_release(hit);
	T_INTEQ(get(c, "zero.", &g, 5000, &w), 0,
	    "a TTL of 0 is not cached");
	cache_waiter_cancel(w);
	cache_free(c);
}

static void
test_evict_entries(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_stats st;
	struct cache_waiter *w;
	struct got g = { 0 };
	char name[32];
	int i;

	cache_default_opts(&o);
	o.max_entries = 3;
	c = cache_new(l, &fake_be, &f, &o);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "n%d.", i);
		get(c, name, &g, 5000, NULL);
		fake_answer(&f, i, LOOKUP_SECURE_KEY, 300, 0);
	}
	T_INTEQ(get(c, "n0.", &g, 5000, NULL), 1, "n0 cached (now marked)");
	get(c, "n3.", &g, 5000, NULL);
	fake_answer(&f, 3, LOOKUP_SECURE_KEY, 300, 0);
	cache_get_stats(c, &st);
	T_INTEQ(st.entries, 3, "entries stay at max_entries");
	T_INTEQ(st.evictions, 1, "one eviction");
	T_INTEQ(get(c, "n0.", &g, 5000, NULL), 1,
	    "the recently used n0 survived");
	T_INTEQ(get(c, "n1.", &g, 5000, &w), 0,
	    "n1, the oldest not used, was evicted");
	cache_waiter_cancel(w);
	cache_free(c);
}

/* put: cache NAME (a miss answered at once), as lookup F->started - 1. */
static void
put(struct cache *c, struct fake *f, const char *name, size_t rlen)
{
	struct got g = { 0 };

	get(c, name, &g, 5000, NULL);
	fake_answer(f, f->started - 1, LOOKUP_SECURE_KEY, 300, rlen);
}

/* cached: 1 when NAME is a hit (which marks it), else 0. */
static int
cached(struct cache *c, const char *name)
{
	struct cache_waiter *w = NULL;
	struct got g = { 0 };
	int r = get(c, name, &g, 5000, &w);

	cache_waiter_cancel(w);
	return r == 1;
}

/*
 * Second chance (cache.h): a hit marks its entry and does not move it.
 * a b c cached, b hit then a: d evicts c (a FIFO queue would evict a);
 * a and b lost their marks and went to the newest end in queue order
 * (a, b), so e evicts a, though a was used after b (exact LRU evicts b).
 */
static void
test_evict_order(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_stats st;

	cache_default_opts(&o);
	o.max_entries = 3;
	c = cache_new(l, &fake_be, &f, &o);
	put(c, &f, "a.", 0);
	put(c, &f, "b.", 0);
	put(c, &f, "c.", 0);
	T_OK(cached(c, "b.") && cached(c, "a."), "a and b hit (b first)");
	put(c, &f, "d.", 0);
	T_OK(!cached(c, "c."), "d evicted c, the oldest not hit");
	put(c, &f, "e.", 0);
	T_OK(!cached(c, "a."), "e evicted a: hit entries keep queue order");
	T_OK(cached(c, "b.") && cached(c, "d.") && cached(c, "e."),
	    "b, d and e are cached");
	cache_get_stats(c, &st);
	T_INTEQ(st.entries, 3, "entries stay at max_entries");
	T_INTEQ(st.evictions, 2, "two evictions");
	/* every entry marked: the sweep clears them, the oldest goes */
	put(c, &f, "f.", 0);
	T_OK(!cached(c, "b.") && cached(c, "d.") && cached(c, "e.") &&
	    cached(c, "f."), "all marked: b, the oldest, went for f");
	cache_free(c);
}

/*
 * The sweep is bounded: with every entry of a long queue marked, one
 * insertion clears CACHE_SWEEP_MAX marks (those entries go to the newest
 * end) and then evicts the next oldest although it is marked, instead of
 * walking the whole queue (a million hit entries would pause the loop).
 */
static void
test_evict_sweep_bound(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_stats st;
	char name[32];
	int i, all = 1;

	cache_default_opts(&o);
	o.max_entries = 3 * CACHE_SWEEP_MAX;
	c = cache_new(l, &fake_be, &f, &o);
	for (i = 0; i < 3 * CACHE_SWEEP_MAX; i++) {
		snprintf(name, sizeof(name), "s%d.", i);
		put(c, &f, name, 0);
	}
	for (i = 0; i < 3 * CACHE_SWEEP_MAX; i++) {
		snprintf(name, sizeof(name), "s%d.", i);
		all &= cached(c, name);		/* marks every entry */
	}
	T_OK(all, "every entry cached and marked");
	put(c, &f, "new.", 0);
	snprintf(name, sizeof(name), "s%d.", CACHE_SWEEP_MAX);
	T_OK(!cached(c, name), "the entry after CACHE_SWEEP_MAX swept ones "
	    "went, marked as it was");
	T_OK(cached(c, "s0.") && cached(c, "new."),
	    "the oldest (swept, moved to the newest end) and the new one stay");
	cache_get_stats(c, &st);
	T_INTEQ(st.entries, 3 * CACHE_SWEEP_MAX, "entries stay at max_entries");
	T_INTEQ(st.evictions, 1, "one eviction");
	cache_free(c);
}

/*
 * Bounds with marked entries: whatever is marked, entries and bytes stay
 * within max_entries and max_bytes after each insertion, and the entry
 * just cached is never the one evicted (max_entries 1 keeps the newest).
 */
static void
test_evict_marked_bounds(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_stats st;
	char name[32];
	int i, j, ok = 1, newest = 1;

	cache_default_opts(&o);
	o.max_entries = 5;
	o.max_bytes = 8192;
	c = cache_new(l, &fake_be, &f, &o);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "m%d.", i);
		put(c, &f, name, (size_t)(i % 4) * 700);
		for (j = i > 6 ? i - 6 : 0; j <= i; j++) {
			snprintf(name, sizeof(name), "m%d.", j);
			(void)cached(c, name);	/* marks what is cached */
		}
		cache_get_stats(c, &st);
		if (st.entries > 5 || st.bytes > 8192)
			ok = 0;
		snprintf(name, sizeof(name), "m%d.", i);
		newest &= cached(c, name);
	}
	T_OK(ok, "entries and bytes within bounds after every insertion");
	T_OK(newest, "the entry just cached was never the one evicted");
	o.max_entries = 1;
	cache_set_opts(c, &o);
	cache_get_stats(c, &st);
	T_INTEQ(st.entries, 1, "a lower bound evicts marked entries too");
	put(c, &f, "one.", 0);
	T_OK(cached(c, "one."), "max_entries 1: the new answer is kept");
	cache_free(c);
}

/*
 * A result held by a caller outlives its entry (a cached result is its
 * own table entry): evicted, replaced under the same name, flushed, the
 * cache freed, it still reads as it was, with no TTL left.  (Run under
 * valgrind or ASan, a result freed with its entry shows here.)
 */
static void
test_held_result(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_result *hit = NULL, *held[3] = { NULL, NULL, NULL };
	struct cache_waiter *w = NULL;
	struct cache_stats st;
	struct got g = { 0 };
	const struct lookup_answer *a;
	int i;

	cache_default_opts(&o);
	o.max_entries = 1;
	c = cache_new(l, &fake_be, &f, &o);
	get(c, "held.", &g, 5000, NULL);
	fake_answer(&f, 0, LOOKUP_SECURE_NOKEY, 300, 40);
	T_INTEQ(cache_get(c, "HELD.", LOOKUP_KEY, 5000, on_result, &g, &held[0],
	    &w), 0, "a hit, held");
	T_OK(held[0] != NULL && cache_result_ttl(c, held[0]) > 0,
	    "the held result is cached");
	/* evicted by another name (max_entries 1) */
	get(c, "other.", &g, 5000, NULL);
	fake_answer(&f, 1, LOOKUP_SECURE_KEY, 300, 0);
	cache_get_stats(c, &st);
	T_INTEQ(st.evictions, 1, "held. was evicted");
	T_INTEQ(cache_get(c, "other.", LOOKUP_KEY, 5000, on_result, &g,
	    &held[1], &w), 0, "other. is a hit, held");
	/* replaced under the same name: expired answers are looked up again */
	o.max_entries = 10;
	cache_set_opts(c, &o);
	get(c, "held.", &g, 5000, &w);
	fake_answer(&f, 2, LOOKUP_BOGUS, 30, 8);
	T_INTEQ(cache_get(c, "held.", LOOKUP_KEY, 5000, on_result, &g, &hit,
	    &w), 0, "the new held. is a hit");
	held[2] = hit;
	cache_flush(c);
	for (i = 0; i < 3; i++)
		T_OK(held[i] != NULL && cache_result_ttl(c, held[i]) == 0,
		    "held result %d: no TTL once out of the cache", i);
	cache_free(c);
	a = held[0] != NULL ? cache_result_answer(held[0]) : NULL;
	T_OK(a != NULL && a->state == LOOKUP_SECURE_NOKEY && a->reason != NULL &&
	    strlen(a->reason) == 40, "the first held answer is intact");
	a = held[1] != NULL ? cache_result_answer(held[1]) : NULL;
	T_OK(a != NULL && a->state == LOOKUP_SECURE_KEY,
	    "the evicting answer is intact");
	a = held[2] != NULL ? cache_result_answer(held[2]) : NULL;
	T_OK(a != NULL && a->state == LOOKUP_BOGUS && a->reason != NULL &&
	    strlen(a->reason) == 8, "the replacing answer is intact");
	for (i = 0; i < 3; i++)
		cache_result_release(held[i]);
}

static void
test_evict_bytes(struct loop *l)
{
	struct fake f = { 0 };
	struct cache_opts o;
	struct cache *c;
	struct cache_stats st;
	struct cache_waiter *w;
	struct got g = { 0 };
	char name[32];
	int i;

	cache_default_opts(&o);
	o.max_bytes = 8192;
	c = cache_new(l, &fake_be, &f, &o);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "big%d.", i);
		get(c, name, &g, 5000, NULL);
		fake_answer(&f, i, LOOKUP_BOGUS, 30, 2000);
	}
	cache_get_stats(c, &st);
	T_OK(st.bytes <= 8192, "bytes stay under max_bytes (%zu)", st.bytes);
	T_OK(st.entries >= 2 && st.entries < 10,
	    "eviction by bytes kept %zu of 10 entries", st.entries);
	T_INTEQ(get(c, "big9.", &g, 5000, NULL), 1, "the newest stays");
	T_INTEQ(get(c, "big0.", &g, 5000, &w), 0, "the oldest went first");
	cache_waiter_cancel(w);
	get(c, "huge.", &g, 5000, NULL);
	fake_answer(&f, 11, LOOKUP_BOGUS, 30, 20000);
	T_INTEQ(g.state, LOOKUP_BOGUS, "an answer too big to cache is "
	    "still delivered");
	T_INTEQ(get(c, "huge.", &g, 5000, &w), 0,
	    "an answer larger than max_bytes is not cached");
	cache_waiter_cancel(w);
	cache_get_stats(c, &st);
	T_OK(st.entries > 0, "and it did not flush the others");
	cache_free(c);
}

static void
test_coalesce(struct loop *l)
{
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct cache_stats st;
	struct got g[100];
	int i, ncalls = 0, nok = 0;

	memset(g, 0, sizeof(g));
	for (i = 0; i < 100; i++)
		get(c, "busy.example.", &g[i], 5000, NULL);
	T_INTEQ(f.started, 1, "100 concurrent gets start one lookup");
	cache_get_stats(c, &st);
	T_INTEQ(st.coalesced, 99, "99 joined it");
	T_INTEQ(st.waiters, 100, "100 waiters");
	fake_answer(&f, 0, LOOKUP_SECURE_KEY, 60, 0);
	for (i = 0; i < 100; i++) {
		ncalls += g[i].calls;
		nok += g[i].state == LOOKUP_SECURE_KEY;
	}
	T_INTEQ(ncalls, 100, "each waiter called exactly once");
	T_INTEQ(nok, 100, "each got the answer");
	cache_get_stats(c, &st);
	T_INTEQ(st.waiters, 0, "no waiters left");
	T_INTEQ(st.inflight, 0, "no lookup in flight");
	cache_free(c);
}

static void
test_deadline(struct loop *l)
{
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct cache_stats st;
	struct got slow = { 0 }, fast = { 0 }, late = { 0 };
	int rounds;

	get(c, "sink.", &fast, 50, NULL);
	get(c, "sink.", &slow, 60000, NULL);
	T_INTEQ(f.started, 1, "two waiters, one lookup");
	for (rounds = 0; fast.calls == 0 && rounds < 1000; rounds++)
		loop_run_once(l, 100);
	T_INTEQ(fast.calls, 1, "the short deadline fires");
	T_INTEQ(fast.state, LOOKUP_TEMPFAIL, "as tempfail");
	T_STREQ(fast.reason, "timeout", "reason timeout");
	T_INTEQ(slow.calls, 0, "the other waiter still waits");
	T_INTEQ(f.cancelled, 0, "the lookup goes on");
	get(c, "sink.", &late, 60000, NULL);
	T_INTEQ(f.started, 1, "a later get joins the same lookup");
	fake_answer(&f, 0, LOOKUP_SECURE_NOKEY, 60, 0);
	T_INTEQ(slow.calls, 1, "the patient waiter gets the answer");
	T_INTEQ(slow.state, LOOKUP_SECURE_NOKEY, "with its state");
	T_INTEQ(late.calls, 1, "so does the late one");
	T_INTEQ(fast.calls, 1, "the timed-out waiter is not called again");
	cache_get_stats(c, &st);
	T_INTEQ(st.timeouts, 1, "stats: one timeout");
	cache_free(c);
}

static void
test_cancel_free(struct loop *l)
{
	struct fake f = { 0 };
	struct cache *c = cache_new(l, &fake_be, &f, NULL);
	struct got g1 = { 0 }, g2 = { 0 };
	struct cache_waiter *w1 = NULL;

	get(c, "x.", &g1, 5000, &w1);
	get(c, "x.", &g2, 5000, NULL);
	cache_waiter_cancel(w1);
	fake_answer(&f, 0, LOOKUP_INSECURE, 60, 0);
	T_INTEQ(g1.calls, 0, "a cancelled waiter is not called");
	T_INTEQ(g2.calls, 1, "the other one is");
	get(c, "y.", &g1, 5000, &w1);
	cache_waiter_cancel(w1);
	T_INTEQ(get(c, "y.", &g2, 5000, NULL), 0,
	    "a lookup without waiters goes on (joined again)");
	T_INTEQ(f.started, 2, "no second lookup for y.");
	get(c, "z.", &g1, 5000, NULL);
	cache_free(c);
	T_INTEQ(f.cancelled, 2, "cache_free cancels the lookups in flight");
}

int
main(void)
{
	struct loop *l = loop_new();

	T_OK(l != NULL, "loop_new");
	test_hit_miss(l);
	test_kind_spaces(l);
	test_key_fold(l);
	test_ttl(l);
	test_evict_entries(l);
	test_evict_bytes(l);
	test_evict_order(l);
	test_evict_sweep_bound(l);
	test_evict_marked_bounds(l);
	test_held_result(l);
	test_coalesce(l);
	test_deadline(l);
	test_cancel_free(l);
	loop_free(l);
	return t_done();
}
