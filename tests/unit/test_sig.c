/*
 * test_sig: lib/sig against specs/signature.md: the worked example of
 * section 8 (h=, folding, bh= and the signed digest SHA-256(H)), sign and
 * verify round trips for ed25519-sha256 and rsa-sha256 with every
 * canonicalisation pair, tampering with each signed header and the body,
 * over-signing, the signed absence of every rendered field (section 2.2)
 * and the fields a verifier requires in h= (2.1), the 64-name limit, the
 * time checks, l=, s= against From:, the key lookup states of step 7,
 * candidate keys, several signatures, the DKIM test mode and the RFC 8463
 * appendix A example message; the DKIM bridge field of section 11.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "lib/sighash.h"
#include "lib/sigheader.h"
#include "t.h"

#define D "tests/data/sig/"
#define NOW 1763026200LL	/* 2025-11-13 09:30:00 UTC */

static struct sig_ctx *ctx;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		printf("# cannot read %s\n", path);
		exit(1);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static EVP_PKEY *
privkey(const char *path)
{
	size_t len;
	char *buf = slurp(path, &len), err[256];
	EVP_PKEY *k = key_private_from_text(buf, len, err, sizeof(err));

	if (k == NULL)
		printf("# %s: %s\n", path, err);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return k;
}

/* pubof: the public half of K as a new key (what DNS would give). */
static EVP_PKEY *
pubof(EVP_PKEY *k)
{
	unsigned char *p = NULL;
	size_t n = 0;
	int alg = 0;
	EVP_PKEY *pk;

	if (key_record_bytes(k, &alg, &p, &n) == -1)
		return NULL;
	pk = key_from_record_bytes(alg, p, n);
	free(p);
	return pk;
}

/* signed_msg: TEXT with a signature by K on top; malloc'd. */
static char *
sign_text(const char *text, EVP_PKEY *k, const struct sig_sign_opts *o)
{
	struct msg *m;
	enum sig_sign_err e = SIG_SIGN_OK;
	char *field, *out;
	size_t flen = 0;

	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		return NULL;
	field = sig_sign(ctx, m, k, o, &e, NULL, &flen);
	msg_free(m);
	if (field == NULL) {
		printf("# sign: %s\n", sig_sign_strerror(e));
		return NULL;
	}
	if ((out = malloc(flen + strlen(text) + 3)) == NULL)
		exit(1);
	sprintf(out, "%s\r\n%s", field, text);
	free(field);
	return out;
}

/* verify: the message result for TEXT with PUB (NULL: STATE only). */
static struct sig_outcome
verify(const char *text, enum sigheader_kind kind, int64_t now,
    enum sig_keystate state, EVP_PKEY *pub)
{
	struct sig_outcome r;
	struct sig_verify *v;
	struct sig_key key = { 0 };
	const struct addr *sender;
	struct msg *m;

	memset(&r, 0, sizeof(r));
	r.result = -1;
	key.pkey = pub;
	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		return r;
	if ((v = sig_verify_begin(ctx, m, kind, now)) == NULL)
		exit(1);
	if (sig_verify_need_keys(v, &sender))
		sig_verify_keys(v, state, pub != NULL ? &key : NULL,
		    pub != NULL ? 1 : 0);
	r = *sig_verify_result(v);
	sig_verify_free(v);
	msg_free(m);
	return r;
}

#define EXPECT(text, kind, now, state, pub, res, why, what) do {	     \
	struct sig_outcome o_ = verify(text, kind, now, state, pub);	     \
	T_STREQ(sig_result_name(o_.result), sig_result_name(res),	     \
	    "%s: result", what);					     \
	T_STREQ(sig_reason_name(o_.reason), sig_reason_name(why),	     \
	    "%s: reason", what);					     \
} while (0)

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

static const char *EXAMPLE_FIELD =
    "Sender-Key-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " s=alice@example.com; t=1763026200; x=1763631000;\r\n"
    " h=from:from:to:to:subject:subject:date:date:message-id:message-id:\r\n"
    "  mime-version:mime-version:content-type:content-type:cc:reply-to:\r\n"
    "  in-reply-to:references:content-transfer-encoding;\r\n"
    " bh=dAyIk1LoZXozBD2ssVIHcq0lNrfUf7jET/vlnWNYUaA=;\r\n"
    " b=";

