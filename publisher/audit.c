/*
 * audit.c: the checks of "senderkey audit" over collected data, and the
 * report that holds their findings (specs/audit.md).  Pure: no I/O, no
 * clock (the caller gives "now").  Not here: collecting (audit_dns.c) or
 * printing (audit_out.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/keyrec.h"
#include "lib/owner.h"
#include "audit.h"
#include "audit_orphan.h"

struct audit_report {
	struct audit_finding	*f;
	size_t			 n, cap;
	size_t			 nsev[AUDIT_NSEV];
};

struct audit_report *
audit_report_new(void)
{
	return calloc(1, sizeof(struct audit_report));
}

void
audit_report_free(struct audit_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->f[i].subject);
		free(r->f[i].message);
	}
	free(r->f);
	free(r);
}

int
audit_report_add(struct audit_report *r, enum audit_sev sev,
    const char *code, const char *subject, const char *fmt, ...)
{
	struct audit_finding *nf, *f;
	va_list ap;
	char *msg = NULL;
	int len;

	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 16 : r->cap * 2;

		if (cap > SIZE_MAX / sizeof(*nf) ||
		    (nf = realloc(r->f, cap * sizeof(*nf))) == NULL)
			return -1;
		r->f = nf;
		r->cap = cap;
	}
	va_start(ap, fmt);
	len = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	f = &r->f[r->n];
	f->sev = sev;
	f->code = code;
	f->message = msg;
	if ((f->subject = strdup(subject != NULL ? subject : "")) == NULL) {
		free(msg);
		return -1;
	}
	r->n++;
	r->nsev[sev]++;
	return 0;
}

size_t
audit_report_count(const struct audit_report *r)
{
	return r->n;
}

const struct audit_finding *
audit_report_get(const struct audit_report *r, size_t i)
{
	return i < r->n ? &r->f[i] : NULL;
}

size_t
audit_report_nsev(const struct audit_report *r, enum audit_sev sev)
{
	return (unsigned)sev < AUDIT_NSEV ? r->nsev[sev] : 0;
}

enum audit_status
audit_report_status(const struct audit_report *r)
{
	if (r->nsev[AUDIT_CRITICAL] > 0 || r->nsev[AUDIT_ERROR] > 0)
		return AUDIT_STATUS_CRITICAL;
	if (r->nsev[AUDIT_WARNING] > 0)
		return AUDIT_STATUS_WARNING;
	return AUDIT_STATUS_OK;
}

const char *
audit_sev_name(enum audit_sev s)
{
	static const char *names[] = { "CRITICAL", "ERROR", "WARNING",
	    "NOTICE", "INFO" };

	return (unsigned)s < AUDIT_NSEV ? names[s] : "?";
}

const char *
audit_status_name(enum audit_status s)
{
	switch (s) {
	case AUDIT_STATUS_OK:
		return "OK";
	case AUDIT_STATUS_WARNING:
		return "WARNING";
	case AUDIT_STATUS_CRITICAL:
		return "CRITICAL";
	case AUDIT_STATUS_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}

const char *
audit_denial_name(enum audit_denial d)
{
	switch (d) {
	case AUDIT_DENIAL_NONE:
		return "none";
	case AUDIT_DENIAL_NSEC:
		return "nsec";
	case AUDIT_DENIAL_NSEC3:
		return "nsec3";
	case AUDIT_DENIAL_UNKNOWN:
		break;
	}
	return "unknown";
}

void
audit_time(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "%lld", (long long)t);
}

int
audit_key_set(struct audit_key *k, int alg, const unsigned char *key,
    size_t len, unsigned bits, int testing)
{
	memset(k, 0, sizeof(*k));
	k->alg = alg;
	k->bits = bits;
	k->testing = testing;
	if (key == NULL || len == 0) {
		k->revoked = 1;
		return 0;
	}
	if (len > AUDIT_MAX_KEYLEN || (k->key = malloc(len)) == NULL)
		return -1;
	memcpy(k->key, key, len);
	k->keylen = len;
	return 0;
}

void
audit_key_clear(struct audit_key *k)
{
	free(k->key);
	memset(k, 0, sizeof(*k));
}

struct audit_sender *
audit_sender_new(void)
{
	return calloc(1, sizeof(struct audit_sender));
}

void
audit_sender_free(struct audit_sender *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nexpected; i++)
		audit_key_clear(&s->expected[i]);
	for (i = 0; i < s->npublished; i++)
		audit_key_clear(&s->published[i]);
	for (i = 0; i < s->ndkim; i++)
		audit_key_clear(&s->dkim[i]);
	free(s->dkim_owner);
	free(s->dkim_reason);
	for (i = 0; i < AUDIT_MAX_SERVERS; i++)
		free(s->answers[i]);
	free(s->address);
	free(s->owner);
	free(s->origin);
	free(s->expect_error);
	free(s->reason);
	free(s);
}

void
audit_zone_clear(struct audit_zone *z)
{
	size_t i;

	free(z->domain);
	free(z->reason);
	for (i = 0; i < z->nhashes; i++)
		free(z->hashes[i]);
	free(z->hashes);
	for (i = 0; i < z->ndkim_sels; i++)
		free(z->dkim_sels[i]);
	free(z->dkim_sels);
	for (i = 0; i < z->nservers; i++) {
		free(z->servers[i].name);
		free(z->servers[i].addr);
		free(z->servers[i].error);
	}
	memset(z, 0, sizeof(*z));
}

/* --- the checks ----------------------------------------------------- */

