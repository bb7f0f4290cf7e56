/*
 * test_sig_bridge: the verification half of the DKIM bridge
 * (specs/signature.md section 11.2) in lib/sig_verify.c and
 * lib/sigbridge.c: every row of the table of what counts and what does
 * not, the Sender-Key-Signature rules a counted bridge signature meets,
 * DKIM's c= defaults, the two key lookups (the DKIM record's state mapped
 * as step 7, dkim-key-differs, the lookup never made), and the message
 * result with a Sender-Key-Signature beside it; what the signer of 11.1
 * writes verifies.  Other bridge signatures are made here by hand (tags
 * as given, hashed with lib/sighash, signed with OpenSSL), so that each
 * may break one rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/owner.h"
#include "lib/sig.h"
#include "lib/sighash.h"
#include "lib/sigheader.h"
#include "t.h"

#define NOW	1763026200LL	/* 2025-11-13 09:30:00 UTC */
#define XNOW	"1763631000"	/* NOW + 7 days */

static struct sig_ctx *ctx;
static EVP_MD *sha256;

/* The message of signature.md section 8. */
static const char *MSG =
    "From: Alice Example <alice@example.com>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: Lunch on Thursday?\r\n"
    "Date: Thu, 13 Nov 2025 09:30:00 +0000\r\n"
    "Message-ID: <20251113093000.4711@mail.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hi Bob,\r\n\r\nShall we meet at noon?  The usual place.\r\n\r\nAlice\r\n"
    "\r\n";

#define HGOOD	"from:from:to:to:subject:subject:mime-version:mime-version:" \
		"content-type:content-type"

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		exit(1);
	return p;
}

static EVP_PKEY *
privkey(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[8192], err[256];
	size_t n;
	EVP_PKEY *k;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	k = key_private_from_text(buf, n, err, sizeof(err));
	OPENSSL_cleanse(buf, sizeof(buf));
	if (k == NULL)
		printf("# %s: %s\n", path, err);
	return k;
}

/* replace: TEXT with the first FROM replaced by TO; malloc'd. */
static char *
replace(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *out;

	if (p == NULL) {
		printf("# replace: '%s' not found\n", from);
		exit(1);
	}
	if ((out = malloc(strlen(text) + strlen(to) + 1)) == NULL)
		exit(1);
	memcpy(out, text, (size_t)(p - text));
	strcpy(out + (p - text), to);
	strcat(out, p + strlen(from));
	return out;
}

/* selector: the DKIM selector of the canonical local part LOCAL. */
static const char *
selector(const char *local)
{
	static char sel[4][OWNER_DKIM_SEL_LEN + 1];
	static int k;

	k = (k + 1) % 4;
	owner_dkim_selector(local, strlen(local), sel[k]);
	return sel[k];
}

/*
 * bsign: TEXT with a DKIM-Signature on top whose tags are TAGS (from v=
 * to h=, without bh= and b=), signed by K (Ed25519) over the hash input
 * of signature.md 4.3 as DKIM verifiers compute it; malloc'd.
 */
static char *
bsign(const char *text, EVP_PKEY *k, const char *tags)
{
	const struct sigheader_fields *f;
	struct sigheader *sh;
	struct msg *m;
	EVP_MD_CTX *md;
	unsigned char bh[32], d[32], sig[64];
	char *val, *field, *bh64, *b64, *out;
	size_t n, siglen = sizeof(sig);

	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		exit(1);
	/* read c= and h= as a DKIM verifier would (l= hidden from parsing) */
	n = strlen(tags) + 200;
	if ((val = malloc(n)) == NULL || (field = malloc(n + 100)) == NULL)
		exit(1);
	snprintf(val, n, "%s; bh=%s; b=%s", tags,
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAA==");
	if (strstr(val, " l=") != NULL)
		strstr(val, " l=")[1] = 'z';
	if ((sh = sigheader_parse(SIGHEADER_DKIM, val, strlen(val), NULL)) ==
	    NULL) {
		printf("# bsign: tags do not parse: %s\n", tags);
		exit(1);
	}
	f = sigheader_get(sh);
	if (sighash_body(sha256, m, f->bcanon, bh) == -1 ||
	    (bh64 = b64_encode(bh, 32)) == NULL)
		exit(1);
	snprintf(field, n + 100, "DKIM-Signature: %s; bh=%s; b=", tags, bh64);
	md = EVP_MD_CTX_new();
	if (md == NULL || sighash_header(md, sha256, m, f->h, f->nh, f->hcanon,
	    field, strlen(field), strlen(field), strlen(field), d) == -1)
		exit(1);
	EVP_MD_CTX_free(md);
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, d, 32) != 1 ||
	    (b64 = b64_encode(sig, siglen)) == NULL)
		exit(1);
	EVP_MD_CTX_free(md);
	if ((out = malloc(strlen(field) + strlen(b64) + strlen(text) + 3)) ==
	    NULL)
		exit(1);
	sprintf(out, "%s%s\r\n%s", field, b64, text);
	sigheader_free(sh);
	msg_free(m);
	free(val);
	free(field);
	free(bh64);
	free(b64);
	return out;
}

