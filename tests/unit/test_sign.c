/*
 * test_sign: the zone signer (zonegen/sign*.h): reversed names and their
 * canonical order, key loading and its errors, zone reading errors with
 * file:line, the signed output (deterministic for Ed25519, every RRSIG
 * verifies with ldns, NSEC3 owners equal ldns_nsec3_hash_name), NSEC3
 * flags 0 on every record (never opt-out: an insecure delegation has its
 * own NSEC3), and the refusals (no SOA, key of another zone, bad times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zonegen/sign.h"
#include "t.h"

#define D "tests/data/sign/"
#define KSK D "Kexample.test.+015+04932"
#define ZSK D "Kexample.test.+015+28481"
#define CSK13 D "Kexample.test.+013+25518"
#define OTHER D "Kother.test.+015+11919"
#define INC 1700000000
#define EXP 1800000000

static void
test_names(void)
{
	uint8_t rev[LDNS_MAX_DOMAINLEN], rev2[LDNS_MAX_DOMAINLEN];
	uint8_t wire[LDNS_MAX_DOMAINLEN + 1];
	unsigned nl = 0;
	int n, m;

	n = sign_zone_name_rev((const uint8_t *)"\3WWW\7Example\0", 13, rev,
	    &nl);
	T_INTEQ(n, 12, "name_rev: length without the root label");
	T_INTEQ(nl, 2, "name_rev: label count");
	T_OK(memcmp(rev, "\7example\3www", 12) == 0,
	    "name_rev: labels reversed and lowercased");
	T_INTEQ(sign_zone_name_wire(rev, 12, wire), 13,
	    "name_wire: back to wire length");
	T_OK(memcmp(wire, "\3www\7example\0", 13) == 0, "name_wire: octets");
	T_INTEQ(sign_zone_name_rev((const uint8_t *)"\3www\7exa", 8, rev,
	    NULL), -1, "name_rev: a truncated name is refused");
	/* RFC 4034 section 6.1 example order: example < a.example <
	 * yljkjljk.a.example < Z.a.example < zABC.a.EXAMPLE < z.example */
	n = sign_zone_name_rev((const uint8_t *)"\1a\7example\0", 11, rev,
	    NULL);
	m = sign_zone_name_rev((const uint8_t *)"\1Z\1a\7example\0", 13,
	    rev2, NULL);
	T_OK(sign_zone_name_cmp(rev, (size_t)n, rev2, (size_t)m) < 0,
	    "name_cmp: a.example before Z.a.example");
	n = sign_zone_name_rev((const uint8_t *)"\4zABC\1a\7EXAMPLE\0", 16,
	    rev, NULL);
	T_OK(sign_zone_name_cmp(rev2, (size_t)m, rev, (size_t)n) < 0,
	    "name_cmp: Z.a.example before zABC.a.EXAMPLE (case folded)");
	m = sign_zone_name_rev((const uint8_t *)"\1z\7example\0", 11, rev2,
	    NULL);
	T_OK(sign_zone_name_cmp(rev, (size_t)n, rev2, (size_t)m) < 0,
	    "name_cmp: zABC.a.example before z.example");
	T_INTEQ(sign_zone_name_cmp(rev, (size_t)n, rev, (size_t)n), 0,
	    "name_cmp: equal names");
	T_INTEQ(sign_zone_name_common(rev, (size_t)n, rev2, (size_t)m), 1,
	    "name_common: one shared label");
	T_INTEQ(sign_zone_name_prefix(rev, (size_t)n, 1), 8,
	    "name_prefix: the 1-label ancestor");
}

