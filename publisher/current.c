/*
 * current.c: read the primary's records by AXFR or by queries
 * (current.h).  Not here: comparing them (plan.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "current.h"
#include "tsig.h"

static int
wanted(const ldns_rr *rr)
{
	return ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
	    (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT ||
	    ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPENPGPKEY);
}

ldns_resolver *
current_resolver(const char *addr, uint16_t port, const struct tsig *k,
    int timeout_s)
{
	ldns_resolver *r;
	ldns_rdf *a;

	if ((r = ldns_resolver_new()) == NULL)
		return NULL;
	if ((a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr)) == NULL)
		a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, addr);
	if (a == NULL || ldns_resolver_push_nameserver(r, a) !=
	    LDNS_STATUS_OK) {
		ldns_rdf_deep_free(a);
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_rdf_deep_free(a);
	ldns_resolver_set_port(r, port);
	ldns_resolver_set_recursive(r, false);
	ldns_resolver_set_usevc(r, true);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_timeout(r, (struct timeval){ timeout_s, 0 });
	if (k != NULL) {
		ldns_resolver_set_tsig_keyname(r, tsig_name(k));
		ldns_resolver_set_tsig_keydata(r, tsig_secret(k));
		ldns_resolver_set_tsig_algorithm(r, tsig_algorithm(k));
	}
	return r;
}

static ldns_rr_list *
axfr(ldns_resolver *r, const ldns_rdf *zone)
{
	ldns_rr_list *l = NULL;
	ldns_rr *rr;
	size_t nsoa = 0;

	if (ldns_axfr_start(r, zone, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK)
		return NULL;
	if ((l = ldns_rr_list_new()) == NULL)
		goto fail;
	while ((rr = ldns_axfr_next(r)) != NULL) {
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
			nsoa++;
		if (!wanted(rr) || !ldns_rr_list_push_rr(l, rr))
			ldns_rr_free(rr);
	}
	if (!ldns_axfr_complete(r) || nsoa < 2)
		goto fail;
	return l;
fail:
	ldns_axfr_abort(r);
	ldns_rr_list_deep_free(l);
	return NULL;
}

ldns_rr_list *
current_fetch(const ldns_rdf *zone, const char *addr, uint16_t port,
    const struct tsig *k, const ldns_rdf *const *names, size_t nnames,
    enum current_how *how, char *err, size_t errsz)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_TXT,
	    LDNS_RR_TYPE_OPENPGPKEY };
	ldns_resolver *r = NULL;
	ldns_rr_list *l = NULL, *ans;
	ldns_pkt *pkt = NULL;
	size_t i, j, t;
	ldns_rr *rr;

	if ((r = current_resolver(addr, port, k,
	    CURRENT_TIMEOUT_S)) == NULL) {
		snprintf(err, errsz, "%s: not an IP address", addr);
		return NULL;
	}
	if ((l = axfr(r, zone)) != NULL) {
		*how = CURRENT_AXFR;
		ldns_resolver_deep_free(r);
		return l;
	}
	ldns_resolver_deep_free(r);
	if ((r = current_resolver(addr, port, NULL,
	    CURRENT_TIMEOUT_S)) == NULL ||
	    (l = ldns_rr_list_new()) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	*how = CURRENT_QUERY;
	for (i = 0; i < nnames; i++) {
		for (t = 0; t < 2; t++) {
			if (i > 0 && ldns_dname_compare(names[i],
			    names[i - 1]) == 0)
				break;
			pkt = ldns_resolver_query(r, names[i], types[t],
			    LDNS_RR_CLASS_IN, 0);
			if (pkt == NULL || (ldns_pkt_get_rcode(pkt) !=
			    LDNS_RCODE_NOERROR && ldns_pkt_get_rcode(pkt) !=
			    LDNS_RCODE_NXDOMAIN) || !ldns_pkt_aa(pkt)) {
				char *n = ldns_rdf2str(names[i]);

				snprintf(err, errsz, "%s port %u: no "
				    "authoritative answer for %s (is it the "
				    "primary of the zone?)", addr, port,
				    n != NULL ? n : "?");
				free(n);
				goto fail;
			}
			ans = ldns_pkt_answer(pkt);
			for (j = 0; j < ldns_rr_list_rr_count(ans); j++) {
				rr = ldns_rr_list_rr(ans, j);
				if (!wanted(rr) || ldns_rr_get_type(rr) !=
				    types[t] || ldns_dname_compare(
				    ldns_rr_owner(rr), names[i]) != 0)
					continue;
				if ((rr = ldns_rr_clone(rr)) == NULL ||
				    !ldns_rr_list_push_rr(l, rr)) {
					ldns_rr_free(rr);
					snprintf(err, errsz, "out of memory");
					goto fail;
				}
			}
			ldns_pkt_free(pkt);
			pkt = NULL;
		}
	}
	ldns_resolver_deep_free(r);
	return l;
fail:
	ldns_pkt_free(pkt);
	ldns_rr_list_deep_free(l);
	ldns_resolver_deep_free(r);
	return NULL;
}