static void
test_worked_example(EVP_PKEY *ed)
{
	struct sig_sign_opts o = { 0 };
	const struct sigheader_fields *f;
	struct sigheader *sh;
	struct msg *m;
	enum sig_sign_err e;
	EVP_MD_CTX *mc;
	unsigned char d[32];
	static const char dhex[] =
	    "264c085cef6ec01d98ee46fb9df0083239c4ce2124995b44602332865a885385";
	char *field, *colon;
	size_t flen = 0, i, n = strlen(EXAMPLE_FIELD);
	unsigned int x;

	o.now = NOW;
	m = msg_parse(MSG, strlen(MSG), NULL, NULL);
	field = sig_sign(ctx, m, ed, &o, &e, NULL, &flen);
	T_OK(field != NULL && flen > n && strncmp(field, EXAMPLE_FIELD, n) ==
	    0, "worked example: the field is the one of section 8 (tags, "
	    "order, folding, bh=)");
	if (field == NULL || flen <= n || strncmp(field, EXAMPLE_FIELD, n) != 0)
		printf("# got:\n%s\n", field ? field : "(null)");
	for (i = 0; field != NULL && i < flen; i = (size_t)(strchr(field + i,
	    '\n') - field) + 1) {
		const char *nl = strstr(field + i, "\r\n");
		size_t ll = nl != NULL ? (size_t)(nl - field) - i : flen - i;

		T_OK(ll < 78, "worked example: line of %zu octets under 78",
		    ll);
		if (nl == NULL)
			break;
	}
	/* b= is the Ed25519 signature of the spec's SHA-256(H) */
	for (i = 0; i < 32; i++) {
		sscanf(dhex + 2 * i, "%2x", &x);
		d[i] = (unsigned char)x;
	}
	colon = field != NULL ? strchr(field, ':') : NULL;
	sh = colon != NULL ? sigheader_parse(SIGHEADER_SKS, colon + 1,
	    flen - (size_t)(colon + 1 - field), NULL) : NULL;
	T_OK(sh != NULL, "worked example: our field parses");
	if (sh != NULL) {
		f = sigheader_get(sh);
		mc = EVP_MD_CTX_new();
		T_OK(EVP_DigestVerifyInit(mc, NULL, NULL, NULL, ed) == 1 &&
		    EVP_DigestVerify(mc, f->b, f->blen, d, 32) == 1,
		    "worked example: b= is PureEd25519 over the spec's "
		    "SHA-256(H) 264c085c...");
		EVP_MD_CTX_free(mc);
	}
	sigheader_free(sh);
	free(field);
	msg_free(m);
}

/* The DKIM bridge field (section 11.1) for the worked example. */
static const char *BRIDGE_FIELD =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com;"
    "\r\n"
    " s=sk2bd806c97f0e00af1a1fc3328fa763a9; i=alice@example.com; t=1763026200;"
    "\r\n"
    " x=1763631000;\r\n"
    " h=from:from:to:to:subject:subject:date:date:message-id:message-id:\r\n"
    "  mime-version:mime-version:content-type:content-type:cc:reply-to:\r\n"
    "  in-reply-to:references:content-transfer-encoding;\r\n"
    " bh=dAyIk1LoZXozBD2ssVIHcq0lNrfUf7jET/vlnWNYUaA=;\r\n"
    " b=";

/* longest_line: the longest line of FIELD (LEN octets, CRLF folded). */
static size_t
longest_line(const char *field, size_t len)
{
	size_t i, start = 0, max = 0;

	for (i = 0; i <= len; i++)
		if (i == len || (field[i] == '\r' && i + 1 < len &&
		    field[i + 1] == '\n')) {
			if (i - start > max)
				max = i - start;
			start = i + 2;
		}
	return max;
}

/* bridge_field: the bridge field of TEXT signed by K at NOW; malloc'd. */
static char *
bridge_field(const char *text, EVP_PKEY *k, enum sig_sign_err *e,
    size_t *flen)
{
	struct sig_sign_opts o = { 0 };
	struct msg *m;
	char *field;

	o.now = NOW;
	o.dkim_bridge = 1;
	*e = SIG_SIGN_OK;
	*flen = 0;
	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		return NULL;
	field = sig_sign(ctx, m, k, &o, e, NULL, flen);
	msg_free(m);
	return field;
}

