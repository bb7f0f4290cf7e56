/*
 * sign.c: the DNSSEC zone signer (see sign.h): names and zone cuts, the
 * NSEC or NSEC3 chain, and the per-thread work of hashing names and of
 * signing chunks of names and formatting them as text; the pool of
 * threads and the in-order writer are sign_pool.c.  ldns does the
 * wire-to-text formatting, the type bitmaps and base32hex; OpenSSL hashes
 * and signs (sign_key.c).  Not for reading zones or keys (sign_zone.c,
 * sign_key.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "sign.h"
#include "sign_pool.h"

#define NF_APEX		0x01
#define NF_CUT		0x02	/* NS below the apex: a delegation */
#define NF_OCCLUDED	0x04	/* below a delegation: glue */
#define NF_DS		0x08

#define H_ENT		0x80000000u	/* shash.idx: an empty non-terminal */
#define ITEM_NSEC3	0x80000000u	/* items[]: an NSEC3, else a name */
#define HASHLEN		20		/* SHA-1 */
#define B32LEN		32
#define CHUNK_ITEMS	64
#define CHUNK_HASHES	4096
#define WINDOW		64		/* chunks ahead of the writer, per thread */
#define MAX_TYPES	256

_Static_assert(SIGN_MAX_THREADS <= SIGN_POOL_MAX_THREADS,
    "sign.h promises more threads than the pool runs");

struct sname {
	uint32_t	first, n;	/* records [first, first + n) */
	uint8_t		flags;
};

struct shash {
	uint8_t		h[HASHLEN];
	uint32_t	idx;		/* name index, | H_ENT for an ENT */
	uint8_t		entlabels;	/* ENT: labels of the ancestor */
};

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
	struct sname		*names;
	size_t			 nnames;
	struct shash		*hashes;
	size_t			 nhashes;
	uint32_t		*items;
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

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

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

/* types_at: the type bitmap list of name I for its NSEC or NSEC3. */
static size_t
types_at(struct signer *s, const struct sname *nm, ldns_rr_type *t)
{
	size_t n = 0, i;
	uint16_t last = 0;
	int signed_any = 0;

	for (i = nm->first; i < nm->first + nm->n && n < MAX_TYPES - 2; i++) {
		uint16_t ty = sign_zone_rec(s->z, i)->type;

		if (n > 0 && ty == last)
			continue;
		last = ty;
		if ((nm->flags & NF_CUT) && ty != LDNS_RR_TYPE_NS &&
		    ty != LDNS_RR_TYPE_DS)
			continue;
		if (!(nm->flags & NF_CUT) || ty == LDNS_RR_TYPE_DS)
			signed_any = 1;
		t[n++] = (ldns_rr_type)ty;
	}
	if (s->o->denial == SIGN_DENIAL_NSEC) {
		t[n++] = LDNS_RR_TYPE_RRSIG;
		t[n++] = LDNS_RR_TYPE_NSEC;
	} else if (signed_any)
		t[n++] = LDNS_RR_TYPE_RRSIG;
	/* sorted: insertion sort, the list is short and nearly sorted */
	for (i = 1; i < n; i++) {
		ldns_rr_type v = t[i];
		size_t j = i;

		while (j > 0 && t[j - 1] > v) {
			t[j] = t[j - 1];
			j--;
		}
		t[j] = v;
	}
	return n;
}

