/*
 * test_lookup: the answer table of lookup_classify, row by row (every
 * state, every reason, several TXT records, NUL octets, revoked and
 * expired keys, policy records), then the parts of the libunbound side
 * that need no DNS: lookup_new's refusals, cancelling, and a lookup_sync
 * deadline against a UDP socket on 127.0.0.1 that never answers.  The
 * reason texts are checked as the printed form (for logs); decisions are
 * checked on the enums (state, nokey, keyerr, rcode).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/policyrec.h"
#include "core/lookup.h"
#include "t.h"

#define NOW	1800000000	/* 2027-01-15 */

/* Record texts: T() keeps embedded NUL octets in the length. */
#define T(s)	{ s, sizeof(s) - 1 }
#define ALICE	"v=SK1; k=ed25519; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define BOB	"v=SK1; k=ed25519; p=ha6+UoEd1A/J2bLLedpZ9jIlw1W+iKt8CZGEPnqblc8="
#define REVOKED	"v=SK1; k=ed25519; p="
#define EXPIRED	"v=SK1; k=ed25519; x=1700000000; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define FUTURE	"v=SK1; k=ed25519; t=y; x=1900000000; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define BADB64	"v=SK1; k=ed25519; p=!!!!"
#define BADALG	"v=SK1; k=dsa; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define SHORT	"v=SK1; k=ed25519; p=AAAA"
#define OTHER	"google-site-verification=abc"
/* DKIM key records (the DKIM bridge): alice's and bob's keys again. */
#define DALICE	"v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define DBOB	"k=ed25519; p=ha6+UoEd1A/J2bLLedpZ9jIlw1W+iKt8CZGEPnqblc8="
#define DREVOKED "v=DKIM1; k=ed25519; p="
#define DBADB64	"v=DKIM1; k=ed25519; p=!!!!"
#define DHASH	"v=DKIM1; k=ed25519; h=sha1; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="

#define SECURE	1, 0
#define INSEC	0, 0
#define BOGUS	0, 1

struct row {
	const char		*name;
	enum lookup_kind	 kind;
	int			 secure, bogus, rcode;
	const char		*why;
	struct lookup_txt	 txt[4];	/* up to the first NULL text */
	enum lookup_state	 want;
	const char		*reason;	/* NULL: none */
	size_t			 nkeys, nbad;
	enum policyrec_policy	 policy;
	enum lookup_nokey	 nokey;		/* why no usable key */
	enum keyrec_err		 keyerr;	/* a malformed key answer's */
};

#define NK(n)	LOOKUP_NOKEY_##n
#define KE(e)	KEYREC_##e

