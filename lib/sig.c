/*
 * sig.c: Sender-Key-Signature signing and verification (see sig.h and
 * specs/signature.md sections 2 to 7 and 9).  Both algorithms sign the
 * SHA-256 of the header hash input: Ed25519 over those 32 octets as RFC
 * 8463 does, RSA PKCS#1 v1.5 with the SHA-256 DigestInfo (the same
 * signature as EVP_DigestSign with SHA-256 over the input itself).  The
 * SHA-256 implementation is fetched once per context.  Not here: tag
 * syntax (sigheader.c), canonicalisation (canon.c), DNS (the caller).
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
#include "sighash.h"
#include "sigheader.h"

#define HASHLEN		SIGHASH_LEN
#define MAX_SIGLEN	(KEY_RSA_MAX_BITS / 8)

struct sig_ctx {
	EVP_MD	*sha256;
};

struct entry {
	struct sigheader	*sh;
	struct sig_outcome	 out;
	int			 pending;
	unsigned char		 hhash[HASHLEN];
};

struct sig_verify {
	struct sig_ctx		*ctx;
	const struct msg	*m;
	EVP_MD_CTX		*md;		/* header hashes, made once */
	enum sigheader_kind	 kind;
	struct addr		*from;
	int			 from_done;
	struct entry		 e[SIG_MAX_EVALUATED];
	size_t			 n;
	int			 have_bh[3];
	unsigned char		 bh[3][HASHLEN];
	struct sig_outcome	 none;
};

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

/*
 * What a verifier requires in h= besides From: (section 2.1): the fields
 * that decide how the message is shown, listed at least once (present and
 * signed, or signed as absent).
 */
static const char *const required_table[] = {
	"subject", "mime-version", "content-type",
};
#define NREQUIRED	(sizeof(required_table) / sizeof(required_table[0]))

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

/*
 * h_lacks_required: 1 when the names of SF leave out a field that section
 * 2.1 requires besides From: (checked apart, step 4).
 */