static void
test_keys(void)
{
	struct sign_key *k;
	char err[256];
	size_t len;

	k = sign_key_load(KSK, err, sizeof(err));
	T_OK(k != NULL, "load an ldns-keygen Ed25519 KSK");
	if (k != NULL) {
		T_INTEQ(sign_key_alg(k), 15, "KSK: algorithm 15");
		T_INTEQ(sign_key_tag(k), 4932, "KSK: key tag");
		T_INTEQ(sign_key_is_ksk(k), 1, "KSK: SEP flag");
		T_INTEQ(sign_key_siglen(k), 64, "KSK: signature length");
		sign_key_owner(k, &len);
		T_INTEQ(len, 14, "KSK: owner example.test. in wire form");
	}
	sign_key_free(k);
	k = sign_key_load(ZSK ".private", err, sizeof(err));
	T_OK(k != NULL && !sign_key_is_ksk(k),
	    "load a ZSK by its .private name");
	sign_key_free(k);
	T_OK(sign_key_load(D "Knothere", err, sizeof(err)) == NULL &&
	    strstr(err, "Knothere.key") != NULL,
	    "a missing key file: the error names it (%s)", err);
	T_OK(sign_key_load(D "small.zone", err, sizeof(err)) == NULL &&
	    strstr(err, "small.zone") != NULL,
	    "a file that is no key: the error names it (%s)", err);
	sign_key_free(NULL);
}

/* sign_file: sign zone file ZF into a malloc'd string; NULL on error. */
static char *
sign_file(const char *zf, const char **keyfiles, size_t nk,
    enum sign_denial den, int64_t inc, int64_t exp, char *err, size_t errsz,
    char **ds)
{
	struct sign_key *keys[4] = { NULL };
	struct sign_zone *z = NULL;
	struct sign_opts o;
	FILE *in = NULL, *out = NULL, *dsf = NULL;
	char *buf = NULL, *dsbuf = NULL;
	size_t len = 0, dslen = 0, i;
	int ok = 0;

	sign_opts_init(&o);
	o.denial = den;
	o.inception = inc;
	o.expiration = exp;
	o.threads = 2;
	for (i = 0; i < nk; i++)
		if ((keys[i] = sign_key_load(keyfiles[i], err, errsz)) == NULL)
			goto out;
	if ((z = sign_zone_new("example.test", err, errsz)) == NULL ||
	    (in = fopen(zf, "r")) == NULL ||
	    sign_zone_read(z, in, zf, err, errsz) == -1)
		goto out;
	if ((out = open_memstream(&buf, &len)) == NULL ||
	    (dsf = open_memstream(&dsbuf, &dslen)) == NULL)
		goto out;
	ok = sign_run(z, keys, nk, &o, out, dsf, NULL, err, errsz) == 0;
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	if (dsf != NULL)
		fclose(dsf);
	sign_zone_free(z);
	for (i = 0; i < nk; i++)
		sign_key_free(keys[i]);
	if (ds != NULL && ok)
		*ds = dsbuf;
	else
		free(dsbuf);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* verify: parse TEXT with ldns and verify every RRSIG; counts types. */
static int
verify(const char *text, size_t *nsigs, size_t *nnsec3, int *hash_ok)
{
	ldns_zone *zone = NULL;
	ldns_rr_list *keys, *all;
	FILE *fp;
	size_t i, j;
	int ok = 1;
	ldns_rdf *origin = ldns_dname_new_frm_str("example.test.");

	*nsigs = *nnsec3 = 0;
	*hash_ok = 1;
	fp = fmemopen((void *)text, strlen(text), "r");
	if (fp == NULL || ldns_zone_new_frm_fp(&zone, fp, origin, 3600,
	    LDNS_RR_CLASS_IN) != LDNS_STATUS_OK) {
		if (fp != NULL)
			fclose(fp);
		ldns_rdf_deep_free(origin);
		return 0;
	}
	fclose(fp);
	all = ldns_rr_list_clone(ldns_zone_rrs(zone));
	ldns_rr_list_push_rr(all, ldns_rr_clone(ldns_zone_soa(zone)));
	keys = ldns_rr_list_new();
	for (i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY)
			ldns_rr_list_push_rr(keys, rr);
	}
	for (i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *sig = ldns_rr_list_rr(all, i), *rr;
		ldns_rr_list *set;

		if (ldns_rr_get_type(sig) == LDNS_RR_TYPE_NSEC3)
			(*nnsec3)++;
		if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG)
			continue;
		(*nsigs)++;
		set = ldns_rr_list_new();
		for (j = 0; j < ldns_rr_list_rr_count(all); j++) {
			rr = ldns_rr_list_rr(all, j);
			if (ldns_rr_get_type(rr) ==
			    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) &&
			    ldns_dname_compare(ldns_rr_owner(rr),
			    ldns_rr_owner(sig)) == 0)
				ldns_rr_list_push_rr(set, rr);
		}
		if (ldns_verify_rrsig_keylist_notime(set, sig, keys, NULL) !=
		    LDNS_STATUS_OK)
			ok = 0;
		ldns_rr_list_free(set);
	}
	/* every NSEC3 owner is the hash of a name: check the apex's */
	{
		ldns_rdf *h = ldns_nsec3_hash_name(origin, 1, 0, 0, NULL);
		char *s = ldns_rdf2str(h);

		*hash_ok = s != NULL && strstr(text, s) != NULL;
		free(s);
		ldns_rdf_deep_free(h);
	}
	ldns_rr_list_free(keys);
	ldns_rr_list_deep_free(all);
	ldns_zone_deep_free(zone);
	ldns_rdf_deep_free(origin);
	return ok;
}

