/*
 * audit_val.c: validated lookups for "senderkey audit" through
 * lookup.h's packet answers: many in flight, each with a deadline; the
 * zone's probes (policy, SOA, a name that does not exist), the NSEC walk,
 * and every sender.  Only what libunbound validated is trusted (see
 * audit_val.h).  Not here: direct queries (audit_dns.c), checks.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "lib/keyrec.h"
#include "lib/owner.h"
#include "audit_val.h"

struct vrun;

/* One validated query and what to do with its answer. */
struct vjob {
	struct vrun	*run;
	const char	*qname;
	int		 type;
	enum lookup_kind kind;
	void		(*done)(struct vrun *, struct vjob *,
			    struct lookup_packet *);
	size_t		 i;		/* the sender (sender jobs) */
	int		 id;
	int		 active;
	int64_t		 start;		/* ms */
};

struct vrun {
	struct audit_zone	 *z;
	struct audit_sender	**s;
	int64_t			  now;	/* real time (bogus expiry) */
	int			  failed;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
audit_val_sig_expire(const struct ldns_struct_pkt *p, int type)
{
	const ldns_rr_list *l;
	ldns_rr *rr;
	int64_t t, min = 0;
	size_t i;

	if (p == NULL)
		return 0;
	l = ldns_pkt_answer(p);
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rrsig_typecovered(rr) == NULL ||
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) !=
		    (ldns_rr_type)type ||
		    ldns_rr_rrsig_expiration(rr) == NULL)
			continue;
		t = (int64_t)(uint32_t)ldns_rdf2native_int32(
		    ldns_rr_rrsig_expiration(rr));
		if (min == 0 || t < min)
			min = t;
	}
	return min;
}

enum audit_denial
audit_val_denial(const struct ldns_struct_pkt *p, int *iter)
{
	const ldns_rr_list *auth;
	enum audit_denial d = AUDIT_DENIAL_NONE;
	ldns_rr_type t;
	size_t i;

	if (p == NULL)
		return AUDIT_DENIAL_UNKNOWN;
	auth = ldns_pkt_authority(p);
	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		t = ldns_rr_get_type(ldns_rr_list_rr(auth, i));
		if (t == LDNS_RR_TYPE_NSEC3) {
			if (iter != NULL)
				*iter = ldns_nsec3_iterations(
				    ldns_rr_list_rr(auth, i));
			return AUDIT_DENIAL_NSEC3;
		}
		if (t == LDNS_RR_TYPE_NSEC)
			d = AUDIT_DENIAL_NSEC;
	}
	return d;
}

int
audit_val_optout(const struct ldns_struct_pkt *p)
{
	const ldns_rr_list *auth;
	const ldns_rr *rr;
	size_t i;

	if (p == NULL)
		return 0;
	auth = ldns_pkt_authority(p);
	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC3 &&
		    ldns_rr_rd_count(rr) >= 2 &&
		    ldns_nsec3_optout(rr))
			return 1;
	}
	return 0;
}

/*
 * expiry: the RRSIG expiry P shows for TYPE: any from a secure answer;
 * from a bogus one only a time already past (it explains the failure and
 * can only add a finding); 0 otherwise.
 */
static int64_t
expiry(const struct vrun *run, const struct lookup_packet *p, int type)
{
	int64_t t = audit_val_sig_expire(p->pkt, type);

	if (p->dnssec == LOOKUP_DNSSEC_SECURE)
		return t;
	if (p->dnssec == LOOKUP_DNSSEC_BOGUS && t != 0 && t <= run->now)
		return t;
	return 0;
}

/*
 * take_state: the state and reason of P's TXT classification into *ST
 * and *REASON (a FAILED packet is TEMPFAIL with its reason).  Returns 0,
 * or -1 when out of memory.
 */