static const struct row rows[] = {
	/* validation failures win over everything */
	{ "bogus with why_bogus", LOOKUP_KEY, BOGUS, 0,
	  "validation failure <x>: signature crypto failed", { T(ALICE) },
	  LOOKUP_BOGUS, "validation failure <x>: signature crypto failed",
	  0, 0, 0, NK(NONE), KE(OK) },
	{ "bogus without why_bogus", LOOKUP_KEY, BOGUS, 0, NULL, { T(ALICE) },
	  LOOKUP_BOGUS, "bogus", 0, 0, 0, NK(NONE), KE(OK) },
	{ "bogus and secure both set", LOOKUP_KEY, 1, 1, 0, "expired",
	  { T(ALICE) }, LOOKUP_BOGUS, "expired", 0, 0, 0, NK(NONE), KE(OK) },
	{ "bogus with SERVFAIL", LOOKUP_KEY, BOGUS, 2, "no DNSKEY", { { 0 } },
	  LOOKUP_BOGUS, "no DNSKEY", 0, 0, 0, NK(NONE), KE(OK) },
	{ "bogus NXDOMAIN", LOOKUP_KEY, BOGUS, 3, "nsec proof failed",
	  { { 0 } }, LOOKUP_BOGUS, "nsec proof failed", 0, 0, 0,
	  NK(NONE), KE(OK) },
	/* error rcodes */
	{ "SERVFAIL", LOOKUP_KEY, INSEC, 2, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "SERVFAIL", 0, 0, 0, NK(NONE), KE(OK) },
	{ "REFUSED", LOOKUP_KEY, INSEC, 5, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "REFUSED", 0, 0, 0, NK(NONE), KE(OK) },
	{ "FORMERR", LOOKUP_KEY, INSEC, 1, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "FORMERR", 0, 0, 0, NK(NONE), KE(OK) },
	{ "NOTIMP", LOOKUP_KEY, INSEC, 4, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "NOTIMP", 0, 0, 0, NK(NONE), KE(OK) },
	{ "unknown rcode 23", LOOKUP_KEY, INSEC, 23, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "RCODE23", 0, 0, 0, NK(NONE), KE(OK) },
	{ "secure SERVFAIL is still tempfail", LOOKUP_KEY, SECURE, 2, NULL,
	  { T(ALICE) }, LOOKUP_TEMPFAIL, "SERVFAIL", 0, 0, 0, NK(NONE),
	  KE(OK) },
	/* negative answers */
	{ "secure NXDOMAIN", LOOKUP_KEY, SECURE, 3, NULL, { { 0 } },
	  LOOKUP_SECURE_NOKEY, "NXDOMAIN", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "secure NXDOMAIN ignores stray data", LOOKUP_KEY, SECURE, 3, NULL,
	  { T(ALICE) }, LOOKUP_SECURE_NOKEY, "NXDOMAIN", 0, 0, 0,
	  NK(ABSENT), KE(OK) },
	{ "secure NODATA", LOOKUP_KEY, SECURE, 0, NULL, { { 0 } },
	  LOOKUP_SECURE_NOKEY, "NODATA", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "secure, only other TXT", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(OTHER), T("v=spf1 -all") }, LOOKUP_SECURE_NOKEY, "no-record",
	  0, 0, 0, NK(ABSENT), KE(OK) },
	{ "v=SK10 and v=SK1x are not ours", LOOKUP_KEY, SECURE, 0, NULL,
	  { T("v=SK10; k=ed25519; p="), T("v=SK1x; k=ed25519; p=") },
	  LOOKUP_SECURE_NOKEY, "no-record", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "empty TXT is not ours", LOOKUP_KEY, SECURE, 0, NULL, { T("") },
	  LOOKUP_SECURE_NOKEY, "no-record", 0, 0, 0, NK(ABSENT), KE(OK) },
	/* keys */
	{ "secure key", LOOKUP_KEY, SECURE, 0, NULL, { T(ALICE) },
	  LOOKUP_SECURE_KEY, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "secure key next to other TXT", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(OTHER), T(ALICE), T("unrelated text") }, LOOKUP_SECURE_KEY,
	  NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "two keys (rollover)", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(ALICE), T(BOB) }, LOOKUP_SECURE_KEY, NULL, 2, 0, 0,
	  NK(NONE), KE(OK) },
	{ "whitespace around v = SK1", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(" v = SK1 ; k=ed25519; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=") },
	  LOOKUP_SECURE_KEY, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "testing key with a future x=", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(FUTURE) }, LOOKUP_SECURE_KEY, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "malformed next to a good key", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(BADB64), T(ALICE) }, LOOKUP_SECURE_KEY, NULL, 1, 1, 0,
	  NK(NONE), KE(OK) },
	{ "revoked next to a good key", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(REVOKED), T(BOB) }, LOOKUP_SECURE_KEY, NULL, 1, 0, 0,
	  NK(NONE), KE(OK) },
	/* malformed */
	{ "only a malformed record", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(BADB64) }, LOOKUP_PERMERROR, "bad-base64", 0, 1, 0,
	  NK(NONE), KE(EBASE64) },
	{ "all malformed: the first error", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(BADALG), T(OTHER), T(SHORT) }, LOOKUP_PERMERROR,
	  "unknown-algorithm", 0, 2, 0, NK(NONE), KE(EALG) },
	{ "missing p=", LOOKUP_KEY, SECURE, 0, NULL,
	  { T("v=SK1; k=ed25519") }, LOOKUP_PERMERROR, "missing-tag", 0, 1,
	  0, NK(NONE), KE(EMISSING) },
	{ "bare v=SK1", LOOKUP_KEY, SECURE, 0, NULL, { T("v=SK1") },
	  LOOKUP_PERMERROR, "missing-tag", 0, 1, 0, NK(NONE), KE(EMISSING) },
	/* NUL octets: ours and malformed if v=SK1, else skipped */
	{ "NUL inside a v=SK1 record", LOOKUP_KEY, SECURE, 0, NULL,
	  { T("v=SK1; k=ed25519; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=\0") },
	  LOOKUP_PERMERROR, "syntax", 0, 1, 0, NK(NONE), KE(ESYNTAX) },
	{ "NUL inside a v=SK1 record next to a good key", LOOKUP_KEY, SECURE,
	  0, NULL, { T("v=SK1;\0 k=ed25519; p="), T(BOB) }, LOOKUP_SECURE_KEY,
	  NULL, 1, 1, 0, NK(NONE), KE(OK) },
	{ "NUL inside another TXT record", LOOKUP_KEY, SECURE, 0, NULL,
	  { T("x\0y"), T(ALICE) }, LOOKUP_SECURE_KEY, NULL, 1, 0, 0,
	  NK(NONE), KE(OK) },
	{ "NUL before v=SK1 is not ours", LOOKUP_KEY, SECURE, 0, NULL,
	  { T("\0v=SK1; k=ed25519; p=") }, LOOKUP_SECURE_NOKEY, "no-record",
	  0, 0, 0, NK(ABSENT), KE(OK) },
	/* revoked, expired */
	{ "only revoked", LOOKUP_KEY, SECURE, 0, NULL, { T(REVOKED) },
	  LOOKUP_SECURE_NOKEY, "revoked", 0, 0, 0, NK(REVOKED), KE(OK) },
	{ "only expired", LOOKUP_KEY, SECURE, 0, NULL, { T(EXPIRED) },
	  LOOKUP_SECURE_NOKEY, "expired", 0, 0, 0, NK(EXPIRED), KE(OK) },
	{ "revoked and expired: revoked", LOOKUP_KEY, SECURE, 0, NULL,
	  { T(EXPIRED), T(REVOKED) }, LOOKUP_SECURE_NOKEY, "revoked", 0, 0,
	  0, NK(REVOKED), KE(OK) },
	{ "expired and malformed: expired, not permerror", LOOKUP_KEY, SECURE,
	  0, NULL, { T(BADB64), T(EXPIRED) }, LOOKUP_SECURE_NOKEY, "expired",
	  0, 1, 0, NK(EXPIRED), KE(OK) },
	/* insecure: the same reading, untrusted */
	{ "insecure key", LOOKUP_KEY, INSEC, 0, NULL, { T(ALICE) },
	  LOOKUP_INSECURE, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "insecure NXDOMAIN", LOOKUP_KEY, INSEC, 3, NULL, { { 0 } },
	  LOOKUP_INSECURE, "NXDOMAIN", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "insecure NODATA", LOOKUP_KEY, INSEC, 0, NULL, { { 0 } },
	  LOOKUP_INSECURE, "NODATA", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "insecure malformed", LOOKUP_KEY, INSEC, 0, NULL, { T(BADB64) },
	  LOOKUP_INSECURE, "bad-base64", 0, 1, 0, NK(NONE), KE(EBASE64) },
	{ "insecure revoked", LOOKUP_KEY, INSEC, 0, NULL, { T(REVOKED) },
	  LOOKUP_INSECURE, "revoked", 0, 0, 0, NK(REVOKED), KE(OK) },
	/* policy records */
	{ "policy all", LOOKUP_POLICY, SECURE, 0, NULL,
	  { T("v=SK1; policy=all") }, LOOKUP_SECURE_KEY, NULL, 0, 0,
	  POLICYREC_ALL, NK(NONE), KE(OK) },
	{ "policy some next to other TXT", LOOKUP_POLICY, SECURE, 0, NULL,
	  { T(OTHER), T("v=SK1; policy=some") }, LOOKUP_SECURE_KEY, NULL, 0,
	  0, POLICYREC_SOME, NK(NONE), KE(OK) },
	{ "insecure policy", LOOKUP_POLICY, INSEC, 0, NULL,
	  { T("v=SK1; policy=all") }, LOOKUP_INSECURE, NULL, 0, 0,
	  POLICYREC_ALL, NK(NONE), KE(OK) },
	{ "two policy records", LOOKUP_POLICY, SECURE, 0, NULL,
	  { T("v=SK1; policy=all"), T("v=SK1; policy=all") },
	  LOOKUP_PERMERROR, "multiple-records", 0, 2, 0, NK(NONE), KE(OK) },
	{ "unknown policy", LOOKUP_POLICY, SECURE, 0, NULL,
	  { T("v=SK1; policy=most") }, LOOKUP_PERMERROR, "unknown-policy", 0,
	  1, 0, NK(NONE), KE(OK) },
	{ "policy with a NUL", LOOKUP_POLICY, SECURE, 0, NULL,
	  { T("v=SK1; policy=all\0") }, LOOKUP_PERMERROR, "syntax", 0, 1, 0,
	  NK(NONE), KE(OK) },
	{ "no policy record", LOOKUP_POLICY, SECURE, 0, NULL, { T(OTHER) },
	  LOOKUP_SECURE_NOKEY, "no-record", 0, 0, 0, NK(NONE), KE(OK) },
	{ "policy NXDOMAIN", LOOKUP_POLICY, SECURE, 3, NULL, { { 0 } },
	  LOOKUP_SECURE_NOKEY, "NXDOMAIN", 0, 0, 0, NK(NONE), KE(OK) },
	{ "policy bogus", LOOKUP_POLICY, BOGUS, 0, "sig expired",
	  { T("v=SK1; policy=all") }, LOOKUP_BOGUS, "sig expired", 0, 0, 0,
	  NK(NONE), KE(OK) },
	{ "policy SERVFAIL", LOOKUP_POLICY, INSEC, 2, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "SERVFAIL", 0, 0, 0, NK(NONE), KE(OK) },
	/* DKIM key records: every TXT at the name is read as one */
	{ "dkim: one good record", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DALICE) }, LOOKUP_SECURE_KEY, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "dkim: no v= needed, two keys", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DALICE), T(DBOB) }, LOOKUP_SECURE_KEY, NULL, 2, 0, 0,
	  NK(NONE), KE(OK) },
	{ "dkim: an SK1 record is not a DKIM key", LOOKUP_DKIM, SECURE, 0,
	  NULL, { T(ALICE) }, LOOKUP_PERMERROR, "bad-version", 0, 1, 0,
	  NK(NONE), KE(EVERSION) },
	{ "dkim: good next to malformed", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DBADB64), T(DALICE) }, LOOKUP_SECURE_KEY, NULL, 1, 1, 0,
	  NK(NONE), KE(OK) },
	{ "dkim: other TXT at the name is malformed", LOOKUP_DKIM, SECURE, 0,
	  NULL, { T(OTHER), T(DBOB) }, LOOKUP_SECURE_KEY, NULL, 1, 1, 0,
	  NK(NONE), KE(OK) },
	{ "dkim: all malformed, the first error", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DBADB64), T(DHASH), T(OTHER) }, LOOKUP_PERMERROR, "bad-base64",
	  0, 3, 0, NK(NONE), KE(EBASE64) },
	{ "dkim: h= without sha256", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DHASH) }, LOOKUP_PERMERROR, "bad-hash", 0, 1, 0, NK(NONE),
	  KE(EHASH) },
	{ "dkim: NUL in a record", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T("k=ed25519; p=\0") }, LOOKUP_PERMERROR, "syntax", 0, 1, 0,
	  NK(NONE), KE(ESYNTAX) },
	{ "dkim: revoked p=", LOOKUP_DKIM, SECURE, 0, NULL, { T(DREVOKED) },
	  LOOKUP_SECURE_NOKEY, "revoked", 0, 0, 0, NK(REVOKED), KE(OK) },
	{ "dkim: revoked next to a good key", LOOKUP_DKIM, SECURE, 0, NULL,
	  { T(DREVOKED), T(DBOB) }, LOOKUP_SECURE_KEY, NULL, 1, 0, 0,
	  NK(NONE), KE(OK) },
	{ "dkim: NXDOMAIN", LOOKUP_DKIM, SECURE, 3, NULL, { { 0 } },
	  LOOKUP_SECURE_NOKEY, "NXDOMAIN", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "dkim: NODATA", LOOKUP_DKIM, SECURE, 0, NULL, { { 0 } },
	  LOOKUP_SECURE_NOKEY, "NODATA", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "dkim: unsigned zone", LOOKUP_DKIM, INSEC, 0, NULL, { T(DALICE) },
	  LOOKUP_INSECURE, NULL, 1, 0, 0, NK(NONE), KE(OK) },
	{ "dkim: unsigned NXDOMAIN", LOOKUP_DKIM, INSEC, 3, NULL, { { 0 } },
	  LOOKUP_INSECURE, "NXDOMAIN", 0, 0, 0, NK(ABSENT), KE(OK) },
	{ "dkim: bogus", LOOKUP_DKIM, BOGUS, 0, "sig expired", { T(DALICE) },
	  LOOKUP_BOGUS, "sig expired", 0, 0, 0, NK(NONE), KE(OK) },
	{ "dkim: SERVFAIL", LOOKUP_DKIM, INSEC, 2, NULL, { { 0 } },
	  LOOKUP_TEMPFAIL, "SERVFAIL", 0, 0, 0, NK(NONE), KE(OK) },
};

