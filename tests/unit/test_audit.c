/*
 * test_audit: the pure checks of publisher/audit.c (specs/audit.md) on
 * hand-made zone and sender data, the Nagios status, and the JSON forms
 * of audit_out.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/keyrec.h"
#include "publisher/audit.h"
#include "publisher/audit_out.h"
#include "t.h"

#define NOW	1800000000

static const unsigned char K1[32] = { 1 }, K2[32] = { 2 };

static struct audit_sender *
sender(const char *addr, const char *owner, enum lookup_state st,
    const char *reason)
{
	struct audit_sender *s = audit_sender_new();

	s->address = addr != NULL ? strdup(addr) : NULL;
	s->owner = strdup(owner);
	s->listed = addr != NULL;
	s->looked_up = 1;
	s->state = st;
	s->reason = reason != NULL ? strdup(reason) : NULL;
	return s;
}

static void
expect(struct audit_sender *s, const unsigned char *k, int testing)
{
	audit_key_set(&s->expected[s->nexpected++], KEYREC_ED25519, k, 32,
	    256, testing);
}

static void
publish(struct audit_sender *s, const unsigned char *k, int testing)
{
	audit_key_set(&s->published[s->npublished++], KEYREC_ED25519, k, 32,
	    256, testing);
}

/* has: the severity of the first finding CODE for SUBJECT, or -1. */
static int
has(const struct audit_report *r, const char *code, const char *subject)
{
	const struct audit_finding *f;
	size_t i;

	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++)
		if (strcmp(f->code, code) == 0 &&
		    strcmp(f->subject, subject) == 0)
			return (int)f->sev;
	return -1;
}

static int dkim_opt;	/* --dkim for run() */

static struct audit_report *
run(struct audit_zone *z, struct audit_sender **s, size_t n)
{
	struct audit_opts o = { NOW, 14 * 86400, 3 * 86400, 1, dkim_opt };
	struct audit_report *r = audit_report_new();

	T_INTEQ(audit_check(z, s, n, &o, r), 0, "audit_check runs");
	return r;
}

static void
zone(struct audit_zone *z, enum lookup_state st, enum audit_denial d)
{
	memset(z, 0, sizeof(*z));
	z->domain = strdup("x.test");
	z->probed = 1;
	z->state = st;
	z->denial = d;
}

static void
test_clean(void)
{
	struct audit_zone z;
	struct audit_sender *s[1];
	struct audit_report *r;

	zone(&z, LOOKUP_SECURE_NOKEY, AUDIT_DENIAL_NSEC3);
	s[0] = sender("a@x.test", "h1._senderkey.x.test.", LOOKUP_SECURE_KEY,
	    NULL);
	expect(s[0], K1, 0);
	publish(s[0], K1, 0);
	s[0]->sig_expire = NOW + 30 * 86400;
	r = run(&z, s, 1);
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_OK, "clean: OK");
	T_INTEQ(has(r, "ok", "a@x.test"), AUDIT_INFO, "clean: INFO ok");
	T_INTEQ(has(r, "nsec3", "x.test"), AUDIT_INFO, "NSEC3: INFO");
	audit_report_free(r);
	audit_sender_free(s[0]);
	audit_zone_clear(&z);
}