#define ADD(...) do {							\
	if (audit_report_add(__VA_ARGS__) == -1)			\
		return -1;						\
} while (0)

static const char *
subject(const struct audit_sender *s)
{
	return s->address != NULL ? s->address : s->owner;
}

static int
same_key(const struct audit_key *a, const struct audit_key *b)
{
	return a->alg == b->alg && a->keylen == b->keylen && a->key != NULL &&
	    b->key != NULL && memcmp(a->key, b->key, a->keylen) == 0;
}

static const char *
alg_name(int alg)
{
	return alg == KEYREC_ED25519 || alg == KEYREC_RSA ?
	    keyrec_alg_name((enum keyrec_alg)alg) : "?";
}

/*
 * check_expiry: a deadline T for WHAT on SUBJ against the thresholds:
 * past -> CRITICAL PAST_CODE, within crit -> CRITICAL, within warn ->
 * WARNING (both SOON_CODE).
 */
static int
check_expiry(struct audit_report *r, const struct audit_opts *o,
    const char *subj, int64_t t, const char *past_code,
    const char *soon_code, const char *what)
{
	char ts[21];
	int64_t left;

	if (t == 0)
		return 0;
	audit_time(t, ts);
	left = t - o->now;
	if (left <= 0)
		ADD(r, AUDIT_CRITICAL, past_code, subj, "%s expired at %s",
		    what, ts);
	else if (left <= o->crit_expiry)
		ADD(r, AUDIT_CRITICAL, soon_code, subj, "%s expire at %s, in "
		    "%lldh (critical: under %lldh)", what, ts,
		    (long long)(left / 3600),
		    (long long)(o->crit_expiry / 3600));
	else if (left <= o->warn_expiry)
		ADD(r, AUDIT_WARNING, soon_code, subj, "%s expire at %s, in "
		    "%lldd (warning: under %lldd)", what, ts,
		    (long long)(left / 86400),
		    (long long)(o->warn_expiry / 86400));
	return 0;
}

/*
 * check_optout: "nsec3-optout" for a signed zone whose denial of a name
 * had the NSEC3 opt-out flag: there, a sender without a key is not
 * provably without one (the NXDOMAIN is insecure).  ERROR under a secure
 * policy=all, whose promise rests on that proof; WARNING otherwise.
 */