static void
test_row(const struct row *r)
{
	struct lookup_input in;
	struct lookup_answer *a;
	size_t n = 0;

	while (n < 4 && r->txt[n].text != NULL)
		n++;
	memset(&in, 0, sizeof(in));
	in.kind = r->kind;
	in.secure = r->secure;
	in.bogus = r->bogus;
	in.why_bogus = r->why;
	in.rcode = r->rcode;
	in.ttl = 300;
	in.txt = r->txt;
	in.ntxt = n;
	in.now = NOW;
	a = lookup_classify(&in);
	T_OK(a != NULL, "%s: an answer", r->name);
	if (a == NULL)
		return;
	T_STREQ(lookup_state_name(a->state), lookup_state_name(r->want),
	    "%s: state", r->name);
	if (r->reason == NULL)
		T_OK(a->reason == NULL, "%s: no reason (got %s)", r->name,
		    a->reason != NULL ? a->reason : "none");
	else
		T_STREQ(a->reason, r->reason, "%s: reason", r->name);
	T_INTEQ(a->nkeys, r->nkeys, "%s: usable keys", r->name);
	T_INTEQ(a->nbad, r->nbad, "%s: malformed records", r->name);
	T_STREQ(lookup_nokey_name(a->nokey), lookup_nokey_name(r->nokey),
	    "%s: nokey", r->name);
	T_STREQ(keyrec_errname(a->keyerr), keyrec_errname(r->keyerr),
	    "%s: keyerr", r->name);
	T_INTEQ(a->policy, r->policy, "%s: policy", r->name);
	T_INTEQ(a->trusted, r->want == LOOKUP_SECURE_KEY ||
	    r->want == LOOKUP_SECURE_NOKEY || r->want == LOOKUP_PERMERROR,
	    "%s: trusted only when secure", r->name);
	T_INTEQ(a->rcode, r->rcode, "%s: rcode kept", r->name);
	T_INTEQ(a->ttl, 300, "%s: ttl kept", r->name);
	T_INTEQ(a->kind, r->kind, "%s: kind kept", r->name);
	lookup_answer_free(a);
}

