/*
 * zonegen.c: decide and build the records of a senderkey zone.
 *
 * Each key becomes one _senderkey TXT record at the sender's owner name
 * while it is current (from not_before - prepublish until not_after, with
 * x= set to not_after); a revoked key becomes a record with p= empty.
 * OpenPGP keys also become OPENPGPKEY records at the canonical name and,
 * when it differs, at the name of the local part as written.  Records are
 * built with ldns and sorted in canonical DNS order, so the output does
 * not depend on the order of the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "key.h"
#include "keyrec.h"
#include "owner.h"
#include "txt.h"
#include "zonegen.h"

struct zonegen {
	struct zonegen_opts	 o;
	struct zonegen_rec	*recs;
	size_t			 n, cap;
	struct zonegen_counts	 counts;
	char			*domain;
};

struct zonegen *
zonegen_new(const struct zonegen_opts *opts)
{
	struct zonegen *zg;

	if ((zg = calloc(1, sizeof(*zg))) == NULL)
		return NULL;
	zg->o = *opts;
	if (zg->o.ttl == 0)
		zg->o.ttl = 3600;
	if ((zg->domain = strdup(opts->domain)) == NULL) {
		free(zg);
		return NULL;
	}
	zg->o.domain = zg->domain;
	return zg;
}

void
zonegen_free(struct zonegen *zg)
{
	size_t i;

	if (zg == NULL)
		return;
	for (i = 0; i < zg->n; i++) {
		ldns_rr_free(zg->recs[i].rr);
		free((char *)zg->recs[i].address);
	}
	free(zg->recs);
	free(zg->domain);
	free(zg);
}

/* push: take ownership of RR; ADDRESS is copied. */
static int
push(struct zonegen *zg, ldns_rr *rr, const char *address,
    enum zonegen_kind kind)
{
	struct zonegen_rec *r;
	char *a = NULL;

	if (rr == NULL)
		return -1;
	if (address != NULL && (a = strdup(address)) == NULL)
		goto fail;
	if (zg->n == zg->cap) {
		size_t cap = zg->cap == 0 ? 64 : zg->cap * 2;

		if ((r = reallocarray(zg->recs, cap, sizeof(*r))) == NULL)
			goto fail;
		zg->recs = r;
		zg->cap = cap;
	}
	zg->recs[zg->n].rr = rr;
	zg->recs[zg->n].address = a;
	zg->recs[zg->n].kind = kind;
	zg->n++;
	return 0;
fail:
	free(a);
	ldns_rr_free(rr);
	return -1;
}

static ldns_rr *
openpgp_rr(const char *owner, uint32_t ttl, const unsigned char *data,
    size_t len)
{
	ldns_rr *rr;
	ldns_rdf *name = NULL, *f;

	if ((rr = ldns_rr_new()) == NULL)
		return NULL;
	if (ldns_str2rdf_dname(&name, owner) != LDNS_STATUS_OK)
		goto fail;
	ldns_rr_set_owner(rr, name);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_OPENPGPKEY);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	if ((f = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, len, data)) == NULL)
		goto fail;
	if (!ldns_rr_push_rdf(rr, f)) {
		ldns_rdf_deep_free(f);
		goto fail;
	}
	return rr;
fail:
	ldns_rr_free(rr);
	return NULL;
}

