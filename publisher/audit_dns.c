/*
 * audit_dns.c: collects the data of "senderkey audit": validated lookups
 * through lookup.h (async, many in flight), and direct ldns queries to
 * each authoritative server (SOA, RRSIG expiry, NSEC/NSEC3, NSEC walk,
 * per-server answers).  The direct answers are not validated: they only
 * feed checks on what the servers serve (serials, expiry, consistency);
 * every verdict on a sender comes from the validated lookup.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "audit_dns.h"
#include "keyrec.h"
#include "owner.h"

#define DEFAULT_TIMEOUT_MS	3000

/* --- direct queries (ldns) ---------------------------------------- */

/*
 * resolver_for: an ldns resolver asking only ADDR ("IP" or "IP@PORT"),
 * no recursion, DO and CD set, TCP on truncation.  NULL when ADDR is bad.
 */
static ldns_resolver *
resolver_for(const char *addr, unsigned timeout_ms)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *at = strchr(addr, '@');
	unsigned char buf[sizeof(struct in6_addr)];
	ldns_resolver *res = NULL;
	ldns_rdf *a = NULL;
	unsigned long port = 53;
	struct timeval tv;
	size_t len = at != NULL ? (size_t)(at - addr) : strlen(addr);
	char *end;

	if (len == 0 || len >= sizeof(ip))
		return NULL;
	memcpy(ip, addr, len);
	ip[len] = '\0';
	if (at != NULL) {
		port = strtoul(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
			return NULL;
	}
	if (inet_pton(AF_INET, ip, buf) == 1)
		a = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, buf);
	else if (inet_pton(AF_INET6, ip, buf) == 1)
		a = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, buf);
	if (a == NULL || (res = ldns_resolver_new()) == NULL ||
	    ldns_resolver_push_nameserver(res, a) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(a);
		if (res != NULL)
			ldns_resolver_deep_free(res);
		return NULL;
	}
	ldns_rdf_deep_free(a);
	ldns_resolver_set_port(res, (uint16_t)port);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_dnssec(res, true);
	ldns_resolver_set_dnssec_cd(res, true);
	ldns_resolver_set_edns_udp_size(res, 4096);
	ldns_resolver_set_fallback(res, true);
	ldns_resolver_set_retry(res, 2);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	ldns_resolver_set_timeout(res, tv);
	return res;
}

/* ask: one query; the answer packet (caller frees) or NULL. */
static ldns_pkt *
ask(ldns_resolver *res, const char *name, ldns_rr_type type, uint16_t flags)
{
	ldns_rdf *q;
	ldns_pkt *p = NULL;

	if ((q = ldns_dname_new_frm_str(name)) == NULL)
		return NULL;
	if (ldns_resolver_send(&p, res, q, type, LDNS_RR_CLASS_IN, flags) !=
	    LDNS_STATUS_OK) {
		ldns_pkt_free(p);
		p = NULL;
	}
	ldns_rdf_deep_free(q);
	return p;
}

/* sig_expire: the earliest expiry of the RRSIGs over TYPE in P's answer. */
static int64_t
sig_expire(const ldns_pkt *p, ldns_rr_type type)
{
	const ldns_rr_list *l = ldns_pkt_answer(p);
	ldns_rr *rr;
	int64_t t, min = 0;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rrsig_typecovered(rr) == NULL ||
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) != type ||
		    ldns_rr_rrsig_expiration(rr) == NULL)
			continue;
		t = (int64_t)(uint32_t)ldns_rdf2native_int32(
		    ldns_rr_rrsig_expiration(rr));
		if (min == 0 || t < min)
			min = t;
	}
	return min;
}

static char *
dname_str(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d), *p;

	if (s != NULL)
		for (p = s; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	return s;
}

static int
add_server(struct audit_zone *z, const char *name, const char *addr)
{
	struct audit_server *sv;

	if (z->nservers == AUDIT_MAX_SERVERS)
		return 0;
	sv = &z->servers[z->nservers];
	memset(sv, 0, sizeof(*sv));
	if ((sv->name = strdup(name)) == NULL ||
	    (sv->addr = strdup(addr)) == NULL) {
		free(sv->name);
		sv->name = NULL;
		return -1;
	}
	z->nservers++;
	return 0;
}