static int
check_optout(const struct audit_zone *z, struct audit_report *r)
{
	if (!z->nsec3_optout || !z->probed || z->state == LOOKUP_INSECURE ||
	    z->state == LOOKUP_BOGUS || z->state == LOOKUP_TEMPFAIL)
		return 0;
	if (z->policy_all)
		ADD(r, AUDIT_ERROR, "nsec3-optout", z->domain, "NSEC3 "
		    "opt-out under policy=all: the NXDOMAIN of a sender "
		    "without a key is insecure, not a proof that the key is "
		    "missing, so their forged mail is refused only where an "
		    "insecure answer counts as a missing key; sign without "
		    "opt-out");
	else
		ADD(r, AUDIT_WARNING, "nsec3-optout", z->domain, "NSEC3 "
		    "opt-out: the NXDOMAIN of a sender without a key is "
		    "insecure, not a proof that the key is missing; sign "
		    "without opt-out (needed before publishing policy=all)");
	return 0;
}

static int
check_zone(const struct audit_zone *z, const struct audit_opts *o,
    struct audit_report *r)
{
	const char *d = z->domain;
	size_t i, j, len, off;
	char *list;

	if (z->probed) {
		switch (z->state) {
		case LOOKUP_BOGUS:
			ADD(r, AUDIT_CRITICAL, "zone-bogus", d, "DNSSEC "
			    "validation fails: %s", z->reason != NULL ?
			    z->reason : "(no reason given)");
			break;
		case LOOKUP_INSECURE:
			ADD(r, AUDIT_CRITICAL, "zone-insecure", d, "the zone "
			    "is not DNSSEC-signed (or has no DS): no sender "
			    "key can be trusted");
			break;
		case LOOKUP_TEMPFAIL:
			ADD(r, AUDIT_ERROR, "zone-lookup-failed", d, "the "
			    "zone could not be looked up: %s", z->reason !=
			    NULL ? z->reason : "tempfail");
			break;
		default:
			ADD(r, AUDIT_INFO, "zone-secure", d, "DNSSEC "
			    "validation succeeds");
			break;
		}
	}
	switch (z->denial) {
	case AUDIT_DENIAL_NSEC:
		len = 1;
		for (i = 0; i < z->nhashes; i++)
			len += strlen(z->hashes[i]) + 1;
		if ((list = malloc(len)) == NULL)
			return -1;
		off = 0;
		list[0] = '\0';
		for (i = 0; i < z->nhashes; i++) {
			j = strlen(z->hashes[i]);
			if (off > 0)
				list[off++] = ' ';
			memcpy(list + off, z->hashes[i], j + 1);
			off += j;
		}
		if (audit_report_add(r, AUDIT_WARNING, "nsec-walkable", d,
		    "NSEC zone: anyone can list every sender hash; the %s "
		    "%s found %zu: %s", z->walked ? "walk" : "zone transfer",
		    !z->walked ? "(AXFR)" : z->walk_complete ? "(complete)" :
		    "(incomplete)", z->nhashes, z->nhashes > 0 ? list :
		    "-") == -1) {
			free(list);
			return -1;
		}
		free(list);
		break;
	case AUDIT_DENIAL_NSEC3:
		ADD(r, AUDIT_INFO, "nsec3", d, "NSEC3 zone: the sender names "
		    "cannot be listed by walking the zone");
		break;
	case AUDIT_DENIAL_NONE:
		if (z->probed && z->state != LOOKUP_INSECURE)
			ADD(r, AUDIT_NOTICE, "no-denial", d, "a negative "
			    "answer carried neither NSEC nor NSEC3");
		break;
	case AUDIT_DENIAL_UNKNOWN:
		break;
	}
	if (check_optout(z, r) == -1)
		return -1;
	if (z->axfr && z->axfr_server < z->nservers)
		ADD(r, AUDIT_WARNING, "axfr-open", d, "name server %s (%s) "
		    "gives anyone a zone transfer (AXFR): it listed %zu "
		    "sender hashes, each audited",
		    z->servers[z->axfr_server].name,
		    z->servers[z->axfr_server].addr, z->nhashes);
	/* name servers */
	for (i = 0; i < z->nservers; i++) {
		const struct audit_server *sv = &z->servers[i];

		if (!sv->ok)
			ADD(r, AUDIT_ERROR, "ns-unreachable", d, "name server "
			    "%s (%s) did not answer: %s", sv->name, sv->addr,
			    sv->error != NULL ? sv->error : "no answer");
	}
	for (i = 0; i < z->nservers; i++) {
		if (!z->servers[i].ok)
			continue;
		for (j = i + 1; j < z->nservers; j++) {
			if (!z->servers[j].ok ||
			    z->servers[j].serial == z->servers[i].serial)
				continue;
			ADD(r, AUDIT_WARNING, "soa-serial-mismatch", d, "SOA "
			    "serial %u at %s (%s) but %u at %s (%s)",
			    z->servers[i].serial, z->servers[i].name,
			    z->servers[i].addr, z->servers[j].serial,
			    z->servers[j].name, z->servers[j].addr);
		}
	}
	return check_expiry(r, o, d, z->soa_sig_expire, "rrsig-expired",
	    "rrsig-expiry", "the SOA signatures");
}