static void
test_record_cap(void)
{
	struct lookup_txt txt[LOOKUP_MAX_KEY_RECORDS + 2];
	struct lookup_input in;
	struct lookup_answer *a;
	size_t i;

	for (i = 0; i < LOOKUP_MAX_KEY_RECORDS + 2; i++) {
		txt[i].text = i == 0 ? OTHER : ALICE;
		txt[i].len = strlen(txt[i].text);
	}
	memset(&in, 0, sizeof(in));
	in.kind = LOOKUP_KEY;
	in.secure = 1;
	in.txt = txt;
	in.now = NOW;
	in.ntxt = LOOKUP_MAX_KEY_RECORDS + 1;	/* 16 key records + other */
	a = lookup_classify(&in);
	T_OK(a != NULL && a->state == LOOKUP_SECURE_KEY && a->nkeys == 16,
	    "16 key records (and another TXT) are accepted");
	lookup_answer_free(a);
	in.ntxt = LOOKUP_MAX_KEY_RECORDS + 2;	/* 17 key records */
	a = lookup_classify(&in);
	T_OK(a != NULL && a->state == LOOKUP_PERMERROR && a->nkeys == 0 &&
	    a->nbad == LOOKUP_MAX_KEY_RECORDS + 1 && a->keyerr == KEYREC_OK,
	    "17 key records are a permerror, none of them parsed");
	T_STREQ(a != NULL ? a->reason : NULL, "too-many-records",
	    "17 key records: the reason logged");
	lookup_answer_free(a);
}