static void
test_bridge(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	struct sig_sign_opts o = { 0 };
	struct sig_outcome r;
	enum sig_sign_err e;
	EVP_PKEY *pub = pubof(ed), *rpub = pubof(rsa);
	char *f, *s, *text;
	size_t flen, n = strlen(BRIDGE_FIELD);

	f = bridge_field(MSG, ed, &e, &flen);
	T_OK(f != NULL && flen > n && strncmp(f, BRIDGE_FIELD, n) == 0,
	    "bridge: the worked example's DKIM-Signature up to b= (d=, s= "
	    "selector, i=, same c t x h bh as the SKS, tag order, folding)");
	if (f == NULL || flen <= n || strncmp(f, BRIDGE_FIELD, n) != 0)
		printf("# got:\n%s\n", f != NULL ? f : "(null)");
	T_OK(f != NULL && longest_line(f, flen) < 78,
	    "bridge: no line of the worked example's field reaches 78 octets");
	T_OK(f != NULL && strcmp(f + n, "CvV87Aq3T9isF0nzHyMR8RrM0kmuxhhm/q9Sa"
	    "CDZfYaCI4BOCzifev2QICAUv/b4Mw3B9CP8gN\r\n  8jL6bnZ5/PBA==") == 0,
	    "bridge: b= of the worked example (Ed25519 is deterministic; "
	    "dkimpy accepts it, 60-sign-verify.sh)");
	free(f);

	/* the field verifies as a DKIM-Signature (the name is hashed) */
	o.now = NOW;
	o.dkim_bridge = 1;
	s = sign_text(MSG, ed, &o);
	r = verify(s, SIGHEADER_DKIM, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "bridge: the field verifies with DKIM's rules and the same key");
	r = verify(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "none",
	    "bridge: alone it is not a Sender-Key-Signature");
	free(s);
	s = sign_text(MSG, rsa, &o);
	T_OK(s != NULL && strncmp(s, "DKIM-Signature: v=1; a=rsa-sha256; ",
	    35) == 0, "bridge: a= from an RSA key");
	r = verify(s, SIGHEADER_DKIM, NOW, SIG_KEYS_FOUND, rpub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "bridge: an RSA-signed bridge field verifies");
	free(s);

	/* i= in DKIM-Quoted-Printable; s= hashes the canonical local part */
	text = replace(MSG, "Alice Example <alice@example.com>",
	    "\"A=b;C\"@Example.COM");
	f = bridge_field(text, ed, &e, &flen);
	T_OK(f != NULL && strstr(f, " d=example.com;") != NULL &&
	    strstr(f, " s=skf8347c6264a1ba8f14496ea1e0b5697e;") != NULL &&
	    strstr(f, " i=\"a=3Db=3Bc\"@example.com;") != NULL,
	    "bridge: '=' and ';' in i= are quoted (=3D, =3B), s= is sk + "
	    "sha256(a=b;c), d= lowercase");
	T_OK(f != NULL && longest_line(f, flen) < 78,
	    "bridge: quoted i=: no line reaches 78 octets");
	free(f);
	free(text);
	text = replace(MSG, "Alice Example <alice@example.com>",
	    "J\xc3\xb6rg <J\xc3\xb6rg@b\xc3\xbc" "cher.example>");
	f = bridge_field(text, ed, &e, &flen);
	T_OK(f != NULL && strstr(f, " d=xn--bcher-kva.example;") != NULL &&
	    strstr(f, " s=sk12c433a0914cf916178d99b922892cd3;") != NULL &&
	    strstr(f, " i=j=C3=B6rg@xn--bcher-kva.example;") != NULL,
	    "bridge: UTF-8 local part quoted in i=, d= and i= in A-labels, "
	    "s= is sk + sha256(j\xc3\xb6rg)");
	free(f);
	free(text);

	/* the bridge and the test mode exclude each other */
	o.dkim_domain = "example.test";
	o.dkim_selector = "sel";
	s = sign_text(MSG, ed, &o);
	T_OK(s == NULL, "bridge: refused together with the DKIM test mode");
	free(s);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(rpub);
}

static void
test_round_trips(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	static const enum canon_alg cs[][2] = {
		{ CANON_RELAXED, CANON_RELAXED }, { CANON_SIMPLE, CANON_SIMPLE },
		{ CANON_RELAXED, CANON_SIMPLE }, { CANON_SIMPLE, CANON_RELAXED },
	};
	EVP_PKEY *keys[2] = { ed, rsa }, *pub;
	struct sig_sign_opts o = { 0 };
	struct sig_outcome r;
	char what[96], *s;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		pub = pubof(keys[k]);
		for (i = 0; i < 4; i++) {
			o.now = NOW;
			o.hcanon = cs[i][0];
			o.bcanon = cs[i][1];
			snprintf(what, sizeof(what), "%s %s/%s",
			    k == 0 ? "ed25519" : "rsa", canon_name(cs[i][0]),
			    canon_name(cs[i][1]));
			s = sign_text(MSG, keys[k], &o);
			T_OK(s != NULL, "%s: signs", what);
			if (s == NULL)
				continue;
			r = verify(s, SIGHEADER_SKS, NOW + 86400,
			    SIG_KEYS_FOUND, pub);
			T_STREQ(sig_result_name(r.result), "pass",
			    "%s: verifies", what);
			T_OK(r.field == 0 && strlen(r.fp) == KEY_FP_LEN,
			    "%s: reports the field and the key fingerprint",
			    what);
			free(s);
		}
		EVP_PKEY_free(pub);
	}
}

