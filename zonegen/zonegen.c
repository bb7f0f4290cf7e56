/*
 * zonegen.c: decide and build the records of a senderkey zone.
 *
 * Each key becomes one _senderkey TXT record at the sender's owner name
 * while it is current (from not_before - prepublish until not_after, with
 * x= set to not_after); a revoked key becomes a record with p= empty.
 * OpenPGP keys also become OPENPGPKEY records at the canonical name and,
 * when it differs, at the name of the local part as written.  Records are
 * sorted in canonical DNS order, so the output does not depend on the
 * order of the input.
 *
 * Records are kept compactly, for a million senders: one arena of octets
 * (owner in wire form, RDATA in wire form, the address) and one small
 * struct per record; no ldns_rr unless a caller asks for zonegen_records.
 * Owner names are the hash label plus a suffix ("_senderkey.DOMAIN.")
 * that ldns parsed once; SHA-256 is fetched once per zonegen, and its
 * digest context reused for every name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "key.h"
#include "keyrec.h"
#include "owner.h"
#include "zonegen.h"

#define TXT_MAX_RDATA	2048	/* a key record's text is far shorter */

struct rec {
	size_t		 off;		/* owner, then rdata, then address */
	uint32_t	 ttl;
	uint16_t	 type;
	uint16_t	 rdlen;
	uint16_t	 addrlen;	/* with its NUL; 0: no address */
	uint8_t		 ownlen;
	uint8_t		 kind;
};

struct zonegen {
	struct zonegen_opts	 o;
	struct rec		*recs;
	size_t			 n, cap;
	uint8_t			*arena;
	size_t			 alen, acap;
	struct zonegen_counts	 counts;
	char			*domain;
	EVP_MD			*sha256;
	EVP_MD_CTX		*mdctx;		/* reused for every name */
	uint8_t			 sk_suffix[LDNS_MAX_DOMAINLEN + 1];
	size_t			 sk_sufflen;	/* "_senderkey.DOMAIN." wire */
	uint8_t			 pgp_suffix[LDNS_MAX_DOMAINLEN + 1];
	size_t			 pgp_sufflen;	/* "_openpgpkey.DOMAIN." */
	struct zonegen_rec	*pub;		/* zonegen_records, lazily */
	size_t			 npub;
};

/* wire_name: TEXT (absolute) parsed by ldns into OUT; its length or 0. */
static size_t
wire_name(const char *text, uint8_t *out)
{
	ldns_rdf *d = NULL;
	size_t n = 0;

	if (ldns_str2rdf_dname(&d, text) == LDNS_STATUS_OK &&
	    ldns_rdf_size(d) <= LDNS_MAX_DOMAINLEN + 1) {
		n = ldns_rdf_size(d);
		memcpy(out, ldns_rdf_data(d), n);
	}
	ldns_rdf_deep_free(d);
	return n;
}

