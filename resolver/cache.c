/*
 * cache.c: answers by (kind, lower-cased owner name) in a chained hash
 * table with a second-chance queue (cache.h), and lookups in flight in a
 * second table, each with its list of waiters.  Results are
 * reference-counted so that a request can hold its key answer while its
 * policy answer arrives, even if the entry is evicted meanwhile.
 *
 * The cache holds classified answers (lookup_answer), not raw records:
 * so that a key whose x= passes is not served as usable, an entry never
 * lives past the earliest x= of its keys.
 *
 * A cached result is its own table entry, in one allocation: the key,
 * hash chain and queue links, and a flat copy of the answer
 * (lookup_answer_flat_copy: the answer, its key array, keyrecs, raw keys
 * and reason).  A hit over a million entries reads one block after the
 * hash table, not four (the entry, the answer, its key array, the
 * keyrec), and each entry costs one allocation instead of five.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/keyrec.h"
#include "cache.h"
#include "loop.h"

#define FLIGHT_BUCKETS	4096
#define MIN_BUCKETS	1024
#define MAX_BUCKETS	(1u << 20)

/*
 * A result, and while cached (expires != 0) the table's entry for KEY.
 * The table holds one reference; one that was never cached (a deadline
 * tempfail) has an empty key.  ANS points into the same block, after the
 * key (KEY_ROOM octets): freed with it.
 */
struct cache_result {
	int			 refs;
	uint32_t		 bytes;		/* counted in st.bytes */
	int			 referenced;	/* hit since it last
						   reached the oldest end */
	struct lookup_answer	*ans;
	uint64_t		 expires;	/* monotonic ms; 0: not cached */
	uint64_t		 hash;
	struct cache_result	*hnext;
	struct cache_result	*newer, *older;	/* the queue */
	char			 key[];
};

struct flight;

struct cache_waiter {
	struct cache		*c;
	struct flight		*f;
	struct cache_waiter	*prev, *next;
	cache_cb		 cb;
	void			*arg;
	struct loop_timer	*timer;
	enum lookup_kind	 kind;
};

struct flight {
	struct cache		*c;
	char			*key;
	uint64_t		 hash;
	struct flight		*hnext;
	enum lookup_kind	 kind;
	int			 id;
	int			 linked;	/* in the flight table */
	struct cache_waiter	*whead;
};

struct cache {
	struct loop		*loop;
	struct cache_backend	 be;
	void			*barg;
	struct cache_opts	 o;
	struct cache_result	**buckets;
	size_t			 nbuckets;
	struct cache_result	*newest, *oldest;
	struct flight		*flights[FLIGHT_BUCKETS];
	struct cache_stats	 st;
};

void
cache_default_opts(struct cache_opts *o)
{
	o->max_entries = 100000;
	o->max_bytes = 64u * 1024 * 1024;
	o->min_ttl = 0;
	o->max_ttl = 86400;
	o->bogus_ttl = 60;
	o->tempfail_ttl = 10;
}

#define KEY_MAX	(1024 + 3)

/*
 * lower8: the 8 octets of W with ASCII 'A'-'Z' lower-cased, every other
 * octet (and any with the high bit) as it was: an octet's bit 7 is set in
 * GE when its low 7 bits are >= 'A', in GT when they are > 'Z'.
 */
static uint64_t
lower8(uint64_t w)
{
	uint64_t low = w & 0x7f7f7f7f7f7f7f7fULL;
	uint64_t ge = low + 0x3f3f3f3f3f3f3f3fULL;
	uint64_t gt = low + 0x2525252525252525ULL;

	return w | (((ge ^ gt) & ~w & 0x8080808080808080ULL) >> 2);
}

