/*
 * sign.c: the DNSSEC zone signer (see sign.h): set-up (keys, times, the
 * DNSKEY and NSEC3PARAM records), and the per-thread work of hashing names
 * and of signing chunks of names and NSEC or NSEC3 records and formatting
 * them as text.  The names, zone cuts and the NSEC/NSEC3 chain layout are
 * sign_chain.c; the pool of threads and the in-order writer are
 * sign_pool.c.  ldns does the wire-to-text formatting and the type
 * bitmaps; OpenSSL hashes and signs (sign_key.c).  Not for reading zones
 * or keys (sign_zone.c, sign_key.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "lib/errstr.h"
#include "sign.h"
#include "sign_chain.h"
#include "sign_pool.h"

#define HASHLEN		SIGN_CHAIN_HASHLEN
#define CHUNK_ITEMS	64
#define CHUNK_HASHES	4096
#define WINDOW		64		/* chunks ahead of the writer, per thread */
/*
 * NSEC3 flags: always 0, never opt-out (specs/zonegen.md).  An opt-out
 * span makes the NXDOMAIN of a sender without a key insecure instead of
 * a proof, which policy=all needs (verdicts.md 3.1); no option changes it.
 */
#define NSEC3_FLAGS	0

_Static_assert(SIGN_MAX_THREADS <= SIGN_POOL_MAX_THREADS,
    "sign.h promises more threads than the pool runs");

struct signer {
	struct sign_zone	*z;
	struct sign_key *const	*keys;
	size_t			 nkeys;
	const struct sign_opts	*o;
	uint32_t		 ksk, zsk;	/* bit masks over keys */
	uint32_t		 inception, expiration;
	uint32_t		 dnskey_ttl, nsec_ttl;
	uint8_t			 owire[LDNS_MAX_DOMAINLEN + 1];
	size_t			 owlen;
	const uint8_t		*orev;
	size_t			 orlen;
	unsigned		 olabels;
	struct sign_chain	*chain;
	size_t			 nitems;
	char			 err[256];	/* from the pool */
	struct sign_stats	 st;
};

/* One worker thread's state. */
struct wstate {
	struct signer		*s;
	struct sign_key_ctx	*kc[SIGN_MAX_KEYS];
	ldns_buffer		*text;
	uint8_t			*data;		/* signed data */
	size_t			 datacap;
	EVP_MD_CTX		*sha1ctx;
	EVP_MD			*sha1;
	size_t			 rrsigs, records, denials;
};