/*
 * tags: the bridge tags for Alice with D, S, I, TX (the t= and x= tags), H
 * and C (c= tag) replacing the defaults where not NULL ("" leaves the tag
 * out).
 */
static const char *
tags(const char *d, const char *s, const char *i, const char *tx,
    const char *h, const char *c)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	    "v=1; a=ed25519-sha256%s%s; d=%s; s=%s%s%s%s%s; h=%s",
	    c != NULL && *c == '\0' ? "" : "; c=",
	    c != NULL ? c : "relaxed/relaxed",
	    d != NULL ? d : "example.com", s != NULL ? s : selector("alice"),
	    i != NULL && *i == '\0' ? "" : "; i=",
	    i != NULL ? i : "alice@example.com",
	    tx != NULL && *tx == '\0' ? "" : "; ",
	    tx != NULL ? tx : "t=1763026200; x=" XNOW, h != NULL ? h : HGOOD);
	return buf;
}

/* What one verification gave. */
struct got {
	struct sig_outcome	 res;		/* the message result */
	size_t			 n;		/* outcomes (counted) */
	int			 need_dkim;	/* after sig_verify_begin */
};

/*
 * run: verify TEXT in the bridge mode at NOW: the DKIM lookup (when asked
 * for and CALL_DKIM) gives DSTATE and DKEY's fingerprint (and DKEY2's;
 * either may be NULL), the SK1 lookup SSTATE and SKEY.
 */
static struct got
run(const char *text, int64_t now, int call_dkim, enum sig_keystate dstate,
    EVP_PKEY *dkey, EVP_PKEY *dkey2, enum sig_keystate sstate, EVP_PKEY *skey)
{
	char fps[2][KEY_FP_SIZE];
	struct sig_key key = { 0 };
	const struct addr *sender;
	struct sig_verify *v;
	struct msg *m;
	struct got g;
	size_t nfp = 0;

	memset(&g, 0, sizeof(g));
	g.res.result = (enum sig_result)-1;
	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		return g;
	if ((v = sig_verify_begin(ctx, m, SIGHEADER_DKIM_BRIDGE, now)) == NULL)
		exit(1);
	g.need_dkim = sig_verify_need_dkim(v);
	if (dkey != NULL && key_fingerprint(dkey, fps[nfp], KEY_FP_SIZE) == 0)
		nfp++;
	if (dkey2 != NULL && key_fingerprint(dkey2, fps[nfp], KEY_FP_SIZE) ==
	    0)
		nfp++;
	if (g.need_dkim && call_dkim)
		sig_verify_dkim(v, dstate, (const char (*)[KEY_FP_SIZE])fps,
		    nfp);
	key.pkey = skey;
	if (sig_verify_need_keys(v, &sender))
		sig_verify_keys(v, sstate, skey != NULL ? &key : NULL,
		    skey != NULL ? 1 : 0);
	g.res = *sig_verify_result(v);
	g.n = sig_verify_count(v);
	sig_verify_free(v);
	msg_free(m);
	return g;
}

