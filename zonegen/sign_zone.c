/*
 * sign_zone.c: the compact record store of the zone signer (see
 * sign_zone.h): parsing through ldns, one arena for the octets, canonical
 * sorting and de-duplication.  Not for signing, denial of existence or
 * output (sign.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errstr.h"
#include "sign_zone.h"

struct sign_zone {
	uint8_t		*arena;
	size_t		 alen, acap;
	struct sign_rec	*recs;
	size_t		 nrecs, rcap;
	size_t		 dropped;
	uint8_t		 origin[LDNS_MAX_DOMAINLEN];	/* reversed */
	size_t		 olen;
	unsigned	 olabels;
	ldns_rdf	*odname;			/* for ldns */
	ldns_buffer	*buf;
};

int
sign_zone_name_rev(const uint8_t *wire, size_t wlen, uint8_t *out,
    unsigned *nlabels)
{
	size_t offs[LDNS_MAX_DOMAINLEN], pos = 0, o = 0, i, j;
	unsigned n = 0;

	for (;;) {
		if (pos >= wlen)
			return -1;
		if (wire[pos] == 0)
			break;
		if (wire[pos] > 63 || pos + 1 + wire[pos] >= wlen)
			return -1;
		offs[n++] = pos;
		pos += 1 + (size_t)wire[pos];
	}
	if (pos + 1 > LDNS_MAX_DOMAINLEN)
		return -1;
	for (i = n; i-- > 0;) {
		const uint8_t *l = wire + offs[i];

		out[o++] = l[0];
		for (j = 1; j <= l[0]; j++)
			out[o++] = (l[j] >= 'A' && l[j] <= 'Z') ? l[j] + 32 :
			    l[j];
	}
	if (nlabels != NULL)
		*nlabels = n;
	return (int)o;
}

size_t
sign_zone_name_wire(const uint8_t *rev, size_t len, uint8_t *out)
{
	size_t offs[LDNS_MAX_DOMAINLEN], pos = 0, o = 0, n = 0, i;

	while (pos < len) {
		offs[n++] = pos;
		pos += 1 + (size_t)rev[pos];
	}
	for (i = n; i-- > 0;) {
		memcpy(out + o, rev + offs[i], 1 + (size_t)rev[offs[i]]);
		o += 1 + (size_t)rev[offs[i]];
	}
	out[o++] = 0;
	return o;
}

int
sign_zone_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		size_t la = a[i], lb = b[j], m = la < lb ? la : lb;
		int c = memcmp(a + i + 1, b + j + 1, m);

		if (c != 0)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		i += 1 + la;
		j += 1 + lb;
	}
	if (i < alen)
		return 1;
	if (j < blen)
		return -1;
	return 0;
}

size_t
sign_zone_name_prefix(const uint8_t *rev, size_t len, unsigned k)
{
	size_t pos = 0;

	while (k-- > 0 && pos < len)
		pos += 1 + (size_t)rev[pos];
	return pos;
}

unsigned
sign_zone_name_common(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t i = 0;
	unsigned n = 0;

	while (i < alen && i < blen && a[i] == b[i] && i + 1 + a[i] <= alen &&
	    i + 1 + a[i] <= blen && memcmp(a + i + 1, b + i + 1, a[i]) == 0) {
		i += 1 + (size_t)a[i];
		n++;
	}
	return n;
}