/* check_keys: a secure answer with keys, against the manifest. */
static int
check_keys(const struct audit_sender *s, const struct audit_opts *o,
    struct audit_report *r)
{
	const char *subj = subject(s);
	const struct audit_key *p, *e;
	size_t i, j;
	int found;

	for (i = 0; i < s->npublished; i++) {
		p = &s->published[i];
		if (p->alg == KEYREC_RSA && p->bits < KEYREC_RSA_MIN_BITS)
			ADD(r, AUDIT_ERROR, "weak-key", subj, "published RSA "
			    "key of %u bits (at least %u needed)", p->bits,
			    KEYREC_RSA_MIN_BITS);
		found = 0;
		e = NULL;
		for (j = 0; j < s->nexpected && !found; j++) {
			if (same_key(p, &s->expected[j])) {
				found = 1;
				e = &s->expected[j];
			}
		}
		if (s->listed && !found && s->expect_error == NULL)
			ADD(r, AUDIT_CRITICAL, "key-mismatch", subj,
			    "published %s key %zu is not in the manifest%s%s",
			    alg_name(p->alg), i + 1, s->origin ? " at " : "",
			    s->origin ? s->origin : "");
		if (p->testing && (e == NULL || !e->testing))
			ADD(r, AUDIT_WARNING, "testing", subj, "the published "
			    "%s key has t=y (testing): receivers do not act "
			    "on it", alg_name(p->alg));
		else if (p->testing)
			ADD(r, AUDIT_NOTICE, "testing", subj, "the %s key is "
			    "published with t=y, as the manifest says",
			    alg_name(p->alg));
		if (check_expiry(r, o, subj, p->not_after, "key-expired",
		    "key-expiry", "the key (x=) will") == -1)
			return -1;
	}
	for (j = 0; j < s->nexpected; j++) {
		e = &s->expected[j];
		if (e->revoked || (e->not_after != 0 && e->not_after <=
		    o->now) || (e->not_before != 0 && e->not_before > o->now))
			continue;
		for (i = 0, found = 0; i < s->npublished && !found; i++)
			found = same_key(e, &s->published[i]);
		if (!found)
			ADD(r, AUDIT_ERROR, "key-missing", subj, "the %s key "
			    "of the manifest%s%s is not published",
			    alg_name(e->alg), s->origin ? " at " : "",
			    s->origin ? s->origin : "");
	}
	return 0;
}