/* find_servers: the addresses of the domain's NS set, from resolv.conf. */
static int
find_servers(struct audit_zone *z, char *err, size_t errsz)
{
	ldns_resolver *res = NULL;
	ldns_pkt *p = NULL, *pa = NULL;
	ldns_rr_list *ns = NULL;
	char apex[300], *target = NULL, *a = NULL;
	size_t i, j, t;
	int rc = -1;
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_AAAA };

	snprintf(apex, sizeof(apex), "%s.", z->domain);
	if (ldns_resolver_new_frm_file(&res, NULL) != LDNS_STATUS_OK) {
		snprintf(err, errsz, "cannot read /etc/resolv.conf to find "
		    "the name servers (give them with --ns)");
		return -1;
	}
	ldns_resolver_set_dnssec(res, true);
	ldns_resolver_set_dnssec_cd(res, true);
	if ((p = ask(res, apex, LDNS_RR_TYPE_NS, LDNS_RD)) == NULL ||
	    (ns = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_NS,
	    LDNS_SECTION_ANSWER)) == NULL) {
		snprintf(err, errsz, "%s: no NS records found (give the "
		    "servers with --ns)", z->domain);
		goto done;
	}
	for (i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		free(target);
		if ((target = dname_str(ldns_rr_rdf(ldns_rr_list_rr(ns, i),
		    0))) == NULL)
			goto done;
		for (t = 0; t < 2; t++) {
			ldns_rr_list *al;

			ldns_pkt_free(pa);
			if ((pa = ask(res, target, types[t], LDNS_RD)) ==
			    NULL)
				continue;
			al = ldns_pkt_rr_list_by_type(pa, types[t],
			    LDNS_SECTION_ANSWER);
			for (j = 0; al != NULL && j < ldns_rr_list_rr_count(al);
			    j++) {
				free(a);
				if ((a = ldns_rdf2str(ldns_rr_rdf(
				    ldns_rr_list_rr(al, j), 0))) == NULL ||
				    add_server(z, target, a) == -1) {
					ldns_rr_list_deep_free(al);
					goto done;
				}
			}
			ldns_rr_list_deep_free(al);
		}
	}
	if (z->nservers == 0) {
		snprintf(err, errsz, "%s: no address found for any name "
		    "server (give them with --ns)", z->domain);
		goto done;
	}
	rc = 0;
done:
	free(a);
	free(target);
	ldns_rr_list_deep_free(ns);
	ldns_pkt_free(p);
	ldns_pkt_free(pa);
	ldns_resolver_deep_free(res);
	return rc;
}

/* walk: follow the NSEC chain from the apex through RES. */
static int
walk(struct audit_zone *z, ldns_resolver *res)
{
	ldns_rdf *apex = NULL, *cur = NULL, *next;
	ldns_rr_list *l = NULL;
	ldns_pkt *p = NULL;
	char suffix[300], *name = NULL, *s;
	size_t steps, slen, cap = 0;
	char **nh;
	int rc = -1;

	z->walked = 1;
	snprintf(suffix, sizeof(suffix), "._senderkey.%s.", z->domain);
	slen = strlen(suffix);
	if ((apex = ldns_dname_new_frm_str(z->domain)) == NULL ||
	    (cur = ldns_rdf_clone(apex)) == NULL)
		goto done;
	for (steps = 0; steps < AUDIT_DNS_WALK_MAX; steps++) {
		free(name);
		if ((name = dname_str(cur)) == NULL)
			goto done;
		ldns_pkt_free(p);
		ldns_rr_list_deep_free(l);
		l = NULL;
		if ((p = ask(res, name, LDNS_RR_TYPE_NSEC, 0)) == NULL ||
		    (l = ldns_pkt_rr_list_by_name_and_type(p, cur,
		    LDNS_RR_TYPE_NSEC, LDNS_SECTION_ANSWER)) == NULL)
			break;	/* incomplete */
		next = ldns_rr_rdf(ldns_rr_list_rr(l, 0), 0);
		if (next == NULL)
			break;
		if (ldns_dname_compare(next, apex) == 0) {
			z->walk_complete = 1;
			break;
		}
		if (ldns_dname_compare(next, cur) <= 0)
			break;	/* a loop or a broken chain */
		ldns_rdf_deep_free(cur);
		if ((cur = ldns_rdf_clone(next)) == NULL)
			goto done;
		free(name);
		if ((name = dname_str(cur)) == NULL)
			goto done;
		if (strlen(name) == OWNER_HASH_LEN + slen &&
		    strcmp(name + OWNER_HASH_LEN, suffix) == 0) {
			if (z->nhashes == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((nh = reallocarray(z->hashes, cap,
				    sizeof(*nh))) == NULL)
					goto done;
				z->hashes = nh;
			}
			if ((s = strndup(name, OWNER_HASH_LEN)) == NULL)
				goto done;
			z->hashes[z->nhashes++] = s;
		}
	}
	rc = 0;
done:
	free(name);
	ldns_pkt_free(p);
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(apex);
	ldns_rdf_deep_free(cur);
	return rc;
}