static int
fp(const struct keyrec *r, char out[KEY_FP_SIZE])
{
	const struct keyrec_fields *f = keyrec_get(r);

	return key_record_fingerprint(f->alg, f->key, f->keylen, out,
	    KEY_FP_SIZE);
}

/*
 * test_dkim_record_cap: at a DKIM name every TXT record counts towards
 * the cap (there is no v= to tell them apart); the keys are the same
 * struct keyrec as SK1's, so the fingerprints match.
 */
static void
test_dkim_record_cap(void)
{
	struct lookup_txt txt[LOOKUP_MAX_KEY_RECORDS + 1], sk = T(ALICE);
	struct lookup_input in;
	struct lookup_answer *a, *b;
	char fa[KEY_FP_SIZE], fb[KEY_FP_SIZE];
	size_t i;

	for (i = 0; i < LOOKUP_MAX_KEY_RECORDS + 1; i++) {
		txt[i].text = i == 0 ? OTHER : DALICE;
		txt[i].len = strlen(txt[i].text);
	}
	memset(&in, 0, sizeof(in));
	in.kind = LOOKUP_DKIM;
	in.secure = 1;
	in.txt = txt;
	in.now = NOW;
	in.ntxt = LOOKUP_MAX_KEY_RECORDS;
	a = lookup_classify(&in);
	T_OK(a != NULL && a->state == LOOKUP_SECURE_KEY && a->nkeys == 15 &&
	    a->nbad == 1, "dkim: 16 TXT records (one other) are read");
	lookup_answer_free(a);
	in.ntxt = LOOKUP_MAX_KEY_RECORDS + 1;
	a = lookup_classify(&in);
	T_OK(a != NULL && a->state == LOOKUP_PERMERROR && a->nkeys == 0 &&
	    a->nbad == LOOKUP_MAX_KEY_RECORDS + 1,
	    "dkim: 17 TXT records (one other) are a permerror");
	T_STREQ(a != NULL ? a->reason : NULL, "too-many-records",
	    "dkim: 17 records: the reason logged");
	lookup_answer_free(a);

	in.ntxt = 1;
	in.txt = txt + 1;
	a = lookup_classify(&in);
	in.kind = LOOKUP_KEY;
	in.txt = &sk;
	b = lookup_classify(&in);
	T_OK(a != NULL && b != NULL && a->nkeys == 1 && b->nkeys == 1 &&
	    fp(a->keys[0], fa) == 0 && fp(b->keys[0], fb) == 0 &&
	    strcmp(fa, fb) == 0, "dkim: the same key as SK1's, same "
	    "fingerprint");
	lookup_answer_free(a);
	lookup_answer_free(b);
}

