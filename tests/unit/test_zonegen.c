/*
 * test_zonegen.c: the record set zonegen builds from compact records.
 * Checked against the slow, obvious ways: owner names against owner_name
 * (lib/owner.c), key record texts against keyrec_encode, the order of
 * all records against ldns's canonical sort of the same records (apex,
 * _senderkey and _openpgpkey names, compact and general RDATA, several
 * keys at one name), duplicates dropped, the per-name cap, and the
 * "plain" hint zoneout relies on; with the dkim option the DKIM key
 * records too (owner_name OWNER_DKIM, keyrec_dkim_encode, the order of
 * three hashed groups).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "zonegen/zonegen.h"
#include "t.h"

#define NSEND	300

static int dkim_opt;	/* new_zg: the dkim option */

static struct zonegen *
new_zg(int apex)
{
	static const char *const ns[] = { "ns1.example.test.",
		"ns2.elsewhere.invalid." };
	struct zonegen_opts o;

	memset(&o, 0, sizeof(o));
	o.domain = "example.test";
	o.ttl = 3600;
	o.now = 1700000000;
	o.prepublish = 86400;
	o.dkim = dkim_opt;
	if (apex) {
		o.policy = POLICYREC_ALL;
		o.soa_mname = "ns1.example.test.";
		o.soa_rname = "hostmaster.example.test.";
		o.soa_serial = 7;
		o.ns = ns;
		o.nns = 2;
	}
	return zonegen_new(&o);
}

static void
fake_key(unsigned i, unsigned char raw[KEY_ED25519_LEN])
{
	unsigned j;

	for (j = 0; j < KEY_ED25519_LEN; j++)
		raw[j] = (unsigned char)(i * 131 + j * 7 + (i >> 8));
}

static int
add(struct zonegen *zg, const char *address, const unsigned char *raw,
    int testing, int64_t not_after, int revoked, const unsigned char *pgp,
    size_t pgplen)
{
	struct zonegen_key k;
	struct addr *a;
	char err[512];
	int rc;

	if ((a = addr_parse(address, NULL, NULL)) == NULL)
		return -1;
	memset(&k, 0, sizeof(k));
	k.addr = a;
	k.ed25519 = raw;
	k.testing = testing;
	k.not_after = not_after;
	k.revoked = revoked;
	k.openpgp = pgp;
	k.openpgp_len = pgplen;
	k.origin = "test:1";
	rc = zonegen_add(zg, &k, err, sizeof(err));
	if (rc == -1)
		printf("# %s\n", err);
	addr_free(a);
	return rc;
}

/* rr_text: RR as ldns prints it (malloc'd). */
static char *
rr_text(const ldns_rr *rr)
{
	return ldns_rr2str(rr);
}

/* in_order: 1 when ZG's records are in ldns's canonical order, each once */
static int
in_order(const struct zonegen *zg, size_t *plain)
{
	struct zonegen_wire w;
	ldns_rr_list *ours = ldns_rr_list_new(), *sorted;
	size_t i, n = zonegen_count(zg), bad = 0;

	*plain = 0;
	for (i = 0; i < n; i++) {
		zonegen_wire(zg, i, &w);
		ldns_rr_list_push_rr(ours, zonegen_wire_rr(&w));
		*plain += w.plain;
	}
	sorted = ldns_rr_list_clone(ours);
	ldns_rr_list_sort(sorted);
	for (i = 0; i < n; i++)
		if (ldns_rr_compare(ldns_rr_list_rr(ours, i),
		    ldns_rr_list_rr(sorted, i)) != 0 || (i > 0 &&
		    ldns_rr_compare(ldns_rr_list_rr(ours, i - 1),
		    ldns_rr_list_rr(ours, i)) == 0))
			bad++;
	ldns_rr_list_deep_free(sorted);
	ldns_rr_list_deep_free(ours);
	return bad == 0;
}