static void
test_sign(void)
{
	const char *kz[] = { KSK, ZSK }, *k13[] = { CSK13 }, *ko[] = { OTHER };
	char err[512], *a, *b, *ds = NULL;
	size_t nsigs, n3;
	int hash_ok;

	a = sign_file(D "small.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), &ds);
	T_OK(a != NULL, "sign small.zone with an Ed25519 KSK and ZSK");
	b = sign_file(D "small.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), NULL);
	T_OK(a != NULL && b != NULL && strcmp(a, b) == 0,
	    "Ed25519: the same input, keys and times give the same bytes");
	if (a != NULL) {
		T_OK(verify(a, &nsigs, &n3, &hash_ok),
		    "NSEC3: every RRSIG verifies with ldns");
		/* SOA NS DNSKEY NSEC3PARAM + A + policy TXT + 5 TXT, and one
		 * NSEC3 per name (apex, ns, _senderkey, 5 senders) */
		T_INTEQ(nsigs, 4 + 1 + 1 + 5 + 8, "NSEC3: RRSIG count");
		T_INTEQ(n3, 8, "NSEC3: one NSEC3 per name");
		T_OK(hash_ok, "NSEC3: the apex hash equals "
		    "ldns_nsec3_hash_name");
		T_OK(strstr(a, "NSEC3PARAM\t1 0 0 -") != NULL,
		    "NSEC3PARAM: SHA-1, no flags, 0 iterations, no salt");
		T_OK(strstr(a, "DNSKEY 15 2 3600 20270115080000 "
		    "20231114221320 4932 ") != NULL,
		    "the DNSKEY RRset is signed by the KSK with the times");
		T_OK(strstr(a, "SOA 15 2 3600 20270115080000 20231114221320 "
		    "28481 ") != NULL, "the SOA is signed by the ZSK");
		T_OK(ds != NULL && strstr(ds, "DS\t4932 15 2 ") != NULL &&
		    strstr(ds, "28481") == NULL,
		    "DS: SHA-256 of the KSK only");
	}
	free(a);
	free(b);
	free(ds);
	a = sign_file(D "small.zone", kz, 2, SIGN_DENIAL_NSEC, INC, EXP, err,
	    sizeof(err), NULL);
	T_OK(a != NULL && verify(a, &nsigs, &n3, &hash_ok) && n3 == 0 &&
	    strstr(a, "\tNSEC\t") != NULL, "NSEC: signed and verifies");
	free(a);
	a = sign_file(D "small.zone", k13, 1, SIGN_DENIAL_NSEC3, 0, 0, err,
	    sizeof(err), NULL);
	T_OK(a != NULL && verify(a, &nsigs, &n3, &hash_ok),
	    "ECDSA P-256 CSK, default times: verifies");
	free(a);

	T_OK(sign_file(D "nosoa.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), NULL) == NULL && strstr(err, "no SOA") != NULL,
	    "a zone without SOA is refused (%s)", err);
	T_OK(sign_file(D "small.zone", ko, 1, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), NULL) == NULL && strstr(err, "another zone") != NULL,
	    "a key of another zone is refused (%s)", err);
	T_OK(sign_file(D "small.zone", kz, 2, SIGN_DENIAL_NSEC3, EXP, INC, err,
	    sizeof(err), NULL) == NULL && strstr(err, "expiration") != NULL,
	    "expiration before inception is refused (%s)", err);
	T_OK(sign_file(D "bad.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), NULL) == NULL &&
	    strncmp(err, D "bad.zone:3: ", strlen(D "bad.zone:3: ")) == 0,
	    "bad RDATA: file:line (%s)", err);
	T_OK(sign_file(D "outside.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP,
	    err, sizeof(err), NULL) == NULL && strstr(err, "outside.zone:3: "
	    "owner is outside the zone") != NULL,
	    "an owner outside the zone: file:line (%s)", err);
}

/*
 * nsec3_check: parse signed TEXT; count its NSEC3 records, those whose
 * flags are not 0 (the opt-out bit or any other), and whether one is
 * owned by the hash of NAME (0 iterations, no salt).
 */
static int
nsec3_check(const char *text, const char *name, size_t *n, size_t *flagged,
    int *has_name)
{
	ldns_zone *zone = NULL;
	ldns_rdf *origin = ldns_dname_new_frm_str("example.test.");
	ldns_rdf *nm = ldns_dname_new_frm_str(name), *h;
	ldns_rr *rr;
	FILE *fp;
	size_t i;
	int ok = 0;

	*n = *flagged = 0;
	*has_name = 0;
	h = ldns_nsec3_hash_name(nm, 1, 0, 0, NULL);
	if (h != NULL && ldns_dname_cat(h, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(h);
		h = NULL;
	}
	fp = fmemopen((void *)text, strlen(text), "r");
	if (h == NULL || fp == NULL || ldns_zone_new_frm_fp(&zone, fp, origin,
	    3600, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK)
		goto out;
	for (i = 0; i < ldns_rr_list_rr_count(ldns_zone_rrs(zone)); i++) {
		rr = ldns_rr_list_rr(ldns_zone_rrs(zone), i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC3)
			continue;
		(*n)++;
		if (ldns_nsec3_flags(rr) != 0)
			(*flagged)++;
		if (ldns_dname_compare(ldns_rr_owner(rr), h) == 0)
			*has_name = 1;
	}
	ok = 1;
out:
	if (fp != NULL)
		fclose(fp);
	ldns_zone_deep_free(zone);
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(nm);
	ldns_rdf_deep_free(origin);
	return ok;
}

/* Never opt-out (specs/zonegen.md): flags 0 on every NSEC3 record. */
static void
test_nsec3_flags(void)
{
	const char *kz[] = { KSK, ZSK };
	char err[512], *a;
	size_t n, flagged;
	int has_sub, has_sec;

	a = sign_file(D "deleg.zone", kz, 2, SIGN_DENIAL_NSEC3, INC, EXP, err,
	    sizeof(err), NULL);
	T_OK(a != NULL, "sign deleg.zone (two delegations) with NSEC3 (%s)",
	    a != NULL ? "ok" : err);
	if (a == NULL)
		return;
	T_OK(nsec3_check(a, "sub.example.test.", &n, &flagged, &has_sub) &&
	    nsec3_check(a, "sec.example.test.", &n, &flagged, &has_sec),
	    "the signed zone parses");
	/* apex, ns, _senderkey, 5 senders, sub, sec */
	T_INTEQ(n, 10, "one NSEC3 per name, delegations included");
	T_INTEQ(flagged, 0, "flags 0 on every NSEC3 record (no opt-out)");
	T_OK(has_sub, "the insecure delegation has its own NSEC3 (opt-out "
	    "would leave it out)");
	T_OK(has_sec, "the secure delegation has its NSEC3");
	T_OK(strstr(a, "NSEC3PARAM\t1 0 0 -") != NULL,
	    "NSEC3PARAM flags 0");
	free(a);
}

int
main(void)
{
	test_names();
	test_keys();
	test_sign();
	test_nsec3_flags();
	return t_done();
}
