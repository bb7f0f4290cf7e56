/*
 * confirm.c: after an apply, does every NS serve the new data and does it
 * validate (confirm.h).  Direct queries with ldns (TCP, no recursion, the
 * answer must be authoritative); validation through core/lookup.c.
 */
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lookup.h"
#include "confirm.h"
#include "current.h"
#include "plan.h"

#define CONFIRM_TIMEOUT_S	5

struct confirm_server {
	char	*name;		/* NS target, as text */
	char	*addr;		/* its address, as text */
};

struct confirm {
	const struct plan	*p;
	const struct lookup_opts *lo;
	char			*domain;	/* zone, text, final dot */
	uint16_t		 port;
	struct confirm_server	 s[CONFIRM_MAX_SERVERS];
	size_t			 ns;
};

/*
 * ask: the authoritative answer RRs of type T at NAME from R, a new list
 * (possibly empty), or NULL when the server gave no authoritative answer.
 */
static ldns_rr_list *
ask(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t)
{
	ldns_pkt *pkt = NULL;
	ldns_rr_list *l = NULL;
	ldns_pkt_rcode rc;

	if (ldns_resolver_send(&pkt, r, name, t, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK || pkt == NULL)
		goto done;
	rc = ldns_pkt_get_rcode(pkt);
	if (!ldns_pkt_aa(pkt) || (rc != LDNS_RCODE_NOERROR &&
	    rc != LDNS_RCODE_NXDOMAIN))
		goto done;
	if ((l = ldns_pkt_rr_list_by_name_and_type(pkt, name, t,
	    LDNS_SECTION_ANSWER)) == NULL)
		l = ldns_rr_list_new();
done:
	ldns_pkt_free(pkt);
	return l;
}

/* has: 1 when L holds RR with the same RDATA (and TTL when TTL is set). */
static int
has(const ldns_rr_list *l, const ldns_rr *rr, int ttl)
{
	const ldns_rr *x;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		x = ldns_rr_list_rr(l, i);
		if (ldns_rr_compare(x, rr) == 0 &&
		    (!ttl || ldns_rr_ttl(x) == ldns_rr_ttl(rr)))
			return 1;
	}
	return 0;
}

static int
add_server(struct confirm *c, const char *name, const char *addr)
{
	if (c->ns == CONFIRM_MAX_SERVERS)
		return 0;
	if ((c->s[c->ns].name = strdup(name)) == NULL)
		return -1;
	if ((c->s[c->ns].addr = strdup(addr)) == NULL) {
		free(c->s[c->ns].name);
		return -1;
	}
	c->ns++;
	return 0;
}

/* override: the address O gives for NAME ("NAME=IP"), or NULL. */
static const char *
override(const struct confirm_opts *o, const char *name)
{
	const char *eq;
	size_t i, n;

	n = strlen(name);
	for (i = 0; i < o->noverrides; i++) {
		if ((eq = strchr(o->overrides[i], '=')) == NULL)
			continue;
		if ((size_t)(eq - o->overrides[i]) == n - 1 &&
		    strncasecmp(o->overrides[i], name, n - 1) == 0)
			return eq + 1;
		if ((size_t)(eq - o->overrides[i]) == n &&
		    strncasecmp(o->overrides[i], name, n) == 0)
			return eq + 1;
	}
	return NULL;
}

/* addresses: NAME's addresses into C; 0, or -1 with ERR set. */
static int
addresses(struct confirm *c, const struct confirm_opts *o, ldns_resolver *r,
    const ldns_rdf *target, const char *name, char *err, size_t errsz)
{
	static const ldns_rr_type t[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	struct addrinfo hints, *res = NULL, *ai;
	ldns_rr_list *l;
	const char *ov;
	char host[NI_MAXHOST], *s;
	size_t i, j, before = c->ns;

	if ((ov = override(o, name)) != NULL)
		return add_server(c, name, ov);
	for (j = 0; j < 2; j++) {
		if ((l = ask(r, target, t[j])) == NULL)
			continue;
		for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
			s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, i),
			    0));
			if (s == NULL || add_server(c, name, s) == -1) {
				free(s);
				ldns_rr_list_deep_free(l);
				snprintf(err, errsz, "out of memory");
				return -1;
			}
			free(s);
		}
		ldns_rr_list_deep_free(l);
	}
	if (c->ns > before)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || res == NULL) {
		snprintf(err, errsz, "NS %s: no address (the primary serves "
		    "none and the system resolver finds none; give "
		    "--ns-address %s=IP)", name, name);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) == 0 &&
		    add_server(c, name, host) == -1) {
			freeaddrinfo(res);
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	freeaddrinfo(res);
	return 0;
}

