/*
 * sig.c: Sender-Key-Signature signing, and the key operations verification
 * uses (see sig.h and specs/signature.md sections 2 to 7 and 9).  Both
 * algorithms sign the SHA-256 of the header hash input: Ed25519 over those
 * 32 octets as RFC 8463 does, RSA PKCS#1 v1.5 with the SHA-256 DigestInfo
 * (the same signature as EVP_DigestSign with SHA-256 over the input
 * itself).  The SHA-256 implementation is fetched once per context.  Not
 * here: the verification steps (sig_verify.c), tag syntax (sigheader.c),
 * canonicalisation (canon.c), DNS (the caller).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "canon.h"
#include "key.h"
#include "keyrec.h"
#include "msg.h"
#include "owner.h"
#include "sig.h"
#include "sig_int.h"
#include "sighash.h"
#include "sigheader.h"

#define HASHLEN		SIGHASH_LEN
#define MAX_SIGLEN	(KEY_RSA_MAX_BITS / 8)

/*
 * The fields of section 2.2, in order: what a mail client renders, plus
 * the threading fields.  A present field is listed n + 1 times, an absent
 * one once (its absence signed); From: is never absent (msg_from).
 */
static const char *const signed_table[] = {
	"from", "to", "cc", "subject", "date", "message-id", "reply-to",
	"in-reply-to", "references", "mime-version", "content-type",
	"content-transfer-encoding",
};
#define NTABLE	(sizeof(signed_table) / sizeof(signed_table[0]))

struct sig_ctx *
sig_ctx_new(void)
{
	struct sig_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
sig_ctx_free(struct sig_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_free(c->sha256);
	free(c);
}

size_t
sig_signed_names(const struct msg *m, const char *out[SIGHEADER_MAX_H])
{
	size_t i, k, cnt, n = 0;

	for (i = 0; i < NTABLE; i++) {
		if ((cnt = msg_count(m, signed_table[i])) == 0)
			continue;
		if (cnt + 1 > SIGHEADER_MAX_H - n)
			return 0;
		for (k = 0; k <= cnt; k++)
			out[n++] = signed_table[i];
	}
	for (i = 0; i < NTABLE; i++) {
		if (msg_count(m, signed_table[i]) != 0)
			continue;
		if (n == SIGHEADER_MAX_H)
			return 0;
		out[n++] = signed_table[i];
	}
	return n;
}

/* key_alg: the signature algorithm KEY can make, or 0. */
static enum sigheader_alg
key_alg(const EVP_PKEY *key)
{
	if (EVP_PKEY_is_a(key, "ED25519"))
		return SIGHEADER_ED25519_SHA256;
	if (EVP_PKEY_is_a(key, "RSA"))
		return SIGHEADER_RSA_SHA256;
	return 0;
}

enum sigheader_alg
sig_pkey_alg(const EVP_PKEY *key)
{
	return key_alg(key);
}

/* rsa_ctx: a PKEY_CTX for PKCS#1 v1.5 with SHA-256, for sign or verify. */
static EVP_PKEY_CTX *
rsa_ctx(struct sig_ctx *c, EVP_PKEY *key, int sign)
{
	EVP_PKEY_CTX *pc;

	if ((pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) == NULL)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(pc) : EVP_PKEY_verify_init(pc)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(pc, c->sha256) <= 0) {
		EVP_PKEY_CTX_free(pc);
		return NULL;
	}
	return pc;
}