static void
test_dkim(void)
{
	unsigned char raw[KEY_ED25519_LEN];
	char addr[64], name[OWNER_NAME_MAX], err[512], *t, *txt;
	struct keyrec_fields f;
	struct zonegen_wire w;
	struct zonegen *zg;
	struct addr *a;
	size_t i, n, bad = 0, ndkim = 0, plain;
	unsigned u;
	ldns_rr *rr;

	dkim_opt = 1;
	zg = new_zg(1);
	dkim_opt = 0;
	for (u = 0; u < NSEND; u++) {
		snprintf(addr, sizeof(addr), "user%u@example.test", u);
		fake_key(u, raw);
		bad += add(zg, addr, raw, 0, 0, 0, NULL, 0) == -1;
	}
	fake_key(1000, raw);
	bad += add(zg, "user7@example.test", raw, 1, 0, 0, NULL, 0) == -1;
	bad += add(zg, "user7@example.test", raw, 0, 1800000000, 0, NULL,
	    0) == -1;
	bad += add(zg, "user7@example.test", NULL, 0, 0, 1, NULL, 0) == -1;
	T_INTEQ(bad, 0, "dkim: all keys added");
	T_OK(zonegen_finish(zg, err, sizeof(err)) == 0, "dkim: finish");
	/*
	 * 300 + 3 (user7) SK1 records and as many DKIM records: user7's
	 * testing key (t=y:s), its x= key (no x= in DKIM: the compact form)
	 * and its revoked one (p= empty).
	 */
	T_INTEQ(zonegen_counts(zg)->dkim, NSEND + 3, "dkim: a DKIM record "
	    "per key record");
	T_INTEQ(zonegen_count(zg), 2 * (NSEND + 3) + 4, "dkim: record count");
	n = zonegen_count(zg);
	for (i = 0, bad = 0; i < n; i++) {
		zonegen_wire(zg, i, &w);
		if (w.kind != ZONEGEN_DKIM)
			continue;
		ndkim++;
		a = addr_parse(w.address, NULL, NULL);
		rr = zonegen_wire_rr(&w);
		t = rr != NULL ? ldns_rdf2str(ldns_rr_owner(rr)) : NULL;
		if (a == NULL || owner_name(a, OWNER_DKIM, name,
		    sizeof(name)) == -1 || t == NULL || strcmp(t, name) != 0)
			bad++;
		free(t);
		ldns_rr_free(rr);
		if (a != NULL && strcmp(addr_canon_local(a), "user7") != 0) {
			u = (unsigned)strtoul(addr_canon_local(a) + 4, NULL, 10);
			fake_key(u, raw);
			memset(&f, 0, sizeof(f));
			f.alg = KEYREC_ED25519;
			f.key = raw;
			f.keylen = sizeof(raw);
			txt = keyrec_dkim_encode(&f, NULL);
			if (txt == NULL || w.rdlen != strlen(txt) + 1 ||
			    memcmp(w.rdata + 1, txt, strlen(txt)) != 0 ||
			    !w.plain)
				bad++;
			free(txt);
		}
		addr_free(a);
	}
	T_INTEQ(ndkim, NSEND + 3, "dkim: the DKIM records, kind ZONEGEN_DKIM");
	T_INTEQ(bad, 0, "dkim: owner_name OWNER_DKIM's names, "
	    "keyrec_dkim_encode's texts, plain");
	T_OK(in_order(zg, &plain), "dkim: canonical order over _domainkey, "
	    "_senderkey and the apex, each record once");
	T_OK(plain >= 2 * NSEND, "dkim: compact records plain (%zu)", plain);
	zonegen_free(zg);
}