static size_t
n_live_expected(const struct audit_sender *s, const struct audit_opts *o)
{
	size_t i, n = 0;

	for (i = 0; i < s->nexpected; i++)
		if (!s->expected[i].revoked && (s->expected[i].not_after == 0 ||
		    s->expected[i].not_after > o->now) &&
		    (s->expected[i].not_before == 0 ||
		    s->expected[i].not_before <= o->now))
			n++;
	return n;
}

/* has_key: 1 when K is among the N keys V. */
static int
has_key(const struct audit_key *v, size_t n, const struct audit_key *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_key(&v[i], k))
			return 1;
	return 0;
}

/*
 * check_dkim: the DKIM bridge record of S (audit.md 3), in a zone whose
 * own lookup validated.  Without --dkim (O->dkim) a sender need not have
 * one: then only a record that is there is checked.
 */
static int
check_dkim(const struct audit_zone *z, const struct audit_sender *s,
    const struct audit_opts *o, struct audit_report *r)
{
	const char *subj = subject(s), *dn = s->dkim_owner;
	const char *why = s->dkim_reason != NULL ? s->dkim_reason : "-";
	int sk1 = s->looked_up && s->state == LOOKUP_SECURE_KEY;
	size_t i, n;

	if (!s->dkim_looked_up || !z->probed ||
	    (z->state != LOOKUP_SECURE_KEY && z->state != LOOKUP_SECURE_NOKEY))
		return 0;
	switch (s->dkim_state) {
	case LOOKUP_TEMPFAIL:
		if (o->dkim)
			ADD(r, AUDIT_ERROR, "dkim-lookup-failed", subj,
			    "%s: %s", dn, why);
		return 0;
	case LOOKUP_BOGUS:
		ADD(r, AUDIT_CRITICAL, "dkim-insecure", subj, "%s: DNSSEC "
		    "validation fails: %s", dn, why);
		return 0;
	case LOOKUP_INSECURE:
		if (o->dkim || s->dkim_nrec > 0)
			ADD(r, AUDIT_ERROR, "dkim-insecure", subj, "%s: the "
			    "answer is not DNSSEC-signed", dn);
		return 0;
	case LOOKUP_PERMERROR:
		ADD(r, AUDIT_ERROR, "dkim-malformed", subj, "%s: no usable "
		    "DKIM key record: %s", dn, keyrec_errname(s->dkim_keyerr));
		return 0;
	case LOOKUP_SECURE_NOKEY:
		if (s->dkim_nrec == 0) {
			if (o->dkim && sk1)
				ADD(r, AUDIT_ERROR, "dkim-missing", subj,
				    "%s: no DKIM key record (DKIM verifiers "
				    "cannot check bridge signatures)", dn);
			return 0;
		}
		break;
	case LOOKUP_SECURE_KEY:
		break;
	}
	if (s->dkim_nbad > 0)
		ADD(r, AUDIT_WARNING, "dkim-malformed", subj, "%s: %zu "
		    "malformed DKIM key record(s) beside the others", dn,
		    s->dkim_nbad);
	/* DKIM has no x=: a key there and not in the SK1 record stays good */
	for (i = n = 0; i < s->ndkim; i++)
		if (!sk1 || !has_key(s->published, s->npublished, &s->dkim[i]))
			n++;
	if (n > 0) {
		ADD(r, AUDIT_CRITICAL, "dkim-key-differs", subj, "%s: DKIM "
		    "verifiers accept %zu key(s) that the _senderkey record "
		    "does not list as usable (remove them, or publish "
		    "--dkim)", dn, n);
		return 0;
	}
	for (i = n = 0; sk1 && i < s->npublished; i++)
		if (!has_key(s->dkim, s->ndkim, &s->published[i]))
			n++;
	if (n > 0)
		ADD(r, AUDIT_ERROR, "dkim-key-differs", subj, "%s: %zu usable "
		    "key(s) of the _senderkey record are not in the DKIM key "
		    "record (their bridge signatures fail)", dn, n);
	return 0;
}

