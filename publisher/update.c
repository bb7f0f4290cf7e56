/*
 * update.c: RFC 2136 UPDATE messages from a plan, TSIG-signed, over TCP
 * (update.h).  Not here: deciding what changes (plan.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "plan.h"
#include "tsig.h"
#include "update.h"

#define TSIG_FUDGE	300
#define TSIG_BADSIG	16	/* RFC 8945 TSIG error codes */
#define TSIG_BADKEY	17
#define TSIG_BADTIME	18

const char *
update_status_name(enum update_status s)
{
	static const char *names[] = { "ok", "prereq", "badsig", "badkey",
	    "badtime", "refused", "notauth", "unsigned", "network", "other" };

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int
push_as(ldns_rr_list *l, const ldns_rr *rr, ldns_rr_class cl, int keep_ttl,
    int rdata)
{
	ldns_rr *c;

	if (rdata) {
		if ((c = ldns_rr_clone(rr)) == NULL)
			return -1;
	} else {
		if ((c = ldns_rr_new()) == NULL)
			return -1;
		ldns_rr_set_owner(c, ldns_rdf_clone(ldns_rr_owner(rr)));
		ldns_rr_set_type(c, ldns_rr_get_type(rr));
	}
	ldns_rr_set_class(c, cl);
	if (!keep_ttl)
		ldns_rr_set_ttl(c, 0);
	if (!ldns_rr_list_push_rr(c != NULL ? l : NULL, c)) {
		ldns_rr_free(c);
		return -1;
	}
	return 0;
}

/* add_set: the prerequisite and the updates for S. */
static int
add_set(ldns_rr_list *pr, ldns_rr_list *up, const struct plan_rrset *s)
{
	size_t i;

	if (ldns_rr_list_rr_count(s->old) == 0) {
		if (push_as(pr, ldns_rr_list_rr(s->add, 0), LDNS_RR_CLASS_NONE,
		    0, 0) == -1)
			return -1;
	}
	for (i = 0; i < ldns_rr_list_rr_count(s->old); i++)
		if (push_as(pr, ldns_rr_list_rr(s->old, i), LDNS_RR_CLASS_IN,
		    0, 1) == -1)
			return -1;
	for (i = 0; i < ldns_rr_list_rr_count(s->del); i++)
		if (push_as(up, ldns_rr_list_rr(s->del, i), LDNS_RR_CLASS_NONE,
		    0, 1) == -1)
			return -1;
	for (i = 0; i < ldns_rr_list_rr_count(s->add); i++)
		if (push_as(up, ldns_rr_list_rr(s->add, i), LDNS_RR_CLASS_IN,
		    1, 1) == -1)
			return -1;
	return 0;
}

static size_t
set_size(const struct plan_rrset *s)
{
	size_t n = 0, i;
	const ldns_rr_list *ls[3] = { s->old, s->del, s->add };
	int j;

	for (j = 0; j < 3; j++)
		for (i = 0; i < ldns_rr_list_rr_count(ls[j]); i++)
			n += ldns_rr_uncompressed_size(ldns_rr_list_rr(ls[j],
			    i));
	return n + 64;
}

static enum update_status
hint(int rcode, int tsig_error, const struct tsig *k, const char *zone,
    char *err, size_t errsz)
{
	switch (tsig_error) {
	case TSIG_BADSIG:
		snprintf(err, errsz, "BADSIG: the server knows key %s but the "
		    "signature does not match: check the secret and that the "
		    "algorithm (%s) is the one the server has for it",
		    tsig_name(k), tsig_algorithm(k));
		return UPDATE_BADSIG;
	case TSIG_BADKEY:
		snprintf(err, errsz, "BADKEY: the server has no key named %s "
		    "with algorithm %s: check the key name (case, trailing "
		    "dot) and the algorithm in the server's configuration",
		    tsig_name(k), tsig_algorithm(k));
		return UPDATE_BADKEY;
	case TSIG_BADTIME:
		snprintf(err, errsz, "BADTIME: this machine's clock and the "
		    "server's differ by more than %d seconds: fix the clock "
		    "(NTP)", TSIG_FUDGE);
		return UPDATE_BADTIME;
	}
	switch (rcode) {
	case LDNS_RCODE_YXRRSET:
	case LDNS_RCODE_NXRRSET:
		snprintf(err, errsz, "%s: the records changed at the server "
		    "since they were read; nothing of this message was "
		    "applied: run the plan again",
		    rcode == LDNS_RCODE_YXRRSET ? "YXRRSET" : "NXRRSET");
		return UPDATE_PREREQ;
	case LDNS_RCODE_REFUSED:
		snprintf(err, errsz, "REFUSED: the server does not allow key "
		    "%s to update %s: check its update-policy / ACL (allow "
		    "update for this key, TXT and OPENPGPKEY)", tsig_name(k),
		    zone);
		return UPDATE_REFUSED;
	case LDNS_RCODE_NOTAUTH:
		snprintf(err, errsz, "NOTAUTH: the server is not authoritative "
		    "for %s or rejected key %s: check the zone name and that "
		    "-s names the primary", zone, tsig_name(k));
		return UPDATE_NOTAUTH;
	}
	snprintf(err, errsz, "the server answered %s", ldns_lookup_by_id(
	    ldns_rcodes, rcode) != NULL ? ldns_lookup_by_id(ldns_rcodes,
	    rcode)->name : "an unknown rcode");
	return UPDATE_OTHER;
}

/* send_one: sign and send Q; check the response. */
static enum update_status
send_one(ldns_pkt *q, const char *addr, uint16_t port, const struct tsig *k,
    const char *zone, char *err, size_t errsz)
{
	struct sockaddr_storage *ss = NULL;
	struct timeval tv = { UPDATE_TIMEOUT_S, 0 };
	ldns_buffer *qb = NULL;
	ldns_rdf *a = NULL;
	ldns_pkt *r = NULL;
	uint8_t *wire = NULL;
	size_t sslen = 0, wlen = 0;
	const ldns_rdf *qmac;
	enum update_status st = UPDATE_NET;
	int terr = 0;
	ldns_status ls;

	ldns_pkt_set_random_id(q);
	if ((ls = ldns_pkt_tsig_sign(q, tsig_name(k), tsig_secret(k),
	    TSIG_FUDGE, tsig_algorithm(k), NULL)) != LDNS_STATUS_OK) {
		snprintf(err, errsz, "cannot sign with TSIG (algorithm %s): "
		    "%s", tsig_algorithm(k), ldns_get_errorstr_by_id(ls));
		return UPDATE_OTHER;
	}
	if ((a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr)) == NULL)
		a = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, addr);
	if (a == NULL) {
		snprintf(err, errsz, "%s: not an IP address", addr);
		return UPDATE_NET;
	}
	if ((qb = ldns_buffer_new(LDNS_MAX_PACKETLEN)) == NULL ||
	    ldns_pkt2buffer_wire(qb, q) != LDNS_STATUS_OK ||
	    (ss = ldns_rdf2native_sockaddr_storage(a, port, &sslen)) == NULL) {
		snprintf(err, errsz, "cannot build the UPDATE message");
		st = UPDATE_OTHER;
		goto done;
	}
	if ((ls = ldns_tcp_send(&wire, qb, ss, (socklen_t)sslen, tv, &wlen)) !=
	    LDNS_STATUS_OK || wire == NULL) {
		snprintf(err, errsz, "%s port %u: %s", addr, port,
		    ldns_get_errorstr_by_id(ls));
		goto done;
	}
	if (ldns_wire2pkt(&r, wire, wlen) != LDNS_STATUS_OK) {
		snprintf(err, errsz, "%s: a malformed response", addr);
		st = UPDATE_OTHER;
		goto done;
	}
	if (ldns_pkt_tsig(r) != NULL && ldns_rr_rd_count(ldns_pkt_tsig(r)) >
	    5)
		terr = ldns_rdf2native_int16(ldns_rr_rdf(ldns_pkt_tsig(r), 5));
	if (terr != 0 || ldns_pkt_get_rcode(r) != LDNS_RCODE_NOERROR) {
		st = hint(ldns_pkt_get_rcode(r), terr, k, zone, err, errsz);
		goto done;
	}
	qmac = ldns_rr_rdf(ldns_pkt_tsig(q), 3);
	if (ldns_pkt_tsig(r) == NULL || !ldns_pkt_tsig_verify(r, wire, wlen,
	    tsig_name(k), tsig_secret(k), qmac)) {
		snprintf(err, errsz, "%s: the response is %s: not trusting it",
		    addr, ldns_pkt_tsig(r) == NULL ? "not signed" :
		    "signed wrongly");
		st = UPDATE_UNSIGNED;
		goto done;
	}
	st = UPDATE_OK;