static void
test_sender_findings(void)
{
	struct audit_zone z;
	struct audit_sender *s[6];
	struct audit_report *r;
	size_t i;

	zone(&z, LOOKUP_SECURE_KEY, AUDIT_DENIAL_NSEC);
	z.hashes = calloc(1, sizeof(char *));
	z.hashes[0] = strdup("h1");
	z.nhashes = 1;
	z.walk_complete = 1;
	s[0] = sender("miss@x.test", "h0._senderkey.x.test.",
	    LOOKUP_SECURE_NOKEY, "NXDOMAIN");
	expect(s[0], K1, 0);
	s[1] = sender("mm@x.test", "h1._senderkey.x.test.", LOOKUP_SECURE_KEY,
	    NULL);
	expect(s[1], K1, 0);
	publish(s[1], K2, 0);
	s[2] = sender("t@x.test", "h2._senderkey.x.test.", LOOKUP_SECURE_KEY,
	    NULL);
	expect(s[2], K2, 0);
	publish(s[2], K2, 1);
	s[3] = sender(NULL, "h3._senderkey.x.test.", LOOKUP_PERMERROR,
	    "rsa-too-small");
	s[3]->keyerr = KEYREC_ERSASMALL;
	s[4] = sender("b@x.test", "h4._senderkey.x.test.", LOOKUP_BOGUS,
	    "signature expired");
	s[5] = sender("e@x.test", "h5._senderkey.x.test.", LOOKUP_SECURE_KEY,
	    NULL);
	expect(s[5], K1, 0);
	publish(s[5], K1, 0);
	s[5]->sig_expire = NOW + 86400;
	r = run(&z, s, 6);
	T_INTEQ(has(r, "missing", "miss@x.test"), AUDIT_ERROR,
	    "a missing sender is an ERROR");
	T_INTEQ(has(r, "key-mismatch", "mm@x.test"), AUDIT_CRITICAL,
	    "a key not in the manifest is CRITICAL");
	T_INTEQ(has(r, "key-missing", "mm@x.test"), AUDIT_ERROR,
	    "the manifest's key not published is an ERROR");
	T_INTEQ(has(r, "testing", "t@x.test"), AUDIT_WARNING,
	    "t=y not in the manifest is a WARNING");
	T_INTEQ(has(r, "weak-key", "h3._senderkey.x.test."), AUDIT_ERROR,
	    "rsa-too-small is an ERROR (weak-key)");
	T_INTEQ(has(r, "bogus", "b@x.test"), AUDIT_CRITICAL,
	    "a bogus answer is CRITICAL");
	T_INTEQ(has(r, "rrsig-expiry", "e@x.test"), AUDIT_CRITICAL,
	    "signatures expiring within --crit-expiry are CRITICAL");
	T_INTEQ(has(r, "nsec-walkable", "x.test"), AUDIT_WARNING,
	    "an NSEC zone is a WARNING");
	T_INTEQ(has(r, "duplicate-key", "mm@x.test"), AUDIT_WARNING,
	    "one key for two senders is a WARNING");
	T_INTEQ(has(r, "ok", "e@x.test"), -1,
	    "a sender with findings gets no ok line");
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_CRITICAL,
	    "any CRITICAL or ERROR: status CRITICAL (2)");
	T_INTEQ(audit_report_nsev(r, AUDIT_CRITICAL), 3, "three CRITICALs");
	audit_report_free(r);
	for (i = 0; i < 6; i++)
		audit_sender_free(s[i]);
	audit_zone_clear(&z);
}

/*
 * Why a secure answer holds no key is read from the enums (nokey,
 * keyerr), never from the reason text, which is for messages: here the
 * texts are worded unlike lookup.c's, and the findings must not change.
 */
static void
test_nokey(void)
{
	struct audit_zone z;
	struct audit_sender *s[5];
	struct audit_report *r;
	size_t i;

	zone(&z, LOOKUP_SECURE_KEY, AUDIT_DENIAL_NSEC3);
	s[0] = sender("rl@x.test", "h0._senderkey.x.test.",
	    LOOKUP_SECURE_NOKEY, "all keys withdrawn");
	s[0]->nokey = LOOKUP_NOKEY_REVOKED;
	expect(s[0], K1, 0);
	s[1] = sender("rm@x.test", "h1._senderkey.x.test.",
	    LOOKUP_SECURE_NOKEY, "all keys withdrawn");
	s[1]->nokey = LOOKUP_NOKEY_REVOKED;
	expect(s[1], K2, 0);
	s[1]->expected[0].revoked = 1;
	s[2] = sender("ex@x.test", "h2._senderkey.x.test.",
	    LOOKUP_SECURE_NOKEY, "past x=");
	s[2]->nokey = LOOKUP_NOKEY_EXPIRED;
	expect(s[2], K1, 0);
	s[3] = sender("ab@x.test", "h3._senderkey.x.test.",
	    LOOKUP_SECURE_NOKEY, "revoked");
	s[3]->nokey = LOOKUP_NOKEY_ABSENT;
	expect(s[3], K2, 0);
	s[4] = sender(NULL, "h4._senderkey.x.test.", LOOKUP_PERMERROR,
	    "a small modulus");
	s[4]->keyerr = KEYREC_ERSASMALL;
	r = run(&z, s, 5);
	T_INTEQ(has(r, "revoked", "rl@x.test"), AUDIT_ERROR,
	    "nokey revoked, a live key in the manifest: ERROR revoked");
	T_INTEQ(has(r, "revoked", "rm@x.test"), AUDIT_INFO,
	    "nokey revoked, as the manifest says: INFO revoked");
	T_INTEQ(has(r, "key-expired", "ex@x.test"), AUDIT_ERROR,
	    "nokey expired, a live key in the manifest: ERROR key-expired");
	T_INTEQ(has(r, "missing", "ab@x.test"), AUDIT_ERROR,
	    "nokey absent (whatever the text says): ERROR missing");
	T_INTEQ(has(r, "revoked", "ab@x.test"), -1,
	    "nokey absent: no revoked finding");
	T_INTEQ(has(r, "weak-key", "h4._senderkey.x.test."), AUDIT_ERROR,
	    "keyerr rsa-too-small (whatever the text says): weak-key");
	audit_report_free(r);
	for (i = 0; i < 5; i++)
		audit_sender_free(s[i]);
	audit_zone_clear(&z);
}