static int
h_lacks_required(const struct sigheader_fields *sf)
{
	size_t i, k;

	for (k = 0; k < NREQUIRED; k++) {
		for (i = 0; i < sf->nh; i++)
			if (strcmp(sf->h[i], required_table[k]) == 0)
				break;
		if (i == sf->nh)
			return 1;
	}
	return 0;
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

/* verify_prepared: verify_digest with K's ready context. */
static int
verify_prepared(const struct sig_key *k, const unsigned char d[HASHLEN],
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

/* verify_digest: 1 when SIG is KEY's signature of D, else 0. */
static int
verify_digest(struct sig_ctx *c, EVP_PKEY *key, enum sigheader_alg alg,
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

static void
decide(struct entry *e, enum sig_result r, enum sig_reason why)
{
	e->out.result = r;
	e->out.reason = why;
	e->pending = 0;
}

static enum sig_reason
parse_reason(enum sigheader_err e)
{
	switch (e) {
	case SIGHEADER_ETOOLONG:
		return SIG_R_TOO_LONG;
	case SIGHEADER_ESYNTAX:
		return SIG_R_SYNTAX;
	case SIGHEADER_EDUPTAG:
		return SIG_R_DUPLICATE_TAG;
	case SIGHEADER_EVERSION:
		return SIG_R_BAD_VERSION;
	case SIGHEADER_ELTAG:
		return SIG_R_L_TAG;
	case SIGHEADER_EMISSING:
		return SIG_R_MISSING_TAG;
	case SIGHEADER_EALG:
		return SIG_R_BAD_ALGORITHM;
	case SIGHEADER_ECANON:
		return SIG_R_BAD_CANON;
	case SIGHEADER_ESENDER:
		return SIG_R_BAD_SENDER;
	case SIGHEADER_EH:
		return SIG_R_BAD_H;
	case SIGHEADER_EBASE64:
		return SIG_R_BAD_BASE64;
	case SIGHEADER_ETIME:
		return SIG_R_BAD_TIME;
	case SIGHEADER_OK:
	case SIGHEADER_ENOMEM:
		break;
	}
	return SIG_R_INTERNAL;
}

/* check_one: steps 1 to 6 for the field F into E. */
static void
check_one(struct sig_verify *v, struct entry *e, const struct msg_field *f,
    int64_t now)
{
	const struct sigheader_fields *sf;
	enum sigheader_err perr = SIGHEADER_OK;
	enum msg_from_err fe = MSG_FROM_OK;
	size_t i, nfrom = 0, cut = 0, resume = 0;
	int bc;

	if ((e->sh = sigheader_parse(v->kind, f->value, f->valuelen,
	    &perr)) == NULL) {
		decide(e, perr == SIGHEADER_ENOMEM ? SIG_TEMPERROR :
		    SIG_PERMERROR, parse_reason(perr));
		return;
	}
	sf = sigheader_get(e->sh);
	e->out.alg = sf->alg;
	if (!v->from_done) {
		v->from = msg_from(v->m, &fe);
		v->from_done = 1;
	}
	if (v->from == NULL) {
		decide(e, SIG_PERMERROR, SIG_R_FROM_INVALID);
		return;
	}
	if (v->kind == SIGHEADER_SKS && strcmp(addr_canon(sf->sender),
	    addr_canon(v->from)) != 0) {
		decide(e, SIG_FAIL, SIG_R_SENDER_MISMATCH);
		return;
	}
	for (i = 0; i < sf->nh; i++)
		if (strcmp(sf->h[i], "from") == 0)
			nfrom++;
	if (nfrom == 0 || (nfrom == 1 && v->kind == SIGHEADER_SKS)) {
		decide(e, SIG_FAIL, nfrom == 0 ? SIG_R_FROM_NOT_SIGNED :
		    SIG_R_FROM_NOT_OVERSIGNED);
		return;
	}
	if (v->kind == SIGHEADER_SKS && h_lacks_required(sf)) {
		decide(e, SIG_FAIL, SIG_R_FIELD_NOT_SIGNED);
		return;
	}
	if (sf->t >= 0 && sf->t > now + SIG_SKEW) {
		decide(e, SIG_FAIL, SIG_R_SIG_FUTURE);
		return;
	}
	if (sf->x >= 0 && now > sf->x + SIG_SKEW) {
		decide(e, SIG_FAIL, SIG_R_SIG_EXPIRED);
		return;
	}
	bc = (int)sf->bcanon;
	if (!v->have_bh[bc]) {
		if (sighash_body(v->ctx->sha256, v->m, sf->bcanon,
		    v->bh[bc]) == -1) {
			decide(e, SIG_TEMPERROR, SIG_R_INTERNAL);
			return;
		}
		v->have_bh[bc] = 1;
	}
	if (CRYPTO_memcmp(v->bh[bc], sf->bh, HASHLEN) != 0) {
		decide(e, SIG_FAIL, SIG_R_BODY_HASH_MISMATCH);
		return;
	}
	if ((v->md == NULL && (v->md = EVP_MD_CTX_new()) == NULL) ||
	    sigheader_b_span(f->raw, f->rawlen, &cut, &resume) == -1 ||
	    sighash_header(v->md, v->ctx->sha256, v->m, sf->h, sf->nh,
	    sf->hcanon, f->raw, f->rawlen, cut, resume, e->hhash) == -1) {
		decide(e, SIG_TEMPERROR, SIG_R_INTERNAL);
		return;
	}
	e->pending = 1;
}

struct sig_verify *
sig_verify_begin(struct sig_ctx *c, const struct msg *m,
    enum sigheader_kind kind, int64_t now)
{
	struct sig_verify *v;
	const struct msg_field *f;
	const char *name;
	size_t i;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->ctx = c;
	v->m = m;
	v->kind = kind;
	v->none.result = SIG_NONE;
	v->none.reason = SIG_R_NO_SIGNATURE;
	v->none.field = (size_t)-1;
	name = kind == SIGHEADER_DKIM ? SIGHEADER_DKIM_NAME : SIGHEADER_NAME;
	for (i = 0; i < msg_nfields(m) && v->n < SIG_MAX_EVALUATED; i++) {
		f = msg_field(m, i);
		if (!msg_field_is(f, name))
			continue;
		v->e[v->n].out.field = i;
		/* undecided until the keys come: temperror if they never do */
		v->e[v->n].out.result = SIG_TEMPERROR;
		v->e[v->n].out.reason = SIG_R_INTERNAL;
		check_one(v, &v->e[v->n], f, now);
		v->n++;
	}
	return v;
}

void
sig_verify_free(struct sig_verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		sigheader_free(v->e[i].sh);
	addr_free(v->from);
	EVP_MD_CTX_free(v->md);
	free(v);
}

int
sig_verify_need_keys(const struct sig_verify *v, const struct addr **sender)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->e[i].pending) {
			*sender = v->from;
			return 1;
		}
	}
	return 0;
}

/* A candidate with its fingerprint, for sorting. */
struct cand {
	const struct sig_key	*k;
	enum sigheader_alg	 alg;
	unsigned char		 fp[KEY_SHA256_LEN];
};

/* fp_text: the SHA-256 as key_fingerprint writes it. */
static void
fp_text(const unsigned char fp[KEY_SHA256_LEN], char out[KEY_FP_SIZE])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < KEY_SHA256_LEN; i++) {
		if (i > 0)
			out[o++] = ':';
		out[o++] = hex[fp[i] >> 4];
		out[o++] = hex[fp[i] & 15];
	}
	out[o] = '\0';
}

