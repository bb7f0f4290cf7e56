/*
 * zonegen.c: decide and build the records of a senderkey zone.
 *
 * Each key becomes one _senderkey TXT record at the sender's owner name
 * while it is current (from not_before - prepublish until not_after, with
 * x= set to not_after); a revoked key becomes a record with p= empty.
 * With the dkim option each such record has a twin, the DKIM key record
 * at <selector>._domainkey (record-format.md 3.3).
 * OpenPGP keys also become OPENPGPKEY records at the canonical name and,
 * when it differs, at the name of the local part as written.  Records are
 * sorted in canonical DNS order, so the output does not depend on the
 * order of the input.
 *
 * Records are kept compactly, for a million senders: one fixed-size
 * struct per record holding the 28 hash octets of its owner label and,
 * for the commonest record of all ("v=SK1; k=ed25519; p=KEY"), the raw
 * key; names and texts are rebuilt when zonegen_wire asks for them.  Other
 * RDATA, apex owners and the addresses live in one arena of octets.  All
 * hashed names under one suffix sort as their hash octets (56 lowercase
 * hex digits of equal length order as the octets they spell), so the sort
 * (zgrec.c) is a radix sort on those octets; ldns parses only the two
 * suffixes and the apex records.  SHA-256 is fetched once, its context
 * reused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "bigmem.h"
#include "zgrec.h"
#include "zonegen.h"

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


/* label_plain: 1 when the labels of wire name W are all [A-Za-z0-9_-]. */
static int
label_plain(const uint8_t *w, size_t len)
{
	size_t p = 0, j;
	uint8_t c;

	while (p < len && w[p] != 0) {
		for (j = 1; j <= w[p] && p + j < len; j++) {
			c = w[p + j];
			if (!((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_'))
				return 0;
		}
		p += 1 + w[p];
	}
	return 1;
}

struct zonegen *
zonegen_new(const struct zonegen_opts *opts)
{
	struct zonegen *zg;
	char name[OWNER_NAME_MAX];
	int g, h;

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
	zg->sufflen[G_SENDERKEY] = wire_name(name, zg->suffix[G_SENDERKEY]);
	snprintf(name, sizeof(name), "_openpgpkey.%s.", zg->domain);
	zg->sufflen[G_OPENPGPKEY] = wire_name(name,
	    zg->suffix[G_OPENPGPKEY]);
	snprintf(name, sizeof(name), "_domainkey.%s.", zg->domain);
	zg->sufflen[G_DKIM] = wire_name(name, zg->suffix[G_DKIM]);
	for (g = G_SENDERKEY; g < G_N; g++)
		zg->plain[g] = zg->sufflen[g] > 0 &&
		    label_plain(zg->suffix[g], zg->sufflen[g]);
	/*
	 * Names under different suffixes sort as their suffixes (each name
	 * is one label under its suffix): rank 0, 1, 2 in that order.
	 */
	for (g = G_SENDERKEY; g < G_N; g++)
		for (h = G_SENDERKEY; h < G_N; h++)
			if (h != g && zgrec_namecmp(zg->suffix[h],
			    zg->sufflen[h], zg->suffix[g], zg->sufflen[g]) < 0)
				zg->rank[g]++;
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
	free(zg->ord);
	free(zg->recs);
	free(zg->arena);
	free(zg->domain);
	EVP_MD_free(zg->sha256);
	EVP_MD_CTX_free(zg->mdctx);
	free(zg);
}

/* arena_put: a copy of LEN octets at P in the arena; its offset, or -1. */
static int
arena_put(struct zonegen *zg, const void *p, size_t len, uint64_t *off)
{
	uint8_t *a;

	if (zg->alen + len > zg->acap) {
		size_t cap = zg->acap == 0 ? 65536 : zg->acap;

		while (cap < zg->alen + len)
			cap *= 2;
		if ((a = realloc(zg->arena, cap)) == NULL)
			return -1;
		bigmem_advise(a, cap);
		zg->arena = a;
		zg->acap = cap;
	}
	memcpy(zg->arena + zg->alen, p, len);
	*off = zg->alen;
	zg->alen += len;
	return 0;
}

int
zonegen_reserve(struct zonegen *zg, size_t nkeys)
{
	struct rec *r;
	uint8_t *a;
	size_t cap = zg->n + nkeys + 16, acap = zg->alen + nkeys * 32 + 65536;

	if (nkeys > SIZE_MAX / 64)
		return -1;
	if (cap > zg->cap) {
		if ((r = reallocarray(zg->recs, cap, sizeof(*r))) == NULL)
			return -1;
		bigmem_advise(r, cap * sizeof(*r));
		zg->recs = r;
		zg->cap = cap;
	}
	if (acap > zg->acap) {
		if ((a = realloc(zg->arena, acap)) == NULL)
			return -1;
		bigmem_advise(a, acap);
		zg->arena = a;
		zg->acap = acap;
	}
	return 0;
}

/* rec_new: a zeroed record at the end of the list, or NULL. */
static struct rec *
rec_new(struct zonegen *zg)
{
	struct rec *r;

	if (zg->n == zg->cap) {
		size_t cap = zg->cap == 0 ? 1024 : zg->cap * 2;

		if ((r = reallocarray(zg->recs, cap, sizeof(*r))) == NULL)
			return NULL;
		bigmem_advise(r, cap * sizeof(*r));
		zg->recs = r;
		zg->cap = cap;
	}
	r = &zg->recs[zg->n++];
	memset(r, 0, sizeof(*r));
	r->addr = NO_ADDR;
	return r;
}

/*
 * push_rdata: a record of GROUP (HASH, or the wire OWNER for G_OTHER) with
 * TYPE and RDATA (RDLEN octets) copied to the arena, for the address at
 * ADDR.  Returns 0 or -1 (no memory, or too long).
 */
static int
push_rdata(struct zonegen *zg, enum group group, const uint8_t *hash,
    const uint8_t *owner, size_t ownlen, uint16_t type, const uint8_t *rdata,
    size_t rdlen, uint64_t addr, enum zonegen_kind kind)
{
	uint64_t ooff = 0, roff;
	struct rec *r;

	if (rdlen > UINT16_MAX || (group == G_OTHER && (ownlen == 0 ||
	    ownlen > LDNS_MAX_DOMAINLEN)))
		return -1;
	if ((group == G_OTHER && arena_put(zg, owner, ownlen, &ooff) == -1) ||
	    arena_put(zg, rdata, rdlen, &roff) == -1 ||
	    (r = rec_new(zg)) == NULL)
		return -1;
	if (group != G_OTHER)
		memcpy(r->hash, hash, HASH_OCTETS);
	r->u.off.owner = ooff;
	r->u.off.rdata = roff;
	r->rdlen = (uint32_t)rdlen;
	r->addr = addr;
	r->type = type;
	r->kind = (uint8_t)kind;
	r->group = (uint8_t)group;
	r->form = F_RDATA;
	r->ownlen = (uint8_t)ownlen;
	return 0;
}

/*
 * hash_local: the first HASH_OCTETS octets of SHA-256 over LOCAL in OUT,
 * the label owner_hash_ctx spells in hex.  Returns 0, or -1 when the
 * names of GROUP do not fit or the digest failed.
 */
static int
hash_local(struct zonegen *zg, enum group group, const char *local,
    uint8_t out[HASH_OCTETS])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t sl = zg->sufflen[group];
	size_t ll = group == G_DKIM ? OWNER_DKIM_SEL_LEN : OWNER_HASH_LEN;

	if (sl == 0 || 1 + ll + sl > LDNS_MAX_DOMAINLEN ||
	    !EVP_DigestInit_ex2(zg->mdctx, zg->sha256, NULL) ||
	    !EVP_DigestUpdate(zg->mdctx, local, strlen(local)) ||
	    !EVP_DigestFinal_ex(zg->mdctx, md, &mdlen) ||
	    mdlen < HASH_OCTETS)
		return -1;
	memcpy(out, md, HASH_OCTETS);
	if (group == G_DKIM)
		memset(out + DKIM_OCTETS, 0, HASH_OCTETS - DKIM_OCTETS);
	return 0;
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
add_openpgp(struct zonegen *zg, const struct zonegen_key *k, uint64_t addr,
    char *err, size_t errsz)
{
	uint8_t canon[HASH_OCTETS], asis[HASH_OCTETS];
	const char *a = addr_canon(k->addr);

	if (hash_local(zg, G_OPENPGPKEY, addr_canon_local(k->addr),
	    canon) == -1 || hash_local(zg, G_OPENPGPKEY, addr_local(k->addr),
	    asis) == -1) {
		snprintf(err, errsz, "%s: %s: OPENPGPKEY owner name longer "
		    "than 253 octets", k->origin, a);
		return -1;
	}
	if (push_rdata(zg, G_OPENPGPKEY, canon, NULL, 0,
	    LDNS_RR_TYPE_OPENPGPKEY, k->openpgp, k->openpgp_len, addr,
	    ZONEGEN_OPENPGP) == -1)
		goto nomem;
	if (memcmp(canon, asis, HASH_OCTETS) != 0 && push_rdata(zg,
	    G_OPENPGPKEY, asis, NULL, 0, LDNS_RR_TYPE_OPENPGPKEY, k->openpgp,
	    k->openpgp_len, addr, ZONEGEN_OPENPGP) == -1)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errsz, "%s: out of memory", k->origin);
	return -1;
}

/*
 * add_dkim: the DKIM key record of F's key (record-format.md 3.3) at the
 * sender's DKIM owner name: a plain Ed25519 key kept as its key alone (as
 * the _senderkey record), anything else encoded here into a buffer on the
 * stack.  No allocation but the record list and the arena.
 */
static int
add_dkim(struct zonegen *zg, const struct zonegen_key *k,
    const struct keyrec_fields *f, uint64_t addr, char *err, size_t errsz)
{
	uint8_t hash[HASH_OCTETS], rd[TXT_MAX_RDATA];
	char text[KEYREC_MAX_LEN + 1];
	const char *a = addr_canon(k->addr);
	enum keyrec_err kerr;
	struct rec *r;
	size_t tlen;

	if (hash_local(zg, G_DKIM, addr_canon_local(k->addr), hash) == -1) {
		snprintf(err, errsz, "%s: %s: DKIM owner name longer than 253 "
		    "octets", k->origin, a);
		return -1;
	}
	if (f->alg == KEYREC_ED25519 && f->keylen == KEY_ED25519_LEN &&
	    !f->testing) {
		if ((r = rec_new(zg)) == NULL)
			goto nomem;
		memcpy(r->hash, hash, HASH_OCTETS);
		memcpy(r->u.key, f->key, KEY_ED25519_LEN);
		r->addr = addr;
		r->type = LDNS_RR_TYPE_TXT;
		r->kind = ZONEGEN_DKIM;
		r->group = G_DKIM;
		r->form = F_DKIM_ED25519;
		return 0;
	}
	if (keyrec_dkim_encode_buf(f, text, sizeof(text), &tlen,
	    &kerr) == -1) {
		snprintf(err, errsz, "%s: %s: %s", k->origin, a,
		    keyrec_strerror(kerr));
		return -1;
	}
	if (tlen + tlen / 255 + 1 > sizeof(rd) || push_rdata(zg, G_DKIM,
	    hash, NULL, 0, LDNS_RR_TYPE_TXT, rd, txt_wire(text, tlen, rd),
	    addr, ZONEGEN_DKIM) == -1)
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
	uint8_t hash[HASH_OCTETS], rd[TXT_MAX_RDATA];
	char *text = NULL;
	const char *a = addr_canon(k->addr);
	enum keyrec_err kerr;
	struct rec *r;
	uint64_t addr;
	size_t tlen;
	int alg, rc = -1;

	if (strcmp(addr_domain(k->addr), zg->o.domain) != 0) {
		snprintf(err, errsz, "%s: %s is not in %s", k->origin, a,
		    zg->o.domain);
		return -1;
	}
	if (hash_local(zg, G_SENDERKEY, addr_canon_local(k->addr),
	    hash) == -1) {
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
	if (arena_put(zg, a, strlen(a) + 1, &addr) == -1)
		goto nomem;
	if (f.alg == KEYREC_ED25519 && f.keylen == KEY_ED25519_LEN &&
	    !f.testing && f.not_after == 0) {
		/* A plain Ed25519 key: zgrec_rdata encodes it when written */
		if ((r = rec_new(zg)) == NULL)
			goto nomem;
		memcpy(r->hash, hash, HASH_OCTETS);
		memcpy(r->u.key, f.key, KEY_ED25519_LEN);
		r->addr = addr;
		r->type = LDNS_RR_TYPE_TXT;
		r->kind = ZONEGEN_KEY;
		r->group = G_SENDERKEY;
		r->form = F_ED25519;
	} else {
		if ((text = keyrec_encode(&f, &kerr)) == NULL) {
			snprintf(err, errsz, "%s: %s: %s", k->origin, a,
			    keyrec_strerror(kerr));
			goto done;
		}
		/* keyrec_encode keeps texts under KEYREC_MAX_LEN. */
		tlen = strlen(text);
		if (tlen + tlen / 255 + 1 > sizeof(rd) ||
		    push_rdata(zg, G_SENDERKEY, hash, NULL, 0,
		    LDNS_RR_TYPE_TXT, rd, txt_wire(text, tlen, rd), addr,
		    k->revoked ? ZONEGEN_REVOKED : ZONEGEN_KEY) == -1)
			goto nomem;
	}
	if (zg->o.dkim && add_dkim(zg, k, &f, addr, err, errsz) == -1)
		goto done;
	if (!k->revoked && k->openpgp != NULL &&
	    add_openpgp(zg, k, addr, err, errsz) == -1)
		goto done;
	rc = 0;
	goto done;
nomem:
	snprintf(err, errsz, "%s: out of memory", k->origin);
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
		rc = push_rdata(zg, G_OTHER, NULL,
		    ldns_rdf_data(ldns_rr_owner(rr)),
		    ldns_rdf_size(ldns_rr_owner(rr)), ldns_rr_get_type(rr),
		    ldns_buffer_begin(b), ldns_buffer_position(b), NO_ADDR,
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
		    push_rdata(zg, G_OTHER, NULL, owner, ownlen,
		    LDNS_RR_TYPE_TXT, rd, txt_wire(text, strlen(text), rd),
		    NO_ADDR, ZONEGEN_APEX) == -1) {
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


int
zonegen_finish(struct zonegen *zg, char *err, size_t errsz)
{
	const struct rec *r, *prev = NULL;
	size_t i, run = 0;

	if (add_apex(zg, err, errsz) == -1)
		return -1;
	if (zgrec_sort(zg) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	/*
	 * Count, and enforce the per-name key record cap.  Key records at
	 * one name are one sender's: the same hash octets, one after the
	 * other (no need to read the addresses, all over memory).
	 */
	for (i = 0; i < zg->nord; i++) {
		r = &zg->recs[zg->ord[i]];
		if (r->kind == ZONEGEN_OPENPGP)
			zg->counts.openpgp++;
		if (r->kind == ZONEGEN_DKIM)
			zg->counts.dkim++;
		if (r->kind != ZONEGEN_KEY && r->kind != ZONEGEN_REVOKED)
			continue;
		if (r->kind == ZONEGEN_KEY)
			zg->counts.keys++;
		else
			zg->counts.revoked++;
		if (prev != NULL && memcmp(prev->hash, r->hash,
		    HASH_OCTETS) == 0) {
			if (++run > KEYREC_MAX_PER_NAME) {
				snprintf(err, errsz, "%s: more than %d key "
				    "records: verifiers would refuse them all",
				    (const char *)zg->arena + r->addr,
				    KEYREC_MAX_PER_NAME);
				return -1;
			}
			continue;
		}
		prev = r;
		run = 1;
		zg->counts.senders++;
	}
	zg->counts.records = zg->nord;
	return 0;
}

size_t
zonegen_count(const struct zonegen *zg)
{
	return zg->nord;
}

void
zonegen_wire(const struct zonegen *zg, size_t i, struct zonegen_wire *w)
{
	const struct rec *r = &zg->recs[zg->ord[i]];

	/* Callers walk the records in order: fetch those ahead early. */
	if (i + 8 < zg->nord)
		__builtin_prefetch(&zg->recs[zg->ord[i + 8]]);
	if (i + 4 < zg->nord && zg->recs[zg->ord[i + 4]].addr != NO_ADDR)
		__builtin_prefetch(zg->arena + zg->recs[zg->ord[i + 4]].addr);

	w->owner = zgrec_owner(zg, r, w->ownbuf, &w->ownlen);
	w->type = r->type;
	w->ttl = zg->o.ttl;
	w->rdata = zgrec_rdata(zg, r, w->rdbuf, &w->rdlen);
	w->address = r->addr != NO_ADDR ?
	    (const char *)zg->arena + r->addr : NULL;
	w->kind = (enum zonegen_kind)r->kind;
	w->plain = r->form != F_RDATA && zg->plain[r->group];
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
	if (zg->pub == NULL && zg->nord > 0) {
		if ((zg->pub = calloc(zg->nord, sizeof(*zg->pub))) == NULL)
			return NULL;
		for (zg->npub = 0; zg->npub < zg->nord; zg->npub++) {
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