static void
test_zone_findings(void)
{
	struct audit_zone z;
	struct audit_report *r;

	zone(&z, LOOKUP_INSECURE, AUDIT_DENIAL_NONE);
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "zone-insecure", "x.test"), AUDIT_CRITICAL,
	    "an unsigned zone is CRITICAL");
	T_INTEQ(has(r, "no-denial", "x.test"), -1,
	    "no denial finding for an unsigned zone");
	audit_report_free(r);
	audit_zone_clear(&z);

	zone(&z, LOOKUP_SECURE_KEY, AUDIT_DENIAL_NSEC3);
	z.nservers = 2;
	z.servers[0].name = strdup("ns1");
	z.servers[0].addr = strdup("192.0.2.1");
	z.servers[0].ok = 1;
	z.servers[0].serial = 5;
	z.servers[1].name = strdup("ns2");
	z.servers[1].addr = strdup("192.0.2.2");
	z.servers[1].ok = 1;
	z.servers[1].serial = 4;
	z.soa_sig_expire = NOW + 10 * 86400;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "soa-serial-mismatch", "x.test"), AUDIT_WARNING,
	    "different SOA serials are a WARNING");
	T_INTEQ(has(r, "rrsig-expiry", "x.test"), AUDIT_WARNING,
	    "SOA signatures within --warn-expiry are a WARNING");
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_WARNING,
	    "only WARNINGs: status WARNING (1)");
	audit_report_free(r);
	audit_zone_clear(&z);
}

/* An NSEC3 opt-out chain: ERROR under a secure policy=all, else WARNING. */
static void
test_optout(void)
{
	struct audit_zone z;
	struct audit_report *r;

	zone(&z, LOOKUP_SECURE_KEY, AUDIT_DENIAL_NSEC3);
	z.nsec3_optout = 1;
	z.policy_all = 1;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "nsec3-optout", "x.test"), AUDIT_ERROR,
	    "opt-out under policy=all is an ERROR");
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_CRITICAL,
	    "... so the status is CRITICAL (2)");
	T_INTEQ(has(r, "no-denial", "x.test"), -1, "... and not no-denial");
	audit_report_free(r);

	z.policy_all = 0;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "nsec3-optout", "x.test"), AUDIT_WARNING,
	    "opt-out without policy=all is a WARNING");
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_WARNING,
	    "... status WARNING (1)");
	audit_report_free(r);

	z.state = LOOKUP_SECURE_NOKEY;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "nsec3-optout", "x.test"), AUDIT_WARNING,
	    "opt-out, no policy record: a WARNING");
	audit_report_free(r);

	z.nsec3_optout = 0;
	z.policy_all = 1;
	z.state = LOOKUP_SECURE_KEY;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "nsec3-optout", "x.test"), -1,
	    "NSEC3 without opt-out: no finding");
	audit_report_free(r);
	audit_zone_clear(&z);

	zone(&z, LOOKUP_INSECURE, AUDIT_DENIAL_NONE);
	z.nsec3_optout = 1;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "nsec3-optout", "x.test"), -1,
	    "an unsigned zone: zone-insecure says it all, no opt-out finding");
	audit_report_free(r);
	audit_zone_clear(&z);
}