static void
test_tampering(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	static const struct {
		const char *from, *to, *what;
	} t[] = {
		{ "From: Alice Example", "From: Mallory", "From: display name" },
		{ "To: Bob", "To: Eve", "To:" },
		{ "Subject: Lunch", "Subject: Dinner", "Subject:" },
		{ "Date: Thu", "Date: Fri", "Date:" },
		{ "4711@", "4712@", "Message-ID:" },
		{ "MIME-Version: 1.0", "MIME-Version: 1.1", "MIME-Version:" },
		{ "charset=utf-8", "charset=latin1", "Content-Type:" },
		{ "Subject: Lunch", "Subject: Lunch\r\nSubject: Free money\r\n"
		  "X-Dummy: Lunch", "a second Subject: below" },
		{ "From: Alice", "Subject: Free money\r\nFrom: Alice",
		  "a second Subject: above" },
		{ "To: Bob", "Cc: eve@example.org\r\nTo: Bob",
		  "an added Cc: (absence signed)" },
		{ "To: Bob", "Reply-To: eve@example.org\r\nTo: Bob",
		  "an added Reply-To: (absence signed)" },
		{ "Date: Thu", "Date: Fri, 14 Nov 2025 09:30:00 +0000\r\n"
		  "Date: Thu", "a second Date:" },
		{ "MIME-Version: 1.0", "MIME-Version: 1.0\r\nContent-Type: "
		  "text/html", "a second Content-Type:" },
	};
	EVP_PKEY *keys[2] = { ed, rsa }, *pub;
	struct sig_sign_opts o = { 0 };
	char what[128], *s, *bad;
	size_t i, k;

	o.now = NOW;
	for (k = 0; k < 2; k++) {
		pub = pubof(keys[k]);
		s = sign_text(MSG, keys[k], &o);
		for (i = 0; s != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
			bad = replace(s, t[i].from, t[i].to);
			snprintf(what, sizeof(what), "%s: tampered %s",
			    k == 0 ? "ed25519" : "rsa", t[i].what);
			EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub,
			    SIG_FAIL, SIG_R_SIG_MISMATCH, what);
			free(bad);
		}
		bad = replace(s, "noon?", "one?");
		EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
		    SIG_R_BODY_HASH_MISMATCH, "tampered body (noon? -> one?)");
		free(bad);
		bad = replace(s, "Alice\r\n\r\n", "Alice\r\nPS: wire money\r\n");
		EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
		    SIG_R_BODY_HASH_MISMATCH, "appended body line");
		free(bad);
		bad = replace(s, "To: Bob", "From: eve@example.org\r\nTo: Bob");
		EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub,
		    SIG_PERMERROR, SIG_R_FROM_INVALID, "an added From:");
		free(bad);
		bad = replace(s, "<alice@example.com>", "<bob@example.com>");
		EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
		    SIG_R_SENDER_MISMATCH, "From: changed to another address");
		free(bad);
		/* relaxed ignores whitespace changes in headers and body */
		bad = replace(s, "Subject: Lunch", "Subject:   Lunch");
		EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_PASS,
		    SIG_R_OK, "relaxed: extra spaces in Subject: still pass");
		free(bad);
		free(s);
		EVP_PKEY_free(pub);
	}
}

/* A plain-text message: no MIME fields, no Cc:, no Reply-To:. */
static const char *PLAIN =
    "From: Alice Example <alice@example.com>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: Lunch on Thursday?\r\n"
    "Date: Thu, 13 Nov 2025 09:30:00 +0000\r\n"
    "Message-ID: <20251113093000.4712@mail.example.com>\r\n"
    "\r\n"
    "Hi Bob,\r\n\r\nSee <b>you</b> at noon.\r\n\r\nAlice\r\n";

/* From: alone. */
static const char *MINIMAL = "From: alice@example.com\r\n\r\nx\r\n";

/*
 * Section 2.2: a signed plain-text message fails once anything that
 * changes its rendering is added, above the other fields or below them.
 */
static void
test_render_fields(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	static const char *const want[] = {
		"from", "from", "to", "to", "subject", "subject", "date",
		"date", "message-id", "message-id", "cc", "reply-to",
		"in-reply-to", "references", "mime-version", "content-type",
		"content-transfer-encoding",
	};
	static const struct {
		const char *add, *what;
	} t[] = {
		{ "MIME-Version: 1.0\r\nContent-Type: text/html; "
		  "charset=utf-8\r\n",
		  "MIME-Version: + Content-Type: text/html" },
		{ "MIME-Version: 1.0\r\n", "MIME-Version:" },
		{ "Content-Type: text/html\r\n", "Content-Type: text/html" },
		{ "Content-Transfer-Encoding: base64\r\n",
		  "Content-Transfer-Encoding:" },
		{ "Reply-To: eve@example.org\r\n", "Reply-To:" },
		{ "Cc: eve@example.org\r\n", "Cc:" },
		{ "In-Reply-To: <x@example.org>\r\n", "In-Reply-To:" },
		{ "References: <x@example.org>\r\n", "References:" },
	};
	EVP_PKEY *keys[2] = { ed, rsa }, *pub;
	struct sig_sign_opts o = { 0 };
	const char *names[SIGHEADER_MAX_H];
	struct msg *m;
	char what[160], to[256], *s, *bad;
	size_t i, k, n, pos;

	m = msg_parse(PLAIN, strlen(PLAIN), NULL, NULL);
	n = sig_signed_names(m, names);
	T_INTEQ(n, sizeof(want) / sizeof(want[0]),
	    "plain message: 17 names in h=");
	for (i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
		T_STREQ(names[i], want[i], "plain message: h= name %zu", i + 1);
	msg_free(m);
	m = msg_parse(MINIMAL, strlen(MINIMAL), NULL, NULL);
	T_INTEQ(sig_signed_names(m, names), 13,
	    "From: alone: from twice and the 11 absent fields once");
	msg_free(m);

	o.now = NOW;
	for (k = 0; k < 2; k++) {
		pub = pubof(keys[k]);
		s = sign_text(PLAIN, keys[k], &o);
		EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_PASS,
		    SIG_R_OK, "plain message: signed copy passes");
		for (i = 0; s != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
			for (pos = 0; pos < 2; pos++) {
				/* below: at the end of the header; above:
				 * first field after the signature */
				snprintf(to, sizeof(to), pos == 0 ?
				    "\r\n%s\r\n" : "%sFrom: Alice", t[i].add);
				bad = replace(s, pos == 0 ? "\r\n\r\n" :
				    "From: Alice", to);
				snprintf(what, sizeof(what), "%s: plain "
				    "message, added %s %s",
				    k == 0 ? "ed25519" : "rsa", t[i].what,
				    pos == 0 ? "below" : "above");
				EXPECT(bad, SIGHEADER_SKS, NOW,
				    SIG_KEYS_FOUND, pub, SIG_FAIL,
				    SIG_R_SIG_MISMATCH, what);
				free(bad);
			}
		}
		free(s);
		EVP_PKEY_free(pub);
	}
	/* a message without To:, Date:, Message-ID: signs their absence */
	pub = pubof(ed);
	s = sign_text("From: alice@example.com\r\nSubject: s\r\n\r\nx\r\n",
	    ed, &o);
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_PASS, SIG_R_OK,
	    "minimal message: passes");
	bad = replace(s, "\r\n\r\n", "\r\nTo: eve@example.org\r\n\r\n");
	EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_SIG_MISMATCH, "minimal message: an added To: fails");
	free(bad);
	bad = replace(s, "\r\n\r\n", "\r\nDate: Fri, 14 Nov 2025 09:30:00 "
	    "+0000\r\n\r\n");
	EXPECT(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_SIG_MISMATCH, "minimal message: an added Date: fails");
	free(bad);
	free(s);
	EVP_PKEY_free(pub);
}