/* runk: run with both lookups FOUND and K in both records. */
static struct got
runk(const char *text, EVP_PKEY *k)
{
	return run(text, NOW, 1, SIG_KEYS_FOUND, k, NULL, SIG_KEYS_FOUND, k);
}

#define EXPECT(g, res_, why, what) do {					     \
	T_STREQ(sig_result_name((g).res.result), sig_result_name(res_),	     \
	    "%s: result", what);					     \
	T_STREQ(sig_reason_name((g).res.reason), sig_reason_name(why),	     \
	    "%s: reason", what);					     \
} while (0)

/* counts: rows of 11.2's table that make a bridge signature. */
static void
test_counts(EVP_PKEY *ed)
{
	static const struct {
		const char *from;	/* From: address instead of Alice's */
		const char *local;	/* its canonical local part */
		const char *d, *i;
		const char *what;
	} t[] = {
		{ NULL, "alice", NULL, NULL, "d=, s=, i= the From: address" },
		{ NULL, "alice", "EXAMPLE.Com", NULL, "d= in other case" },
		{ NULL, "alice", NULL, "Alice@EXAMPLE.COM",
		  "i= in other ASCII case (canonical address equal)" },
		{ NULL, "alice", NULL, "\"alice\"@example.com",
		  "i= with needless quotes" },
		{ "\xc3\xa9mile@example.com", "\xc3\xa9mile", NULL,
		  "e=CC=81mile@example.com", "i= in NFD, From: in NFC" },
		{ "e\xcc\x81mile@example.com", "\xc3\xa9mile", NULL,
		  "=C3=A9mile@example.com", "i= in NFC, From: in NFD" },
		{ "\"john doe\"@example.com", "john doe", NULL,
		  "\"john=20doe\"@example.com", "quoted local part" },
		{ "bounce=x@xn--mnchen-3ya.example", "bounce=x",
		  "xn--mnchen-3ya.example", "bounce=3Dx@xn--mnchen-3ya.example",
		  "'=' in i=, IDN domain as A-label" },
	};
	char *msg, *s, what[160], from[96];
	const char *sel;
	struct got g;
	size_t k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		snprintf(from, sizeof(from), "<%s>", t[k].from);
		msg = t[k].from != NULL ? replace(MSG, "<alice@example.com>",
		    from) : xstrdup(MSG);
		sel = selector(t[k].local);
		s = bsign(msg, ed, tags(t[k].d != NULL ? t[k].d :
		    t[k].from != NULL ? strchr(t[k].from, '@') + 1 : NULL,
		    sel, t[k].i != NULL ? t[k].i : t[k].from, NULL, NULL,
		    NULL));
		g = runk(s, ed);
		snprintf(what, sizeof(what), "counts: %s", t[k].what);
		EXPECT(g, SIG_PASS, SIG_R_OK, what);
		T_OK(g.n == 1 && g.res.kind == SIGHEADER_DKIM_BRIDGE &&
		    strcmp(g.res.selector, sel) == 0 && g.res.field == 0,
		    "%s: one outcome, kind bridge, selector %s", what, sel);
		free(s);
		free(msg);
	}
	/* the selector in upper case: DNS names ignore ASCII case */
	sel = selector("alice");
	{
		char up[OWNER_DKIM_SEL_LEN + 1];

		for (k = 0; sel[k] != '\0'; k++)
			up[k] = (sel[k] >= 'a' && sel[k] <= 'z') ?
			    (char)(sel[k] - 32) : sel[k];
		up[k] = '\0';
		s = bsign(MSG, ed, tags(NULL, up, NULL, NULL, NULL, NULL));
		EXPECT(runk(s, ed), SIG_PASS, SIG_R_OK,
		    "counts: s= in upper case");
		free(s);
	}
	/* From: a bare addr-spec, no display name */
	msg = replace(MSG, "Alice Example <alice@example.com>",
	    "alice@example.com");
	s = bsign(msg, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	EXPECT(runk(s, ed), SIG_PASS, SIG_R_OK, "counts: From: bare address");
	free(s);
	free(msg);
}

