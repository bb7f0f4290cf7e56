/*
 * audit_dns.c: the direct, unvalidated half of "senderkey audit": ldns
 * queries to each authoritative server (its SOA serial, its answer for
 * every sender), concurrently (threads, one ldns resolver each), and the
 * zone transfer (audit_axfr.c).  These answers only feed checks on what
 * the servers serve (serials, consistency across servers); every verdict,
 * expiry time and denial type comes from validated lookups (audit_val.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "lib/keyrec.h"
#include "lib/owner.h"
#include "audit_dns.h"

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

/* One server's SOA query, run in its own thread. */
struct soa_task {
	struct audit_server	*sv;
	const char		*apex;
	unsigned		 tmo;
	int			 nomem;
};

static void *
soa_thread(void *arg)
{
	struct soa_task *t = arg;
	struct audit_server *sv = t->sv;
	ldns_resolver *res;
	ldns_rr_list *soa;
	ldns_pkt *p;
	const char *why = NULL;

	if ((res = resolver_for(sv->addr, t->tmo)) == NULL) {
		why = "not an IP address[@port]";
	} else if ((p = ask(res, t->apex, LDNS_RR_TYPE_SOA, 0)) == NULL) {
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
		}
		ldns_rr_list_deep_free(soa);
		ldns_pkt_free(p);
	}
	if (why != NULL && (sv->error = strdup(why)) == NULL)
		t->nomem = 1;
	if (res != NULL)
		ldns_resolver_deep_free(res);
	return NULL;
}

int
audit_dns_zone(struct audit_zone *z, const struct audit_dns_opts *o,
    char *err, size_t errsz)
{
	unsigned tmo = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	struct soa_task t[AUDIT_MAX_SERVERS];
	pthread_t th[AUDIT_MAX_SERVERS];
	int started[AUDIT_MAX_SERVERS];
	char apex[300];
	size_t i;
	int nomem = 0;

	snprintf(apex, sizeof(apex), "%s.", z->domain);
	if (o->nservers > 0) {
		for (i = 0; i < o->nservers; i++)
			if (add_server(z, o->servers[i], o->servers[i]) == -1)
				goto nomem;
	} else if (find_servers(z, err, errsz) == -1)
		return -1;
	/* Every server at once: one thread each (at most 16). */
	for (i = 0; i < z->nservers; i++) {
		t[i] = (struct soa_task){ &z->servers[i], apex, tmo, 0 };
		started[i] = pthread_create(&th[i], NULL, soa_thread,
		    &t[i]) == 0;
		if (!started[i])
			soa_thread(&t[i]);
	}
	for (i = 0; i < z->nservers; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		nomem |= t[i].nomem;
	}
	if (nomem)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}
/* answer_text: a server's answer for one TXT name, canonical. */
static char *
answer_text(const ldns_pkt *p, const char *owner)
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

/* One worker: server K, senders FIRST, FIRST + STEP, ... */
struct auth_task {
	const struct audit_zone	 *z;
	struct audit_sender	**s;
	size_t			  n, k, first, step;
	unsigned		  tmo;
	int			  nomem;
};

static void *
auth_thread(void *arg)
{
	struct auth_task *t = arg;
	ldns_resolver *res;
	ldns_pkt *p;
	size_t i;

	if ((res = resolver_for(t->z->servers[t->k].addr, t->tmo)) == NULL)
		return NULL;
	for (i = t->first; i < t->n && !t->nomem; i += t->step) {
		if ((p = ask(res, t->s[i]->owner, LDNS_RR_TYPE_TXT, 0)) ==
		    NULL)
			continue;
		free(t->s[i]->answers[t->k]);
		if ((t->s[i]->answers[t->k] = answer_text(p,
		    t->s[i]->owner)) == NULL)
			t->nomem = 1;
		ldns_pkt_free(p);
	}
	ldns_resolver_deep_free(res);
	return NULL;
}