struct zonegen *
zonegen_new(const struct zonegen_opts *opts)
{
	struct zonegen *zg;
	char name[OWNER_NAME_MAX];

	if ((zg = calloc(1, sizeof(*zg))) == NULL)
		return NULL;
	zg->o = *opts;
	if (zg->o.ttl == 0)
		zg->o.ttl = 3600;
	if ((zg->domain = strdup(opts->domain)) == NULL ||
	    (zg->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (zg->mdctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	zg->o.domain = zg->domain;
	/* Suffixes that do not parse are caught per key (name too long). */
	snprintf(name, sizeof(name), "_senderkey.%s.", zg->domain);
	zg->sk_sufflen = wire_name(name, zg->sk_suffix);
	snprintf(name, sizeof(name), "_openpgpkey.%s.", zg->domain);
	zg->pgp_sufflen = wire_name(name, zg->pgp_suffix);
	return zg;
fail:
	zonegen_free(zg);
	return NULL;
}

void
zonegen_free(struct zonegen *zg)
{
	size_t i;

	if (zg == NULL)
		return;
	for (i = 0; i < zg->npub; i++)
		ldns_rr_free(zg->pub[i].rr);
	free(zg->pub);
	free(zg->recs);
	free(zg->arena);
	free(zg->domain);
	EVP_MD_free(zg->sha256);
	EVP_MD_CTX_free(zg->mdctx);
	free(zg);
}

/*
 * push: append a record (OWNER wire, TYPE, RDATA wire, ADDRESS or NULL)
 * to the arena.  Returns 0 or -1 (no memory, or too long).
 */
static int
push(struct zonegen *zg, const uint8_t *owner, size_t ownlen, uint16_t type,
    const uint8_t *rdata, size_t rdlen, const char *address,
    enum zonegen_kind kind)
{
	size_t alen = address != NULL ? strlen(address) + 1 : 0;
	size_t need = ownlen + rdlen + alen;
	struct rec *r;
	uint8_t *a;

	if (ownlen == 0 || ownlen > LDNS_MAX_DOMAINLEN ||
	    rdlen > UINT16_MAX || alen > UINT16_MAX)
		return -1;
	if (zg->alen + need > zg->acap) {
		size_t cap = zg->acap == 0 ? 65536 : zg->acap;

		while (cap < zg->alen + need)
			cap *= 2;
		if ((a = realloc(zg->arena, cap)) == NULL)
			return -1;
		zg->arena = a;
		zg->acap = cap;
	}
	if (zg->n == zg->cap) {
		size_t cap = zg->cap == 0 ? 64 : zg->cap * 2;

		if ((r = reallocarray(zg->recs, cap, sizeof(*r))) == NULL)
			return -1;
		zg->recs = r;
		zg->cap = cap;
	}
	r = &zg->recs[zg->n++];
	r->off = zg->alen;
	r->ttl = zg->o.ttl;
	r->type = type;
	r->rdlen = (uint16_t)rdlen;
	r->addrlen = (uint16_t)alen;
	r->ownlen = (uint8_t)ownlen;
	r->kind = (uint8_t)kind;
	a = zg->arena + zg->alen;
	memcpy(a, owner, ownlen);
	memcpy(a + ownlen, rdata, rdlen);
	if (alen > 0)
		memcpy(a + ownlen + rdlen, address, alen);
	zg->alen += need;
	return 0;
}

/*
 * hashed_owner: the wire name HASH(LOCAL).SUFFIX in OUT (LDNS_MAX_DOMAINLEN
 * + 1 octets); its length, or 0 when it does not fit or the digest failed.
 */
static size_t
hashed_owner(struct zonegen *zg, const char *local,
    const uint8_t *suffix, size_t sufflen, uint8_t *out)
{
	char h[OWNER_HASH_LEN + 1];

	if (sufflen == 0 || 1 + OWNER_HASH_LEN + sufflen > LDNS_MAX_DOMAINLEN ||
	    owner_hash_ctx(zg->mdctx, zg->sha256, local, strlen(local),
	    h) == -1)
		return 0;
	out[0] = OWNER_HASH_LEN;
	memcpy(out + 1, h, OWNER_HASH_LEN);
	memcpy(out + 1 + OWNER_HASH_LEN, suffix, sufflen);
	return 1 + OWNER_HASH_LEN + sufflen;
}

/* txt_wire: TEXT (LEN octets) as TXT RDATA (strings of <= 255) in OUT. */
static size_t
txt_wire(const char *text, size_t len, uint8_t *out)
{
	size_t off = 0, o = 0, n;

	do {
		n = len - off > 255 ? 255 : len - off;
		out[o++] = (uint8_t)n;
		memcpy(out + o, text + off, n);
		o += n;
		off += n;
	} while (off < len);
	return o;
}

static int
add_openpgp(struct zonegen *zg, const struct zonegen_key *k, char *err,
    size_t errsz)
{
	uint8_t canon[LDNS_MAX_DOMAINLEN + 1], asis[LDNS_MAX_DOMAINLEN + 1];
	const char *a = addr_canon(k->addr);
	size_t cl, al;

	cl = hashed_owner(zg, addr_canon_local(k->addr), zg->pgp_suffix,
	    zg->pgp_sufflen, canon);
	al = hashed_owner(zg, addr_local(k->addr), zg->pgp_suffix,
	    zg->pgp_sufflen, asis);
	if (cl == 0 || al == 0) {
		snprintf(err, errsz, "%s: %s: OPENPGPKEY owner name longer "
		    "than 253 octets", k->origin, a);
		return -1;
	}
	if (push(zg, canon, cl, LDNS_RR_TYPE_OPENPGPKEY, k->openpgp,
	    k->openpgp_len, a, ZONEGEN_OPENPGP) == -1)
		goto nomem;
	if ((cl != al || memcmp(canon, asis, cl) != 0) && push(zg, asis, al,
	    LDNS_RR_TYPE_OPENPGPKEY, k->openpgp, k->openpgp_len, a,
	    ZONEGEN_OPENPGP) == -1)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errsz, "%s: out of memory", k->origin);
	return -1;
}

int
zonegen_add(struct zonegen *zg, const struct zonegen_key *k, char *err,
    size_t errsz)
{
	struct keyrec_fields f;
	unsigned char *bytes = NULL, raw[KEY_ED25519_LEN];
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1], rd[TXT_MAX_RDATA];
	char *text = NULL;
	const char *a = addr_canon(k->addr);
	enum keyrec_err kerr;
	size_t ownlen, tlen;
	int alg, rc = -1;

	if (strcmp(addr_domain(k->addr), zg->o.domain) != 0) {
		snprintf(err, errsz, "%s: %s is not in %s", k->origin, a,
		    zg->o.domain);
		return -1;
	}
	if ((ownlen = hashed_owner(zg, addr_canon_local(k->addr),
	    zg->sk_suffix, zg->sk_sufflen, owner)) == 0) {
		snprintf(err, errsz, "%s: %s: owner name longer than 253 octets",
		    k->origin, a);
		return -1;
	}
	if (!k->revoked && k->not_after != 0 && zg->o.now > k->not_after) {
		zg->counts.retired++;
		return 0;
	}
	if (!k->revoked && k->not_before != 0 &&
	    zg->o.now < k->not_before - zg->o.prepublish) {
		zg->counts.pending++;
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.testing = k->testing;
	f.not_after = k->revoked ? 0 : k->not_after;
	if (k->revoked || (k->pk == NULL && k->ed25519 == NULL)) {
		f.alg = KEYREC_ED25519;
		if (k->pk != NULL && EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_RSA)
			f.alg = KEYREC_RSA;
		f.testing = 0;
	} else if (k->pk == NULL) {
		f.alg = KEYREC_ED25519;
		f.key = k->ed25519;
		f.keylen = KEY_ED25519_LEN;
	} else if (EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_ED25519) {
		/* The raw octets, as key_record_bytes gives, without malloc */
		size_t n = sizeof(raw);

		if (!EVP_PKEY_get_raw_public_key(k->pk, raw, &n) ||
		    n != KEY_ED25519_LEN) {
			snprintf(err, errsz, "%s: %s: cannot encode the key",
			    k->origin, a);
			return -1;
		}
		f.alg = KEYREC_ED25519;
		f.key = raw;
		f.keylen = n;
	} else {
		if (key_record_bytes(k->pk, &alg, &bytes, &f.keylen) == -1) {
			snprintf(err, errsz, "%s: %s: cannot encode the key",
			    k->origin, a);
			return -1;
		}
		f.alg = (enum keyrec_alg)alg;
		f.key = bytes;
	}
	if ((text = keyrec_encode(&f, &kerr)) == NULL) {
		snprintf(err, errsz, "%s: %s: %s", k->origin, a,
		    keyrec_strerror(kerr));
		goto done;
	}
	/* keyrec_encode keeps texts under KEYREC_MAX_LEN, far below this. */
	tlen = strlen(text);
	if (tlen + tlen / 255 + 1 > sizeof(rd) ||
	    push(zg, owner, ownlen, LDNS_RR_TYPE_TXT, rd,
	    txt_wire(text, tlen, rd), a,
	    k->revoked ? ZONEGEN_REVOKED : ZONEGEN_KEY) == -1) {
		snprintf(err, errsz, "%s: out of memory", k->origin);
		goto done;
	}
	if (!k->revoked && k->openpgp != NULL &&
	    add_openpgp(zg, k, err, errsz) == -1)
		goto done;
	rc = 0;
done:
	free(text);
	free(bytes);
	return rc;
}

/* push_rr: append RR (parsed by ldns) in wire form; 0 or -1. */
static int
push_rr(struct zonegen *zg, const ldns_rr *rr)
{
	ldns_buffer *b;
	int rc = -1;

	if ((b = ldns_buffer_new(512)) == NULL)
		return -1;
	if (ldns_rr_rdata2buffer_wire(b, rr) == LDNS_STATUS_OK &&
	    ldns_buffer_status_ok(b))
		rc = push(zg, ldns_rdf_data(ldns_rr_owner(rr)),
		    ldns_rdf_size(ldns_rr_owner(rr)), ldns_rr_get_type(rr),
		    ldns_buffer_begin(b), ldns_buffer_position(b), NULL,
		    ZONEGEN_APEX);
	ldns_buffer_free(b);
	return rc;
}

/* apex_rr: parse LINE with ldns and push it; 0 or -1 with ERR set. */
static int
apex_rr(struct zonegen *zg, const char *line, const char *what, char *err,
    size_t errsz)
{
	ldns_rr *rr = NULL;
	int rc;

	if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errsz, "%s", what);
		return -1;
	}
	if ((rc = push_rr(zg, rr)) == -1)
		snprintf(err, errsz, "out of memory or bad apex data");
	ldns_rr_free(rr);
	return rc;
}