/* denial: NSEC or NSEC3 in the authority section of a negative answer. */
static void
denial(struct audit_zone *z, ldns_resolver *res)
{
	const ldns_rr_list *auth;
	ldns_pkt *p;
	char probe[300];
	size_t i;
	ldns_rr_type t;

	snprintf(probe, sizeof(probe), "sk-audit-probe._senderkey.%s.",
	    z->domain);
	if ((p = ask(res, probe, LDNS_RR_TYPE_TXT, 0)) == NULL)
		return;
	z->denial = AUDIT_DENIAL_NONE;
	auth = ldns_pkt_authority(p);
	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		t = ldns_rr_get_type(ldns_rr_list_rr(auth, i));
		if (t == LDNS_RR_TYPE_NSEC3) {
			z->denial = AUDIT_DENIAL_NSEC3;
			z->nsec3_iterations = ldns_nsec3_iterations(
			    ldns_rr_list_rr(auth, i));
			break;
		}
		if (t == LDNS_RR_TYPE_NSEC)
			z->denial = AUDIT_DENIAL_NSEC;
	}
	ldns_pkt_free(p);
}

int
audit_dns_zone(struct audit_zone *z, const struct audit_dns_opts *o,
    char *err, size_t errsz)
{
	unsigned tmo = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	ldns_resolver *res;
	ldns_rr_list *soa;
	ldns_pkt *p;
	char apex[300];
	size_t i, first = SIZE_MAX;
	int64_t t;

	z->nsec3_iterations = -1;
	snprintf(apex, sizeof(apex), "%s.", z->domain);
	if (o->nservers > 0) {
		for (i = 0; i < o->nservers; i++)
			if (add_server(z, o->servers[i], o->servers[i]) == -1)
				goto nomem;
	} else if (find_servers(z, err, errsz) == -1)
		return -1;
	for (i = 0; i < z->nservers; i++) {
		struct audit_server *sv = &z->servers[i];
		const char *why = NULL;

		if ((res = resolver_for(sv->addr, tmo)) == NULL) {
			why = "not an IP address[@port]";
		} else if ((p = ask(res, apex, LDNS_RR_TYPE_SOA, 0)) == NULL) {
			why = "no answer";
		} else {
			soa = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA,
			    LDNS_SECTION_ANSWER);
			if (soa == NULL || !ldns_pkt_aa(p))
				why = "no authoritative SOA answer";
			else {
				sv->ok = 1;
				sv->serial = ldns_rdf2native_int32(ldns_rr_rdf(
				    ldns_rr_list_rr(soa, 0), 2));
				t = sig_expire(p, LDNS_RR_TYPE_SOA);
				if (t != 0 && (z->soa_sig_expire == 0 ||
				    t < z->soa_sig_expire))
					z->soa_sig_expire = t;
			}
			ldns_rr_list_deep_free(soa);
			ldns_pkt_free(p);
		}
		if (why != NULL && (sv->error = strdup(why)) == NULL) {
			ldns_resolver_deep_free(res);
			goto nomem;
		}
		if (sv->ok && first == SIZE_MAX) {
			first = i;
			denial(z, res);
			if (z->denial == AUDIT_DENIAL_NSEC && o->walk &&
			    walk(z, res) == -1) {
				ldns_resolver_deep_free(res);
				goto nomem;
			}
		}
		if (res != NULL)
			ldns_resolver_deep_free(res);
	}
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}