/* mix8: W into the hash H (the low bits, the bucket's, see every bit). */
static uint64_t
mix8(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

/*
 * make_key: "K:", "D:" (DKIM) or "P:" and the name, lower-cased (ASCII: owner names
 * are A-labels), into K (KEY_MAX octets, on the caller's stack: a hit
 * allocates nothing), and its hash into *H; NULL when the name is too
 * long.  Eight octets at a time: every cached AUTHZ makes two keys.
 */
static char *
make_key(const char *qname, enum lookup_kind kind, char *k, uint64_t *hp)
{
	size_t n = strnlen(qname, 1025), len, i;
	uint64_t h = 14695981039346656037ULL, w;

	if (n > 1024)
		return NULL;
	k[0] = kind == LOOKUP_KEY ? 'K' : kind == LOOKUP_DKIM ? 'D' : 'P';
	k[1] = ':';
	memcpy(k + 2, qname, n);
	len = n + 2;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, k + i, 8);
		w = lower8(w);
		memcpy(k + i, &w, 8);
		h = mix8(h, w);
	}
	if (i < len) {
		w = 0;
		memcpy(&w, k + i, len - i);
		w = lower8(w);
		memcpy(k + i, &w, len - i);
		h = mix8(h, w);
	}
	k[len] = '\0';
	*hp = mix8(h, len);
	return k;
}

_Static_assert(offsetof(struct cache_result, key) % 8 == 0,
    "the flat answer after the key is 8-aligned");

/* KEY_ROOM: octets for a key of LEN characters and its NUL, 8-aligned. */
#define KEY_ROOM(len)	(((len) + 1 + 7) & ~(size_t)7)

/*
 * result_new: a result for KEY ("" when never cached) holding a flat copy
 * of ANS, which it takes and frees, whatever it returns (NULL: out of
 * memory).
 */
static struct cache_result *
result_new(struct lookup_answer *ans, const char *key, uint64_t h)
{
	struct cache_result *r;
	size_t len = strlen(key);

	if ((r = calloc(1, sizeof(*r) + KEY_ROOM(len) +
	    lookup_answer_flat_size(ans))) == NULL) {
		lookup_answer_free(ans);
		return NULL;
	}
	r->refs = 1;
	r->hash = h;
	memcpy(r->key, key, len + 1);
	r->ans = lookup_answer_flat_copy(ans, r->key + KEY_ROOM(len));
	lookup_answer_free(ans);
	return r;
}

struct cache_result *
cache_result_ref(struct cache_result *r)
{
	r->refs++;
	return r;
}

void
cache_result_release(struct cache_result *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	free(r);	/* the answer with it (result_new) */
}

const struct lookup_answer *
cache_result_answer(const struct cache_result *r)
{
	return r->ans;
}

uint32_t
cache_result_ttl(const struct cache *c, const struct cache_result *r)
{
	uint64_t now = loop_now(c->loop);

	if (r->expires <= now)
		return 0;
	return (uint32_t)((r->expires - now + 999) / 1000);
}

struct cache *
cache_new(struct loop *l, const struct cache_backend *backend, void *barg,
    const struct cache_opts *opts)
{
	struct cache *c;
	size_t n = MIN_BUCKETS;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->loop = l;
	c->be = *backend;
	c->barg = barg;
	if (opts != NULL)
		c->o = *opts;
	else
		cache_default_opts(&c->o);
	while (n < c->o.max_entries && n < MAX_BUCKETS)
		n *= 2;
	if ((c->buckets = calloc(n, sizeof(*c->buckets))) == NULL) {
		free(c);
		return NULL;
	}
	c->nbuckets = n;
	return c;
}

/* --- entries --- */