static int
add_apex(struct zonegen *zg, char *err, size_t errsz)
{
	char name[OWNER_NAME_MAX], *line = NULL, what[OWNER_NAME_MAX + 32];
	uint8_t owner[LDNS_MAX_DOMAINLEN + 1], rd[TXT_MAX_RDATA];
	const char *text;
	size_t i, ownlen;
	int rc;

	if (zg->o.policy != 0) {
		text = policyrec_encode((enum policyrec_policy)zg->o.policy);
		if (owner_policy_name(zg->o.domain, name, sizeof(name)) == -1 ||
		    (ownlen = wire_name(name, owner)) == 0 ||
		    strlen(text) + 8 > sizeof(rd) ||
		    push(zg, owner, ownlen, LDNS_RR_TYPE_TXT, rd,
		    txt_wire(text, strlen(text), rd), NULL,
		    ZONEGEN_APEX) == -1) {
			snprintf(err, errsz, "out of memory or bad apex data");
			return -1;
		}
	}
	if (zg->o.soa_mname == NULL)
		return 0;
	if (asprintf(&line, "%s. %u IN SOA %s %s %u 3600 900 1209600 300",
	    zg->o.domain, zg->o.ttl, zg->o.soa_mname, zg->o.soa_rname,
	    zg->o.soa_serial) == -1) {
		snprintf(err, errsz, "out of memory or bad apex data");
		return -1;
	}
	snprintf(what, sizeof(what), "bad SOA: %s", line);
	rc = apex_rr(zg, line, what, err, errsz);
	free(line);
	for (i = 0; rc == 0 && i < zg->o.nns; i++) {
		if (asprintf(&line, "%s. %u IN NS %s", zg->o.domain, zg->o.ttl,
		    zg->o.ns[i]) == -1) {
			snprintf(err, errsz, "out of memory or bad apex data");
			return -1;
		}
		snprintf(what, sizeof(what), "bad NS name: %s", zg->o.ns[i]);
		rc = apex_rr(zg, line, what, err, errsz);
		free(line);
	}
	return rc;
}