struct sign_zone *
sign_zone_new(const char *origin, char *err, size_t errsz)
{
	struct sign_zone *z;
	int n;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if (ldns_str2rdf_dname(&z->odname, origin) != LDNS_STATUS_OK ||
	    ldns_rdf_size(z->odname) > LDNS_MAX_DOMAINLEN) {
		errstr_set(err, errsz, "%s: not a domain name", origin);
		goto fail;
	}
	ldns_dname2canonical(z->odname);
	if ((n = sign_zone_name_rev(ldns_rdf_data(z->odname),
	    ldns_rdf_size(z->odname), z->origin, &z->olabels)) < 0) {
		errstr_set(err, errsz, "%s: not a domain name", origin);
		goto fail;
	}
	z->olen = (size_t)n;
	if ((z->buf = ldns_buffer_new(65536)) == NULL) {
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	return z;
fail:
	sign_zone_free(z);
	return NULL;
}

void
sign_zone_free(struct sign_zone *z)
{
	if (z == NULL)
		return;
	free(z->arena);
	free(z->recs);
	ldns_rdf_deep_free(z->odname);
	ldns_buffer_free(z->buf);
	free(z);
}

/* grow: make room for N more arena octets and one more record. */
static int
grow(struct sign_zone *z, size_t n)
{
	if (z->nrecs >= SIGN_ZONE_MAX_RECORDS)
		return -1;
	if (z->alen + n > z->acap) {
		size_t cap = z->acap ? z->acap : 1 << 20;
		uint8_t *p;

		while (cap < z->alen + n) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		if ((p = realloc(z->arena, cap)) == NULL)
			return -1;
		z->arena = p;
		z->acap = cap;
	}
	if (z->nrecs == z->rcap) {
		size_t cap = z->rcap ? z->rcap * 2 : 4096;
		struct sign_rec *r;

		if (cap > SIZE_MAX / sizeof(*r) ||
		    (r = realloc(z->recs, cap * sizeof(*r))) == NULL)
			return -1;
		z->recs = r;
		z->rcap = cap;
	}
	return 0;
}

int
sign_zone_add_wire(struct sign_zone *z, const uint8_t *owner, size_t ownlen,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
    unsigned line)
{
	uint8_t rev[LDNS_MAX_DOMAINLEN];
	struct sign_rec *r;
	unsigned nl;
	int n;

	if ((n = sign_zone_name_rev(owner, ownlen, rev, &nl)) < 0 ||
	    rdlen > UINT16_MAX)
		return -1;
	if ((size_t)n < z->olen || memcmp(rev, z->origin, z->olen) != 0)
		return -1;
	if (grow(z, (size_t)n + rdlen) == -1)
		return -1;
	r = &z->recs[z->nrecs++];
	r->off = z->alen;
	r->ttl = ttl;
	r->line = line;
	r->type = type;
	r->rdlen = (uint16_t)rdlen;
	r->ownlen = (uint8_t)n;
	r->nlabels = (uint8_t)nl;
	memcpy(z->arena + z->alen, rev, (size_t)n);
	if (rdlen > 0)
		memcpy(z->arena + z->alen + n, rdata, rdlen);
	z->alen += (size_t)n + rdlen;
	return 0;
}

int
sign_zone_add_rr(struct sign_zone *z, const ldns_rr *in, unsigned line,
    char *err, size_t errsz)
{
	ldns_rr *rr = NULL;
	ldns_rr_type t = ldns_rr_get_type(in);
	const ldns_rdf *owner = ldns_rr_owner(in);
	int rc = -1;

	if (t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3 || t == LDNS_RR_TYPE_NSEC3PARAM) {
		z->dropped++;
		return 0;
	}
	if (ldns_rr_get_class(in) != LDNS_RR_CLASS_IN) {
		errstr_set(err, errsz, "class is not IN");
		return -1;
	}
	if (ldns_dname_compare(owner, z->odname) != 0 &&
	    !ldns_dname_is_subdomain(owner, z->odname)) {
		errstr_set(err, errsz, "owner is outside the zone");
		return -1;
	}
	if ((rr = ldns_rr_clone(in)) == NULL)
		goto nomem;
	ldns_rr2canonical(rr);
	ldns_buffer_clear(z->buf);
	if (ldns_rr_rdata2buffer_wire(z->buf, rr) != LDNS_STATUS_OK ||
	    ldns_buffer_position(z->buf) > UINT16_MAX) {
		errstr_set(err, errsz, "record data too long");
		goto fail;
	}
	if (sign_zone_add_wire(z, ldns_rdf_data(ldns_rr_owner(rr)),
	    ldns_rdf_size(ldns_rr_owner(rr)), (uint16_t)t, ldns_rr_ttl(rr),
	    ldns_buffer_begin(z->buf), ldns_buffer_position(z->buf),
	    line) == -1)
		goto nomem;
	rc = 0;
	goto fail;
nomem:
	errstr_set(err, errsz, "out of memory or too many records");
fail:
	ldns_rr_free(rr);
	return rc;
}

int
sign_zone_read(struct sign_zone *z, FILE *fp, const char *fname, char *err,
    size_t errsz)
{
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_rr *rr = NULL;
	uint32_t ttl = 3600;
	int line = 1, at, rc = -1;
	ldns_status st;
	char why[256];

	if ((origin = ldns_rdf_clone(z->odname)) == NULL) {
		errstr_set(err, errsz, "%s: out of memory", fname);
		return -1;
	}
	while (!feof(fp)) {
		at = line;
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			errstr_set(err, errsz,
			    "%s:%d: $INCLUDE is not supported",
			    fname, at);
			goto out;
		}
		if (st != LDNS_STATUS_OK) {
			if (feof(fp) && ferror(fp) == 0 &&
			    st == LDNS_STATUS_SYNTAX_ERR)
				break;
			errstr_set(err, errsz, "%s:%d: %s", fname, at,
			    ldns_get_errorstr_by_id(st));
			goto out;
		}
		if (sign_zone_add_rr(z, rr, (unsigned)at, why,
		    sizeof(why)) == -1) {
			errstr_set(err, errsz, "%s:%d: %s", fname, at, why);
			goto out;
		}
		ldns_rr_free(rr);
		rr = NULL;
	}
	if (ferror(fp)) {
		errstr_set(err, errsz, "%s: %s", fname, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* reccmp: canonical order of two records (owner, type, RDATA). */
static int
reccmp(const void *pa, const void *pb, void *arg)
{
	const struct sign_rec *a = pa, *b = pb;
	const uint8_t *arena = arg;
	const uint8_t *ra, *rb;
	size_t m;
	int c;

	if ((c = sign_zone_name_cmp(arena + a->off, a->ownlen,
	    arena + b->off, b->ownlen)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	ra = arena + a->off + a->ownlen;
	rb = arena + b->off + b->ownlen;
	m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	if ((c = memcmp(ra, rb, m)) != 0)
		return c;
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	return 0;
}

void
sign_zone_sort(struct sign_zone *z)
{
	size_t i, o, s, j;
	uint32_t ttl;

	if (z->nrecs == 0)
		return;
	qsort_r(z->recs, z->nrecs, sizeof(*z->recs), reccmp, z->arena);
	for (i = 1, o = 1; i < z->nrecs; i++) {
		if (reccmp(&z->recs[o - 1], &z->recs[i], z->arena) == 0) {
			if (z->recs[i].ttl < z->recs[o - 1].ttl)
				z->recs[o - 1].ttl = z->recs[i].ttl;
			continue;
		}
		z->recs[o++] = z->recs[i];
	}
	z->nrecs = o;
	for (s = 0; s < z->nrecs; s = i) {
		ttl = z->recs[s].ttl;
		for (i = s + 1; i < z->nrecs && z->recs[i].type ==
		    z->recs[s].type && z->recs[i].ownlen == z->recs[s].ownlen &&
		    memcmp(z->arena + z->recs[i].off, z->arena + z->recs[s].off,
		    z->recs[s].ownlen) == 0; i++)
			if (z->recs[i].ttl < ttl)
				ttl = z->recs[i].ttl;
		for (j = s; j < i; j++)
			z->recs[j].ttl = ttl;
	}
}

size_t
sign_zone_count(const struct sign_zone *z)
{
	return z->nrecs;
}

size_t
sign_zone_dropped(const struct sign_zone *z)
{
	return z->dropped;
}

const struct sign_rec *
sign_zone_rec(const struct sign_zone *z, size_t i)
{
	return &z->recs[i];
}

const uint8_t *
sign_zone_owner(const struct sign_zone *z, const struct sign_rec *r)
{
	return z->arena + r->off;
}

const uint8_t *
sign_zone_rdata(const struct sign_zone *z, const struct sign_rec *r)
{
	return z->arena + r->off + r->ownlen;
}

const uint8_t *
sign_zone_origin(const struct sign_zone *z, size_t *len, unsigned *nlabels)
{
	if (len != NULL)
		*len = z->olen;
	if (nlabels != NULL)
		*nlabels = z->olabels;
	return z->origin;
}