static int
cand_cmp(const void *a, const void *b)
{
	return memcmp(((const struct cand *)a)->fp,
	    ((const struct cand *)b)->fp, KEY_SHA256_LEN);
}

void
sig_verify_keys(struct sig_verify *v, enum sig_keystate state,
    const struct sig_key *keys, size_t n)
{
	struct cand *cs = NULL;
	struct entry *e;
	size_t i, j, nc = 0, tried;

	if (state == SIG_KEYS_FOUND && n > 0) {
		if ((cs = calloc(n, sizeof(*cs))) == NULL)
			return;		/* pending ones stay temperror */
		for (i = 0; i < n; i++) {
			if (keys[i].prepared)
				memcpy(cs[nc].fp, keys[i].spki_sha256,
				    KEY_SHA256_LEN);
			else if (key_spki_sha256(keys[i].pkey, cs[nc].fp) == -1)
				continue;
			cs[nc].alg = keys[i].prepared ?
			    (enum sigheader_alg)keys[i].alg :
			    key_alg(keys[i].pkey);
			cs[nc++].k = &keys[i];
		}
		if (nc > 1)
			qsort(cs, nc, sizeof(*cs), cand_cmp);
	}
	for (i = 0; i < v->n; i++) {
		e = &v->e[i];
		if (!e->pending)
			continue;
		switch (state) {
		case SIG_KEYS_TEMPFAIL:
			decide(e, SIG_TEMPERROR, SIG_R_DNS_TEMPFAIL);
			continue;
		case SIG_KEYS_BOGUS:
			decide(e, SIG_TEMPERROR, SIG_R_DNS_BOGUS);
			continue;
		case SIG_KEYS_INSECURE:
			decide(e, SIG_PERMERROR, SIG_R_KEY_INSECURE);
			continue;
		case SIG_KEYS_MALFORMED:
			decide(e, SIG_PERMERROR, SIG_R_KEY_MALFORMED);
			continue;
		case SIG_KEYS_NONE:
			decide(e, SIG_FAIL, SIG_R_NO_KEY);
			continue;
		case SIG_KEYS_REVOKED:
			decide(e, SIG_FAIL, SIG_R_KEY_REVOKED);
			continue;
		case SIG_KEYS_EXPIRED:
			decide(e, SIG_FAIL, SIG_R_KEY_EXPIRED);
			continue;
		case SIG_KEYS_FOUND:
			break;
		}
		tried = 0;
		for (j = 0; j < nc; j++) {
			if (cs[j].alg != e->out.alg)
				continue;
			tried++;
			if (cs[j].k->prepared ? verify_prepared(cs[j].k,
			    e->hhash, sigheader_get(e->sh)->b,
			    sigheader_get(e->sh)->blen) :
			    verify_digest(v->ctx, cs[j].k->pkey, e->out.alg,
			    e->hhash, sigheader_get(e->sh)->b,
			    sigheader_get(e->sh)->blen)) {
				decide(e, SIG_PASS, SIG_R_OK);
				fp_text(cs[j].fp, e->out.fp);
				e->out.testing = cs[j].k->testing;
				break;
			}
		}
		if (e->pending)
			decide(e, SIG_FAIL, tried == 0 ? SIG_R_NO_KEY_FOR_ALG :
			    SIG_R_SIG_MISMATCH);
	}
	free(cs);
}

void
sig_verify_records(struct sig_verify *v, struct keyrec *const *recs,
    size_t n)
{
	struct sig_key *keys = NULL;
	const struct keyrec_fields *f;
	size_t i, nk = 0;

	if (n > 0 && (keys = calloc(n, sizeof(*keys))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		f = keyrec_get(recs[i]);
		keys[nk].pkey = key_from_record_bytes((int)f->alg, f->key,
		    f->keylen);
		if (keys[nk].pkey == NULL)
			continue;
		keys[nk++].testing = f->testing;
	}
	sig_verify_keys(v, SIG_KEYS_FOUND, keys, nk);
	for (i = 0; i < nk; i++)
		EVP_PKEY_free(keys[i].pkey);
	free(keys);
}

size_t
sig_verify_count(const struct sig_verify *v)
{
	return v->n;
}

const struct sig_outcome *
sig_verify_get(const struct sig_verify *v, size_t i)
{
	return i < v->n ? &v->e[i].out : NULL;
}

const struct sig_outcome *
sig_verify_result(const struct sig_verify *v)
{
	const struct sig_outcome *best = &v->none;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->e[i].out.result > best->result)
			best = &v->e[i].out;
	return best;
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