static void
test_key_fields(void)
{
	struct lookup_txt txt[] = { T(BOB), T(FUTURE) };
	struct lookup_input in = { LOOKUP_KEY, 1, 0, NULL, 0, 60, txt, 2, NOW };
	struct lookup_answer *a = lookup_classify(&in);
	const struct keyrec_fields *f;

	T_OK(a != NULL && a->nkeys == 2, "two keys, in record order");
	if (a == NULL || a->nkeys != 2) {
		lookup_answer_free(a);
		return;
	}
	f = keyrec_get(a->keys[0]);
	T_OK(f->alg == KEYREC_ED25519 && f->keylen == 32 && f->key[0] == 0x85,
	    "first key is bob's (0x85...)");
	f = keyrec_get(a->keys[1]);
	T_OK(f->testing && f->not_after == 1900000000 && f->key[0] == 0xf2,
	    "second key is alice's testing key with x=");
	T_INTEQ(keyrec_bits(a->keys[1]), 256, "ed25519 is 256 bits");
	lookup_answer_free(a);

	/* The same record is expired a second after x=. */
	in.now = 1900000001;
	in.ntxt = 1;
	txt[0] = txt[1];
	a = lookup_classify(&in);
	T_OK(a != NULL && a->state == LOOKUP_SECURE_NOKEY &&
	    a->nokey == LOOKUP_NOKEY_EXPIRED, "x= passed: secure-nokey "
	    "expired");
	lookup_answer_free(a);
}

static void
test_names(void)
{
	T_STREQ(lookup_state_name(LOOKUP_SECURE_KEY), "secure-key", "name 0");
	T_STREQ(lookup_state_name(LOOKUP_SECURE_NOKEY), "secure-nokey",
	    "name 1");
	T_STREQ(lookup_state_name(LOOKUP_INSECURE), "insecure", "name 2");
	T_STREQ(lookup_state_name(LOOKUP_BOGUS), "bogus", "name 3");
	T_STREQ(lookup_state_name(LOOKUP_TEMPFAIL), "tempfail", "name 4");
	T_STREQ(lookup_state_name(LOOKUP_PERMERROR), "permerror", "name 5");
	T_STREQ(lookup_state_name((enum lookup_state)42), "?", "name 42");
	T_STREQ(lookup_nokey_name(LOOKUP_NOKEY_NONE), "-", "nokey name 0");
	T_STREQ(lookup_nokey_name(LOOKUP_NOKEY_ABSENT), "absent",
	    "nokey name 1");
	T_STREQ(lookup_nokey_name(LOOKUP_NOKEY_REVOKED), "revoked",
	    "nokey name 2");
	T_STREQ(lookup_nokey_name(LOOKUP_NOKEY_EXPIRED), "expired",
	    "nokey name 3");
	T_STREQ(lookup_nokey_name((enum lookup_nokey)9), "?", "nokey name 9");
}