/* answer_text: a server's answer for one TXT name, canonical. */
static char *
answer_text(const ldns_pkt *p, const char *owner, int64_t *expire)
{
	ldns_rr_list *l;
	ldns_rdf *q;
	char *s = NULL, *r, *out;
	size_t i, j, len = 0, n;
	char buf[32];

	if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN)
		return strdup("NXDOMAIN");
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		snprintf(buf, sizeof(buf), "RCODE=%d",
		    (int)ldns_pkt_get_rcode(p));
		return strdup(buf);
	}
	if ((q = ldns_dname_new_frm_str(owner)) == NULL)
		return NULL;
	l = ldns_pkt_rr_list_by_name_and_type(p, q, LDNS_RR_TYPE_TXT,
	    LDNS_SECTION_ANSWER);
	ldns_rdf_deep_free(q);
	if (l == NULL)
		return strdup("NODATA");
	*expire = sig_expire(p, LDNS_RR_TYPE_TXT);
	ldns_rr_list_sort(l);
	if ((out = strdup("")) == NULL)
		goto done;
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);

		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			if ((s = ldns_rdf2str(ldns_rr_rdf(rr, j))) == NULL)
				goto fail;
			n = strlen(s);
			if ((r = realloc(out, len + n + 2)) == NULL)
				goto fail;
			out = r;
			memcpy(out + len, s, n);
			len += n;
			out[len++] = j + 1 < ldns_rr_rd_count(rr) ? ' ' : '|';
			out[len] = '\0';
			free(s);
			s = NULL;
		}
	}
	goto done;
fail:
	free(s);
	free(out);
	out = NULL;
done:
	ldns_rr_list_deep_free(l);
	return out;
}

int
audit_dns_auth(const struct audit_zone *z, struct audit_sender **s,
    size_t n, const struct audit_dns_opts *o)
{
	unsigned tmo = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	ldns_resolver *res;
	ldns_pkt *p;
	size_t i, k;
	int64_t t;

	for (k = 0; k < z->nservers; k++) {
		if (!z->servers[k].ok ||
		    (res = resolver_for(z->servers[k].addr, tmo)) == NULL)
			continue;
		for (i = 0; i < n; i++) {
			if ((p = ask(res, s[i]->owner, LDNS_RR_TYPE_TXT,
			    0)) == NULL)
				continue;
			t = 0;
			free(s[i]->answers[k]);
			s[i]->answers[k] = answer_text(p, s[i]->owner, &t);
			ldns_pkt_free(p);
			if (s[i]->answers[k] == NULL) {
				ldns_resolver_deep_free(res);
				return -1;
			}
			if (t != 0 && (s[i]->sig_expire == 0 ||
			    t < s[i]->sig_expire))
				s[i]->sig_expire = t;
		}
		ldns_resolver_deep_free(res);
	}
	return 0;
}

/* --- validated lookups (lookup.h) --------------------------------- */

struct lctx {
	struct audit_zone	 *z;
	struct audit_sender	**s;
	int			  failed;
};