/* not_counted: rows of 11.2's table that change nothing. */
static void
test_not_counted(EVP_PKEY *ed)
{
	static const struct {
		const char *from;	/* From: replacement, or NULL */
		const char *d, *s_local, *i;
		const char *what;
	} t[] = {
		{ NULL, NULL, NULL, "bob@example.com", "i= another mailbox" },
		{ NULL, NULL, NULL, "@example.com", "i= the domain only" },
		{ NULL, NULL, NULL, "", "no i=" },
		{ NULL, NULL, NULL, "alice@mail.example.com",
		  "i= a subdomain" },
		{ NULL, NULL, NULL, "alice+x@example.com", "i= sub-address" },
		{ NULL, NULL, NULL, "alice@example.com.", "i= trailing dot" },
		{ NULL, NULL, "bob", NULL, "s= another local part's selector" },
		{ NULL, NULL, "Alice", NULL,
		  "s= the selector of the local part as written" },
		{ NULL, "mail.example.com", NULL, NULL, "d= a subdomain" },
		{ "alice@mail.example.com", "example.com", NULL,
		  "alice@mail.example.com", "d= the parent domain" },
		{ NULL, "example.com.", NULL, NULL, "d= with a trailing dot" },
		{ "\xc3\x89MILE@example.com", NULL, "\xc3\x89mile",
		  "=C3=A9mile@example.com",
		  "i= lowercases a non-ASCII letter of From:" },
	};
	char *msg, *s, what[160], from[96];
	struct got g;
	size_t k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		snprintf(from, sizeof(from), "<%s>", t[k].from);
		msg = t[k].from != NULL ? replace(MSG, "<alice@example.com>",
		    from) : xstrdup(MSG);
		s = bsign(msg, ed, tags(t[k].d, t[k].s_local != NULL ?
		    selector(t[k].s_local) : NULL, t[k].i, NULL, NULL, NULL));
		g = runk(s, ed);
		snprintf(what, sizeof(what), "does not count: %s", t[k].what);
		EXPECT(g, SIG_NONE, SIG_R_NO_SIGNATURE, what);
		T_OK(g.n == 0 && !g.need_dkim, "%s: no outcome, no lookup",
		    what);
		free(s);
		free(msg);
	}
	/* a second From: (the signature over the first one alone) */
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	msg = replace(s, "To: Bob", "From: alice@example.com\r\nTo: Bob");
	g = runk(msg, ed);
	EXPECT(g, SIG_NONE, SIG_R_NO_SIGNATURE, "does not count: second From:");
	free(msg);
	/* l= (a DKIM verifier would take it) */
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, "l=79; t=1763026200; x="
	    XNOW, NULL, NULL));
	g = runk(s, ed);
	EXPECT(g, SIG_NONE, SIG_R_NO_SIGNATURE, "does not count: l=");
	free(s);
	/* a fifth DKIM-Signature: only the first four are looked at */
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	for (k = 0; k < 4; k++) {
		msg = bsign(s, ed, tags("other.example", "sel", "", NULL, NULL,
		    NULL));
		free(s);
		s = msg;
		if (k == 2)
			EXPECT(runk(s, ed), SIG_PASS, SIG_R_OK,
			    "counts: the fourth DKIM-Signature from the top");
	}
	g = runk(s, ed);
	EXPECT(g, SIG_NONE, SIG_R_NO_SIGNATURE,
	    "does not count: the fifth DKIM-Signature");
	free(s);
	/* the library's other modes never read a bridge signature */
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	{
		struct msg *m = msg_parse(s, strlen(s), NULL, NULL);
		struct sig_verify *v = sig_verify_begin(ctx, m, SIGHEADER_SKS,
		    NOW);

		T_OK(v != NULL && sig_verify_count(v) == 0 &&
		    !sig_verify_need_dkim(v) &&
		    sig_verify_result(v)->result == SIG_NONE,
		    "SIGHEADER_SKS mode: a bridge signature is not read");
		sig_verify_free(v);
		msg_free(m);
	}
	free(s);
}