static void
test_json(void)
{
	struct audit_report *r = audit_report_new();
	struct audit_meta m = { "x.test", NOW, 1, AUDIT_STATUS_WARNING,
	    AUDIT_DENIAL_NSEC, NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	audit_report_add(r, AUDIT_WARNING, "testing", "a\"b@x.test",
	    "line\nbreak \\ %s", "x");
	fp = open_memstream(&buf, &len);
	audit_out_json(fp, &m, r);
	fclose(fp);
	T_STREQ(buf, "{\"schema\":\"senderkey-audit/1\",\"domain\":\"x.test\","
	    "\"time\":\"2027-01-15T08:00:00Z\",\"status\":\"WARNING\","
	    "\"exit\":1,\"senders\":1,\"denial\":\"nsec\",\"counts\":"
	    "{\"CRITICAL\":0,\"ERROR\":0,\"WARNING\":1,\"NOTICE\":0,\"INFO\":0}"
	    ",\"findings\":[\n{\"severity\":\"WARNING\",\"code\":\"testing\","
	    "\"subject\":\"a\\\"b@x.test\",\"message\":\"line\\nbreak \\\\ x\"}"
	    "\n]}\n", "JSON document, strings escaped");
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	audit_out_summary(fp, &m, r);
	fclose(fp);
	T_STREQ(buf, "SENDERKEY WARNING - x.test: 1 senders, 0 critical, "
	    "0 errors, 1 warnings, 0 notices | senders=1 critical=0 errors=0 "
	    "warnings=1 notices=0\n", "Nagios summary line with perfdata");
	free(buf);
	audit_report_free(r);
}

/* A zone transfer given to anyone: axfr-open, and the NSEC message says
 * the hashes came from the transfer, not a walk. */
static void
test_axfr(void)
{
	struct audit_zone z;
	struct audit_report *r;
	const struct audit_finding *f;
	size_t i;

	zone(&z, LOOKUP_SECURE_NOKEY, AUDIT_DENIAL_NSEC);
	z.servers[0].name = strdup("ns1");
	z.servers[0].addr = strdup("192.0.2.1");
	z.servers[0].ok = 1;
	z.nservers = 1;
	z.hashes = calloc(2, sizeof(*z.hashes));
	z.hashes[0] = strdup("aa");
	z.hashes[1] = strdup("bb");
	z.nhashes = 2;
	z.axfr = 1;
	z.axfr_server = 0;
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "axfr-open", "x.test"), AUDIT_WARNING,
	    "an open zone transfer is a WARNING");
	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++) {
		if (strcmp(f->code, "axfr-open") == 0)
			T_OK(strstr(f->message, "ns1 (192.0.2.1)") != NULL &&
			    strstr(f->message, "listed 2 sender") != NULL,
			    "... naming the server and the count (%s)",
			    f->message);
		if (strcmp(f->code, "nsec-walkable") == 0)
			T_OK(strstr(f->message, "zone transfer (AXFR) found "
			    "2: aa bb") != NULL, "nsec-walkable says the "
			    "hashes came from the transfer (%s)", f->message);
	}
	audit_report_free(r);
	audit_zone_clear(&z);

	zone(&z, LOOKUP_SECURE_NOKEY, AUDIT_DENIAL_NSEC3);
	r = run(&z, NULL, 0);
	T_INTEQ(has(r, "axfr-open", "x.test"), -1,
	    "no transfer: no axfr-open");
	audit_report_free(r);
	audit_zone_clear(&z);
}

/*
 * dk: a sender a@x.test with the usable SK1 key K1 (SK1 SECURE_KEY unless
 * SK1ST says otherwise) and a DKIM lookup of state ST with NREC records
 * and the usable key DK (NULL: none).
 */
static struct audit_sender *
dk(enum lookup_state sk1st, enum lookup_state st, size_t nrec,
    const unsigned char *dkey)
{
	struct audit_sender *s = sender("a@x.test", "h1._senderkey.x.test.",
	    sk1st, NULL);

	expect(s, K1, 0);
	if (sk1st == LOOKUP_SECURE_KEY)
		publish(s, K1, 0);
	s->dkim_owner = strdup("skh1._domainkey.x.test.");
	s->dkim_looked_up = 1;
	s->dkim_state = st;
	s->dkim_nrec = nrec;
	if (st == LOOKUP_BOGUS || st == LOOKUP_TEMPFAIL)
		s->dkim_reason = strdup("why");
	if (dkey != NULL)
		audit_key_set(&s->dkim[s->ndkim++], KEYREC_ED25519, dkey, 32,
		    256, 0);
	return s;
}

/* dk_sev: the severity of finding CODE for a@x.test, with --dkim or not. */
static int
dk_sev(struct audit_sender *s, const char *code, int dkim,
    enum lookup_state zst)
{
	struct audit_zone z;
	struct audit_report *r;
	int sev;

	zone(&z, zst, AUDIT_DENIAL_NSEC3);
	dkim_opt = dkim;
	r = run(&z, &s, 1);
	dkim_opt = 0;
	sev = has(r, code, "a@x.test");
	audit_report_free(r);
	audit_zone_clear(&z);
	return sev;
}