static void
test_tempfail(void)
{
	struct lookup_answer *a = lookup_answer_tempfail(LOOKUP_POLICY,
	    "timeout");

	T_OK(a != NULL && a->state == LOOKUP_TEMPFAIL &&
	    a->kind == LOOKUP_POLICY && a->nkeys == 0 &&
	    a->nokey == LOOKUP_NOKEY_NONE && !a->trusted && a->rcode == -1,
	    "lookup_answer_tempfail");
	T_STREQ(a != NULL ? a->reason : NULL, "timeout",
	    "lookup_answer_tempfail: the reason is copied");
	lookup_answer_free(a);
	lookup_answer_free(NULL);
	T_OK(1, "lookup_answer_free(NULL) is a no-op");
}

/* same_answer: B reads as A: every field, each key's fields and octets. */
static int
same_answer(const struct lookup_answer *a, const struct lookup_answer *b)
{
	const struct keyrec_fields *x, *y;
	size_t i;

	if (a->state != b->state || a->kind != b->kind ||
	    a->nokey != b->nokey || a->keyerr != b->keyerr ||
	    a->rcode != b->rcode || a->ttl != b->ttl ||
	    a->trusted != b->trusted || a->nkeys != b->nkeys ||
	    a->nbad != b->nbad || a->policy != b->policy ||
	    (a->reason == NULL) != (b->reason == NULL) ||
	    (a->reason != NULL && strcmp(a->reason, b->reason) != 0))
		return 0;
	for (i = 0; i < a->nkeys; i++) {
		x = keyrec_get(a->keys[i]);
		y = keyrec_get(b->keys[i]);
		if (x->alg != y->alg || x->keylen != y->keylen ||
		    x->testing != y->testing || x->not_after != y->not_after ||
		    memcmp(x->key, y->key, x->keylen) != 0 ||
		    keyrec_bits(a->keys[i]) != keyrec_bits(b->keys[i]))
			return 0;
	}
	return 1;
}

/*
 * lookup_answer_flat_copy: the copy reads as the answer it was made from,
 * lives in its one block (keys, key octets and reason inside it), and
 * outlives the original (freed first: valgrind or ASan would show a copy
 * pointing into it).
 */
static void
test_flat_copy(void)
{
	static const struct lookup_txt three[] = { T(ALICE), T(FUTURE),
	    T(BOB), T(BADB64) };
	static const struct lookup_txt none[] = { T(OTHER) };
	struct lookup_input in = { 0 };
	struct lookup_answer *a, *b, *c;
	unsigned char *buf;
	size_t sz, i, inside;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		memset(&in, 0, sizeof(in));
		in.kind = LOOKUP_KEY;
		in.secure = pass != 1;
		in.ttl = 300;
		in.now = NOW;
		in.txt = pass == 2 ? none : three;
		in.ntxt = pass == 2 ? 1 : 4;
		a = lookup_classify(&in);
		b = lookup_classify(&in);
		if (a == NULL || b == NULL ||
		    (buf = malloc(sz = lookup_answer_flat_size(a))) == NULL) {
			T_OK(0, "flat copy %d: set up", pass);
			lookup_answer_free(a);
			lookup_answer_free(b);
			continue;
		}
		c = lookup_answer_flat_copy(a, buf);
		lookup_answer_free(a);
		T_OK((void *)c == (void *)buf && sz % 8 == 0,
		    "flat copy %d: at the buffer, size %zu", pass, sz);
		T_OK(same_answer(b, c), "flat copy %d (%s, %zu keys, %s): "
		    "reads as the answer", pass, lookup_state_name(c->state),
		    c->nkeys, c->reason != NULL ? c->reason : "-");
		inside = (c->reason == NULL ||
		    ((unsigned char *)c->reason > buf &&
		    (unsigned char *)c->reason + strlen(c->reason) < buf + sz));
		for (i = 0; i < c->nkeys; i++)
			inside &= (unsigned char *)c->keys[i] > buf &&
			    keyrec_get(c->keys[i])->key +
			    keyrec_get(c->keys[i])->keylen <= buf + sz;
		T_OK(inside, "flat copy %d: keys and reason in the block",
		    pass);
		lookup_answer_free(b);
		free(buf);
	}
}

