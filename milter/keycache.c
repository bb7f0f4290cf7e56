/*
 * keycache.c: the milter's prepared-key cache (keycache.h).  A chained
 * hash table over the key= text (FNV-1a with a per-cache random seed)
 * and a least-recently-used list, under one mutex that is held only for
 * table and list work: decoding and preparing keys run outside it.  An
 * entry taken out of the table (expired, evicted) while leases are out
 * is freed when the last lease comes back.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "answer.h"
#include "keycache.h"
#include "keycache_int.h"

/*
 * Estimated heap use, measured with glibc's mallinfo2 on OpenSSL 3.0:
 * an RSA-2048 EVP_PKEY about 2.3 KiB, an Ed25519 one about 0.6 KiB; a
 * prepared context about 1.3 KiB (RSA) / 0.9 KiB (Ed25519).  Charged
 * as a fixed part plus a part per octet of the key= text.
 */
#define COST_ENTRY(len)	(sizeof(struct entry) + 512 + 6 * (len))
#define COST_INST(len)	(sizeof(struct keycache_key) + 768 + (len))

struct entry;

struct keycache_key {
	struct sig_key		 sk;	/* sk.pkey is the entry's */
	struct entry		*e;
	struct keycache_key	*next;	/* idle list */
};

struct entry {
	char			*spec;
	size_t			 len;
	uint64_t		 hash;
	EVP_PKEY		*pkey;
	int			 testing;
	time_t			 expires;
	size_t			 cost;		/* entry and idle copies */
	unsigned		 leases;	/* keys out */
	int			 in_table;
	struct keycache_key	*idle;
	size_t			 nidle;
	struct entry		*hnext;		/* bucket chain */
	struct entry		*prev, *next;	/* LRU: head most recent */
};

struct keycache {
	pthread_mutex_t		 mu;
	struct sig_ctx		*sctx;
	size_t			 max_entries, max_bytes;
	unsigned		 max_ttl;
	uint64_t		 seed;
	struct entry		**bucket;
	size_t			 nbucket;	/* a power of two */
	struct entry		*head, *tail;
	struct keycache_stats	 st;
};

size_t
keycache_cost_entry(size_t len)
{
	return COST_ENTRY(len);
}

size_t
keycache_cost_inst(size_t len)
{
	return COST_INST(len);
}