static int
add_openpgp(struct zonegen *zg, const struct zonegen_key *k, char *err,
    size_t errsz)
{
	char canon[OWNER_NAME_MAX], asis[OWNER_NAME_MAX];
	const char *a = addr_canon(k->addr);

	if (owner_name(k->addr, OWNER_OPENPGPKEY, canon, sizeof(canon)) == -1 ||
	    owner_name_local(addr_local(k->addr), addr_domain(k->addr),
	    OWNER_OPENPGPKEY, asis, sizeof(asis)) == -1) {
		snprintf(err, errsz, "%s: %s: OPENPGPKEY owner name longer "
		    "than 253 octets", k->origin, a);
		return -1;
	}
	if (push(zg, openpgp_rr(canon, zg->o.ttl, k->openpgp, k->openpgp_len),
	    a, ZONEGEN_OPENPGP) == -1)
		goto nomem;
	if (strcmp(canon, asis) != 0 && push(zg, openpgp_rr(asis, zg->o.ttl,
	    k->openpgp, k->openpgp_len), a, ZONEGEN_OPENPGP) == -1)
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
	unsigned char *bytes = NULL;
	char owner[OWNER_NAME_MAX], *text = NULL;
	const char *a = addr_canon(k->addr);
	enum keyrec_err kerr;
	int alg, rc = -1;

	if (strcmp(addr_domain(k->addr), zg->o.domain) != 0) {
		snprintf(err, errsz, "%s: %s is not in %s", k->origin, a,
		    zg->o.domain);
		return -1;
	}
	if (owner_name(k->addr, OWNER_SENDERKEY, owner, sizeof(owner)) == -1) {
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
	if (k->revoked || k->pk == NULL) {
		f.alg = KEYREC_ED25519;
		if (k->pk != NULL && EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_RSA)
			f.alg = KEYREC_RSA;
		f.testing = 0;
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
	if (push(zg, txt_rr_new(owner, zg->o.ttl, text, strlen(text)), a,
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

static int
rec_cmp(const void *va, const void *vb)
{
	const struct zonegen_rec *a = va, *b = vb;
	int c;

	c = ldns_dname_compare(ldns_rr_owner(a->rr), ldns_rr_owner(b->rr));
	if (c != 0)
		return c;
	if (ldns_rr_get_type(a->rr) != ldns_rr_get_type(b->rr))
		return ldns_rr_get_type(a->rr) < ldns_rr_get_type(b->rr) ?
		    -1 : 1;
	return ldns_rr_compare(a->rr, b->rr);
}

static int
add_apex(struct zonegen *zg, char *err, size_t errsz)
{
	char name[OWNER_NAME_MAX], *line = NULL;
	ldns_rr *rr = NULL;
	const char *text;
	size_t i;
	int n;

	if (zg->o.policy != 0) {
		text = policyrec_encode((enum policyrec_policy)zg->o.policy);
		if (owner_policy_name(zg->o.domain, name, sizeof(name)) == -1 ||
		    push(zg, txt_rr_new(name, zg->o.ttl, text, strlen(text)),
		    NULL, ZONEGEN_APEX) == -1)
			goto fail;
	}
	if (zg->o.soa_mname == NULL)
		return 0;
	n = asprintf(&line, "%s. %u IN SOA %s %s %u 3600 900 1209600 300",
	    zg->o.domain, zg->o.ttl, zg->o.soa_mname, zg->o.soa_rname,
	    zg->o.soa_serial);
	if (n == -1) {
		line = NULL;
		goto fail;
	}
	if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errsz, "bad SOA: %s", line);
		free(line);
		return -1;
	}
	free(line);
	line = NULL;
	if (push(zg, rr, NULL, ZONEGEN_APEX) == -1)
		goto fail;
	for (i = 0; i < zg->o.nns; i++) {
		rr = NULL;
		if (asprintf(&line, "%s. %u IN NS %s", zg->o.domain, zg->o.ttl,
		    zg->o.ns[i]) == -1) {
			line = NULL;
			goto fail;
		}
		if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) !=
		    LDNS_STATUS_OK) {
			snprintf(err, errsz, "bad NS name: %s", zg->o.ns[i]);
			free(line);
			return -1;
		}
		free(line);
		line = NULL;
		if (push(zg, rr, NULL, ZONEGEN_APEX) == -1)
			goto fail;
	}
	return 0;
fail:
	free(line);
	snprintf(err, errsz, "out of memory or bad apex data");
	return -1;
}

int
zonegen_finish(struct zonegen *zg, char *err, size_t errsz)
{
	size_t i, o, run = 0;
	const char *prev = NULL;

	if (add_apex(zg, err, errsz) == -1)
		return -1;
	qsort(zg->recs, zg->n, sizeof(*zg->recs), rec_cmp);
	/* Drop exact duplicates (the same key listed twice). */
	for (i = 0, o = 0; i < zg->n; i++) {
		if (o > 0 && rec_cmp(&zg->recs[o - 1], &zg->recs[i]) == 0) {
			ldns_rr_free(zg->recs[i].rr);
			free((char *)zg->recs[i].address);
			continue;
		}
		zg->recs[o++] = zg->recs[i];
	}
	zg->n = o;
	/* Count, and enforce the per-name key record cap. */
	for (i = 0; i < zg->n; i++) {
		const struct zonegen_rec *r = &zg->recs[i];

		if (r->kind == ZONEGEN_OPENPGP)
			zg->counts.openpgp++;
		if (r->kind != ZONEGEN_KEY && r->kind != ZONEGEN_REVOKED)
			continue;
		if (r->kind == ZONEGEN_KEY)
			zg->counts.keys++;
		else
			zg->counts.revoked++;
		if (prev != NULL && strcmp(prev, r->address) == 0) {
			if (++run > KEYREC_MAX_PER_NAME) {
				snprintf(err, errsz, "%s: more than %d key "
				    "records: verifiers would refuse them all",
				    r->address, KEYREC_MAX_PER_NAME);
				return -1;
			}
			continue;
		}
		prev = r->address;
		run = 1;
		zg->counts.senders++;
	}
	zg->counts.records = zg->n;
	return 0;
}

const struct zonegen_rec *
zonegen_records(const struct zonegen *zg, size_t *n)
{
	*n = zg->n;
	return zg->recs;
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
