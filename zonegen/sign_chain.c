/*
 * sign_chain.c: the NSEC and NSEC3 chain of a sorted zone (see
 * sign_chain.h): owner names with cuts and glue, NSEC3 entries with empty
 * non-terminals, their hashes (RFC 5155 section 5) and order, the type
 * lists, and the merged canonical order of names and NSEC3 records that
 * the signer writes.  Not for signing, formatting or threads (sign.c,
 * sign_pool.c).  ldns does base32hex; OpenSSL hashes.
 */
#include <stdlib.h>
#include <string.h>

#include "sign_chain.h"

#define H_ENT		0x80000000u	/* entry.idx: an empty non-terminal */
#define ITEM_NSEC3	0x80000000u	/* items[]: an NSEC3, else a name */
#define HASHLEN		SIGN_CHAIN_HASHLEN
#define B32LEN		SIGN_CHAIN_B32LEN

struct shash {
	uint8_t		h[HASHLEN];
	uint32_t	idx;		/* name index, | H_ENT for an ENT */
	uint8_t		entlabels;	/* ENT: labels of the ancestor */
};

struct sign_chain {
	const struct sign_zone	*z;
	int			 nsec3;
	uint16_t		 iterations;
	uint8_t			 salt[255];
	size_t			 saltlen;
	uint8_t			 owire[LDNS_MAX_DOMAINLEN + 1];
	size_t			 owlen;
	const uint8_t		*orev;
	size_t			 orlen;
	unsigned		 olabels;
	struct sign_chain_name	*names;
	size_t			 nnames;
	struct shash		*hashes;
	size_t			 nhashes;
	uint32_t		*items;
	size_t			 nitems;
};

/* build_names: group the sorted records by owner; mark cuts and glue. */
static int
build_names(struct sign_chain *s)
{
	size_t n = sign_zone_count(s->z), i, cap = 0;
	const uint8_t *cut = NULL, *prev = NULL;
	size_t cutlen = 0, prevlen = 0;

	for (i = 0; i < n; i++) {
		const struct sign_rec *r = sign_zone_rec(s->z, i);
		const uint8_t *o = sign_zone_owner(s->z, r);
		struct sign_chain_name *nm;

		if (prev == NULL || prevlen != r->ownlen ||
		    memcmp(prev, o, prevlen) != 0) {
			if (s->nnames == cap) {
				struct sign_chain_name *p;

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
				nm->flags |= SIGN_CHAIN_APEX;
			if (cut != NULL && r->ownlen > cutlen &&
			    memcmp(o, cut, cutlen) == 0)
				nm->flags |= SIGN_CHAIN_OCCLUDED;
			else
				cut = NULL;
			prev = o;
			prevlen = r->ownlen;
		}
		nm = &s->names[s->nnames - 1];
		nm->n++;
		if (r->type == LDNS_RR_TYPE_NS &&
		    !(nm->flags & SIGN_CHAIN_APEX) &&
		    !(nm->flags & SIGN_CHAIN_OCCLUDED)) {
			nm->flags |= SIGN_CHAIN_CUT;
			cut = o;
			cutlen = r->ownlen;
		}
		if (r->type == LDNS_RR_TYPE_DS)
			nm->flags |= SIGN_CHAIN_DS;
	}
	return 0;
}

struct sign_chain *
sign_chain_new(const struct sign_zone *z, int nsec3, uint16_t iterations,
    const uint8_t *salt, size_t saltlen)
{
	struct sign_chain *c;

	if (saltlen > sizeof(c->salt))
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->z = z;
	c->nsec3 = nsec3 != 0;
	c->iterations = iterations;
	if (saltlen > 0)
		memcpy(c->salt, salt, saltlen);
	c->saltlen = saltlen;
	c->orev = sign_zone_origin(z, &c->orlen, &c->olabels);
	c->owlen = sign_zone_name_wire(c->orev, c->orlen, c->owire);
	if (build_names(c) == -1) {
		sign_chain_free(c);
		return NULL;
	}
	return c;
}

void
sign_chain_free(struct sign_chain *c)
{
	if (c == NULL)
		return;
	free(c->names);
	free(c->hashes);
	free(c->items);
	free(c);
}

size_t
sign_chain_nnames(const struct sign_chain *c)
{
	return c->nnames;
}

const struct sign_chain_name *
sign_chain_name(const struct sign_chain *c, size_t i)
{
	return &c->names[i];
}

size_t
sign_chain_nsec3_layout(struct sign_chain *s)
{
	size_t i, cap = s->nnames + 16, prev = SIZE_MAX;
	unsigned k, c;

	free(s->hashes);
	s->nhashes = 0;
	if ((s->hashes = malloc(cap * sizeof(*s->hashes))) == NULL)
		return (size_t)-1;
	for (i = 0; i < s->nnames; i++) {
		const struct sign_rec *r;
		const uint8_t *o;

		if (s->names[i].flags & SIGN_CHAIN_OCCLUDED)
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
					return (size_t)-1;
				s->hashes = p;
			}
			s->hashes[s->nhashes].idx = (uint32_t)i |
			    (k < r->nlabels ? H_ENT : 0);
			s->hashes[s->nhashes++].entlabels = (uint8_t)k;
		}
		if (prev == SIZE_MAX) {	/* the apex */
			s->hashes[s->nhashes].idx = (uint32_t)i;
			s->hashes[s->nhashes++].entlabels = 0;
		}
		prev = i;
	}
	return s->nhashes;
}