/*
 * Sorting.  Each record gets a key whose octet order is canonical DNS
 * order of its owner (RFC 4034 section 6.1): the labels from the root,
 * lowercased, each followed by 0x00, with 0x00 and 0x01 inside a label
 * escaped as 0x01 0x01 and 0x01 0x02.  An ancestor's key is a prefix of
 * its descendants' keys, so it sorts first.  The first 8 octets after the
 * prefix all keys share decide most comparisons as one integer.
 */
struct skey {
	uint64_t	 k64;
	size_t		 koff;		/* in the key arena */
	uint16_t	 klen;
	size_t		 rec;		/* index into recs */
};

struct sortctx {
	const uint8_t		*keys;
	const struct rec	*recs;
	const uint8_t		*arena;
};

/* owner_key: the sort key of wire name W (LEN octets) in OUT; its length. */
static size_t
owner_key(const uint8_t *w, size_t len, uint8_t *out)
{
	size_t lab[128], nl = 0, p = 0, o = 0, j;
	uint8_t c;

	while (p < len && w[p] != 0 && nl < 128) {
		lab[nl++] = p;
		p += 1 + w[p];
	}
	while (nl > 0) {
		p = lab[--nl];
		for (j = 1; j <= w[p]; j++) {
			c = w[p + j];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (c <= 1) {
				out[o++] = 1;
				out[o++] = (uint8_t)(c + 1);
			} else
				out[o++] = c;
		}
		out[o++] = 0;
	}
	return o;
}