/* rules: a counted bridge signature meets the SKS rules of 6.1 4-6. */
static void
test_rules(EVP_PKEY *ed)
{
	char *s, *msg;

	s = bsign(MSG, ed, tags(NULL, NULL, NULL, "x=" XNOW, NULL, NULL));
	EXPECT(runk(s, ed), SIG_PERMERROR, SIG_R_MISSING_TAG, "rules: no t=");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, "t=1763026200", NULL, NULL));
	EXPECT(runk(s, ed), SIG_PERMERROR, SIG_R_MISSING_TAG, "rules: no x=");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, "", NULL, NULL));
	EXPECT(runk(s, ed), SIG_PERMERROR, SIG_R_MISSING_TAG,
	    "rules: neither t= nor x=");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, "from:to:subject:"
	    "mime-version:content-type", NULL));
	EXPECT(runk(s, ed), SIG_FAIL, SIG_R_FROM_NOT_OVERSIGNED,
	    "rules: from signed once");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, "to:subject:"
	    "mime-version:content-type", NULL));
	EXPECT(runk(s, ed), SIG_FAIL, SIG_R_FROM_NOT_SIGNED,
	    "rules: from not signed");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, "from:from:subject:"
	    "content-type", NULL));
	EXPECT(runk(s, ed), SIG_FAIL, SIG_R_FIELD_NOT_SIGNED,
	    "rules: mime-version not in h=");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	EXPECT(run(s, NOW - 3600, 1, SIG_KEYS_FOUND, ed, NULL, SIG_KEYS_FOUND,
	    ed), SIG_FAIL, SIG_R_SIG_FUTURE, "rules: t= an hour ahead");
	EXPECT(run(s, NOW + 8 * 86400, 1, SIG_KEYS_FOUND, ed, NULL,
	    SIG_KEYS_FOUND, ed), SIG_FAIL, SIG_R_SIG_EXPIRED,
	    "rules: past x=");
	msg = replace(s, "noon?", "one?");
	EXPECT(runk(msg, ed), SIG_FAIL, SIG_R_BODY_HASH_MISMATCH,
	    "rules: body changed");
	free(msg);
	msg = replace(s, "Subject: Lunch", "Subject: Dinner");
	EXPECT(runk(msg, ed), SIG_FAIL, SIG_R_SIG_MISMATCH,
	    "rules: Subject: changed");
	free(msg);
	free(s);
	/* DKIM's c= defaults: the body has a double space, so they matter */
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, ""));
	EXPECT(runk(s, ed), SIG_PASS, SIG_R_OK,
	    "c= absent: simple/simple (DKIM's default)");
	free(s);
	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, "relaxed"));
	EXPECT(runk(s, ed), SIG_PASS, SIG_R_OK, "c=relaxed: relaxed/simple");
	free(s);
}