static int
check_sender(const struct audit_zone *z, const struct audit_sender *s,
    const struct audit_opts *o, struct audit_report *r)
{
	const char *subj = subject(s);
	const char *why = s->reason != NULL ? s->reason : "-";
	size_t i, live = n_live_expected(s, o), nfind;
	char pre[OWNER_NAME_MAX + 2] = "";

	/* The owner name leads the message when the subject is an address. */
	if (s->address != NULL)
		snprintf(pre, sizeof(pre), "%s: ", s->owner);

	nfind = audit_report_count(r);
	if (s->expect_error != NULL)
		ADD(r, AUDIT_ERROR, "manifest-key", subj, "%s",
		    s->expect_error);
	for (i = 0; i < s->nexpected; i++)
		if (s->expected[i].alg == KEYREC_RSA &&
		    !s->expected[i].revoked &&
		    s->expected[i].bits < KEYREC_RSA_MIN_BITS)
			ADD(r, AUDIT_ERROR, "weak-key", subj, "the manifest's "
			    "RSA key of %u bits is too small (at least %u)",
			    s->expected[i].bits, KEYREC_RSA_MIN_BITS);
	if (!s->looked_up)
		return 0;
	switch (s->state) {
	case LOOKUP_BOGUS:
		ADD(r, AUDIT_CRITICAL, "bogus", subj, "%sDNSSEC validation "
		    "fails: %s", pre, why);
		break;
	case LOOKUP_TEMPFAIL:
		ADD(r, AUDIT_ERROR, "lookup-failed", subj, "%s%s",
		    pre, why);
		break;
	case LOOKUP_INSECURE:
		/* An unsigned zone is reported once, for the zone. */
		if (!z->probed || z->state != LOOKUP_INSECURE)
			ADD(r, AUDIT_ERROR, "insecure", subj, "%sthe answer "
			    "is not DNSSEC-signed", pre);
		break;
	case LOOKUP_PERMERROR:
		ADD(r, AUDIT_ERROR, s->keyerr == KEYREC_ERSASMALL ?
		    "weak-key" : "malformed", subj, "%sno usable record: "
		    "%s%s", pre, why, s->keyerr == KEYREC_ERSASMALL ?
		    " (an RSA key under 2048 bits)" : "");
		break;
	case LOOKUP_SECURE_NOKEY:
		if (s->nokey == LOOKUP_NOKEY_REVOKED) {
			if (live > 0)
				ADD(r, AUDIT_ERROR, "revoked", subj, "%sthe "
				    "published key is revoked, the manifest "
				    "has a live key", pre);
			else
				ADD(r, AUDIT_INFO, "revoked", subj, "%s"
				    "revoked, as the manifest says",
				    pre);
		} else if (s->nokey == LOOKUP_NOKEY_EXPIRED) {
			ADD(r, live > 0 || !s->listed ? AUDIT_ERROR :
			    AUDIT_INFO, "key-expired", subj, "%severy "
			    "published key is past its x= time", pre);
		} else if (s->listed && live > 0) {
			ADD(r, AUDIT_ERROR, "missing", subj, "%snot "
			    "published (%s)", pre, why);
		} else if (s->listed && s->nexpected > 0) {
			ADD(r, AUDIT_NOTICE, "revoked-absent", subj, "%s"
			    "the revoked key is not published (%s); "
			    "publish p= empty so audits can tell revoked "
			    "from never published", pre, why);
		}
		break;
	case LOOKUP_SECURE_KEY:
		if (!s->listed && o->have_manifest)
			ADD(r, AUDIT_NOTICE, "unlisted", subj, "%spublished "
			    "but in no manifest", pre);
		if (check_keys(s, o, r) == -1)
			return -1;
		break;
	}
	if (s->state == LOOKUP_SECURE_KEY || s->state == LOOKUP_SECURE_NOKEY ||
	    s->state == LOOKUP_PERMERROR) {
		if (check_expiry(r, o, subj, s->sig_expire, "rrsig-expired",
		    "rrsig-expiry", "the record's signatures") == -1)
			return -1;
	}
	if (s->nbad > 0 && s->state == LOOKUP_SECURE_KEY)
		ADD(r, AUDIT_WARNING, "malformed", subj, "%s%zu malformed "
		    "v=SK1 record(s) beside the usable ones", pre,
		    s->nbad);
	if (check_dkim(z, s, o, r) == -1)
		return -1;
	/* the answers of every name server */
	for (i = 1; i < z->nservers; i++) {
		if (!z->servers[0].ok || !z->servers[i].ok ||
		    s->answers[0] == NULL || s->answers[i] == NULL)
			continue;
		if (strcmp(s->answers[0], s->answers[i]) != 0)
			ADD(r, AUDIT_ERROR, "ns-inconsistent", subj, "%s"
			    "%s (%s) answers differently from %s (%s)",
			    s->owner, z->servers[i].name, z->servers[i].addr,
			    z->servers[0].name, z->servers[0].addr);
	}
	if (audit_report_count(r) == nfind && s->state == LOOKUP_SECURE_KEY) {
		char ts[21] = "-";

		if (s->sig_expire != 0)
			audit_time(s->sig_expire, ts);
		ADD(r, AUDIT_INFO, "ok", subj, "%s%zu key(s), %s %u, secure,"
		    " signatures until %s%s", pre, s->npublished,
		    s->npublished > 0 ? alg_name(s->published[0].alg) : "-",
		    s->npublished > 0 ? s->published[0].bits : 0, ts,
		    s->dkim_looked_up && s->dkim_state == LOOKUP_SECURE_KEY ?
		    "; DKIM key record secure, the same keys" : "");
	}
	return 0;
}