/*
 * sign_names: TEXT signed by the Ed25519 key ED as KIND with exactly the
 * NH names H in h= (the signer's own pieces: sighash and sigheader), so
 * that the signature is valid and only the verifier's h= rules decide.
 */
static char *
sign_names(const char *text, EVP_PKEY *ed, enum sigheader_kind kind,
    const char *const *h, size_t nh)
{
	struct sigheader_params p;
	EVP_MD *sha = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new(), *sc = EVP_MD_CTX_new();
	struct msg *m = msg_parse(text, strlen(text), NULL, NULL);
	unsigned char bh[SIGHASH_LEN], d[SIGHASH_LEN], sig[64];
	char *field = NULL, *b64 = NULL, *out = NULL;
	size_t flen = 0, siglen = sizeof(sig);

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.alg = SIGHEADER_ED25519_SHA256;
	p.hcanon = p.bcanon = CANON_RELAXED;
	p.sender = "alice@example.com";
	p.domain = "example.com";
	p.selector = "sel";
	p.h = h;
	p.nh = nh;
	p.bh = bh;
	p.t = NOW;
	p.x = NOW + 3600;
	if (sha == NULL || md == NULL || sc == NULL || m == NULL ||
	    sighash_body(sha, m, CANON_RELAXED, bh) == -1 ||
	    (field = sigheader_format(&p, NULL, &flen)) == NULL ||
	    sighash_header(md, sha, m, (char *const *)h, nh, CANON_RELAXED,
	    field, flen, flen, flen, d) == -1 ||
	    EVP_DigestSignInit(sc, NULL, NULL, NULL, ed) != 1 ||
	    EVP_DigestSign(sc, sig, &siglen, d, sizeof(d)) != 1 ||
	    (b64 = b64_encode(sig, siglen)) == NULL)
		goto done;
	free(field);
	if ((field = sigheader_format(&p, b64, &flen)) == NULL ||
	    (out = malloc(flen + strlen(text) + 3)) == NULL)
		goto done;
	sprintf(out, "%s\r\n%s", field, text);
done:
	if (out == NULL)
		printf("# sign_names failed\n");
	free(field);
	free(b64);
	msg_free(m);
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(sc);
	EVP_MD_free(sha);
	return out;
}

/* Section 2.1: Subject:, MIME-Version: and Content-Type: must be in h=. */
static void
test_required_h(EVP_PKEY *ed)
{
	static const char *const all[] = { "from", "from", "subject",
	    "mime-version", "content-type" };
	static const char *const no_ct[] = { "from", "from", "subject",
	    "mime-version", "to", "cc" };
	static const char *const no_mv[] = { "from", "from", "subject",
	    "content-type", "content-transfer-encoding" };
	static const char *const no_subj[] = { "from", "from",
	    "mime-version", "content-type" };
	static const char *const from1[] = { "from", "subject" };
	static const struct {
		const char *text;
		const char *const *h;
		size_t nh;
		enum sig_result res;
		enum sig_reason why;
		const char *what;
	} t[] = {
		{ NULL, all, 5, SIG_PASS, SIG_R_OK, "h= names from twice, "
		  "subject, mime-version, content-type: pass" },
		{ NULL, no_ct, 6, SIG_FAIL, SIG_R_FIELD_NOT_SIGNED,
		  "h= without content-type" },
		{ NULL, no_mv, 5, SIG_FAIL, SIG_R_FIELD_NOT_SIGNED,
		  "h= without mime-version" },
		{ NULL, no_subj, 4, SIG_FAIL, SIG_R_FIELD_NOT_SIGNED,
		  "h= without subject" },
		{ NULL, from1, 2, SIG_FAIL, SIG_R_FROM_NOT_OVERSIGNED,
		  "from once and no MIME names: from-not-oversigned first" },
	};
	EVP_PKEY *pub = pubof(ed);
	const char *text;
	char *s;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		/* the MIME message (fields present) and PLAIN (absent) */
		text = k == 0 ? MSG : PLAIN;
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			char what[160];

			snprintf(what, sizeof(what), "%s message: %s",
			    k == 0 ? "MIME" : "plain", t[i].what);
			s = sign_names(text, ed, SIGHEADER_SKS, t[i].h,
			    t[i].nh);
			EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub,
			    t[i].res, t[i].why, what);
			free(s);
		}
	}
	/* the DKIM test mode keeps DKIM's rule: From: alone is enough */
	s = sign_names(PLAIN, ed, SIGHEADER_DKIM, from1, 2);
	EXPECT(s, SIGHEADER_DKIM, NOW, SIG_KEYS_FOUND, pub, SIG_PASS,
	    SIG_R_OK, "DKIM mode: h=from:subject passes");
	free(s);
	EVP_PKEY_free(pub);
}