int
audit_dns_auth(const struct audit_zone *z, struct audit_sender **s,
    size_t n, const struct audit_dns_opts *o)
{
	unsigned tmo = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	struct auth_task *t;
	pthread_t *th;
	int *started;
	size_t k, w, nt = 0, per;
	int rc = 0;

	if (n == 0 || z->nservers == 0)
		return 0;
	/* AUDIT_DNS_WORKERS threads in all, spread over the servers. */
	per = AUDIT_DNS_WORKERS / z->nservers;
	if (per == 0)
		per = 1;
	if (per > n)
		per = n;
	t = calloc(z->nservers * per, sizeof(*t));
	th = calloc(z->nservers * per, sizeof(*th));
	started = calloc(z->nservers * per, sizeof(*started));
	if (t == NULL || th == NULL || started == NULL) {
		rc = -1;
		goto done;
	}
	for (k = 0; k < z->nservers; k++) {
		if (!z->servers[k].ok)
			continue;
		for (w = 0; w < per; w++, nt++) {
			t[nt] = (struct auth_task){ z, s, n, k, w, per, tmo,
			    0 };
			started[nt] = pthread_create(&th[nt], NULL,
			    auth_thread, &t[nt]) == 0;
			if (!started[nt])
				auth_thread(&t[nt]);
		}
	}
	for (w = 0; w < nt; w++) {
		if (started[w])
			pthread_join(th[w], NULL);
		if (t[w].nomem)
			rc = -1;
	}
done:
	free(t);
	free(th);
	free(started);
	return rc;
}

/* --- zone transfer ------------------------------------------------ */

/*
 * dkim_bridge: when RR is a TXT record at a DKIM bridge name of the zone
 * (NAME "sk" + 32 lowercase hex + DSUFFIX, "._domainkey.DOMAIN.") holding
 * a DKIM key record with a usable key (keyrec_dkim_parse, p= not empty:
 * one a DKIM verifier accepts), its 32 hex digits, malloc'd in *SEL;
 * else *SEL NULL.  0, or -1 when out of memory.
 */
static int
dkim_bridge(const ldns_rr *rr, const char *name, const char *dsuffix,
    char **sel)
{
	char text[KEYREC_MAX_LEN + 1];
	struct keyrec *kr;
	enum keyrec_err err;
	size_t i, k, len = 0, n;
	int usable;

	*sel = NULL;
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT ||
	    strlen(name) != OWNER_DKIM_SEL_LEN + strlen(dsuffix) ||
	    strncmp(name, "sk", 2) != 0 ||
	    strcmp(name + OWNER_DKIM_SEL_LEN, dsuffix) != 0)
		return 0;
	for (i = 2; i < OWNER_DKIM_SEL_LEN; i++)
		if (!isdigit((unsigned char)name[i]) &&
		    (name[i] < 'a' || name[i] > 'f'))
			return 0;
	for (k = 0; k < ldns_rr_rd_count(rr); k++) {
		const ldns_rdf *d = ldns_rr_rdf(rr, k);

		n = ldns_rdf_size(d) > 0 ? ldns_rdf_data(d)[0] : 0;
		if (n + 1 > ldns_rdf_size(d) || len + n > KEYREC_MAX_LEN)
			return 0;
		memcpy(text + len, ldns_rdf_data(d) + 1, n);
		len += n;
	}
	if ((kr = keyrec_dkim_parse(text, len, &err, NULL)) == NULL)
		return 0;
	usable = keyrec_get(kr)->keylen > 0;
	keyrec_free(kr);
	if (usable && (*sel = strndup(name + 2, OWNER_DKIM_HEX)) == NULL)
		return -1;
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * push_sel: SEL (taken) onto *V (*N of *CAP); a repeat of the last one
 * is freed.  0, or -1 when out of memory (SEL freed).
 */
static int
push_sel(char ***v, size_t *n, size_t *cap, char *sel)
{
	char **nv;

	if (*n > 0 && strcmp((*v)[*n - 1], sel) == 0) {
		free(sel);
		return 0;
	}
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		if ((nv = reallocarray(*v, *cap, sizeof(*nv))) == NULL) {
			free(sel);
			return -1;
		}
		*v = nv;
	}
	(*v)[(*n)++] = sel;
	return 0;
}