static int
rdcmp(const struct sortctx *c, const struct rec *a, const struct rec *b)
{
	int x;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	/* As ldns_rr_compare: the shorter record first, then the octets. */
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	x = memcmp(c->arena + a->off + a->ownlen, c->arena + b->off +
	    b->ownlen, a->rdlen);
	return x;
}

static int
skeycmp(const void *va, const void *vb, void *arg)
{
	const struct skey *a = va, *b = vb;
	const struct sortctx *c = arg;
	size_t m;
	int x;

	if (a->k64 != b->k64)
		return a->k64 < b->k64 ? -1 : 1;
	m = a->klen < b->klen ? a->klen : b->klen;
	if ((x = memcmp(c->keys + a->koff, c->keys + b->koff, m)) != 0)
		return x;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return rdcmp(c, &c->recs[a->rec], &c->recs[b->rec]);
}

/* sort_recs: canonical order; drops exact duplicates.  0 or -1. */
static int
sort_recs(struct zonegen *zg)
{
	struct skey *sk = NULL;
	struct rec *out = NULL;
	uint8_t *keys = NULL;
	struct sortctx c;
	size_t i, j, o, cp = 0, ref = 0, kl = 0;
	int diverged = 0, rc = -1;

	if (zg->n == 0)
		return 0;
	if ((sk = calloc(zg->n, sizeof(*sk))) == NULL ||
	    (out = calloc(zg->n, sizeof(*out))) == NULL ||
	    (keys = malloc(zg->alen * 2 + 16)) == NULL)
		goto done;
	for (i = 0; i < zg->n; i++) {
		sk[i].koff = kl;
		sk[i].klen = (uint16_t)owner_key(zg->arena + zg->recs[i].off,
		    zg->recs[i].ownlen, keys + kl);
		sk[i].rec = i;
		kl += sk[i].klen;
	}
	/* The prefix of the longest keys that every key agrees with. */
	cp = sk[0].klen;
	for (i = 1; i < zg->n; i++) {
		const uint8_t *r = keys + sk[ref].koff, *k = keys + sk[i].koff;

		for (j = 0; j < cp && j < sk[i].klen && r[j] == k[j]; j++)
			;
		if (j == sk[i].klen)
			continue;	/* a prefix of the common part */
		if (j == cp && !diverged) {
			ref = i;	/* extends it: nothing diverged yet */
			cp = sk[i].klen;
			continue;
		}
		diverged = 1;
		cp = j;
	}
	for (i = 0; i < zg->n; i++) {
		uint64_t v = 0;

		for (j = 0; j < 8; j++)
			v = v << 8 | (cp + j < sk[i].klen ?
			    keys[sk[i].koff + cp + j] : 0);
		sk[i].k64 = v;
	}
	c.keys = keys;
	c.recs = zg->recs;
	c.arena = zg->arena;
	qsort_r(sk, zg->n, sizeof(*sk), skeycmp, &c);
	for (i = 0, o = 0; i < zg->n; i++) {
		if (i > 0 && skeycmp(&sk[i - 1], &sk[i], &c) == 0)
			continue;	/* the same key listed twice */
		out[o++] = zg->recs[sk[i].rec];
	}
	free(zg->recs);
	zg->recs = out;
	zg->n = o;
	zg->cap = zg->n;
	out = NULL;
	rc = 0;
done:
	free(sk);
	free(out);
	free(keys);
	return rc;
}