/* The 64-name limit with the table of 2.2 (and the 8192-octet field). */
static void
test_h_limit(EVP_PKEY *ed)
{
	struct sig_sign_opts o = { 0 };
	enum sig_sign_err e = SIG_SIGN_OK;
	EVP_PKEY *pub = pubof(ed);
	struct msg *m;
	char *text, *s, *f;
	size_t i, len, n;

	o.now = NOW;
	if ((text = malloc(64 * 40 + 64)) == NULL)
		exit(1);
	for (n = 51; n <= 52; n++) {
		strcpy(text, "From: alice@example.com\r\n");
		for (i = 0; i < n; i++)
			strcat(text, "Content-Transfer-Encoding: 7bit\r\n");
		strcat(text, "\r\nx\r\n");
		m = msg_parse(text, strlen(text), NULL, NULL);
		f = sig_sign(ctx, m, ed, &o, &e, NULL, &len);
		if (n == 51) {
			T_OK(f != NULL && len < SIGHEADER_MAX_LEN,
			    "51 Content-Transfer-Encoding: fields: 64 names, "
			    "the longest h=, signed (%zu octets)", len);
			s = sign_text(text, ed, &o);
			EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub,
			    SIG_PASS, SIG_R_OK, "64 names: verifies");
			free(s);
		} else
			T_OK(f == NULL && e == SIG_SIGN_TOOMANY,
			    "52 Content-Transfer-Encoding: fields (65 names): "
			    "refused");
		free(f);
		msg_free(m);
	}
	free(text);
	EVP_PKEY_free(pub);
}

static void
test_times_and_keys(EVP_PKEY *ed, EVP_PKEY *rsa, EVP_PKEY *other)
{
	struct sig_sign_opts o = { 0 };
	EVP_PKEY *pub = pubof(ed), *rpub = pubof(rsa), *opub = pubof(other);
	char *s;

	o.now = NOW;
	s = sign_text(MSG, ed, &o);
	EXPECT(s, SIGHEADER_SKS, NOW + 604800 + 300, SIG_KEYS_FOUND, pub,
	    SIG_PASS, SIG_R_OK, "x= + skew: still valid");
	EXPECT(s, SIGHEADER_SKS, NOW + 604800 + 301, SIG_KEYS_FOUND, pub,
	    SIG_FAIL, SIG_R_SIG_EXPIRED, "past x= + 300 s: expired");
	EXPECT(s, SIGHEADER_SKS, NOW - 300, SIG_KEYS_FOUND, pub, SIG_PASS,
	    SIG_R_OK, "t= 300 s ahead: within the skew");
	EXPECT(s, SIGHEADER_SKS, NOW - 301, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_SIG_FUTURE, "t= 301 s ahead: future");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, rpub, SIG_FAIL,
	    SIG_R_NO_KEY_FOR_ALG, "ed25519 signature, only an rsa key");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, opub, SIG_FAIL,
	    SIG_R_SIG_MISMATCH, "another ed25519 key");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, NULL, SIG_FAIL,
	    SIG_R_NO_KEY_FOR_ALG, "no candidate key");
	{
		struct sig_key pk = { 0 };
		struct sig_verify *v;
		const struct addr *snd;
		struct msg *m = msg_parse(s, strlen(s), NULL, NULL);
		char fp[KEY_FP_SIZE];

		pk.pkey = pub;
		T_OK(sig_key_prepare(ctx, &pk) == 0 && pk.prepared,
		    "sig_key_prepare");
		v = sig_verify_begin(ctx, m, SIGHEADER_SKS, NOW);
		if (sig_verify_need_keys(v, &snd))
			sig_verify_keys(v, SIG_KEYS_FOUND, &pk, 1);
		key_fingerprint(pub, fp, sizeof(fp));
		T_OK(sig_verify_result(v)->result == SIG_PASS &&
		    strcmp(sig_verify_result(v)->fp, fp) == 0,
		    "a prepared key verifies and reports its fingerprint");
		sig_verify_free(v);
		msg_free(m);
		sig_key_release(&pk);
		sig_key_release(NULL);
	}
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_TEMPFAIL, NULL, SIG_TEMPERROR,
	    SIG_R_DNS_TEMPFAIL, "lookup tempfail");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_BOGUS, NULL, SIG_TEMPERROR,
	    SIG_R_DNS_BOGUS, "lookup bogus");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_INSECURE, NULL, SIG_PERMERROR,
	    SIG_R_KEY_INSECURE, "lookup insecure");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_MALFORMED, NULL, SIG_PERMERROR,
	    SIG_R_KEY_MALFORMED, "lookup permerror");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_NONE, NULL, SIG_FAIL,
	    SIG_R_NO_KEY, "no key record");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_REVOKED, NULL, SIG_FAIL,
	    SIG_R_KEY_REVOKED, "revoked key");
	EXPECT(s, SIGHEADER_SKS, NOW, SIG_KEYS_EXPIRED, NULL, SIG_FAIL,
	    SIG_R_KEY_EXPIRED, "expired key");
	free(s);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(rpub);
	EVP_PKEY_free(opub);
}