int
audit_dns_axfr(struct audit_zone *z, const struct audit_dns_opts *o,
    char *err, size_t errsz)
{
	unsigned tmo = o->timeout_ms != 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	ldns_resolver *res = NULL;
	ldns_rdf *apex = NULL;
	ldns_rr *rr;
	char suffix[300], dsuffix[300], **hashes = NULL, **nh, *name = NULL;
	char **sels = NULL, *sel;
	size_t i, k, n = 0, cap = 0, slen, ns = 0, scap = 0;
	int rc = -1;

	snprintf(suffix, sizeof(suffix), "._senderkey.%s.", z->domain);
	snprintf(dsuffix, sizeof(dsuffix), "._domainkey.%s.", z->domain);
	slen = strlen(suffix);
	for (k = 0; k < z->nservers && !z->servers[k].ok; k++)
		;
	if (k == z->nservers)
		return 0;
	if ((res = resolver_for(z->servers[k].addr, tmo)) == NULL ||
	    (apex = ldns_dname_new_frm_str(z->domain)) == NULL)
		goto nomem;
	ldns_resolver_set_dnssec(res, false);
	ldns_resolver_set_dnssec_cd(res, false);
	if (ldns_axfr_start(res, apex, LDNS_RR_CLASS_IN) != LDNS_STATUS_OK) {
		rc = 0;		/* no transfer: not an error */
		goto done;
	}
	while ((rr = ldns_axfr_next(res)) != NULL) {
		free(name);
		name = dname_str(ldns_rr_owner(rr));
		if (name != NULL && ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
		    strlen(name) == OWNER_HASH_LEN + slen &&
		    strcmp(name + OWNER_HASH_LEN, suffix) == 0 &&
		    (n == 0 || strncmp(hashes[n - 1], name,
		    OWNER_HASH_LEN) != 0)) {
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((nh = reallocarray(hashes, cap,
				    sizeof(*nh))) == NULL) {
					ldns_rr_free(rr);
					goto nomem;
				}
				hashes = nh;
			}
			if ((hashes[n] = strndup(name, OWNER_HASH_LEN)) ==
			    NULL) {
				ldns_rr_free(rr);
				goto nomem;
			}
			n++;
		}
		if (name != NULL && (dkim_bridge(rr, name, dsuffix, &sel) == -1 ||
		    (sel != NULL && push_sel(&sels, &ns, &scap, sel) == -1))) {
			ldns_rr_free(rr);
			goto nomem;
		}
		ldns_rr_free(rr);
	}
	if (!ldns_axfr_complete(res)) {
		rc = 0;		/* refused or cut short: not a source */
		goto done;
	}
	/* The transfer replaces nothing: its names join Z's. */
	if (n > 0) {
		if ((nh = reallocarray(z->hashes, z->nhashes + n,
		    sizeof(*nh))) == NULL)
			goto nomem;
		z->hashes = nh;
		for (i = 0; i < n; i++) {
			z->hashes[z->nhashes++] = hashes[i];
			hashes[i] = NULL;
		}
	}
	/* The DKIM bridge names, sorted, each once (audit.c's lookups). */
	if (ns > 1)	/* qsort of NULL, 0 is undefined (UBSan) */
		qsort(sels, ns, sizeof(*sels), strp_cmp);
	for (i = 0; i < ns; i++) {
		if (z->ndkim_sels > 0 &&
		    strcmp(z->dkim_sels[z->ndkim_sels - 1], sels[i]) == 0)
			continue;
		if ((nh = reallocarray(z->dkim_sels, z->ndkim_sels + 1,
		    sizeof(*nh))) == NULL)
			goto nomem;
		z->dkim_sels = nh;
		z->dkim_sels[z->ndkim_sels++] = sels[i];
		sels[i] = NULL;
	}
	z->axfr = 1;
	z->axfr_server = k;
	rc = 0;
	goto done;
nomem:
	snprintf(err, errsz, "out of memory");
done:
	for (i = 0; i < n; i++)
		free(hashes[i]);
	free(hashes);
	for (i = 0; i < ns; i++)
		free(sels[i]);
	free(sels);
	free(name);
	ldns_rdf_deep_free(apex);
	if (res != NULL) {
		ldns_axfr_abort(res);
		ldns_resolver_deep_free(res);
	}
	return rc;
}