/* sign_digest: sign D with KEY into SIG (MAX_SIGLEN); 0 or -1. */
static int
sign_digest(struct sig_ctx *c, EVP_PKEY *key, const unsigned char d[HASHLEN],
    unsigned char *sig, size_t *siglen)
{
	EVP_MD_CTX *mc = NULL;
	EVP_PKEY_CTX *pc = NULL;
	int rc = -1;

	*siglen = MAX_SIGLEN;
	if (key_alg(key) == SIGHEADER_ED25519_SHA256) {
		if ((mc = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestSignInit_ex(mc, NULL, NULL, NULL, NULL, key,
		    NULL) == 1 &&
		    EVP_DigestSign(mc, sig, siglen, d, HASHLEN) == 1)
			rc = 0;
	} else if ((pc = rsa_ctx(c, key, 1)) != NULL &&
	    EVP_PKEY_sign(pc, sig, siglen, d, HASHLEN) == 1)
		rc = 0;
	EVP_MD_CTX_free(mc);
	EVP_PKEY_CTX_free(pc);
	return rc;
}

int
sig_key_prepare(struct sig_ctx *c, struct sig_key *k)
{
	struct sig_key t = *k;

	t.edctx = NULL;
	t.rsactx = NULL;
	if (key_spki_sha256(k->pkey, t.spki_sha256) == -1)
		return -1;
	ERR_set_mark();
	if (key_alg(k->pkey) == SIGHEADER_ED25519_SHA256) {
		if ((t.edctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestVerifyInit_ex(t.edctx, NULL, NULL, NULL, NULL,
		    k->pkey, NULL) != 1) {
			EVP_MD_CTX_free(t.edctx);
			ERR_pop_to_mark();
			return -1;
		}
	} else if ((t.rsactx = rsa_ctx(c, k->pkey, 0)) == NULL) {
		ERR_pop_to_mark();
		return -1;
	}
	ERR_pop_to_mark();
	t.alg = key_alg(k->pkey);
	t.prepared = 1;
	*k = t;
	return 0;
}

void
sig_key_release(struct sig_key *k)
{
	if (k == NULL)
		return;
	EVP_MD_CTX_free(k->edctx);
	EVP_PKEY_CTX_free(k->rsactx);
	k->edctx = NULL;
	k->rsactx = NULL;
	k->prepared = 0;
}

int
sig_key_verify(const struct sig_key *k, const unsigned char d[HASHLEN],
    const unsigned char *sig, size_t siglen)
{
	int ok;

	ERR_set_mark();
	if (k->edctx != NULL)
		ok = EVP_DigestVerify(k->edctx, sig, siglen, d, HASHLEN) == 1;
	else
		ok = EVP_PKEY_verify(k->rsactx, sig, siglen, d, HASHLEN) == 1;
	ERR_pop_to_mark();
	return ok;
}

int
sig_pkey_verify(struct sig_ctx *c, EVP_PKEY *key, enum sigheader_alg alg,
    const unsigned char d[HASHLEN], const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *mc = NULL;
	EVP_PKEY_CTX *pc = NULL;
	int ok = 0;

	ERR_set_mark();
	if (alg == SIGHEADER_ED25519_SHA256) {
		if ((mc = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit_ex(mc, NULL, NULL, NULL, NULL, key,
		    NULL) == 1 &&
		    EVP_DigestVerify(mc, sig, siglen, d, HASHLEN) == 1)
			ok = 1;
	} else if ((pc = rsa_ctx(c, key, 0)) != NULL &&
	    EVP_PKEY_verify(pc, sig, siglen, d, HASHLEN) == 1)
		ok = 1;
	ERR_pop_to_mark();
	EVP_MD_CTX_free(mc);
	EVP_PKEY_CTX_free(pc);
	return ok;
}

char *
sig_sign(struct sig_ctx *c, const struct msg *m, EVP_PKEY *key,
    const struct sig_sign_opts *o, enum sig_sign_err *err,
    enum msg_from_err *ferr, size_t *len)
{
	struct sigheader_params p;
	struct addr *from = NULL, *want = NULL;
	EVP_MD_CTX *md = NULL;
	const char *names[SIGHEADER_MAX_H];
	unsigned char bh[HASHLEN], d[HASHLEN], sig[MAX_SIGLEN];
	char *field = NULL, *b64 = NULL, *out = NULL;
	enum msg_from_err fe = MSG_FROM_OK;
	size_t flen = 0, siglen = 0;
	char sel[OWNER_DKIM_SEL_LEN + 1];
	int dkim = o->dkim_domain != NULL || o->dkim_selector != NULL;

	*err = SIG_SIGN_OK;
	memset(&p, 0, sizeof(p));
	if ((from = msg_from(m, &fe)) == NULL) {
		if (ferr != NULL)
			*ferr = fe;
		*err = fe == MSG_FROM_ENOMEM ? SIG_SIGN_NOMEM : SIG_SIGN_FROM;
		goto fail;
	}
	if (o->sender != NULL && ((want = addr_parse(o->sender, NULL,
	    NULL)) == NULL || strcmp(addr_canon(want), addr_canon(from)) != 0)) {
		*err = SIG_SIGN_SENDER;
		goto fail;
	}
	if ((p.alg = key_alg(key)) == 0) {
		*err = SIG_SIGN_KEY;
		goto fail;
	}
	if (o->lifetime < 0 || o->now < 0 || (dkim &&
	    (o->dkim_domain == NULL || o->dkim_selector == NULL)) ||
	    (dkim && o->dkim_bridge)) {
		*err = SIG_SIGN_OPTS;
		goto fail;
	}
	p.kind = dkim || o->dkim_bridge ? SIGHEADER_DKIM : SIGHEADER_SKS;
	p.hcanon = o->hcanon != 0 ? o->hcanon : CANON_RELAXED;
	p.bcanon = o->bcanon != 0 ? o->bcanon : CANON_RELAXED;
	p.sender = addr_canon(from);
	p.domain = o->dkim_domain;
	p.selector = o->dkim_selector;
	if (o->dkim_bridge) {
		owner_dkim_selector(addr_canon_local(from),
		    strlen(addr_canon_local(from)), sel);
		p.domain = addr_domain(from);
		p.selector = sel;
		p.ident = addr_canon(from);
	}
	p.t = o->now;
	p.x = o->now + (o->lifetime != 0 ? o->lifetime : SIG_DEFAULT_LIFETIME);
	if ((p.nh = sig_signed_names(m, names)) == 0) {
		*err = SIG_SIGN_TOOMANY;
		goto fail;
	}
	p.h = names;
	if (sighash_body(c->sha256, m, p.bcanon, bh) == -1) {
		*err = SIG_SIGN_CRYPTO;
		goto fail;
	}
	p.bh = bh;
	if ((field = sigheader_format(&p, NULL, &flen)) == NULL) {
		*err = SIG_SIGN_NOMEM;
		goto fail;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    sighash_header(md, c->sha256, m, (char *const *)names, p.nh,
	    p.hcanon, field, flen, flen, flen, d) == -1 ||
	    sign_digest(c, key, d, sig, &siglen) == -1) {
		*err = SIG_SIGN_CRYPTO;
		goto fail;
	}
	if ((b64 = b64_encode(sig, siglen)) == NULL ||
	    (out = sigheader_format(&p, b64, len)) == NULL)
		*err = SIG_SIGN_NOMEM;
fail:
	EVP_MD_CTX_free(md);
	free(field);
	free(b64);
	addr_free(from);
	addr_free(want);
	return out;
}

const char *
sig_result_name(enum sig_result r)
{
	switch (r) {
	case SIG_NONE:
		return "none";
	case SIG_PERMERROR:
		return "permerror";
	case SIG_FAIL:
		return "fail";
	case SIG_TEMPERROR:
		return "temperror";
	case SIG_PASS:
		return "pass";
	}
	return "?";
}

const char *
sig_reason_name(enum sig_reason r)
{
	static const char *const names[] = {
		"ok", "no-signature", "sender-mismatch", "from-not-signed",
		"from-not-oversigned", "field-not-signed", "sig-future",
		"sig-expired", "body-hash-mismatch", "no-key", "key-revoked",
		"key-expired", "no-key-for-alg", "sig-mismatch", "syntax",
		"duplicate-tag", "bad-version", "missing-tag", "bad-algorithm",
		"bad-canon", "bad-sender", "bad-h", "bad-base64", "bad-time",
		"l-tag", "too-long", "from-invalid", "key-insecure",
		"key-malformed", "dns-tempfail", "dns-bogus", "internal",
		"dkim-key-differs",
	};

	if ((size_t)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "?";
}

const char *
sig_sign_strerror(enum sig_sign_err e)
{
	switch (e) {
	case SIG_SIGN_OK:
		return "no error";
	case SIG_SIGN_FROM:
		return "the message needs exactly one From: field with one "
		    "mailbox";
	case SIG_SIGN_SENDER:
		return "the sender is not the From: address";
	case SIG_SIGN_KEY:
		return "the key is not an Ed25519 or RSA private key";
	case SIG_SIGN_OPTS:
		return "bad signing options";
	case SIG_SIGN_TOOMANY:
		return "too many header fields to sign (h= over 64 names)";
	case SIG_SIGN_CRYPTO:
		return "signing failed";
	case SIG_SIGN_NOMEM:
		return "out of memory";
	}
	return "?";
}