/* hand-made fields: step order before any crypto */
static void
test_fields(EVP_PKEY *ed)
{
	static const char *body =
	    "From: alice@example.com\r\nSubject: x\r\n\r\nbody\r\n";
	static const char *bhb = "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;"
	    " b=AAAA";
	EVP_PKEY *pub = pubof(ed);
	char buf[1024];

	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "l=5; s=alice@example.com; t=1; x=2; h=from:from; %s\r\n%s", bhb,
	    body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_PERMERROR,
	    SIG_R_L_TAG, "l= is a permerror");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=from:subject; %s\r\n%s",
	    NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_FROM_NOT_OVERSIGNED, "from once in h=");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=subject; %s\r\n%s",
	    NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_FROM_NOT_SIGNED, "from not in h=");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=from:from:subject:"
	    "mime-version; %s\r\n%s", NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_FIELD_NOT_SIGNED, "hand-made: content-type not in h=");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=From:FROM:Subject:"
	    "Content-Type; %s\r\n%s", NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_FIELD_NOT_SIGNED, "hand-made: mime-version not in h= "
	    "(names in any case)");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=From:FROM:Subject:"
	    "Content-Type:MIME-Version; %s\r\n%s", NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_BODY_HASH_MISMATCH, "hand-made: the required names in any "
	    "case: the body hash decides next");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=bob@example.com; t=%lld; x=%lld; h=from:from; %s\r\n%s",
	    NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_SENDER_MISMATCH, "s= is not the From: address");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=ALICE@Example.COM; t=%lld; x=%lld; h=from:from:subject:"
	    "mime-version:content-type; %s\r\n%s",
	    NOW, NOW + 10, bhb, body);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_FAIL,
	    SIG_R_BODY_HASH_MISMATCH, "s= in other case matches From: "
	    "(then the body hash decides)");
	snprintf(buf, sizeof(buf), "Sender-Key-Signature: v=1; a=rsa-sha256; "
	    "s=alice@example.com; t=%lld; x=%lld; h=from:from; %s\r\n"
	    "From: alice@example.com, bob@example.com\r\n\r\nx\r\n",
	    NOW, NOW + 10, bhb);
	EXPECT(buf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_PERMERROR,
	    SIG_R_FROM_INVALID, "two mailboxes in From:");
	EXPECT(body, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub, SIG_NONE,
	    SIG_R_NO_SIGNATURE, "no signature: none");
	EVP_PKEY_free(pub);
}

static void
test_several(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	struct sig_sign_opts o = { 0 };
	struct sig_outcome r;
	EVP_PKEY *pub = pubof(ed);
	char *s1, *s2, *bad;

	o.now = NOW;
	s1 = sign_text(MSG, rsa, &o);		/* rsa: no rsa key given */
	s2 = sign_text(s1, ed, &o);		/* ed25519 on top */
	bad = replace(s2, "Sender-Key-Signature:",
	    "Sender-Key-Signature: v=2; a=x\r\nX-Old:");
	r = verify(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_reason_name(r.reason), "no-key-for-alg",
	    "several: the top field is bad-version (permerror), the ed25519 "
	    "one is hidden, rsa has no key: fail beats permerror");
	T_INTEQ(r.field, 2, "several: the failing rsa field is reported");
	r = verify(s2, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "several: ed25519 pass beats rsa no-key-for-alg");
	T_INTEQ(r.field, 0, "several: the passing (top) field is reported");
	free(bad);
	bad = replace(s2, "a=ed25519-sha256", "a=ed25519-sha256; v=1");
	r = verify(bad, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_reason_name(r.reason), "no-key-for-alg",
	    "several: duplicate-tag (permerror) loses to fail no-key-for-alg");
	T_INTEQ(r.field, 1, "several: the second field is reported");
	free(bad);
	free(s1);
	free(s2);
	EVP_PKEY_free(pub);
}