static void
test_dkim(void)
{
	struct audit_sender *s;
	const enum lookup_state SK = LOOKUP_SECURE_KEY,
	    NK = LOOKUP_SECURE_NOKEY;

	s = dk(SK, SK, 1, K1);
	T_INTEQ(dk_sev(s, "ok", 1, NK), AUDIT_INFO,
	    "DKIM record with the SK1 key: ok");
	T_INTEQ(dk_sev(s, "dkim-key-differs", 1, NK), -1,
	    "DKIM record with the SK1 key: no dkim-key-differs");
	audit_sender_free(s);
	s = dk(SK, NK, 0, NULL);
	T_INTEQ(dk_sev(s, "dkim-missing", 1, NK), AUDIT_ERROR,
	    "--dkim, no DKIM record: ERROR dkim-missing");
	T_INTEQ(dk_sev(s, "dkim-missing", 0, NK), -1,
	    "no --dkim, no DKIM record: nothing");
	T_INTEQ(dk_sev(s, "ok", 0, NK), AUDIT_INFO,
	    "no --dkim, no DKIM record: ok");
	audit_sender_free(s);
	s = dk(SK, SK, 1, K2);
	T_INTEQ(dk_sev(s, "dkim-key-differs", 1, NK), AUDIT_CRITICAL,
	    "a DKIM key the SK1 record lacks: CRITICAL dkim-key-differs");
	T_INTEQ(dk_sev(s, "dkim-key-differs", 0, NK), AUDIT_CRITICAL,
	    "... also without --dkim (the record is there)");
	T_INTEQ(dk_sev(s, "ok", 0, NK), -1, "... and no ok");
	audit_sender_free(s);
	s = dk(SK, NK, 1, NULL);
	T_INTEQ(dk_sev(s, "dkim-key-differs", 1, NK), AUDIT_ERROR,
	    "only a revoked DKIM record: the SK1 key is missing there, ERROR");
	audit_sender_free(s);
	s = dk(NK, SK, 1, K1);
	T_INTEQ(dk_sev(s, "dkim-key-differs", 0, NK), AUDIT_CRITICAL,
	    "no usable SK1 key but a DKIM key: CRITICAL");
	audit_sender_free(s);
	s = dk(SK, LOOKUP_INSECURE, 0, NULL);
	T_INTEQ(dk_sev(s, "dkim-insecure", 1, NK), AUDIT_ERROR,
	    "--dkim, insecure DKIM answer: ERROR dkim-insecure");
	T_INTEQ(dk_sev(s, "dkim-insecure", 0, NK), -1,
	    "no --dkim, insecure answer without records: nothing");
	audit_sender_free(s);
	s = dk(SK, LOOKUP_INSECURE, 1, NULL);
	T_INTEQ(dk_sev(s, "dkim-insecure", 0, NK), AUDIT_ERROR,
	    "no --dkim, an insecure DKIM record: ERROR dkim-insecure");
	T_INTEQ(dk_sev(s, "dkim-insecure", 0, LOOKUP_INSECURE), -1,
	    "an unsigned zone: reported for the zone, not per DKIM name");
	audit_sender_free(s);
	s = dk(SK, LOOKUP_BOGUS, 0, NULL);
	T_INTEQ(dk_sev(s, "dkim-insecure", 0, NK), AUDIT_CRITICAL,
	    "a bogus DKIM answer: CRITICAL dkim-insecure");
	audit_sender_free(s);
	s = dk(SK, LOOKUP_TEMPFAIL, 0, NULL);
	T_INTEQ(dk_sev(s, "dkim-lookup-failed", 1, NK), AUDIT_ERROR,
	    "--dkim, DKIM lookup failed: ERROR");
	T_INTEQ(dk_sev(s, "dkim-lookup-failed", 0, NK), -1,
	    "no --dkim, DKIM lookup failed: nothing");
	audit_sender_free(s);
	s = dk(SK, LOOKUP_PERMERROR, 1, NULL);
	s->dkim_nbad = 1;
	s->dkim_keyerr = KEYREC_EHASH;
	T_INTEQ(dk_sev(s, "dkim-malformed", 0, NK), AUDIT_ERROR,
	    "every DKIM record malformed: ERROR dkim-malformed");
	audit_sender_free(s);
	s = dk(SK, SK, 2, K1);
	s->dkim_nbad = 1;
	T_INTEQ(dk_sev(s, "dkim-malformed", 0, NK), AUDIT_WARNING,
	    "a malformed DKIM record beside a good one: WARNING");
	audit_sender_free(s);
}