static struct cache_result **
entry_slot(struct cache *c, const char *key, uint64_t h)
{
	struct cache_result **pp = &c->buckets[h & (c->nbuckets - 1)];

	while (*pp != NULL && ((*pp)->hash != h || strcmp((*pp)->key,
	    key) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static void
lru_unlink(struct cache *c, struct cache_result *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
lru_push(struct cache *c, struct cache_result *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* entry_remove: E out of the table; freed unless a caller holds it. */
static void
entry_remove(struct cache *c, struct cache_result *e)
{
	struct cache_result **pp = entry_slot(c, e->key, e->hash);

	if (*pp == e)
		*pp = e->hnext;
	e->hnext = NULL;
	lru_unlink(c, e);
	c->st.entries--;
	c->st.bytes -= e->bytes;
	e->bytes = 0;
	e->expires = 0;
	cache_result_release(e);
}

/*
 * evict: makes room for NENT more entries of NBYTES (an insertion's, made
 * before it, so that the new entry is never the one to go), by second
 * chance (cache.h): the oldest entry goes unless it was hit since it last
 * came here; then it only loses that mark and moves to the newest end.
 * At most CACHE_SWEEP_MAX marks are cleared in one call: then the oldest
 * goes marked or not, so one call does bounded work.
 */
static void
evict(struct cache *c, size_t nent, size_t nbytes)
{
	struct cache_result *e;
	unsigned swept = 0;

	while ((e = c->oldest) != NULL &&
	    (c->st.entries + nent > c->o.max_entries ||
	    c->st.bytes + nbytes > c->o.max_bytes)) {
		if (e->referenced && e != c->newest &&
		    swept < CACHE_SWEEP_MAX) {
			swept++;
			e->referenced = 0;
			lru_unlink(c, e);
			lru_push(c, e);
			continue;
		}
		entry_remove(c, e);
		c->st.evictions++;
	}
}

static size_t
answer_bytes(const struct lookup_answer *a, const char *key)
{
	size_t n, i;

	n = sizeof(struct cache_result) + sizeof(*a) + strlen(key) + 1;
	if (a->reason != NULL)
		n += strlen(a->reason) + 1;
	for (i = 0; i < a->nkeys; i++)
		n += sizeof(a->keys[i]) + 128 +
		    keyrec_get(a->keys[i])->keylen;
	return n;
}

/* ttl_ms: how long A may be cached, per the options (0: not at all). */
static uint64_t
ttl_ms(const struct cache *c, const struct lookup_answer *a, int64_t wall)
{
	uint64_t ttl = a->ttl;
	int64_t x;
	size_t i;

	switch (a->state) {
	case LOOKUP_BOGUS:
		if (ttl == 0 || ttl > c->o.bogus_ttl)
			ttl = c->o.bogus_ttl;
		break;
	case LOOKUP_TEMPFAIL:
		ttl = c->o.tempfail_ttl;
		break;
	default:
		if (ttl < c->o.min_ttl)
			ttl = c->o.min_ttl;
		break;
	}
	if (ttl > c->o.max_ttl)
		ttl = c->o.max_ttl;
	ttl *= 1000;
	for (i = 0; i < a->nkeys; i++) {
		x = keyrec_get(a->keys[i])->not_after;
		if (x == 0)
			continue;
		if (x <= wall)
			return 0;
		if ((uint64_t)(x - wall) * 1000 < ttl)
			ttl = (uint64_t)(x - wall) * 1000;
	}
	return ttl;
}

/*
 * insert: cache R under its key (takes a reference when cached; R is
 * new, never in the table before).
 */
static void
insert(struct cache *c, struct cache_result *r)
{
	struct cache_result **pp;
	uint64_t ttl;
	size_t bytes;

	ttl = ttl_ms(c, r->ans, (int64_t)time(NULL));
	if (ttl == 0 || c->o.max_entries == 0)
		return;
	if ((pp = entry_slot(c, r->key, r->hash)), *pp != NULL)
		entry_remove(c, *pp);
	bytes = answer_bytes(r->ans, r->key);
	if (bytes > c->o.max_bytes || bytes > UINT32_MAX)
		return;
	r->bytes = (uint32_t)bytes;
	cache_result_ref(r);
	r->expires = loop_now(c->loop) + ttl;
	evict(c, 1, bytes);
	pp = entry_slot(c, r->key, r->hash);
	r->hnext = *pp;
	*pp = r;
	lru_push(c, r);
	c->st.entries++;
	c->st.bytes += r->bytes;
}

/* --- flights and waiters --- */

static struct flight **
flight_slot(struct cache *c, const char *key, uint64_t h)
{
	struct flight **pp = &c->flights[h & (FLIGHT_BUCKETS - 1)];

	while (*pp != NULL && ((*pp)->hash != h || strcmp((*pp)->key,
	    key) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static void
flight_unlink(struct cache *c, struct flight *f)
{
	struct flight **pp;

	if (!f->linked)
		return;
	pp = flight_slot(c, f->key, f->hash);
	if (*pp == f)
		*pp = f->hnext;
	f->linked = 0;
	c->st.inflight--;
}

static void
waiter_unlink(struct cache_waiter *w)
{
	struct flight *f = w->f;

	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		f->whead = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	w->c->st.waiters--;
}

static void
waiter_free(struct cache_waiter *w)
{
	loop_timer_free(w->timer);
	free(w);
}

void
cache_waiter_cancel(struct cache_waiter *w)
{
	if (w == NULL)
		return;
	waiter_unlink(w);
	waiter_free(w);
}

static void
on_deadline(void *arg)
{
	struct cache_waiter *w = arg;
	struct lookup_answer *a;
	struct cache_result *r = NULL;
	cache_cb cb = w->cb;
	void *cbarg = w->arg;

	w->c->st.timeouts++;
	if ((a = lookup_answer_tempfail(w->kind, "timeout")) != NULL)
		r = result_new(a, "", 0);
	cache_waiter_cancel(w);
	cb(cbarg, r);
}

static void
on_answer(void *arg, int id, struct lookup_answer *ans)
{
	struct flight *f = arg;
	struct cache *c = f->c;
	struct cache_waiter *w;
	struct cache_result *r = NULL;
	cache_cb cb;
	void *cbarg;

	(void)id;
	flight_unlink(c, f);
	if (ans != NULL)
		r = result_new(ans, f->key, f->hash);
	if (r != NULL)
		insert(c, r);
	while ((w = f->whead) != NULL) {
		cb = w->cb;
		cbarg = w->arg;
		cache_waiter_cancel(w);
		cb(cbarg, r != NULL ? cache_result_ref(r) : NULL);
	}
	cache_result_release(r);
	free(f->key);
	free(f);
}

int
cache_get(struct cache *c, const char *qname, enum lookup_kind kind,
    unsigned timeout_ms, cache_cb cb, void *arg, struct cache_result **hit,
    struct cache_waiter **wp)
{
	struct cache_waiter *w = NULL;
	struct flight **fp, *f = NULL;
	struct cache_result *e;
	char kbuf[KEY_MAX], *key;
	uint64_t h;

	*hit = NULL;
	*wp = NULL;
	if (make_key(qname, kind, kbuf, &h) == NULL)
		return -1;
	if ((e = *entry_slot(c, kbuf, h)) != NULL) {
		if (e->expires > loop_now(c->loop)) {
			/* marked, not moved: no neighbour is touched */
			if (!e->referenced)
				e->referenced = 1;
			c->st.hits++;
			*hit = cache_result_ref(e);
			return 0;
		}
		entry_remove(c, e);
	}
	if ((key = strdup(kbuf)) == NULL)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->timer = loop_timer_new(c->loop, on_deadline, w)) == NULL ||
	    loop_timer_set(w->timer, timeout_ms) == -1)
		goto fail;
	w->c = c;
	w->cb = cb;
	w->arg = arg;
	w->kind = kind;
	fp = flight_slot(c, key, h);
	if ((f = *fp) != NULL) {
		c->st.coalesced++;
		free(key);
		key = NULL;
	} else {
		if ((f = calloc(1, sizeof(*f))) == NULL)
			goto fail;
		f->c = c;
		f->key = key;
		f->hash = h;
		f->kind = kind;
		if (c->be.start(c->barg, qname, kind, on_answer, f,
		    &f->id) == -1) {
			c->st.failures++;
			free(f);
			goto fail;
		}
		key = NULL;
		fp = flight_slot(c, f->key, h);
		f->hnext = *fp;
		*fp = f;
		f->linked = 1;
		c->st.inflight++;
		c->st.misses++;
	}
	w->f = f;
	w->next = f->whead;
	if (f->whead != NULL)
		f->whead->prev = w;
	f->whead = w;
	c->st.waiters++;
	*wp = w;
	return 0;
fail:
	if (w != NULL)
		waiter_free(w);
	free(key);
	return -1;
}

void
cache_flush(struct cache *c)
{
	while (c->oldest != NULL)
		entry_remove(c, c->oldest);
}

void
cache_set_opts(struct cache *c, const struct cache_opts *o)
{
	c->o = *o;
	evict(c, 0, 0);
}

void
cache_get_stats(const struct cache *c, struct cache_stats *s)
{
	*s = c->st;
}

void
cache_free(struct cache *c)
{
	struct flight *f, *next;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < FLIGHT_BUCKETS; i++) {
		for (f = c->flights[i]; f != NULL; f = next) {
			next = f->hnext;
			c->be.cancel(c->barg, f->id);
			while (f->whead != NULL)
				cache_waiter_cancel(f->whead);
			free(f->key);
			free(f);
		}
	}
	cache_flush(c);
	free(c->buckets);
	free(c);
}