static void
test_dkim_and_rfc8463(EVP_PKEY *ed, EVP_PKEY *rsa)
{
	struct sig_sign_opts o = { 0 };
	struct sig_outcome r;
	EVP_PKEY *pub, *rpub;
	unsigned char *raw = NULL;
	size_t len, rawlen = 0;
	char *text, *s;
	int good;

	o.now = NOW;
	o.dkim_domain = "example.test";
	o.dkim_selector = "sel";
	s = sign_text(MSG, ed, &o);
	T_OK(s != NULL && strncmp(s, "DKIM-Signature: v=1; a=ed25519-sha256; "
	    "c=relaxed/relaxed; d=example.test;\r\n s=sel; t=", 81) == 0,
	    "DKIM test mode writes DKIM-Signature with d= and s=");
	pub = pubof(ed);
	r = verify(s, SIGHEADER_DKIM, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "pass", "DKIM mode round trip");
	r = verify(s, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "none",
	    "a DKIM-Signature is not a Sender-Key-Signature");
	free(s);
	EVP_PKEY_free(pub);
	(void)rsa;

	text = slurp(D "rfc8463.eml", &len);
	free(slurp(D "rfc8463-ed25519.pub.b64", &len));
	s = slurp(D "rfc8463-ed25519.pub.b64", &len);
	good = b64_decode(s, &raw, &rawlen) == 0;
	pub = good ? key_from_record_bytes(KEYREC_ED25519, raw, rawlen) : NULL;
	free(raw);
	free(s);
	r = verify(text, SIGHEADER_DKIM, 1528637909, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "RFC 8463 appendix A: the ed25519-sha256 signature verifies");
	T_INTEQ(r.field, 0, "RFC 8463: the first (ed25519) field passes");
	s = replace(text, "hungry", "thirsty");
	r = verify(s, SIGHEADER_DKIM, 1528637909, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_reason_name(r.reason), "body-hash-mismatch",
	    "RFC 8463 with the body changed fails");
	free(s);
	s = slurp(D "rfc6376-rsa1024.spki.b64", &len);
	raw = NULL;
	good = b64_decode(s, &raw, &rawlen) == 0;
	rpub = good ? key_from_record_bytes(KEYREC_RSA, raw, rawlen) : NULL;
	free(raw);
	free(s);
	s = replace(text, "DKIM-Signature: v=1; a=ed25519", "X-Skip: v=1; "
	    "a=ed25519");
	r = verify(s, SIGHEADER_DKIM, 1528637909, SIG_KEYS_FOUND, rpub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "RFC 8463 appendix A: the rsa-sha256 signature verifies with "
	    "RFC 6376's 1024-bit test key");
	free(s);
	free(text);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(rpub);
	/* the RFC's key signs deterministically: same b= as the RFC */
	o.dkim_domain = "football.example.com";
	(void)o;
}

static void
test_lf_input(EVP_PKEY *ed)
{
	struct sig_sign_opts o = { 0 };
	struct sig_outcome r;
	EVP_PKEY *pub = pubof(ed);
	char *s, *lf;
	size_t i, j;

	o.now = NOW;
	s = sign_text(MSG, ed, &o);
	lf = strdup(s);
	for (i = j = 0; s[i] != '\0'; i++)
		if (s[i] != '\r')
			lf[j++] = s[i];
	lf[j] = '\0';
	r = verify(lf, SIGHEADER_SKS, NOW, SIG_KEYS_FOUND, pub);
	T_STREQ(sig_result_name(r.result), "pass",
	    "a signed message read with LF line ends verifies (LF -> CRLF)");
	free(lf);
	free(s);
	EVP_PKEY_free(pub);
}

static void
test_refusals(EVP_PKEY *ed)
{
	struct sig_sign_opts o = { 0 };
	enum sig_sign_err e = SIG_SIGN_OK;
	enum msg_from_err fe = MSG_FROM_OK;
	struct msg *m;
	const char *two = "From: a@example.com\r\nFrom: b@example.com\r\n\r\nx\r\n";
	char *f;
	size_t len;

	o.now = NOW;
	m = msg_parse(two, strlen(two), NULL, NULL);
	f = sig_sign(ctx, m, ed, &o, &e, &fe, &len);
	T_OK(f == NULL && e == SIG_SIGN_FROM && fe == MSG_FROM_MULTIPLE,
	    "sign refuses two From: fields");
	msg_free(m);
	m = msg_parse(MSG, strlen(MSG), NULL, NULL);
	o.sender = "bob@example.com";
	f = sig_sign(ctx, m, ed, &o, &e, NULL, &len);
	T_OK(f == NULL && e == SIG_SIGN_SENDER,
	    "sign refuses -s that is not the From: address");
	o.sender = "ALICE@example.COM";
	f = sig_sign(ctx, m, ed, &o, &e, NULL, &len);
	T_OK(f != NULL, "sign accepts -s equal to From: after canonicalisation");
	free(f);
	msg_free(m);
}

int
main(void)
{
	EVP_PKEY *ed, *rsa, *other;

	if ((ctx = sig_ctx_new()) == NULL)
		return 1;
	ed = privkey(D "rfc8463-ed25519.key");
	rsa = privkey("tests/data/key/rsa2048.key");
	other = privkey("tests/data/key/ed25519.key");
	if (ed == NULL || rsa == NULL || other == NULL)
		return 1;
	test_worked_example(ed);
	test_bridge(ed, rsa);
	test_round_trips(ed, rsa);
	test_tampering(ed, rsa);
	test_render_fields(ed, rsa);
	test_required_h(ed);
	test_h_limit(ed);
	test_times_and_keys(ed, rsa, other);
	test_fields(ed);
	test_several(ed, rsa);
	test_dkim_and_rfc8463(ed, rsa);
	test_lf_input(ed);
	test_refusals(ed);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(other);
	sig_ctx_free(ctx);
	return t_done();
}