/* count: the findings CODE in R. */
static size_t
count(const struct audit_report *r, const char *code)
{
	const struct audit_finding *f;
	size_t i, n = 0;

	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++)
		n += strcmp(f->code, code) == 0;
	return n;
}

/*
 * DKIM bridge names of the zone transfer (z.dkim_sels) that match no
 * sender: dkim-orphan (ERROR), one per name; a name whose 32 hex digits
 * begin a listed sender's or a transferred sender's owner name is theirs.
 */
static void
test_dkim_orphan(void)
{
	static const char *const H[] = {
		"0123456789abcdef0123456789abcdef0123456789abcdef01234567",
		"fedcba9876543210fedcba9876543210fedcba9876543210fedcba98",
		"00000000000000000000000000000000aaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const char orphan[] = "11111111111111111111111111111111";
	struct audit_sender *s[2];
	struct audit_zone z;
	struct audit_report *r;
	char own[2][128];
	const struct audit_finding *f;
	size_t i;

	for (i = 0; i < 2; i++)
		snprintf(own[i], sizeof(own[i]), "%s._senderkey.x.test.",
		    H[i]);
	/* a listed sender, and one the transfer found (no address) */
	s[0] = sender("a@x.test", own[0], LOOKUP_SECURE_KEY, NULL);
	expect(s[0], K1, 0);
	publish(s[0], K1, 0);
	s[1] = sender(NULL, own[1], LOOKUP_SECURE_KEY, NULL);
	publish(s[1], K2, 0);
	zone(&z, LOOKUP_SECURE_NOKEY, AUDIT_DENIAL_NSEC3);
	z.axfr = 1;
	z.dkim_sels = calloc(4, sizeof(*z.dkim_sels));
	z.dkim_sels[z.ndkim_sels++] = strndup(H[2], 32);
	z.dkim_sels[z.ndkim_sels++] = strndup(H[0], 32);
	z.dkim_sels[z.ndkim_sels++] = strdup(orphan);
	z.dkim_sels[z.ndkim_sels++] = strndup(H[1], 32);
	r = run(&z, s, 2);
	T_INTEQ(has(r, "dkim-orphan", "sk11111111111111111111111111111111."
	    "_domainkey.x.test."), AUDIT_ERROR,
	    "a bridge name of no sender: ERROR dkim-orphan");
	T_INTEQ(has(r, "dkim-orphan", "sk00000000000000000000000000000000."
	    "_domainkey.x.test."), AUDIT_ERROR,
	    "... another (a hash prefix of no sender)");
	T_INTEQ((long)count(r, "dkim-orphan"), 2,
	    "the listed and the transferred sender's bridge names are theirs");
	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++)
		if (strcmp(f->code, "dkim-orphan") == 0)
			T_OK(strstr(f->message, "DKIM verifiers still accept")
			    != NULL, "... saying why it matters (%s)",
			    f->message);
	T_INTEQ(audit_report_status(r), AUDIT_STATUS_CRITICAL,
	    "dkim-orphan makes the status CRITICAL (exit 2)");
	f = audit_report_get(r, audit_report_count(r) - 1);
	T_OK(f != NULL && strcmp(f->code, "dkim-orphan") == 0,
	    "the orphans come last (after the senders)");
	audit_report_free(r);
	/* without its sender, the listed sender's name is an orphan too */
	r = run(&z, s + 1, 1);
	T_INTEQ(has(r, "dkim-orphan", "sk0123456789abcdef0123456789abcdef."
	    "_domainkey.x.test."), AUDIT_ERROR,
	    "the same name with its sender gone: dkim-orphan");
	audit_report_free(r);
	audit_zone_clear(&z);
	zone(&z, LOOKUP_SECURE_NOKEY, AUDIT_DENIAL_NSEC3);
	r = run(&z, NULL, 0);
	T_INTEQ((long)count(r, "dkim-orphan"), 0,
	    "no transfer (no bridge names): nothing");
	audit_report_free(r);
	audit_zone_clear(&z);
	audit_sender_free(s[0]);
	audit_sender_free(s[1]);
}

int
main(void)
{
	test_dkim();
	test_dkim_orphan();
	test_clean();
	test_axfr();
	test_sender_findings();
	test_nokey();
	test_zone_findings();
	test_optout();
	test_json();
	return t_done();
}