struct confirm *
confirm_new(const struct plan *p, const struct confirm_opts *o, char *err,
    size_t errsz)
{
	struct confirm *c = NULL;
	ldns_resolver *r = NULL;
	ldns_rr_list *ns = NULL;
	char *name = NULL;
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->domain = ldns_rdf2str(o->zone)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	c->p = p;
	c->lo = o->lookup;
	c->port = o->port;
	for (i = 0; i < o->noverrides; i++)
		if (strchr(o->overrides[i], '=') == NULL ||
		    strchr(o->overrides[i], '=')[1] == '\0') {
			snprintf(err, errsz, "--ns-address %s: expected "
			    "NAME=IP", o->overrides[i]);
			goto fail;
		}
	if ((r = current_resolver(o->primary, o->port, NULL,
	    CONFIRM_TIMEOUT_S)) == NULL) {
		snprintf(err, errsz, "%s: not an IP address", o->primary);
		goto fail;
	}
	if ((ns = ask(r, o->zone, LDNS_RR_TYPE_NS)) == NULL ||
	    ldns_rr_list_rr_count(ns) == 0) {
		snprintf(err, errsz, "%s: no authoritative NS set for %s",
		    o->primary, c->domain);
		goto fail;
	}
	ldns_rr_list_sort(ns);
	for (i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rdf *t = ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0);

		if ((name = ldns_rdf2str(t)) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		if (addresses(c, o, r, t, name, err, errsz) == -1)
			goto fail;
		free(name);
		name = NULL;
	}
	ldns_rr_list_deep_free(ns);
	ldns_resolver_deep_free(r);
	return c;
fail:
	free(name);
	ldns_rr_list_deep_free(ns);
	ldns_resolver_deep_free(r);
	confirm_free(c);
	return NULL;
}

void
confirm_free(struct confirm *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ns; i++) {
		free(c->s[i].name);
		free(c->s[i].addr);
	}
	free(c->domain);
	free(c);
}

/*
 * server_round: 0 when server S serves every RRset of the plan as
 * planned, else 1 (the first difference in WHY).
 */
static int
server_round(const struct confirm *c, const struct confirm_server *s,
    char *why, size_t whysz)
{
	const struct plan_rrset *rs;
	ldns_resolver *r;
	ldns_rr_list *l;
	char *o;
	size_t i, j;
	int bad = 0;

	if ((r = current_resolver(s->addr, c->port, NULL,
	    CONFIRM_TIMEOUT_S)) == NULL) {
		snprintf(why, whysz, "not an IP address");
		return 1;
	}
	for (i = 0; i < plan_count(c->p) && !bad; i++) {
		rs = plan_rrset(c->p, i);
		if ((l = ask(r, rs->owner, rs->type)) == NULL) {
			o = ldns_rdf2str(rs->owner);
			snprintf(why, whysz, "no authoritative answer for %s",
			    o != NULL ? o : "?");
			free(o);
			bad = 1;
			break;
		}
		for (j = 0; j < ldns_rr_list_rr_count(rs->add) && !bad; j++)
			if (!has(l, ldns_rr_list_rr(rs->add, j), 1))
				bad = 1;
		for (j = 0; j < ldns_rr_list_rr_count(rs->del) && !bad; j++)
			if (has(l, ldns_rr_list_rr(rs->del, j), 1) &&
			    !has(rs->add, ldns_rr_list_rr(rs->del, j), 1))
				bad = 2;
		if (bad) {
			o = ldns_rdf2str(rs->owner);
			snprintf(why, whysz, "%s at %s", bad == 1 ?
			    "a new record is missing" :
			    "a deleted record is still served",
			    o != NULL ? o : "?");
			free(o);
		}
		ldns_rr_list_deep_free(l);
	}
	ldns_resolver_deep_free(r);
	return bad != 0;
}