void
sign_opts_init(struct sign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->denial = SIGN_DENIAL_NSEC3;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int
need(struct wstate *w, size_t n)
{
	uint8_t *p;
	size_t cap = w->datacap ? w->datacap : 65536;

	if (n <= w->datacap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((p = realloc(w->data, cap)) == NULL)
		return -1;
	w->data = p;
	w->datacap = cap;
	return 0;
}

/* emit: one RR as a line of text in the worker's buffer. */
static int
emit(struct wstate *w, const uint8_t *owner, size_t ownlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1 + 10 + 65535];
	ldns_rr *rr = NULL;
	size_t pos = 0, n = ownlen + 10 + rdlen;
	ldns_status st;

	memcpy(wire, owner, ownlen);
	put16(wire + ownlen, type);
	put16(wire + ownlen + 2, LDNS_RR_CLASS_IN);
	put32(wire + ownlen + 4, ttl);
	put16(wire + ownlen + 8, (uint16_t)rdlen);
	memcpy(wire + ownlen + 10, rdata, rdlen);
	if (ldns_wire2rr(&rr, wire, n, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return -1;
	st = ldns_rr2buffer_str_fmt(w->text, ldns_output_format_nocomments,
	    rr);
	ldns_rr_free(rr);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

/*
 * sign_set: the RRSIGs over one RRset (owner OWNER in wire form, RDATAs in
 * canonical order) by every key in MASK, written as text.
 */
static int
sign_set(struct wstate *w, const uint8_t *owner, size_t ownlen,
    unsigned nlabels, uint16_t type, uint32_t ttl, const uint8_t *const *rd,
    const uint16_t *rdlen, size_t nrd, uint32_t mask)
{
	struct signer *s = w->s;
	uint8_t sig[SIGN_KEY_SIG_MAX];
	size_t k, i, plen, total, siglen;
	uint8_t *p;

	if (ownlen >= 2 && owner[0] == 1 && owner[1] == '*')
		nlabels--;
	plen = 18 + s->owlen;
	total = plen;
	for (i = 0; i < nrd; i++)
		total += ownlen + 10 + rdlen[i];
	if (need(w, total + SIGN_KEY_SIG_MAX) == -1)
		return -1;
	for (k = 0; k < s->nkeys; k++) {
		if ((mask & (1u << k)) == 0)
			continue;
		p = w->data;
		put16(p, type);
		p[2] = sign_key_alg(s->keys[k]);
		p[3] = (uint8_t)nlabels;
		put32(p + 4, ttl);
		put32(p + 8, s->expiration);
		put32(p + 12, s->inception);
		put16(p + 16, sign_key_tag(s->keys[k]));
		memcpy(p + 18, s->owire, s->owlen);
		p += plen;
		for (i = 0; i < nrd; i++) {
			memcpy(p, owner, ownlen);
			p += ownlen;
			put16(p, type);
			put16(p + 2, LDNS_RR_CLASS_IN);
			put32(p + 4, ttl);
			put16(p + 8, rdlen[i]);
			memcpy(p + 10, rd[i], rdlen[i]);
			p += 10 + rdlen[i];
		}
		if ((siglen = sign_key_sign(w->kc[k], w->data, total,
		    sig)) == 0)
			return -1;
		/* The RRSIG RDATA: the prefix, then the signature. */
		memcpy(w->data + plen, sig, siglen);
		if (emit(w, owner, ownlen, LDNS_RR_TYPE_RRSIG, ttl, w->data,
		    plen + siglen) == -1)
			return -1;
		w->rrsigs++;
	}
	return 0;
}

/* denial_rr: the NSEC (at name I) or NSEC3 (hash J) record, signed. */
static int
denial_rr(struct wstate *w, const uint8_t *owner, size_t ownlen,
    unsigned nlabels, const struct sign_chain_name *nm, const uint8_t *next,
    size_t nextlen)
{
	struct signer *s = w->s;
	ldns_rr_type t[SIGN_CHAIN_MAX_TYPES];
	ldns_rdf *bm = NULL;
	uint8_t rd[LDNS_MAX_DOMAINLEN + SIGN_MAX_SALT + 64 + 8192];
	const uint8_t *rdp[1];
	uint16_t rdl[1];
	size_t nt = 0, n = 0;
	int rc = -1;

	if (nm != NULL)
		nt = sign_chain_types(s->chain, nm, t);
	if (s->o->denial == SIGN_DENIAL_NSEC3) {
		rd[n++] = 1;
		rd[n++] = NSEC3_FLAGS;
		put16(rd + n, s->o->iterations);
		n += 2;
		rd[n++] = (uint8_t)s->o->saltlen;
		memcpy(rd + n, s->o->salt, s->o->saltlen);
		n += s->o->saltlen;
		rd[n++] = HASHLEN;
	}
	memcpy(rd + n, next, nextlen);
	n += nextlen;
	if (nt > 0) {
		if ((bm = ldns_dnssec_create_nsec_bitmap(t, nt,
		    s->o->denial == SIGN_DENIAL_NSEC3 ? LDNS_RR_TYPE_NSEC3 :
		    LDNS_RR_TYPE_NSEC)) == NULL ||
		    n + ldns_rdf_size(bm) > sizeof(rd))
			goto out;
		memcpy(rd + n, ldns_rdf_data(bm), ldns_rdf_size(bm));
		n += ldns_rdf_size(bm);
	}
	{
		uint16_t type = s->o->denial == SIGN_DENIAL_NSEC3 ?
		    LDNS_RR_TYPE_NSEC3 : LDNS_RR_TYPE_NSEC;

		if (emit(w, owner, ownlen, type, s->nsec_ttl, rd, n) == -1)
			goto out;
		rdp[0] = rd;
		rdl[0] = (uint16_t)n;
		if (sign_set(w, owner, ownlen, nlabels, type, s->nsec_ttl, rdp,
		    rdl, 1, s->zsk) == -1)
			goto out;
	}
	w->denials++;
	rc = 0;
out:
	ldns_rdf_deep_free(bm);
	return rc;
}

/* do_name: name I: its RRsets, their RRSIGs and its NSEC. */
static int
do_name(struct wstate *w, size_t idx)
{
	struct signer *s = w->s;
	const struct sign_chain_name *nm = sign_chain_name(s->chain, idx);
	const struct sign_rec *r = sign_zone_rec(s->z, nm->first);
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1], next[LDNS_MAX_DOMAINLEN + 1];
	const uint8_t *rd[1024];
	uint16_t rdl[1024];
	size_t ownlen, i, j, nrd, nextlen;
	int nsec = s->o->denial == SIGN_DENIAL_NSEC &&
	    !(nm->flags & SIGN_CHAIN_OCCLUDED);
	unsigned nl = r->nlabels;

	ownlen = sign_zone_name_wire(sign_zone_owner(s->z, r), r->ownlen,
	    owner);
	for (i = nm->first; i < nm->first + nm->n; i = j) {
		uint16_t type = sign_zone_rec(s->z, i)->type;
		uint32_t ttl = sign_zone_rec(s->z, i)->ttl;
		uint32_t mask;

		if (nsec && type > LDNS_RR_TYPE_NSEC) {
			nextlen = sign_chain_next_name(s->chain, idx, next);
			if (denial_rr(w, owner, ownlen, nl, nm, next,
			    nextlen) == -1)
				return -1;
			nsec = 0;
		}
		for (j = i, nrd = 0; j < nm->first + nm->n &&
		    sign_zone_rec(s->z, j)->type == type; j++) {
			const struct sign_rec *q = sign_zone_rec(s->z, j);

			if (emit(w, owner, ownlen, type, ttl,
			    sign_zone_rdata(s->z, q), q->rdlen) == -1)
				return -1;
			w->records++;
			if (nrd < sizeof(rd) / sizeof(rd[0])) {
				rd[nrd] = sign_zone_rdata(s->z, q);
				rdl[nrd++] = q->rdlen;
			}
		}
		if (j - i > sizeof(rd) / sizeof(rd[0]))
			return -1;	/* an RRset of over 1024 records */
		if (nm->flags & SIGN_CHAIN_OCCLUDED)
			continue;
		if ((nm->flags & SIGN_CHAIN_CUT) && type != LDNS_RR_TYPE_DS)
			continue;
		mask = type == LDNS_RR_TYPE_DNSKEY && (nm->flags & SIGN_CHAIN_APEX) ?
		    s->ksk : s->zsk;
		if (sign_set(w, owner, ownlen, nl, type, ttl, rd, rdl, nrd,
		    mask) == -1)
			return -1;
	}
	if (nsec) {
		nextlen = sign_chain_next_name(s->chain, idx, next);
		if (denial_rr(w, owner, ownlen, nl, nm, next, nextlen) == -1)
			return -1;
	}
	return 0;
}

static int
do_nsec3(struct wstate *w, size_t j)
{
	struct signer *s = w->s;
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1];
	size_t ownlen;

	if ((ownlen = sign_chain_nsec3_owner(s->chain, j, owner)) == 0)
		return -1;
	return denial_rr(w, owner, ownlen, s->olabels + 1,
	    sign_chain_nsec3_name(s->chain, j),
	    sign_chain_nsec3_next(s->chain, j), HASHLEN);
}

/* wstate_free: release a worker thread's state. */
static void
wstate_free(struct wstate *w, size_t nkeys)
{
	size_t k;

	for (k = 0; k < nkeys; k++)
		sign_key_ctx_free(w->kc[k]);
	ldns_buffer_free(w->text);
	free(w->data);
	EVP_MD_CTX_free(w->sha1ctx);
	EVP_MD_free(w->sha1);
	free(w);
}

/* wstate_new: a worker thread's state (the pool's thread_new). */
static void *
wstate_new(void *arg, const char **why)
{
	struct signer *s = arg;
	struct wstate *w;
	size_t k;

	*why = "out of memory";
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->s = s;
	if ((w->text = ldns_buffer_new(1 << 16)) == NULL ||
	    (w->sha1ctx = EVP_MD_CTX_new()) == NULL ||
	    (w->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL)) == NULL)
		goto fail;
	for (k = 0; k < s->nkeys; k++)
		if ((w->kc[k] = sign_key_ctx_new(s->keys[k])) == NULL) {
			*why = "cannot set up a signing context";
			goto fail;
		}
	return w;
fail:
	wstate_free(w, s->nkeys);
	return NULL;
}

/* wstate_end: add W's counts to the signer's, free W (thread_end). */
static void
wstate_end(void *arg)
{
	struct wstate *w = arg;

	w->s->st.rrsigs += w->rrsigs;
	w->s->st.records += w->records;
	w->s->st.denials += w->denials;
	wstate_free(w, w->s->nkeys);
}

/* chunk_hash: the NSEC3 hashes of chunk C (no text). */
static int
chunk_hash(void *arg, size_t c, char **text, size_t *len, const char **why)
{
	struct wstate *w = arg;
	struct signer *s = w->s;
	size_t lo = c * CHUNK_HASHES;

	(void)text;
	(void)len;
	if (sign_chain_hash(s->chain, lo, lo + CHUNK_HASHES, w->sha1ctx,
	    w->sha1) == -1) {
		*why = "SHA-1 failed";
		return -1;
	}
	return 0;
}

/* chunk_sign: the items of chunk C, signed, as text. */
static int
chunk_sign(void *arg, size_t c, char **text, size_t *len, const char **why)
{
	struct wstate *w = arg;
	struct signer *s = w->s;
	size_t i, lo = c * CHUNK_ITEMS, hi;

	hi = lo + CHUNK_ITEMS < s->nitems ? lo + CHUNK_ITEMS : s->nitems;
	ldns_buffer_clear(w->text);
	for (i = lo; i < hi; i++) {
		int nsec3;
		size_t it = sign_chain_item(s->chain, i, &nsec3);
		int rc = nsec3 ? do_nsec3(w, it) : do_name(w, it);

		if (rc == -1) {
			*why = "signing or formatting failed";
			return -1;
		}
	}
	if (ldns_buffer_status(w->text) != LDNS_STATUS_OK ||
	    (*text = malloc(ldns_buffer_position(w->text) + 1)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	*len = ldns_buffer_position(w->text);
	memcpy(*text, ldns_buffer_begin(w->text), *len);
	return 0;
}

/*
 * run_pool: NCHUNKS chunks of CHUNK on the pool; with OUT (signing) the
 * text is written to OUT in order.  Returns 0, or -1 with s->err set.
 */
static int
run_pool(struct signer *s, size_t nchunks,
    int (*chunk)(void *, size_t, char **, size_t *, const char **), FILE *out)
{
	struct sign_pool_job job = {
		.nchunks = nchunks, .threads = s->o->threads, .out = out,
		.window = WINDOW, .arg = s, .thread_new = wstate_new,
		.chunk = chunk, .thread_end = wstate_end,
		.progress = s->o->progress, .progress_arg = s->o->progress_arg,
	};

	return sign_pool_run(&job, s->err, sizeof(s->err));
}

/*
 * build_nsec3: the NSEC3 entries of the chain, hashed on the pool, sorted.
 * Returns 0, or -1 with s->err set (or empty: out of memory).
 */
static int
build_nsec3(struct signer *s)
{
	size_t n;

	if ((n = sign_chain_nsec3_layout(s->chain)) == (size_t)-1)
		return -1;
	if (run_pool(s, (n + CHUNK_HASHES - 1) / CHUNK_HASHES, chunk_hash,
	    NULL) == -1)
		return -1;
	if (sign_chain_nsec3_sort(s->chain) == -1) {
		snprintf(s->err, sizeof(s->err),
		    "NSEC3 hash collision: choose another salt");
		return -1;
	}
	return 0;
}

/* find_soa: the SOA TTL and MINIMUM of the apex. */
static int
find_soa(struct signer *s, uint32_t *ttl, uint32_t *min)
{
	size_t i, n = sign_zone_count(s->z);

	for (i = 0; i < n; i++) {
		const struct sign_rec *r = sign_zone_rec(s->z, i);
		const uint8_t *rd;

		if (r->type != LDNS_RR_TYPE_SOA || r->ownlen != s->orlen ||
		    r->rdlen < 20)
			continue;
		rd = sign_zone_rdata(s->z, r) + r->rdlen - 4;
		*ttl = r->ttl;
		*min = (uint32_t)rd[0] << 24 | (uint32_t)rd[1] << 16 |
		    (uint32_t)rd[2] << 8 | rd[3];
		return 0;
	}
	return -1;
}

/* setup: keys, times and the records the signer adds. */
static int
setup(struct signer *s, char *err, size_t errsz)
{
	const struct sign_opts *o = s->o;
	uint32_t soattl, soamin;
	time_t now = time(NULL);
	int64_t inc, exp;
	uint8_t rd[4 + 1 + SIGN_MAX_SALT];
	size_t k, len;

	if (s->nkeys == 0 || s->nkeys > SIGN_MAX_KEYS) {
		errstr_set(err, errsz, "need 1 to %d keys", SIGN_MAX_KEYS);
		return -1;
	}
	if (o->saltlen > SIGN_MAX_SALT || o->iterations > SIGN_MAX_ITERATIONS) {
		errstr_set(err, errsz, "NSEC3 salt or iterations out of range");
		return -1;
	}
	inc = o->inception ? o->inception : (int64_t)now - SIGN_DEFAULT_SKEW;
	exp = o->expiration ? o->expiration :
	    (int64_t)now + SIGN_DEFAULT_VALIDITY;
	if (inc < 0 || exp <= inc || exp - inc >= ((int64_t)1 << 31)) {
		errstr_set(err, errsz, "expiration must be after inception "
		    "(and less than 68 years later)");
		return -1;
	}
	s->inception = (uint32_t)inc;
	s->expiration = (uint32_t)exp;
	s->orev = sign_zone_origin(s->z, &s->orlen, &s->olabels);
	s->owlen = sign_zone_name_wire(s->orev, s->orlen, s->owire);
	if (find_soa(s, &soattl, &soamin) == -1) {
		errstr_set(err, errsz, "no SOA record at the zone apex");
		return -1;
	}
	s->dnskey_ttl = soattl;
	s->nsec_ttl = soattl < soamin ? soattl : soamin;
	for (k = 0; k < s->nkeys; k++) {
		const uint8_t *ow = sign_key_owner(s->keys[k], &len), *kr;
		struct sign_key_ctx *c;
		uint8_t sig[SIGN_KEY_SIG_MAX];

		if (len != s->owlen || memcmp(ow, s->owire, len) != 0) {
			errstr_set(err, errsz, "key %u is for another zone",
			    sign_key_tag(s->keys[k]));
			return -1;
		}
		if (sign_key_is_ksk(s->keys[k]))
			s->ksk |= 1u << k;
		else
			s->zsk |= 1u << k;
		kr = sign_key_rdata(s->keys[k], &len);
		if (sign_zone_add_wire(s->z, s->owire, s->owlen,
		    LDNS_RR_TYPE_DNSKEY, s->dnskey_ttl, kr, len, 0) == -1)
			goto nomem;
		/* One signature now: OpenSSL caches per key on first use. */
		if ((c = sign_key_ctx_new(s->keys[k])) == NULL ||
		    sign_key_sign(c, s->owire, s->owlen, sig) == 0) {
			sign_key_ctx_free(c);
			errstr_set(err, errsz, "key %u cannot sign",
			    sign_key_tag(s->keys[k]));
			return -1;
		}
		sign_key_ctx_free(c);
	}
	if (s->ksk == 0)
		s->ksk = s->zsk;
	if (s->zsk == 0)
		s->zsk = s->ksk;
	if (o->denial == SIGN_DENIAL_NSEC3) {
		rd[0] = 1;
		rd[1] = 0;	/* NSEC3PARAM flags: 0 (RFC 5155 4.1.2) */
		put16(rd + 2, o->iterations);
		rd[4] = (uint8_t)o->saltlen;
		memcpy(rd + 5, o->salt, o->saltlen);
		if (sign_zone_add_wire(s->z, s->owire, s->owlen,
		    LDNS_RR_TYPE_NSEC3PARAM, s->nsec_ttl, rd, 5 + o->saltlen,
		    0) == -1)
			goto nomem;
	}
	return 0;
nomem:
	errstr_set(err, errsz, "out of memory");
	return -1;
}

int
sign_run(struct sign_zone *z, struct sign_key *const *keys, size_t nkeys,
    const struct sign_opts *o, FILE *out, FILE *ds, struct sign_stats *st,
    char *err, size_t errsz)
{
	struct signer s;
	size_t k;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.z = z;
	s.keys = keys;
	s.nkeys = nkeys;
	s.o = o;
	if (setup(&s, err, errsz) == -1)
		goto out;
	sign_zone_sort(z);
	if ((s.chain = sign_chain_new(z, o->denial == SIGN_DENIAL_NSEC3,
	    o->iterations, o->salt, o->saltlen)) == NULL)
		goto nomem;
	if (o->denial == SIGN_DENIAL_NSEC3 && build_nsec3(&s) == -1) {
		errstr_set(err, errsz,
		    "%s", s.err[0] ? s.err : "out of memory");
		goto out;
	}
	if ((s.nitems = sign_chain_order(s.chain)) == (size_t)-1)
		goto nomem;
	if (run_pool(&s, (s.nitems + CHUNK_ITEMS - 1) / CHUNK_ITEMS,
	    chunk_sign, out) == -1 || fflush(out) != 0 || ferror(out)) {
		errstr_set(err, errsz, "%s", s.err[0] ? s.err : "write error");
		goto out;
	}
	for (k = 0; ds != NULL && k < nkeys; k++)
		if ((s.ksk & (1u << k)) &&
		    sign_key_print_ds(keys[k], s.dnskey_ttl, ds) == -1) {
			errstr_set(err, errsz, "cannot write the DS records");
			goto out;
		}
	s.st.names = sign_chain_nnames(s.chain);
	s.st.dropped = sign_zone_dropped(z);
	if (st != NULL)
		*st = s.st;
	rc = 0;
	goto out;
nomem:
	errstr_set(err, errsz, "out of memory");
out:
	sign_chain_free(s.chain);
	return rc;
}