/* keys: the DKIM record's state, then SK1's, then the shared keys. */
static void
test_keys(EVP_PKEY *ed, EVP_PKEY *other)
{
	static const struct {
		enum sig_keystate state;
		enum sig_result res;
		enum sig_reason why;
	} t[] = {
		{ SIG_KEYS_INSECURE, SIG_PERMERROR, SIG_R_KEY_INSECURE },
		{ SIG_KEYS_BOGUS, SIG_TEMPERROR, SIG_R_DNS_BOGUS },
		{ SIG_KEYS_TEMPFAIL, SIG_TEMPERROR, SIG_R_DNS_TEMPFAIL },
		{ SIG_KEYS_NONE, SIG_FAIL, SIG_R_NO_KEY },
		{ SIG_KEYS_REVOKED, SIG_FAIL, SIG_R_KEY_REVOKED },
		{ SIG_KEYS_EXPIRED, SIG_FAIL, SIG_R_KEY_EXPIRED },
		{ SIG_KEYS_MALFORMED, SIG_PERMERROR, SIG_R_KEY_MALFORMED },
	};
	char *s, what[96], fp[KEY_FP_SIZE];
	struct got g;
	size_t k;

	s = bsign(MSG, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	g = runk(s, ed);
	T_OK(g.need_dkim, "keys: a pending bridge signature needs the DKIM "
	    "record");
	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		snprintf(what, sizeof(what), "keys: DKIM record %s",
		    sig_reason_name(t[k].why));
		EXPECT(run(s, NOW, 1, t[k].state, ed, NULL, SIG_KEYS_FOUND,
		    ed), t[k].res, t[k].why, what);
		snprintf(what, sizeof(what), "keys: DKIM found, SK1 %s",
		    sig_reason_name(t[k].why));
		EXPECT(run(s, NOW, 1, SIG_KEYS_FOUND, ed, NULL, t[k].state,
		    ed), t[k].res, t[k].why, what);
	}
	EXPECT(run(s, NOW, 1, SIG_KEYS_FOUND, other, NULL, SIG_KEYS_FOUND,
	    ed), SIG_FAIL, SIG_R_DKIM_KEY_DIFFERS,
	    "keys: the DKIM record holds another key");
	EXPECT(run(s, NOW, 1, SIG_KEYS_FOUND, NULL, NULL, SIG_KEYS_FOUND, ed),
	    SIG_FAIL, SIG_R_DKIM_KEY_DIFFERS,
	    "keys: the DKIM record holds no usable key");
	EXPECT(run(s, NOW, 1, SIG_KEYS_FOUND, ed, NULL, SIG_KEYS_FOUND, other),
	    SIG_FAIL, SIG_R_DKIM_KEY_DIFFERS,
	    "keys: the SK1 record holds another key");
	EXPECT(run(s, NOW, 1, SIG_KEYS_FOUND, other, ed, SIG_KEYS_FOUND, ed),
	    SIG_PASS, SIG_R_OK, "keys: the key in both records (among others)");
	EXPECT(run(s, NOW, 0, SIG_KEYS_FOUND, ed, NULL, SIG_KEYS_FOUND, ed),
	    SIG_TEMPERROR, SIG_R_INTERNAL,
	    "keys: sig_verify_dkim never called: temperror");
	/* fingerprints as a lookup may write them: lowercase */
	{
		struct msg *m = msg_parse(s, strlen(s), NULL, NULL);
		struct sig_verify *v = sig_verify_begin(ctx, m,
		    SIGHEADER_DKIM_BRIDGE, NOW);
		struct sig_key key = { 0 };

		key_fingerprint(ed, fp, sizeof(fp));
		for (k = 0; fp[k] != '\0'; k++)
			if (fp[k] >= 'A' && fp[k] <= 'F')
				fp[k] = (char)(fp[k] + 32);
		sig_verify_dkim(v, SIG_KEYS_NONE, NULL, 0);
		T_OK(!sig_verify_need_dkim(v) && !sig_verify_need_keys(v,
		    &(const struct addr *){ NULL }),
		    "keys: a DKIM state other than found decides: no SK1 "
		    "lookup left");
		sig_verify_free(v);
		v = sig_verify_begin(ctx, m, SIGHEADER_DKIM_BRIDGE, NOW);
		sig_verify_dkim(v, SIG_KEYS_FOUND,
		    (const char (*)[KEY_FP_SIZE])fp, 1);
		key.pkey = ed;
		sig_verify_keys(v, SIG_KEYS_FOUND, &key, 1);
		T_STREQ(sig_result_name(sig_verify_result(v)->result), "pass",
		    "keys: a lowercase fingerprint matches");
		sig_verify_free(v);
		msg_free(m);
	}
	free(s);
}