/* A published key and its sender, for sorting. */
struct keyref {
	const struct audit_key	*k;
	size_t			 sender;
};

static int
keyref_cmp(const void *va, const void *vb)
{
	const struct keyref *a = va, *b = vb;
	int c;

	if (a->k->alg != b->k->alg)
		return a->k->alg < b->k->alg ? -1 : 1;
	if (a->k->keylen != b->k->keylen)
		return a->k->keylen < b->k->keylen ? -1 : 1;
	if ((c = memcmp(a->k->key, b->k->key, a->k->keylen)) != 0)
		return c;
	return a->sender < b->sender ? -1 : a->sender > b->sender;
}

/* check_duplicates: one key published for two senders (sorted, so
 * n log n for any number of senders). */
static int
check_duplicates(struct audit_sender *const *s, size_t n,
    struct audit_report *r)
{
	struct keyref *v;
	size_t i, j, nk = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < s[i]->npublished; j++)
			nk += s[i]->published[j].key != NULL;
	if (nk < 2)
		return 0;
	if ((v = calloc(nk, sizeof(*v))) == NULL)
		return -1;
	nk = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i]->npublished; j++)
			if (s[i]->published[j].key != NULL) {
				v[nk].k = &s[i]->published[j];
				v[nk++].sender = i;
			}
	qsort(v, nk, sizeof(*v), keyref_cmp);
	for (i = 1; i < nk; i++) {
		if (!same_key(v[i - 1].k, v[i].k) ||
		    v[i - 1].sender == v[i].sender)
			continue;
		if (audit_report_add(r, AUDIT_WARNING, "duplicate-key",
		    subject(s[v[i - 1].sender]), "the same %s key is "
		    "published for %s", alg_name(v[i].k->alg),
		    subject(s[v[i].sender])) == -1) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}

int
audit_check(const struct audit_zone *z, struct audit_sender *const *s,
    size_t n, const struct audit_opts *o, struct audit_report *r)
{
	size_t i;

	if (check_zone(z, o, r) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (check_sender(z, s[i], o, r) == -1)
			return -1;
	if (check_duplicates(s, n, r) == -1)
		return -1;
	return audit_orphan_dkim(z, s, n, r);
}