/* hash_one: the NSEC3 hash (RFC 5155 section 5) of entry H. */
static int
hash_one(const struct sign_chain *s, struct shash *h, EVP_MD_CTX *ctx,
    const EVP_MD *md)
{
	const struct sign_chain_name *nm = &s->names[h->idx & ~H_ENT];
	const struct sign_rec *r = sign_zone_rec(s->z, nm->first);
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	size_t len = r->ownlen, wlen;
	unsigned i;

	if (h->idx & H_ENT)
		len = sign_zone_name_prefix(sign_zone_owner(s->z, r), len,
		    h->entlabels);
	wlen = sign_zone_name_wire(sign_zone_owner(s->z, r), len, wire);
	for (i = 0; i <= s->iterations; i++) {
		if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, i == 0 ? wire : h->h,
		    i == 0 ? wlen : HASHLEN) != 1 ||
		    EVP_DigestUpdate(ctx, s->salt, s->saltlen) != 1 ||
		    EVP_DigestFinal_ex(ctx, h->h, NULL) != 1)
			return -1;
	}
	return 0;
}

int
sign_chain_hash(struct sign_chain *c, size_t lo, size_t hi, EVP_MD_CTX *ctx,
    const EVP_MD *md)
{
	size_t i;

	for (i = lo; i < hi && i < c->nhashes; i++)
		if (hash_one(c, &c->hashes[i], ctx, md) == -1)
			return -1;
	return 0;
}

static int
hashcmp(const void *a, const void *b)
{
	return memcmp(((const struct shash *)a)->h,
	    ((const struct shash *)b)->h, HASHLEN);
}

int
sign_chain_nsec3_sort(struct sign_chain *c)
{
	size_t i;

	qsort(c->hashes, c->nhashes, sizeof(*c->hashes), hashcmp);
	for (i = 1; i < c->nhashes; i++)
		if (memcmp(c->hashes[i - 1].h, c->hashes[i].h, HASHLEN) == 0)
			return -1;
	return 0;
}

size_t
sign_chain_nhashes(const struct sign_chain *c)
{
	return c->nhashes;
}

size_t
sign_chain_nsec3_owner(const struct sign_chain *c, size_t j, uint8_t *out)
{
	out[0] = B32LEN;
	if (ldns_b32_ntop_extended_hex(c->hashes[j].h, HASHLEN,
	    (char *)out + 1, B32LEN + 1) != B32LEN)
		return 0;
	memcpy(out + 1 + B32LEN, c->owire, c->owlen);
	return 1 + B32LEN + c->owlen;
}

const uint8_t *
sign_chain_nsec3_next(const struct sign_chain *c, size_t j)
{
	return c->hashes[(j + 1) % c->nhashes].h;
}

const struct sign_chain_name *
sign_chain_nsec3_name(const struct sign_chain *c, size_t j)
{
	const struct shash *h = &c->hashes[j];

	return (h->idx & H_ENT) ? NULL : &c->names[h->idx];
}

size_t
sign_chain_order(struct sign_chain *s)
{
	size_t i = 0, j = 0, n = 0;
	uint8_t h3[LDNS_MAX_DOMAINLEN + 1];
	size_t h3len = s->orlen + 1 + B32LEN;

	free(s->items);
	s->nitems = 0;
	if (s->nnames + s->nhashes >= ITEM_NSEC3 ||
	    (s->items = malloc((s->nnames + s->nhashes + 1) *
	    sizeof(*s->items))) == NULL)
		return (size_t)-1;
	memcpy(h3, s->orev, s->orlen);
	h3[s->orlen] = B32LEN;
	while (i < s->nnames || j < s->nhashes) {
		int take_name;

		if (j < s->nhashes && ldns_b32_ntop_extended_hex(
		    s->hashes[j].h, HASHLEN, (char *)h3 + s->orlen + 1,
		    B32LEN + 1) != B32LEN)
			return (size_t)-1;
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
	return n;
}

size_t
sign_chain_item(const struct sign_chain *c, size_t i, int *nsec3)
{
	uint32_t it = c->items[i];

	*nsec3 = (it & ITEM_NSEC3) != 0;
	return it & ~ITEM_NSEC3;
}

size_t
sign_chain_next_name(const struct sign_chain *s, size_t i, uint8_t *out)
{
	const struct sign_rec *r;

	for (i = i + 1; i < s->nnames; i++)
		if ((s->names[i].flags & SIGN_CHAIN_OCCLUDED) == 0)
			break;
	if (i == s->nnames)
		i = 0;
	r = sign_zone_rec(s->z, s->names[i].first);
	return sign_zone_name_wire(sign_zone_owner(s->z, r), r->ownlen, out);
}

size_t
sign_chain_types(const struct sign_chain *s,
    const struct sign_chain_name *nm, ldns_rr_type *t)
{
	size_t n = 0, i;
	uint16_t last = 0;
	int signed_any = 0;

	for (i = nm->first; i < nm->first + nm->n &&
	    n < SIGN_CHAIN_MAX_TYPES - 2; i++) {
		uint16_t ty = sign_zone_rec(s->z, i)->type;

		if (n > 0 && ty == last)
			continue;
		last = ty;
		if ((nm->flags & SIGN_CHAIN_CUT) && ty != LDNS_RR_TYPE_NS &&
		    ty != LDNS_RR_TYPE_DS)
			continue;
		if (!(nm->flags & SIGN_CHAIN_CUT) || ty == LDNS_RR_TYPE_DS)
			signed_any = 1;
		t[n++] = (ldns_rr_type)ty;
	}
	if (!s->nsec3) {
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