/* several: bridge and Sender-Key-Signature side by side (6.2, 11.2). */
static void
test_several(EVP_PKEY *ed, EVP_PKEY *other)
{
	struct sig_sign_opts o = { 0 };
	enum sig_sign_err e;
	struct msg *m;
	char *sks, *field, *both, *s;
	size_t flen = 0;
	struct got g;

	o.now = NOW;
	m = msg_parse(MSG, strlen(MSG), NULL, NULL);
	field = sig_sign(ctx, m, other, &o, &e, NULL, &flen);
	msg_free(m);
	if (field == NULL)
		exit(1);
	if ((sks = malloc(flen + strlen(MSG) + 3)) == NULL)
		exit(1);
	sprintf(sks, "%s\r\n%s", field, MSG);	/* signed by the wrong key */
	free(field);
	both = bsign(sks, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	g = runk(both, ed);
	EXPECT(g, SIG_PASS, SIG_R_OK,
	    "several: bridge pass beside an SKS sig-mismatch");
	T_OK(g.n == 2 && g.res.kind == SIGHEADER_DKIM_BRIDGE &&
	    g.res.field == 0, "several: two outcomes, the bridge one reported");
	g = runk(sks, ed);
	EXPECT(g, SIG_FAIL, SIG_R_SIG_MISMATCH, "several: the SKS alone fails");
	g = run(both, NOW, 1, SIG_KEYS_FOUND, ed, NULL, SIG_KEYS_FOUND, other);
	EXPECT(g, SIG_PASS, SIG_R_OK,
	    "several: SKS pass beside a bridge dkim-key-differs");
	T_OK(g.res.kind == SIGHEADER_SKS && g.res.field == 1,
	    "several: the SKS reported");
	/* both fail: the tie goes to the Sender-Key-Signature */
	s = replace(both, "noon?", "one?");
	g = runk(s, ed);
	EXPECT(g, SIG_FAIL, SIG_R_BODY_HASH_MISMATCH, "several: both fail");
	T_OK(g.res.kind == SIGHEADER_SKS && g.res.field == 1,
	    "several: equal results report the SKS");
	free(s);
	free(both);
	/* both pass: the SKS is reported */
	o.now = NOW;
	m = msg_parse(MSG, strlen(MSG), NULL, NULL);
	field = sig_sign(ctx, m, ed, &o, &e, NULL, &flen);
	msg_free(m);
	sprintf(sks, "%s\r\n%s", field, MSG);
	free(field);
	both = bsign(sks, ed, tags(NULL, NULL, NULL, NULL, NULL, NULL));
	g = runk(both, ed);
	T_OK(g.res.result == SIG_PASS && g.res.kind == SIGHEADER_SKS &&
	    g.res.selector[0] == '\0' && g.n == 2,
	    "several: both pass: the SKS reported, no selector");
	/* a foreign DKIM-Signature beside a passing SKS changes nothing */
	free(both);
	both = bsign(sks, ed, tags("example.net", "s1", "", NULL, NULL, NULL));
	g = runk(both, ed);
	T_OK(g.res.result == SIG_PASS && g.n == 1 && !g.need_dkim,
	    "several: a foreign DKIM-Signature is no outcome");
	free(both);
	free(sks);
}

/*
 * signer: what sig_sign writes with dkim_bridge (section 11.1) verifies
 * here for the From: spellings of 11.2's table and both algorithms, and a
 * copy with a changed Subject: fails.
 */
static void
test_signer(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	static const char *from[] = {
		"Alice Example <alice@example.com>",
		"Alice@EXAMPLE.com",
		"\"john doe\" <\"john doe\"@example.com>",
		"<bounce=x@m\xc3\xbcnchen.example>",
		"\xc3\x89mile <\xc3\x89mile@example.com>",
		"<\"a;b\"@example.com>",
	};
	struct sig_sign_opts o = { 0 };
	enum sig_sign_err e = SIG_SIGN_OK;
	EVP_PKEY *k;
	struct msg *m;
	struct got g;
	char *msg, *s, *f, *bad;
	size_t i, a, flen = 0;

	o.now = NOW;
	o.dkim_bridge = 1;
	for (a = 0; a < 2; a++) {
		k = a == 0 ? ed : rsa;
		for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
			msg = replace(MSG, "Alice Example <alice@example.com>",
			    from[i]);
			m = msg_parse(msg, strlen(msg), NULL, NULL);
			f = m != NULL ? sig_sign(ctx, m, k, &o, &e, NULL,
			    &flen) : NULL;
			msg_free(m);
			if (f == NULL || (s = malloc(flen + strlen(msg) + 3)) ==
			    NULL) {
				T_OK(0, "signer: %s signs (%s)", from[i],
				    sig_sign_strerror(e));
				free(f);
				free(msg);
				continue;
			}
			sprintf(s, "%s\r\n%s", f, msg);
			g = runk(s, k);
			T_OK(g.res.result == SIG_PASS && g.n == 1 &&
			    g.res.kind == SIGHEADER_DKIM_BRIDGE,
			    "signer: %s bridge field for %s passes (%s)",
			    a == 0 ? "ed25519" : "rsa", from[i],
			    sig_reason_name(g.res.reason));
			bad = replace(s, "Subject: Lunch", "Subject: Dinner");
			g = runk(bad, k);
			T_OK(g.res.result == SIG_FAIL &&
			    g.res.reason == SIG_R_SIG_MISMATCH,
			    "signer: %s, %s: Subject: changed fails",
			    a == 0 ? "ed25519" : "rsa", from[i]);
			free(bad);
			free(s);
			free(f);
			free(msg);
		}
	}
}