/* write_file: a temporary file holding TEXT; its path in PATH. */
static int
write_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_lookup.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void
noop_cb(void *arg, int id, struct lookup_answer *ans)
{
	(void)id;
	++*(int *)arg;
	lookup_answer_free(ans);
}

static void
test_context(void)
{
	char anchor[64], conf[64], err[256], fwd[64];
	const char *fwds[1];
	struct lookup_opts o;
	struct lookup *lk;
	struct lookup_answer *a = NULL;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int s, id1, id2, calls = 0;

	memset(&o, 0, sizeof(o));
	o.trust_anchor_file = "/nonexistent/root.key";
	err[0] = '\0';
	lk = lookup_new(&o, err, sizeof(err));
	T_OK(lk == NULL && strstr(err, "/nonexistent/root.key") != NULL &&
	    strstr(err, "No such file") != NULL,
	    "a missing trust anchor is refused (%s)", err);
	lookup_free(lk);
	lookup_free(NULL);

	if (write_file(anchor, ". 3600 IN DS 20326 8 2 "
	    "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d\n")
	    != 0 || write_file(conf, "server:\n\tdo-not-query-localhost: no\n"
	    "\tlocal-zone: \"test.\" nodefault\n") != 0) {
		T_OK(0, "temporary files");
		return;
	}
	o.trust_anchor_file = anchor;
	o.unbound_config = "/nonexistent/unbound.conf";
	lk = lookup_new(&o, err, sizeof(err));
	T_OK(lk == NULL && strstr(err, "unbound config") != NULL,
	    "a missing unbound config is refused (%s)", err);
	lookup_free(lk);

	o.unbound_config = conf;
	fwds[0] = "not-an-address";
	o.forwarders = fwds;
	o.nforwarders = 1;
	lk = lookup_new(&o, err, sizeof(err));
	T_OK(lk == NULL && strstr(err, "forwarder not-an-address") != NULL,
	    "a bad forwarder is refused (%s)", err);
	lookup_free(lk);

	/* A UDP socket that never answers stands in for a dead server. */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(s, (struct sockaddr *)&sin, &slen) != 0) {
		T_OK(0, "a silent UDP socket");
		return;
	}
	snprintf(fwd, sizeof(fwd), "127.0.0.1@%u", ntohs(sin.sin_port));
	fwds[0] = fwd;
	o.timeout_ms = 400;
	lk = lookup_new(&o, err, sizeof(err));
	T_OK(lk != NULL, "a context with anchor, config and forwarder (%s)",
	    lk == NULL ? err : "ok");
	if (lk != NULL) {
		T_OK(lookup_fd(lk) >= 0, "lookup_fd");
		T_OK(lookup_start(lk, "a.example.test.", LOOKUP_KEY, noop_cb,
		    &calls, &id1) == 0 && lookup_start(lk, "b.example.test.",
		    LOOKUP_KEY, noop_cb, &calls, &id2) == 0,
		    "two queries started");
		T_INTEQ(lookup_pending(lk), 2, "two pending");
		lookup_cancel(lk, id1);
		lookup_cancel(lk, id1);
		lookup_cancel(lk, 123456);
		T_INTEQ(lookup_pending(lk), 1, "one pending after cancel");

		/*
		 * Only lookup_sync's own deadline makes this answer: a
		 * DNS failure would carry its rcode, and libunbound gives
		 * up on a silent server only after about 17 s.
		 */
		T_OK(lookup_sync(lk, "alice.example.test.", LOOKUP_KEY, &a) ==
		    0 && a != NULL, "lookup_sync returns an answer");
		T_OK(a != NULL && a->state == LOOKUP_TEMPFAIL &&
		    a->kind == LOOKUP_KEY && a->rcode == -1 && !a->trusted,
		    "silent server: tempfail, no rcode (the deadline)");
		T_STREQ(a != NULL ? a->reason : NULL, "timeout",
		    "silent server: the reason logged");
		lookup_answer_free(a);
		T_INTEQ(lookup_pending(lk), 1, "the other query still pending");
		T_INTEQ(calls, 0, "no callback for cancelled or silent queries");
		lookup_free(lk);	/* with one query pending */
		T_OK(1, "lookup_free with a pending query");
	}
	close(s);
	unlink(anchor);
	unlink(conf);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		test_row(&rows[i]);
	test_record_cap();
	test_dkim_record_cap();
	test_key_fields();
	test_names();
	test_tempfail();
	test_flat_copy();
	test_context();
	return t_done();
}