static int
take_state(struct lookup_packet *p, enum lookup_state *st, char **reason)
{
	free(*reason);
	*reason = NULL;
	if (p->answer == NULL) {
		*st = LOOKUP_TEMPFAIL;
		*reason = strdup(p->why != NULL ? p->why : "no answer");
		return *reason != NULL ? 0 : -1;
	}
	*st = p->answer->state;
	*reason = p->answer->reason;
	p->answer->reason = NULL;
	return 0;
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
sender_done(struct vrun *run, struct vjob *j, struct lookup_packet *p)
{
	struct audit_sender *s = run->s[j->i];

	s->looked_up = 1;
	if (take_state(p, &s->state, &s->reason) == -1)
		run->failed = 1;
	if (p->answer != NULL) {
		s->nokey = p->answer->nokey;
		s->keyerr = p->answer->keyerr;
		s->nbad = p->answer->nbad;
		take_keys(s, p->answer);
	}
	if (p->pkt != NULL)
		s->sig_expire = expiry(run, p, LDNS_RR_TYPE_TXT);
}

char *
audit_val_dkim_owner(const char *owner)
{
	const char *suf = owner + OWNER_HASH_LEN;
	char *out;
	size_t i;

	for (i = 0; i < OWNER_HASH_LEN; i++)
		if (!((owner[i] >= '0' && owner[i] <= '9') ||
		    (owner[i] >= 'a' && owner[i] <= 'f')))
			return NULL;
	if (strncmp(suf, "._senderkey.", 12) != 0 ||
	    asprintf(&out, "sk%.*s._domainkey.%s", OWNER_DKIM_HEX, owner,
	    suf + 12) == -1)
		return NULL;
	return out;
}

void
audit_val_dkim(const struct ldns_struct_pkt *p, struct audit_sender *s)
{
	ldns_rr_list *an = p != NULL ? ldns_pkt_answer(p) : NULL;
	const struct keyrec_fields *f;
	enum keyrec_err err;
	struct keyrec *kr;
	const ldns_rr *rr;
	char text[KEYREC_MAX_LEN + 1];
	size_t i, k, len, n;

	for (i = 0; an != NULL && i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		s->dkim_nrec++;
		for (k = 0, len = 0; k < ldns_rr_rd_count(rr); k++) {
			const ldns_rdf *d = ldns_rr_rdf(rr, k);

			n = ldns_rdf_size(d) > 0 ? ldns_rdf_data(d)[0] : 0;
			if (n + 1 > ldns_rdf_size(d) || len + n > KEYREC_MAX_LEN)
				break;
			memcpy(text + len, ldns_rdf_data(d) + 1, n);
			len += n;
		}
		kr = k == ldns_rr_rd_count(rr) ?
		    keyrec_dkim_parse(text, len, &err, NULL) : NULL;
		if (kr == NULL) {
			if (s->dkim_nbad++ == 0)
				s->dkim_keyerr = k == ldns_rr_rd_count(rr) ?
				    err : KEYREC_ETOOLONG;
			continue;
		}
		f = keyrec_get(kr);
		if (f->keylen > 0 && s->ndkim < AUDIT_MAX_KEYS &&
		    audit_key_set(&s->dkim[s->ndkim], (int)f->alg, f->key,
		    f->keylen, keyrec_bits(kr), f->testing) == 0)
			s->ndkim++;
		keyrec_free(kr);
	}
}

/*
 * dkim_done: the DKIM bridge name's answer: its DNSSEC state, then, from
 * a secure answer, its records (audit_val_dkim); from an insecure one
 * only whether there are records (the keys are not trusted).
 */
static void
dkim_done(struct vrun *run, struct vjob *j, struct lookup_packet *p)
{
	struct audit_sender *s = run->s[j->i];

	s->dkim_looked_up = 1;
	free(s->dkim_reason);
	s->dkim_reason = NULL;
	switch (p->dnssec) {
	case LOOKUP_DNSSEC_FAILED:
		s->dkim_state = LOOKUP_TEMPFAIL;
		break;
	case LOOKUP_DNSSEC_BOGUS:
		s->dkim_state = LOOKUP_BOGUS;
		break;
	case LOOKUP_DNSSEC_INSECURE:
		audit_val_dkim(p->pkt, s);
		s->dkim_state = LOOKUP_INSECURE;
		for (; s->ndkim > 0; s->ndkim--)
			audit_key_clear(&s->dkim[s->ndkim - 1]);
		return;
	case LOOKUP_DNSSEC_SECURE:
		audit_val_dkim(p->pkt, s);
		s->dkim_state = s->ndkim > 0 ? LOOKUP_SECURE_KEY :
		    s->dkim_nrec > 0 && s->dkim_nbad == s->dkim_nrec ?
		    LOOKUP_PERMERROR : LOOKUP_SECURE_NOKEY;
		return;
	}
	if (p->why != NULL && (s->dkim_reason = strdup(p->why)) == NULL)
		run->failed = 1;
}

static void
policy_done(struct vrun *run, struct vjob *j, struct lookup_packet *p)
{
	(void)j;
	run->z->probed = 1;
	run->z->policy_all = p->answer != NULL &&
	    p->answer->state == LOOKUP_SECURE_KEY &&
	    p->answer->policy == POLICYREC_ALL;
	if (take_state(p, &run->z->state, &run->z->reason) == -1)
		run->failed = 1;
}

static void
soa_done(struct vrun *run, struct vjob *j, struct lookup_packet *p)
{
	(void)j;
	if (p->pkt != NULL)
		run->z->soa_sig_expire = expiry(run, p, LDNS_RR_TYPE_SOA);
}

static void
probe_done(struct vrun *run, struct vjob *j, struct lookup_packet *p)
{
	struct audit_zone *z = run->z;

	(void)j;
	if (p->pkt == NULL)
		return;
	if (p->dnssec == LOOKUP_DNSSEC_SECURE) {
		z->denial = audit_val_denial(p->pkt, &z->nsec3_iterations);
		z->nsec3_optout = audit_val_optout(p->pkt);
	} else if (p->dnssec == LOOKUP_DNSSEC_INSECURE) {
		/*
		 * Nothing proven.  The one thing read from this answer is
		 * the opt-out flag: it only adds a finding (audit.md 1).
		 */
		z->denial = AUDIT_DENIAL_NONE;
		if ((z->nsec3_optout = audit_val_optout(p->pkt)) != 0)
			z->denial = AUDIT_DENIAL_NSEC3;
	}
}

static void
on_packet(void *arg, int id, struct lookup_packet *p)
{
	struct vjob *j = arg;

	(void)id;
	j->active = 0;
	if (p == NULL) {
		j->run->failed = 1;
		return;
	}
	j->done(j->run, j, p);
	lookup_packet_free(p);
}

/* expire_job: cancel J's query and hand it a FAILED "timeout" answer. */
static void
expire_job(struct lookup *lk, struct vjob *j)
{
	lookup_cancel(lk, j->id);
	on_packet(j, j->id, lookup_packet_failed(j->type, "timeout"));
}

/*
 * run_jobs: the N jobs J through LK, at most MAX in flight, each
 * cancelled after TMO ms.  Returns 0, or -1 (ERR set).
 */
static int
run_jobs(struct lookup *lk, struct vjob *j, size_t n, size_t max,
    unsigned tmo, char *err, size_t errsz)
{
	struct pollfd pfd;
	size_t next = 0, oldest = 0;
	struct vrun *run = n > 0 ? j[0].run : NULL;

	for (;;) {
		while (next < n && lookup_pending(lk) < max) {
			if (lookup_packet_start(lk, j[next].qname,
			    j[next].type, j[next].kind, on_packet, &j[next],
			    &j[next].id) == -1) {
				snprintf(err, errsz, "%s: cannot start the "
				    "lookup", j[next].qname);
				return -1;
			}
			j[next].active = 1;
			j[next].start = now_ms();
			next++;
		}
		if (lookup_pending(lk) == 0)
			break;
		pfd.fd = lookup_fd(lk);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0 && lookup_process(lk) == -1) {
			snprintf(err, errsz, "libunbound failed");
			return -1;
		}
		if (run != NULL && run->failed) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		/* Jobs start in index order: the oldest active one is first. */
		while (oldest < next && !j[oldest].active)
			oldest++;
		while (oldest < next && now_ms() - j[oldest].start >=
		    (int64_t)tmo) {
			if (j[oldest].active)
				expire_job(lk, &j[oldest]);
			oldest++;
		}
	}
	if (run != NULL && run->failed) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

static unsigned
lookup_tmo(const struct audit_dns_opts *o)
{
	return o->lookup_timeout_ms != 0 ? o->lookup_timeout_ms :
	    LOOKUP_DEFAULT_TIMEOUT;
}

static char *
dname_lower(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d), *p;

	if (s != NULL)
		for (p = s; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return s;
}

static int
add_hash(struct audit_zone *z, const char *name, size_t *cap)
{
	char **nh, *h;

	if (z->nhashes == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		if ((nh = reallocarray(z->hashes, *cap, sizeof(*nh))) == NULL)
			return -1;
		z->hashes = nh;
	}
	if ((h = strndup(name, OWNER_HASH_LEN)) == NULL)
		return -1;
	z->hashes[z->nhashes++] = h;
	return 0;
}

/*
 * walk: follow the NSEC chain from the apex with validated NSEC queries;
 * stops (incomplete) at the first answer that is not secure or has no
 * NSEC at the name.  Returns 0, or -1 when out of memory.
 */
static int
walk(struct lookup *lk, struct audit_zone *z)
{
	struct lookup_packet *p = NULL;
	ldns_rdf *apex = NULL, *cur = NULL, *next;
	ldns_rr_list *l = NULL;
	char suffix[300], *name = NULL;
	size_t steps, slen, cap = 0;
	int rc = -1;

	z->walked = 1;
	snprintf(suffix, sizeof(suffix), "._senderkey.%s.", z->domain);
	slen = strlen(suffix);
	if ((apex = ldns_dname_new_frm_str(z->domain)) == NULL ||
	    (cur = ldns_rdf_clone(apex)) == NULL)
		goto done;
	for (steps = 0; steps < AUDIT_DNS_WALK_MAX; steps++) {
		free(name);
		if ((name = dname_lower(cur)) == NULL)
			goto done;
		lookup_packet_free(p);
		p = NULL;
		ldns_rr_list_deep_free(l);
		l = NULL;
		if (lookup_packet_sync(lk, name, LDNS_RR_TYPE_NSEC, LOOKUP_KEY,
		    &p) == -1)
			goto done;
		if (p->dnssec != LOOKUP_DNSSEC_SECURE || p->pkt == NULL ||
		    (l = ldns_pkt_rr_list_by_name_and_type(p->pkt, cur,
		    LDNS_RR_TYPE_NSEC, LDNS_SECTION_ANSWER)) == NULL)
			break;	/* incomplete */
		if ((next = ldns_rr_rdf(ldns_rr_list_rr(l, 0), 0)) == NULL)
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
		if ((name = dname_lower(cur)) == NULL)
			goto done;
		if (strlen(name) == OWNER_HASH_LEN + slen &&
		    strcmp(name + OWNER_HASH_LEN, suffix) == 0 &&
		    add_hash(z, name, &cap) == -1)
			goto done;
	}
	rc = 0;
done:
	free(name);
	lookup_packet_free(p);
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(apex);
	ldns_rdf_deep_free(cur);
	return rc;
}

int
audit_val_zone(struct lookup *lk, struct audit_zone *z,
    const struct audit_dns_opts *o, char *err, size_t errsz)
{
	struct vrun run = { z, NULL, (int64_t)time(NULL), 0 };
	struct vjob j[3];
	char pname[OWNER_NAME_MAX], apex[300], probe[300];

	memset(j, 0, sizeof(j));
	z->nsec3_iterations = -1;
	if (owner_policy_name(z->domain, pname, sizeof(pname)) == -1) {
		snprintf(err, errsz, "%s: bad domain", z->domain);
		return -1;
	}
	snprintf(apex, sizeof(apex), "%s.", z->domain);
	snprintf(probe, sizeof(probe), "sk-audit-probe._senderkey.%s.",
	    z->domain);
	j[0] = (struct vjob){ &run, pname, LDNS_RR_TYPE_TXT, LOOKUP_POLICY,
	    policy_done, 0, 0, 0, 0 };
	j[1] = (struct vjob){ &run, apex, LDNS_RR_TYPE_SOA, LOOKUP_KEY,
	    soa_done, 0, 0, 0, 0 };
	j[2] = (struct vjob){ &run, probe, LDNS_RR_TYPE_TXT, LOOKUP_KEY,
	    probe_done, 0, 0, 0, 0 };
	if (run_jobs(lk, j, 3, 3, lookup_tmo(o), err, errsz) == -1)
		return -1;
	if (z->denial == AUDIT_DENIAL_NSEC && o->walk && !z->axfr &&
	    walk(lk, z) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

int
audit_val_senders(struct lookup *lk, struct audit_sender **s, size_t n,
    const struct audit_dns_opts *o, char *err, size_t errsz)
{
	struct vrun run = { NULL, s, (int64_t)time(NULL), 0 };
	size_t max = o->inflight != 0 ? o->inflight : AUDIT_DNS_INFLIGHT, i;
	struct vjob *j;
	int rc;

	size_t nj = 0;

	if (n == 0)
		return 0;
	if ((j = calloc(2 * n, sizeof(*j))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		j[nj].run = &run;
		j[nj].qname = s[i]->owner;
		j[nj].type = LDNS_RR_TYPE_TXT;
		j[nj].kind = LOOKUP_KEY;
		j[nj].done = sender_done;
		j[nj++].i = i;
		/* The DKIM bridge name, read by audit_val_dkim, not kind. */
		if (s[i]->dkim_owner == NULL &&
		    (s[i]->dkim_owner = audit_val_dkim_owner(s[i]->owner)) ==
		    NULL)
			continue;
		j[nj].run = &run;
		j[nj].qname = s[i]->dkim_owner;
		j[nj].type = LDNS_RR_TYPE_TXT;
		j[nj].kind = LOOKUP_KEY;
		j[nj].done = dkim_done;
		j[nj++].i = i;
	}
	rc = run_jobs(lk, j, nj, max, lookup_tmo(o), err, errsz);
	free(j);
	return rc;
}