int
main(void)
{
	static const unsigned char pgp[] = { 0x99, 0x00, 0x03, 1, 2, 3 };
	unsigned char raw[KEY_ED25519_LEN];
	struct zonegen *zg;
	struct zonegen_wire w;
	ldns_rr_list *ours, *sorted;
	char addr[64], name[OWNER_NAME_MAX], err[512], *t1, *t2, *txt;
	size_t i, n, bad = 0, badname = 0, badtext = 0, plain = 0;
	struct keyrec_fields f;
	struct addr *a;
	unsigned u;

	zg = new_zg(1);
	T_OK(zg != NULL, "zonegen_new");
	for (u = 0; u < NSEND; u++) {
		snprintf(addr, sizeof(addr), "user%u@example.test", u);
		fake_key(u, raw);
		if (add(zg, addr, raw, 0, 0, 0, NULL, 0) == -1)
			bad++;
	}
	/* The same record twice: one is dropped. */
	fake_key(5, raw);
	add(zg, "user5@example.test", raw, 0, 0, 0, NULL, 0);
	/* Several keys at one name, compact and not. */
	fake_key(1000, raw);
	bad += add(zg, "user7@example.test", raw, 0, 0, 0, NULL, 0) == -1;
	bad += add(zg, "user7@example.test", raw, 1, 0, 0, NULL, 0) == -1;
	bad += add(zg, "user7@example.test", raw, 0, 1800000000, 0, NULL,
	    0) == -1;
	bad += add(zg, "user7@example.test", NULL, 0, 0, 1, NULL, 0) == -1;
	/* OpenPGP at the canonical name and the name as written. */
	fake_key(2000, raw);
	bad += add(zg, "Alice@example.test", raw, 0, 0, 0, pgp,
	    sizeof(pgp)) == -1;
	T_INTEQ(bad, 0, "all keys added");
	T_OK(zonegen_finish(zg, err, sizeof(err)) == 0, "zonegen_finish");
	n = zonegen_count(zg);
	/* 300 + 4 (user7) + 1 (alice) TXT, 2 OPENPGPKEY, policy, SOA, 2 NS */
	T_INTEQ(n, NSEND + 4 + 1 + 2 + 1 + 1 + 2, "record count, the "
	    "duplicate dropped");
	T_INTEQ(zonegen_counts(zg)->senders, NSEND + 1, "senders counted "
	    "once each");
	T_INTEQ(zonegen_counts(zg)->openpgp, 2, "two OPENPGPKEY records");

	ours = ldns_rr_list_new();
	for (i = 0; i < n; i++) {
		ldns_rr *rr;

		zonegen_wire(zg, i, &w);
		rr = zonegen_wire_rr(&w);
		ldns_rr_list_push_rr(ours, rr);
		if (w.plain)
			plain++;
		if (w.kind != ZONEGEN_KEY || w.address == NULL ||
		    strncmp(w.address, "user", 4) != 0)
			continue;
		/* owner and text as the slow functions make them */
		a = addr_parse(w.address, NULL, NULL);
		t1 = ldns_rdf2str(ldns_rr_owner(rr));
		if (a == NULL || owner_name(a, OWNER_SENDERKEY, name,
		    sizeof(name)) == -1 || t1 == NULL || strcmp(t1, name) != 0)
			badname++;
		free(t1);
		if (a != NULL && strcmp(addr_canon_local(a), "user7") != 0) {
			u = (unsigned)strtoul(addr_canon_local(a) + 4, NULL, 10);
			fake_key(u, raw);
			memset(&f, 0, sizeof(f));
			f.alg = KEYREC_ED25519;
			f.key = raw;
			f.keylen = sizeof(raw);
			txt = keyrec_encode(&f, NULL);
			if (txt == NULL || w.rdlen != strlen(txt) + 1 ||
			    w.rdata[0] != strlen(txt) ||
			    memcmp(w.rdata + 1, txt, strlen(txt)) != 0)
				badtext++;
			free(txt);
		}
		addr_free(a);
	}
	T_INTEQ(badname, 0, "owner names equal owner_name's");
	T_INTEQ(badtext, 0, "compact key records equal keyrec_encode's text");
	T_OK(plain >= NSEND, "compact key records are marked plain (%zu)",
	    plain);

	sorted = ldns_rr_list_clone(ours);
	ldns_rr_list_sort(sorted);
	bad = 0;
	for (i = 0; i < n; i++) {
		if (ldns_rr_compare(ldns_rr_list_rr(ours, i),
		    ldns_rr_list_rr(sorted, i)) != 0) {
			if (bad++ < 3) {
				t1 = rr_text(ldns_rr_list_rr(ours, i));
				t2 = rr_text(ldns_rr_list_rr(sorted, i));
				printf("# at %zu: %s# want %s", i, t1, t2);
				free(t1);
				free(t2);
			}
		}
		if (i > 0 && ldns_rr_compare(ldns_rr_list_rr(ours, i - 1),
		    ldns_rr_list_rr(ours, i)) == 0)
			bad++;
	}
	T_INTEQ(bad, 0, "canonical order, as ldns sorts the same records, "
	    "no duplicates");
	ldns_rr_list_deep_free(sorted);
	ldns_rr_list_deep_free(ours);
	zonegen_free(zg);

	/* 17 keys at one name: refused at finish */
	zg = new_zg(0);
	for (u = 0; u < KEYREC_MAX_PER_NAME + 1; u++) {
		fake_key(u, raw);
		add(zg, "many@example.test", raw, 0, 0, 0, NULL, 0);
	}
	T_OK(zonegen_finish(zg, err, sizeof(err)) == -1 &&
	    strstr(err, "many@example.test") != NULL, "more than %d keys at "
	    "one name: an error naming the sender", KEYREC_MAX_PER_NAME);
	zonegen_free(zg);

	/* no records at all */
	zg = new_zg(0);
	T_OK(zonegen_finish(zg, err, sizeof(err)) == 0 &&
	    zonegen_count(zg) == 0, "an empty record set finishes, empty");
	zonegen_free(zg);

	/* a sender of another domain */
	zg = new_zg(0);
	fake_key(1, raw);
	T_INTEQ(add(zg, "x@other.test", raw, 0, 0, 0, NULL, 0), -1,
	    "a sender of another domain is refused");
	zonegen_free(zg);
	zonegen_free(NULL);
	test_dkim();
	return t_done();
}