struct larg {
	struct lctx	*c;
	size_t		 i;	/* sender index, or SIZE_MAX for the zone */
	int		 id;
	int		 active;
	int64_t		 start;	/* ms */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
take_keys(struct audit_sender *s, const struct lookup_answer *a)
{
	const struct keyrec_fields *f;
	size_t i;

	for (i = 0; i < a->nkeys && s->npublished < AUDIT_MAX_KEYS; i++) {
		f = keyrec_get(a->keys[i]);
		if (audit_key_set(&s->published[s->npublished], (int)f->alg,
		    f->key, f->keylen, keyrec_bits(a->keys[i]),
		    f->testing) == 0) {
			s->published[s->npublished].not_after = f->not_after;
			s->npublished++;
		}
	}
}

static void
on_answer(void *arg, int id, struct lookup_answer *a)
{
	struct larg *la = arg;
	struct lctx *c = la->c;
	enum lookup_state *st;
	char **reason;

	(void)id;
	la->active = 0;
	if (a == NULL) {
		c->failed = 1;
		return;
	}
	if (la->i == SIZE_MAX) {
		st = &c->z->state;
		reason = &c->z->reason;
		c->z->probed = 1;
	} else {
		st = &c->s[la->i]->state;
		reason = &c->s[la->i]->reason;
		c->s[la->i]->looked_up = 1;
		c->s[la->i]->nbad = a->nbad;
		take_keys(c->s[la->i], a);
	}
	*st = a->state;
	free(*reason);
	*reason = a->reason;
	a->reason = NULL;
	lookup_answer_free(a);
}

/* expire: cancel LA's query and record a timeout. */
static void
expire(struct lookup *lk, struct larg *la)
{
	lookup_cancel(lk, la->id);
	on_answer(la, la->id, lookup_answer_tempfail(la->i == SIZE_MAX ?
	    LOOKUP_POLICY : LOOKUP_KEY, "timeout"));
}

int
audit_dns_lookup(struct lookup *lk, struct audit_zone *z,
    struct audit_sender **s, size_t n, const struct audit_dns_opts *o,
    char *err, size_t errsz)
{
	size_t max = o->inflight != 0 ? o->inflight : AUDIT_DNS_INFLIGHT;
	struct lctx c = { z, s, 0 };
	struct larg *args = NULL;
	struct pollfd pfd;
	char pname[OWNER_NAME_MAX];
	unsigned tmo = o->lookup_timeout_ms != 0 ? o->lookup_timeout_ms :
	    LOOKUP_DEFAULT_TIMEOUT;
	size_t next = 0, oldest = 0, i;
	int rc = -1;

	if ((args = calloc(n + 1, sizeof(*args))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		args[i].c = &c;
		args[i].i = i;
	}
	args[n].c = &c;
	args[n].i = SIZE_MAX;
	if (z != NULL) {
		if (owner_policy_name(z->domain, pname, sizeof(pname)) == -1 ||
		    lookup_start(lk, pname, LOOKUP_POLICY, on_answer,
		    &args[n], &args[n].id) == -1) {
			snprintf(err, errsz, "%s: cannot start the lookup",
			    z->domain);
			goto done;
		}
		args[n].active = 1;
		args[n].start = now_ms();
	}
	for (;;) {
		while (next < n && lookup_pending(lk) < max) {
			if (lookup_start(lk, s[next]->owner, LOOKUP_KEY,
			    on_answer, &args[next], &args[next].id) == -1) {
				snprintf(err, errsz, "%s: cannot start the "
				    "lookup", s[next]->owner);
				goto done;
			}
			args[next].active = 1;
			args[next].start = now_ms();
			next++;
		}
		if (lookup_pending(lk) == 0)
			break;
		pfd.fd = lookup_fd(lk);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0 && lookup_process(lk) == -1) {
			snprintf(err, errsz, "libunbound failed");
			goto done;
		}
		if (c.failed) {
			snprintf(err, errsz, "out of memory");
			goto done;
		}
		/*
		 * Deadlines: async lookups have none of their own.  Queries
		 * start in index order, so the oldest active one is first.
		 */
		while (oldest < next && !args[oldest].active)
			oldest++;
		while (oldest < next && now_ms() - args[oldest].start >=
		    (int64_t)tmo) {
			if (args[oldest].active)
				expire(lk, &args[oldest]);
			oldest++;
		}
		if (args[n].active && now_ms() - args[n].start >=
		    (int64_t)tmo * 2)
			expire(lk, &args[n]);
	}
	rc = 0;
done:
	free(args);
	return rc;
}