static uint64_t
hash_spec(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
inst_free(struct keycache_key *k)
{
	if (k == NULL)
		return;
	sig_key_release(&k->sk);
	free(k);
}

static void
entry_free(struct entry *e)
{
	struct keycache_key *k;

	if (e == NULL)
		return;
	while ((k = e->idle) != NULL) {
		e->idle = k->next;
		inst_free(k);
	}
	EVP_PKEY_free(e->pkey);
	free(e->spec);
	free(e);
}

/* unlink: E out of the table and the list (lock held); E is freed now
   when no lease is out, else by the last keycache_put. */
static void
unlink_entry(struct keycache *kc, struct entry *e)
{
	struct entry **pp;

	for (pp = &kc->bucket[e->hash & (kc->nbucket - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		kc->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		kc->tail = e->prev;
	e->prev = e->next = e->hnext = NULL;
	e->in_table = 0;
	kc->st.entries--;
	kc->st.bytes -= e->cost;
	if (e->leases == 0)
		entry_free(e);
}

/* trim: evict least recently used entries past the bounds (lock held). */
static void
trim(struct keycache *kc)
{
	while (kc->tail != NULL && (kc->st.entries > kc->max_entries ||
	    kc->st.bytes > kc->max_bytes)) {
		kc->st.evicted++;
		unlink_entry(kc, kc->tail);
	}
}

static void
to_front(struct keycache *kc, struct entry *e)
{
	if (kc->head == e)
		return;
	if (e->prev != NULL)
		e->prev->next = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else if (kc->tail == e)
		kc->tail = e->prev;
	e->prev = NULL;
	e->next = kc->head;
	if (kc->head != NULL)
		kc->head->prev = e;
	kc->head = e;
	if (kc->tail == NULL)
		kc->tail = e;
}

struct keycache *
keycache_new(struct sig_ctx *sctx, size_t max_entries, size_t max_bytes,
    unsigned max_ttl)
{
	struct keycache *kc;
	size_t n = 16;

	if ((kc = calloc(1, sizeof(*kc))) == NULL)
		return NULL;
	while (n < max_entries && n < ((size_t)1 << 20))
		n *= 2;
	if ((kc->bucket = calloc(n, sizeof(*kc->bucket))) == NULL ||
	    pthread_mutex_init(&kc->mu, NULL) != 0) {
		free(kc->bucket);
		free(kc);
		return NULL;
	}
	if (RAND_bytes((unsigned char *)&kc->seed, sizeof(kc->seed)) != 1)
		kc->seed = (uint64_t)(uintptr_t)kc;
	kc->nbucket = n;
	kc->sctx = sctx;
	kc->max_entries = max_entries;
	kc->max_bytes = max_bytes;
	kc->max_ttl = max_ttl > KEYCACHE_MAX_TTL ? KEYCACHE_MAX_TTL : max_ttl;
	return kc;
}

void
keycache_free(struct keycache *kc)
{
	if (kc == NULL)
		return;
	while (kc->head != NULL)
		unlink_entry(kc, kc->head);
	pthread_mutex_destroy(&kc->mu);
	free(kc->bucket);
	free(kc);
}

/* new_inst: a prepared copy of E's key for one lease; NULL out of memory.
   A key that cannot be prepared is leased unprepared (sig.c's slow path)
   and not kept idle. */
static struct keycache_key *
new_inst(struct keycache *kc, struct entry *e)
{
	struct keycache_key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->sk.pkey = e->pkey;
	k->sk.testing = e->testing;
	k->e = e;
	(void)sig_key_prepare(kc->sctx, &k->sk);
	return k;
}

/* lookup: the live entry for SPEC (lock held); an expired one goes. */
static struct entry *
lookup(struct keycache *kc, const char *spec, size_t len, uint64_t h,
    time_t now)
{
	struct entry *e;

	for (e = kc->bucket[h & (kc->nbucket - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->len == len &&
		    memcmp(e->spec, spec, len) == 0)
			break;
	if (e != NULL && e->expires <= now) {
		kc->st.expired++;
		unlink_entry(kc, e);
		return NULL;
	}
	return e;
}

/* give_back: the end of a lease of E; K (NULL: none was made) is kept
   idle or freed. */
static void
give_back(struct keycache *kc, struct entry *e, struct keycache_key *k)
{
	struct entry *dead = NULL;
	struct keycache_key *drop = NULL;

	pthread_mutex_lock(&kc->mu);
	if (k != NULL && e->in_table && e->nidle < KEYCACHE_IDLE_MAX &&
	    k->sk.prepared) {
		k->next = e->idle;
		e->idle = k;
		e->nidle++;
		e->cost += COST_INST(e->len);
		kc->st.bytes += COST_INST(e->len);
	} else
		drop = k;
	e->leases--;
	if (!e->in_table && e->leases == 0)
		dead = e;
	else if (e->in_table)
		trim(kc);	/* may free E, its idle K with it */
	pthread_mutex_unlock(&kc->mu);
	inst_free(drop);
	entry_free(dead);
}

void
keycache_put(struct keycache *kc, struct keycache_key *k)
{
	if (k != NULL)
		give_back(kc, k->e, k);
}

struct keycache_key *
keycache_get(struct keycache *kc, const char *spec, unsigned ttl,
    time_t now, int *unusable)
{
	struct entry *e = NULL, *old;
	struct keycache_key *k = NULL;
	size_t len = strlen(spec);
	uint64_t h = hash_spec(kc->seed, spec, len);
	unsigned life;

	*unusable = 0;
	pthread_mutex_lock(&kc->mu);
	if ((e = lookup(kc, spec, len, h, now)) != NULL) {
		kc->st.hits++;
		e->leases++;
		to_front(kc, e);
		if ((k = e->idle) != NULL) {
			e->idle = k->next;
			k->next = NULL;
			e->nidle--;
			e->cost -= COST_INST(e->len);
			kc->st.bytes -= COST_INST(e->len);
		}
	} else
		kc->st.misses++;
	pthread_mutex_unlock(&kc->mu);
	if (e != NULL) {
		if (k == NULL && (k = new_inst(kc, e)) == NULL)
			give_back(kc, e, NULL);
		return k;
	}

	/* a miss: decode and prepare outside the lock */
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->spec = malloc(len + 1)) == NULL)
		goto fail;
	memcpy(e->spec, spec, len + 1);
	e->len = len;
	e->hash = h;
	if ((e->pkey = answer_key_decode(spec, &e->testing)) == NULL) {
		*unusable = 1;
		pthread_mutex_lock(&kc->mu);
		kc->st.bad++;
		pthread_mutex_unlock(&kc->mu);
		goto fail;
	}
	if ((k = new_inst(kc, e)) == NULL)
		goto fail;
	e->leases = 1;
	life = ttl < kc->max_ttl ? ttl : kc->max_ttl;
	e->expires = now + (time_t)life;
	e->cost = COST_ENTRY(len);
	pthread_mutex_lock(&kc->mu);
	/* not cached: ttl=0, a zero bound, too big, or another thread
	   cached the same text meanwhile (this copy then stays private) */
	if (life > 0 && kc->max_entries > 0 && e->cost <= kc->max_bytes &&
	    ((old = lookup(kc, spec, len, h, now)) == NULL)) {
		e->hnext = kc->bucket[h & (kc->nbucket - 1)];
		kc->bucket[h & (kc->nbucket - 1)] = e;
		e->in_table = 1;
		kc->st.entries++;
		kc->st.bytes += e->cost;
		to_front(kc, e);
		trim(kc);
	}
	pthread_mutex_unlock(&kc->mu);
	return k;
fail:
	entry_free(e);
	return NULL;
}

const struct sig_key *
keycache_key_sig(const struct keycache_key *k)
{
	return &k->sk;
}

int
keycache_verify_reply(struct keycache *kc, struct sig_verify *v,
    const char *line, time_t now)
{
	struct answer_lookup_raw r;
	struct keycache_key *lease[ANSWER_MAX_KEYS];
	struct sig_key keys[ANSWER_MAX_KEYS];
	size_t i, n = 0;
	int unusable, rc = -1;

	if (answer_lookup_split(line, &r) == -1)
		return -1;
	for (i = 0; i < r.nkeys; i++) {
		if ((lease[n] = keycache_get(kc, r.keys[i], r.ttl, now,
		    &unusable)) != NULL)
			keys[n] = *keycache_key_sig(lease[n]), n++;
		else if (!unusable)
			goto done;		/* out of memory */
	}
	sig_verify_keys(v, r.state, keys, n);
	rc = 0;
done:
	for (i = 0; i < n; i++)
		keycache_put(kc, lease[i]);
	answer_lookup_raw_free(&r);
	return rc;
}

void
keycache_stats(struct keycache *kc, struct keycache_stats *st)
{
	pthread_mutex_lock(&kc->mu);
	*st = kc->st;
	pthread_mutex_unlock(&kc->mu);
}