done:
	free(wire);
	LDNS_FREE(ss);
	ldns_buffer_free(qb);
	ldns_rdf_deep_free(a);
	ldns_pkt_free(r);
	return st;
}

enum update_status
update_apply(const struct plan *p, const ldns_rdf *zone, const char *addr,
    uint16_t port, const struct tsig *k, size_t *sent, char *err,
    size_t errsz)
{
	ldns_rr_list *pr = NULL, *up = NULL;
	ldns_pkt *q = NULL;
	char *zname = NULL;
	size_t i = 0, size;
	enum update_status st = UPDATE_OK;

	*sent = 0;
	if ((zname = ldns_rdf2str(zone)) == NULL)
		goto oom;
	while (i < plan_count(p)) {
		if ((pr = ldns_rr_list_new()) == NULL ||
		    (up = ldns_rr_list_new()) == NULL)
			goto oom;
		for (size = 0; i < plan_count(p); i++) {
			size_t n = set_size(plan_rrset(p, i));

			if (size > 0 && size + n > UPDATE_MSG_MAX)
				break;
			if (add_set(pr, up, plan_rrset(p, i)) == -1)
				goto oom;
			size += n;
		}
		if ((q = ldns_update_pkt_new(ldns_rdf_clone(zone),
		    LDNS_RR_CLASS_IN, pr, up, NULL)) == NULL)
			goto oom;
		if ((st = send_one(q, addr, port, k, zname, err, errsz)) !=
		    UPDATE_OK)
			goto done;
		(*sent)++;
		ldns_pkt_free(q);
		q = NULL;
		ldns_rr_list_deep_free(pr);
		ldns_rr_list_deep_free(up);
		pr = up = NULL;
	}
	goto done;
oom:
	snprintf(err, errsz, "out of memory");
	st = UPDATE_OTHER;
done:
	ldns_pkt_free(q);
	ldns_rr_list_deep_free(pr);
	ldns_rr_list_deep_free(up);
	free(zname);
	return st;
}