/* denial_rr: the NSEC (at name I) or NSEC3 (hash J) record, signed. */
static int
denial_rr(struct wstate *w, const uint8_t *owner, size_t ownlen,
    unsigned nlabels, const struct sname *nm, const uint8_t *next,
    size_t nextlen)
{
	struct signer *s = w->s;
	ldns_rr_type t[MAX_TYPES];
	ldns_rdf *bm = NULL;
	uint8_t rd[LDNS_MAX_DOMAINLEN + SIGN_MAX_SALT + 64 + 8192];
	const uint8_t *rdp[1];
	uint16_t rdl[1];
	size_t nt = 0, n = 0;
	int rc = -1;

	if (nm != NULL)
		nt = types_at(s, nm, t);
	if (s->o->denial == SIGN_DENIAL_NSEC3) {
		rd[n++] = 1;
		rd[n++] = 0;
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

/* next_auth: the wire name of the next name in the NSEC chain after I. */
static size_t
next_auth(struct signer *s, size_t i, uint8_t *out)
{
	const struct sign_rec *r;

	for (i = i + 1; i < s->nnames; i++)
		if ((s->names[i].flags & NF_OCCLUDED) == 0)
			break;
	if (i == s->nnames)
		i = 0;
	r = sign_zone_rec(s->z, s->names[i].first);
	return sign_zone_name_wire(sign_zone_owner(s->z, r), r->ownlen, out);
}

/* do_name: name I: its RRsets, their RRSIGs and its NSEC. */
static int
do_name(struct wstate *w, size_t idx)
{
	struct signer *s = w->s;
	const struct sname *nm = &s->names[idx];
	const struct sign_rec *r = sign_zone_rec(s->z, nm->first);
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1], next[LDNS_MAX_DOMAINLEN + 1];
	const uint8_t *rd[1024];
	uint16_t rdl[1024];
	size_t ownlen, i, j, nrd, nextlen;
	int nsec = s->o->denial == SIGN_DENIAL_NSEC &&
	    !(nm->flags & NF_OCCLUDED);
	unsigned nl = r->nlabels;

	ownlen = sign_zone_name_wire(sign_zone_owner(s->z, r), r->ownlen,
	    owner);
	for (i = nm->first; i < nm->first + nm->n; i = j) {
		uint16_t type = sign_zone_rec(s->z, i)->type;
		uint32_t ttl = sign_zone_rec(s->z, i)->ttl;
		uint32_t mask;

		if (nsec && type > LDNS_RR_TYPE_NSEC) {
			nextlen = next_auth(s, idx, next);
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
		if (nm->flags & NF_OCCLUDED)
			continue;
		if ((nm->flags & NF_CUT) && type != LDNS_RR_TYPE_DS)
			continue;
		mask = type == LDNS_RR_TYPE_DNSKEY && (nm->flags & NF_APEX) ?
		    s->ksk : s->zsk;
		if (sign_set(w, owner, ownlen, nl, type, ttl, rd, rdl, nrd,
		    mask) == -1)
			return -1;
	}
	if (nsec) {
		nextlen = next_auth(s, idx, next);
		if (denial_rr(w, owner, ownlen, nl, nm, next, nextlen) == -1)
			return -1;
	}
	return 0;
}

/* nsec3_owner: the wire owner of hash J: <base32hex>.<origin>. */
static size_t
nsec3_owner(struct signer *s, size_t j, uint8_t *out)
{
	out[0] = B32LEN;
	if (ldns_b32_ntop_extended_hex(s->hashes[j].h, HASHLEN,
	    (char *)out + 1, B32LEN + 1) != B32LEN)
		return 0;
	memcpy(out + 1 + B32LEN, s->owire, s->owlen);
	return 1 + B32LEN + s->owlen;
}

static int
do_nsec3(struct wstate *w, size_t j)
{
	struct signer *s = w->s;
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1];
	size_t ownlen;
	const struct shash *h = &s->hashes[j];

	if ((ownlen = nsec3_owner(s, j, owner)) == 0)
		return -1;
	return denial_rr(w, owner, ownlen, s->olabels + 1,
	    (h->idx & H_ENT) ? NULL : &s->names[h->idx],
	    s->hashes[(j + 1) % s->nhashes].h, HASHLEN);
}

/* hash_one: the NSEC3 hash (RFC 5155 section 5) of entry H. */
static int
hash_one(struct wstate *w, struct shash *h)
{
	struct signer *s = w->s;
	const struct sname *nm = &s->names[h->idx & ~H_ENT];
	const struct sign_rec *r = sign_zone_rec(s->z, nm->first);
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	size_t len = r->ownlen, wlen;
	unsigned i;

	if (h->idx & H_ENT)
		len = sign_zone_name_prefix(sign_zone_owner(s->z, r), len,
		    h->entlabels);
	wlen = sign_zone_name_wire(sign_zone_owner(s->z, r), len, wire);
	for (i = 0; i <= s->o->iterations; i++) {
		if (EVP_DigestInit_ex2(w->sha1ctx, w->sha1, NULL) != 1 ||
		    EVP_DigestUpdate(w->sha1ctx, i == 0 ? wire : h->h,
		    i == 0 ? wlen : HASHLEN) != 1 ||
		    EVP_DigestUpdate(w->sha1ctx, s->o->salt,
		    s->o->saltlen) != 1 ||
		    EVP_DigestFinal_ex(w->sha1ctx, h->h, NULL) != 1)
			return -1;
	}
	return 0;
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
	size_t i, lo = c * CHUNK_HASHES, hi;

	(void)text;
	(void)len;
	hi = lo + CHUNK_HASHES < s->nhashes ? lo + CHUNK_HASHES : s->nhashes;
	for (i = lo; i < hi; i++)
		if (hash_one(w, &s->hashes[i]) == -1) {
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
		uint32_t it = s->items[i];
		int rc = (it & ITEM_NSEC3) ?
		    do_nsec3(w, it & ~ITEM_NSEC3) : do_name(w, it);

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

/* build_names: group the sorted records by owner; mark cuts and glue. */
static int
build_names(struct signer *s)
{
	size_t n = sign_zone_count(s->z), i, cap = 0;
	const uint8_t *cut = NULL, *prev = NULL;
	size_t cutlen = 0, prevlen = 0;

	for (i = 0; i < n; i++) {
		const struct sign_rec *r = sign_zone_rec(s->z, i);
		const uint8_t *o = sign_zone_owner(s->z, r);
		struct sname *nm;

		if (prev == NULL || prevlen != r->ownlen ||
		    memcmp(prev, o, prevlen) != 0) {
			if (s->nnames == cap) {
				struct sname *p;

				cap = cap ? cap * 2 : 1024;
				if ((p = realloc(s->names,
				    cap * sizeof(*p))) == NULL)
					return -1;
				s->names = p;
			}
			nm = &s->names[s->nnames++];
			nm->first = (uint32_t)i;
			nm->n = 0;
			nm->flags = 0;
			if (r->ownlen == s->orlen)
				nm->flags |= NF_APEX;
			if (cut != NULL && r->ownlen > cutlen &&
			    memcmp(o, cut, cutlen) == 0)
				nm->flags |= NF_OCCLUDED;
			else
				cut = NULL;
			prev = o;
			prevlen = r->ownlen;
		}
		nm = &s->names[s->nnames - 1];
		nm->n++;
		if (r->type == LDNS_RR_TYPE_NS && !(nm->flags & NF_APEX) &&
		    !(nm->flags & NF_OCCLUDED)) {
			nm->flags |= NF_CUT;
			cut = o;
			cutlen = r->ownlen;
		}
		if (r->type == LDNS_RR_TYPE_DS)
			nm->flags |= NF_DS;
	}
	return 0;
}

static int
hashcmp(const void *a, const void *b)
{
	return memcmp(((const struct shash *)a)->h,
	    ((const struct shash *)b)->h, HASHLEN);
}

/*
 * build_nsec3: one entry per authoritative name and per empty
 * non-terminal (RFC 5155 section 7.1), hashed on the pool, sorted.
 */
static int
build_nsec3(struct signer *s)
{
	size_t i, cap = s->nnames + 16, prev = SIZE_MAX;
	unsigned k, c;

	if ((s->hashes = malloc(cap * sizeof(*s->hashes))) == NULL)
		return -1;
	for (i = 0; i < s->nnames; i++) {
		const struct sign_rec *r;
		const uint8_t *o;

		if (s->names[i].flags & NF_OCCLUDED)
			continue;
		r = sign_zone_rec(s->z, s->names[i].first);
		o = sign_zone_owner(s->z, r);
		c = s->olabels;
		if (prev != SIZE_MAX) {
			const struct sign_rec *q =
			    sign_zone_rec(s->z, s->names[prev].first);

			c = sign_zone_name_common(o, r->ownlen,
			    sign_zone_owner(s->z, q), q->ownlen);
			if (c < s->olabels)
				c = s->olabels;
		}
		for (k = c + 1; k <= r->nlabels; k++) {
			if (s->nhashes == cap) {
				struct shash *p;

				cap *= 2;
				if ((p = realloc(s->hashes,
				    cap * sizeof(*p))) == NULL)
					return -1;
				s->hashes = p;
			}
			s->hashes[s->nhashes].idx = (uint32_t)i |
			    (k < r->nlabels ? H_ENT : 0);
			s->hashes[s->nhashes++].entlabels = (uint8_t)k;
		}
		if (prev == SIZE_MAX)	/* the apex */
			s->hashes[s->nhashes++].idx = (uint32_t)i;
		prev = i;
	}
	if (run_pool(s, (s->nhashes + CHUNK_HASHES - 1) / CHUNK_HASHES,
	    chunk_hash, NULL) == -1)
		return -1;
	qsort(s->hashes, s->nhashes, sizeof(*s->hashes), hashcmp);
	for (i = 1; i < s->nhashes; i++)
		if (memcmp(s->hashes[i - 1].h, s->hashes[i].h, HASHLEN) == 0) {
			snprintf(s->err, sizeof(s->err),
			    "NSEC3 hash collision: choose another salt");
			return -1;
		}
	return 0;
}

/* build_items: names and NSEC3 owners merged into canonical order. */
static int
build_items(struct signer *s)
{
	size_t i = 0, j = 0, n = 0;
	uint8_t h3[LDNS_MAX_DOMAINLEN + 1];
	size_t h3len = s->orlen + 1 + B32LEN;

	if (s->nnames + s->nhashes >= ITEM_NSEC3 ||
	    (s->items = malloc((s->nnames + s->nhashes) *
	    sizeof(*s->items))) == NULL)
		return -1;
	memcpy(h3, s->orev, s->orlen);
	h3[s->orlen] = B32LEN;
	while (i < s->nnames || j < s->nhashes) {
		int take_name;

		if (j < s->nhashes && ldns_b32_ntop_extended_hex(
		    s->hashes[j].h, HASHLEN, (char *)h3 + s->orlen + 1,
		    B32LEN + 1) != B32LEN)
			return -1;
		if (i == s->nnames)
			take_name = 0;
		else if (j == s->nhashes)
			take_name = 1;
		else {
			const struct sign_rec *r =
			    sign_zone_rec(s->z, s->names[i].first);

			take_name = sign_zone_name_cmp(sign_zone_owner(s->z,
			    r), r->ownlen, h3, h3len) <= 0;
		}
		if (take_name)
			s->items[n++] = (uint32_t)i++;
		else
			s->items[n++] = (uint32_t)j++ | ITEM_NSEC3;
	}
	s->nitems = n;
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
		seterr(err, errsz, "need 1 to %d keys", SIGN_MAX_KEYS);
		return -1;
	}
	if (o->saltlen > SIGN_MAX_SALT || o->iterations > SIGN_MAX_ITERATIONS) {
		seterr(err, errsz, "NSEC3 salt or iterations out of range");
		return -1;
	}
	inc = o->inception ? o->inception : (int64_t)now - SIGN_DEFAULT_SKEW;
	exp = o->expiration ? o->expiration :
	    (int64_t)now + SIGN_DEFAULT_VALIDITY;
	if (inc < 0 || exp <= inc || exp - inc >= ((int64_t)1 << 31)) {
		seterr(err, errsz, "expiration must be after inception "
		    "(and less than 68 years later)");
		return -1;
	}
	s->inception = (uint32_t)inc;
	s->expiration = (uint32_t)exp;
	s->orev = sign_zone_origin(s->z, &s->orlen, &s->olabels);
	s->owlen = sign_zone_name_wire(s->orev, s->orlen, s->owire);
	if (find_soa(s, &soattl, &soamin) == -1) {
		seterr(err, errsz, "no SOA record at the zone apex");
		return -1;
	}
	s->dnskey_ttl = soattl;
	s->nsec_ttl = soattl < soamin ? soattl : soamin;
	for (k = 0; k < s->nkeys; k++) {
		const uint8_t *ow = sign_key_owner(s->keys[k], &len), *kr;
		struct sign_key_ctx *c;
		uint8_t sig[SIGN_KEY_SIG_MAX];

		if (len != s->owlen || memcmp(ow, s->owire, len) != 0) {
			seterr(err, errsz, "key %u is for another zone",
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
			seterr(err, errsz, "key %u cannot sign",
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
		rd[1] = 0;
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
	seterr(err, errsz, "out of memory");
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
	if (build_names(&s) == -1)
		goto nomem;
	if (o->denial == SIGN_DENIAL_NSEC3 && build_nsec3(&s) == -1) {
		seterr(err, errsz, "%s", s.err[0] ? s.err : "out of memory");
		goto out;
	}
	if (build_items(&s) == -1)
		goto nomem;
	if (run_pool(&s, (s.nitems + CHUNK_ITEMS - 1) / CHUNK_ITEMS,
	    chunk_sign, out) == -1 || fflush(out) != 0 || ferror(out)) {
		seterr(err, errsz, "%s", s.err[0] ? s.err : "write error");
		goto out;
	}
	for (k = 0; ds != NULL && k < nkeys; k++)
		if ((s.ksk & (1u << k)) &&
		    sign_key_print_ds(keys[k], s.dnskey_ttl, ds) == -1) {
			seterr(err, errsz, "cannot write the DS records");
			goto out;
		}
	s.st.names = s.nnames;
	s.st.dropped = sign_zone_dropped(z);
	if (st != NULL)
		*st = s.st;
	rc = 0;
	goto out;
nomem:
	seterr(err, errsz, "out of memory");
out:
	free(s.names);
	free(s.hashes);
	free(s.items);
	return rc;
}