/* final_sk1: 1 when RS's RRset after the plan holds a v=SK1 TXT. */
static int
final_sk1(const struct plan_rrset *rs)
{
	const ldns_rr_list *ls[2] = { rs->old, rs->add };
	const ldns_rr *rr;
	const ldns_rdf *d;
	size_t i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < ldns_rr_list_rr_count(ls[k]); i++) {
			rr = ldns_rr_list_rr(ls[k], i);
			if (k == 0 && has(rs->del, rr, 1))
				continue;
			if (ldns_rr_rd_count(rr) == 0)
				continue;
			d = ldns_rr_rdf(rr, 0);
			if (ldns_rdf_size(d) >= 6 && memcmp(ldns_rdf_data(d) +
			    1, "v=SK1", 5) == 0)
				return 1;
		}
	return 0;
}

/* validate_round: look up each changed TXT name; the number wrong. */
static int
validate_round(const struct confirm *c, FILE *out, char *err, size_t errsz)
{
	const struct plan_rrset *rs;
	struct lookup_answer *ans = NULL;
	struct lookup *lk;
	enum lookup_kind kind;
	char *o;
	size_t i, dl, ol;
	int want, ok, nbad = 0;

	if ((lk = lookup_new(c->lo, err, errsz)) == NULL)
		return -1;
	dl = strlen(c->domain);
	for (i = 0; i < plan_count(c->p); i++) {
		rs = plan_rrset(c->p, i);
		if (rs->type != LDNS_RR_TYPE_TXT)
			continue;
		if ((o = ldns_rdf2str(rs->owner)) == NULL)
			goto oom;
		ol = strlen(o);
		if (ol == dl + 11 && strncasecmp(o, "_senderkey.", 11) == 0)
			kind = LOOKUP_POLICY;
		else if (ol > dl + 12 && strncasecmp(o + ol - dl - 12,
		    "._senderkey.", 12) == 0)
			kind = LOOKUP_KEY;
		else {
			free(o);
			continue;
		}
		if (lookup_sync(lk, o, kind, &ans) == -1) {
			free(o);
			goto oom;
		}
		want = final_sk1(rs);
		if (want)
			ok = ans->state == LOOKUP_SECURE_KEY ||
			    ans->state == LOOKUP_SECURE_NOKEY;
		else
			ok = ans->state == LOOKUP_SECURE_NOKEY;
		if (!ok)
			nbad++;
		if (out != NULL)
			fprintf(out, "confirm: %s %s: %s%s%s%s\n", o,
			    kind == LOOKUP_POLICY ? "policy" : "key",
			    lookup_state_name(ans->state),
			    ans->reason != NULL ? " " : "",
			    ans->reason != NULL ? ans->reason : "",
			    ok ? "" : want ? " (expected: secure, with the "
			    "new records)" : " (expected: secure, no record)");
		lookup_answer_free(ans);
		ans = NULL;
		free(o);
	}
	lookup_free(lk);
	return nbad;
oom:
	snprintf(err, errsz, "out of memory");
	lookup_free(lk);
	return -1;
}

int
confirm_round(struct confirm *c, FILE *out, char *err, size_t errsz)
{
	char why[512];
	size_t i;
	int nbad = 0, v;

	for (i = 0; i < c->ns; i++) {
		if (server_round(c, &c->s[i], why, sizeof(why)) != 0) {
			nbad++;
			if (out != NULL)
				fprintf(out, "confirm: %s (%s): %s\n",
				    c->s[i].name, c->s[i].addr, why);
		} else if (out != NULL)
			fprintf(out, "confirm: %s (%s): serves the new "
			    "data\n", c->s[i].name, c->s[i].addr);
	}
	if (c->lo == NULL)
		return nbad;
	if ((v = validate_round(c, out, err, errsz)) == -1)
		return -1;
	return nbad + v;
}