int
zonegen_finish(struct zonegen *zg, char *err, size_t errsz)
{
	struct zonegen_wire w;
	size_t i, run = 0;
	const char *prev = NULL;

	if (add_apex(zg, err, errsz) == -1)
		return -1;
	if (sort_recs(zg) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	/* Count, and enforce the per-name key record cap. */
	for (i = 0; i < zg->n; i++) {
		zonegen_wire(zg, i, &w);
		if (w.kind == ZONEGEN_OPENPGP)
			zg->counts.openpgp++;
		if (w.kind != ZONEGEN_KEY && w.kind != ZONEGEN_REVOKED)
			continue;
		if (w.kind == ZONEGEN_KEY)
			zg->counts.keys++;
		else
			zg->counts.revoked++;
		if (prev != NULL && strcmp(prev, w.address) == 0) {
			if (++run > KEYREC_MAX_PER_NAME) {
				snprintf(err, errsz, "%s: more than %d key "
				    "records: verifiers would refuse them all",
				    w.address, KEYREC_MAX_PER_NAME);
				return -1;
			}
			continue;
		}
		prev = w.address;
		run = 1;
		zg->counts.senders++;
	}
	zg->counts.records = zg->n;
	return 0;
}

size_t
zonegen_count(const struct zonegen *zg)
{
	return zg->n;
}

void
zonegen_wire(const struct zonegen *zg, size_t i, struct zonegen_wire *w)
{
	const struct rec *r = &zg->recs[i];
	const uint8_t *p = zg->arena + r->off;

	w->owner = p;
	w->ownlen = r->ownlen;
	w->type = r->type;
	w->ttl = r->ttl;
	w->rdata = p + r->ownlen;
	w->rdlen = r->rdlen;
	w->address = r->addrlen > 0 ?
	    (const char *)p + r->ownlen + r->rdlen : NULL;
	w->kind = (enum zonegen_kind)r->kind;
}

/* wire_rr: a new ldns_rr for W (through ldns's wire parser), or NULL. */
static ldns_rr *
wire_rr(const struct zonegen_wire *w)
{
	uint8_t buf[LDNS_MAX_DOMAINLEN + 1 + 10 + UINT16_MAX];
	ldns_rr *rr = NULL;
	size_t pos = 0, o = w->ownlen;

	memcpy(buf, w->owner, w->ownlen);
	buf[o++] = (uint8_t)(w->type >> 8);
	buf[o++] = (uint8_t)w->type;
	buf[o++] = 0;
	buf[o++] = LDNS_RR_CLASS_IN;
	buf[o++] = (uint8_t)(w->ttl >> 24);
	buf[o++] = (uint8_t)(w->ttl >> 16);
	buf[o++] = (uint8_t)(w->ttl >> 8);
	buf[o++] = (uint8_t)w->ttl;
	buf[o++] = (uint8_t)(w->rdlen >> 8);
	buf[o++] = (uint8_t)w->rdlen;
	memcpy(buf + o, w->rdata, w->rdlen);
	o += w->rdlen;
	if (ldns_wire2rr(&rr, buf, o, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return NULL;
	return rr;
}

ldns_rr *
zonegen_wire_rr(const struct zonegen_wire *w)
{
	return wire_rr(w);
}

const struct zonegen_rec *
zonegen_records(const struct zonegen *czg, size_t *n)
{
	/* Built once on demand: a cache, not a change of the record set. */
	struct zonegen *zg = (struct zonegen *)czg;
	struct zonegen_wire w;
	size_t i;

	*n = 0;
	if (zg->pub == NULL && zg->n > 0) {
		if ((zg->pub = calloc(zg->n, sizeof(*zg->pub))) == NULL)
			return NULL;
		for (zg->npub = 0; zg->npub < zg->n; zg->npub++) {
			i = zg->npub;
			zonegen_wire(zg, i, &w);
			if ((zg->pub[i].rr = wire_rr(&w)) == NULL)
				return NULL;
			zg->pub[i].address = w.address;
			zg->pub[i].kind = w.kind;
		}
	}
	*n = zg->npub;
	return zg->pub;
}

const struct zonegen_counts *
zonegen_counts(const struct zonegen *zg)
{
	return &zg->counts;
}

const char *
zonegen_domain(const struct zonegen *zg)
{
	return zg->domain;
}

uint32_t
zonegen_ttl(const struct zonegen *zg)
{
	return zg->o.ttl;
}