/*
 * golden: the bridge field of section 11.1's worked example (what
 * senderkey sign --dkim writes) passes here, and the test mode's field
 * of the same message (no i=) does not count.
 */
static void
test_golden(EVP_PKEY *ed)
{
	static const char *field =
	    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; "
	    "d=example.com;\r\n"
	    " s=sk2bd806c97f0e00af1a1fc3328fa763a9; i=alice@example.com; "
	    "t=1763026200;\r\n"
	    " x=1763631000;\r\n"
	    " h=from:from:to:to:subject:subject:date:date:message-id:"
	    "message-id:\r\n"
	    "  mime-version:mime-version:content-type:content-type:cc:"
	    "reply-to:\r\n"
	    "  in-reply-to:references:content-transfer-encoding;\r\n"
	    " bh=dAyIk1LoZXozBD2ssVIHcq0lNrfUf7jET/vlnWNYUaA=;\r\n"
	    " b=CvV87Aq3T9isF0nzHyMR8RrM0kmuxhhm/q9SaCDZfYaCI4BOCzifev2QICAUv/"
	    "b4Mw3B9CP8gN\r\n"
	    "  8jL6bnZ5/PBA==\r\n";
	struct sig_sign_opts o = { 0 };
	enum sig_sign_err e;
	struct msg *m;
	struct got g;
	char *s, *f;
	size_t flen = 0;

	if ((s = malloc(strlen(field) + strlen(MSG) + 1)) == NULL)
		exit(1);
	sprintf(s, "%s%s", field, MSG);
	g = runk(s, ed);
	EXPECT(g, SIG_PASS, SIG_R_OK, "golden: the bridge field of 11.1");
	T_STREQ(g.res.selector, "sk2bd806c97f0e00af1a1fc3328fa763a9",
	    "golden: its selector reported");
	free(s);
	o.now = NOW;
	o.dkim_domain = "example.com";
	o.dkim_selector = selector("alice");
	m = msg_parse(MSG, strlen(MSG), NULL, NULL);
	if ((f = sig_sign(ctx, m, ed, &o, &e, NULL, &flen)) == NULL ||
	    (s = malloc(flen + strlen(MSG) + 3)) == NULL)
		exit(1);
	sprintf(s, "%s\r\n%s", f, MSG);
	g = runk(s, ed);
	EXPECT(g, SIG_NONE, SIG_R_NO_SIGNATURE,
	    "golden: a test-mode field with the bridge's d= and s= (no i=)");
	free(s);
	free(f);
	msg_free(m);
}

int
main(void)
{
	EVP_PKEY *ed, *other, *rsa;

	if ((ctx = sig_ctx_new()) == NULL ||
	    (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return 1;
	ed = privkey("tests/data/sig/rfc8463-ed25519.key");
	other = privkey("tests/data/key/ed25519.key");
	rsa = privkey("tests/data/key/rsa2048.key");
	if (ed == NULL || other == NULL || rsa == NULL)
		return 1;
	test_counts(ed);
	test_not_counted(ed);
	test_rules(ed);
	test_keys(ed, other);
	test_several(ed, other);
	test_golden(ed);
	test_signer(ed, rsa);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(other);
	EVP_MD_free(sha256);
	sig_ctx_free(ctx);
	return t_done();
}
