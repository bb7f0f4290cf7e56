/*
 * sig_verify.c: the verification of section 6 of specs/signature.md,
 * declared in sig.h: steps 1 to 6 per signature (no DNS), then the keys
 * the caller looked up (steps 7 to 9), the message result of 6.2; and the
 * DKIM bridge signatures of section 11.2, which need the DKIM key record
 * too.  Not here: signing and the key operations (sig.c), which
 * DKIM-Signature fields count (sigbridge.c), tag syntax (sigheader.c).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "addr.h"
#include "key.h"
#include "keyrec.h"
#include "msg.h"
#include "owner.h"
#include "sig.h"
#include "sig_int.h"
#include "sigbridge.h"
#include "sighash.h"
#include "sigheader.h"

#define HASHLEN		SIGHASH_LEN

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
	struct entry		 e[2 * SIG_MAX_EVALUATED]; /* SKS, bridge */
	size_t			 n;
	int			 dkim_given;	/* sig_verify_dkim was called */
	char			(*dkim_fps)[KEY_FP_SIZE];
	size_t			 ndkim;
	int			 have_bh[3];
	unsigned char		 bh[3][HASHLEN];
	struct sig_outcome	 none;
};

/*
 * What a verifier requires in h= besides From: (section 2.1): the fields
 * that decide how the message is shown, listed at least once (present and
 * signed, or signed as absent).
 */
static const char *const required_table[] = {
	"subject", "mime-version", "content-type",
};
#define NREQUIRED	(sizeof(required_table) / sizeof(required_table[0]))

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

/* from_of: the message's single From: address, found once; or NULL. */
static const struct addr *
from_of(struct sig_verify *v)
{
	enum msg_from_err fe = MSG_FROM_OK;

	if (!v->from_done) {
		v->from = msg_from(v->m, &fe);
		v->from_done = 1;
	}
	return v->from;
}

/*
 * check_one: steps 1 to 6 for the field F into E, whose out.kind is set
 * (and its sh, already parsed, for a bridge signature).  The test mode
 * (SIGHEADER_DKIM) relaxes step 4 and t=/x=; a bridge signature is held
 * to the Sender-Key-Signature's rules (11.2).
 */
static void
check_one(struct sig_verify *v, struct entry *e, const struct msg_field *f,
    int64_t now)
{
	const struct sigheader_fields *sf;
	enum sigheader_err perr = SIGHEADER_OK;
	size_t i, nfrom = 0, cut = 0, resume = 0;
	int bc, strict = e->out.kind != SIGHEADER_DKIM;

	if (e->sh == NULL && (e->sh = sigheader_parse(e->out.kind, f->value,
	    f->valuelen, &perr)) == NULL) {
		decide(e, perr == SIGHEADER_ENOMEM ? SIG_TEMPERROR :
		    SIG_PERMERROR, parse_reason(perr));
		return;
	}
	sf = sigheader_get(e->sh);
	e->out.alg = sf->alg;
	if (from_of(v) == NULL) {
		decide(e, SIG_PERMERROR, SIG_R_FROM_INVALID);
		return;
	}
	if (e->out.kind == SIGHEADER_SKS && strcmp(addr_canon(sf->sender),
	    addr_canon(v->from)) != 0) {
		decide(e, SIG_FAIL, SIG_R_SENDER_MISMATCH);
		return;
	}
	if (e->out.kind == SIGHEADER_DKIM_BRIDGE && (sf->t < 0 || sf->x < 0)) {
		decide(e, SIG_PERMERROR, SIG_R_MISSING_TAG);
		return;
	}
	for (i = 0; i < sf->nh; i++)
		if (strcmp(sf->h[i], "from") == 0)
			nfrom++;
	if (nfrom == 0 || (nfrom == 1 && strict)) {
		decide(e, SIG_FAIL, nfrom == 0 ? SIG_R_FROM_NOT_SIGNED :
		    SIG_R_FROM_NOT_OVERSIGNED);
		return;
	}
	if (strict && h_lacks_required(sf)) {
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

/* add_entry: a new entry for field I of KIND, undecided. */
static struct entry *
add_entry(struct sig_verify *v, size_t i, enum sigheader_kind kind)
{
	struct entry *e = &v->e[v->n++];

	e->out.field = i;
	e->out.kind = kind;
	/* undecided until the keys come: temperror if they never do */
	e->out.result = SIG_TEMPERROR;
	e->out.reason = SIG_R_INTERNAL;
	return e;
}

/*
 * add_bridge: the first SIG_MAX_EVALUATED DKIM-Signature fields: each that
 * parses and names the From: address in d=, s= and i= (sigbridge_counts)
 * is checked like a Sender-Key-Signature; the others are left alone.
 */
static void
add_bridge(struct sig_verify *v, int64_t now)
{
	const struct msg_field *f;
	struct sigheader *sh;
	struct entry *e;
	char sel[OWNER_DKIM_SEL_LEN + 1];
	size_t i, seen = 0;

	if (from_of(v) == NULL)
		return;
	for (i = 0; i < msg_nfields(v->m) && seen < SIG_MAX_EVALUATED; i++) {
		f = msg_field(v->m, i);
		if (!msg_field_is(f, SIGHEADER_DKIM_NAME))
			continue;
		seen++;
		if ((sh = sigheader_parse(SIGHEADER_DKIM_BRIDGE, f->value,
		    f->valuelen, NULL)) == NULL)
			continue;
		if (!sigbridge_counts(sigheader_get(sh), v->from, sel)) {
			sigheader_free(sh);
			continue;
		}
		e = add_entry(v, i, SIGHEADER_DKIM_BRIDGE);
		e->sh = sh;
		memcpy(e->out.selector, sel, sizeof(sel));
		check_one(v, e, f, now);
	}
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
		check_one(v, add_entry(v, i, kind == SIGHEADER_DKIM ?
		    SIGHEADER_DKIM : SIGHEADER_SKS), f, now);
	}
	if (kind == SIGHEADER_DKIM_BRIDGE)
		add_bridge(v, now);
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
	free(v->dkim_fps);
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

int
sig_verify_need_dkim(const struct sig_verify *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->e[i].pending &&
		    v->e[i].out.kind == SIGHEADER_DKIM_BRIDGE)
			return 1;
	return 0;
}

/* decide_state: step 7 for a STATE other than SIG_KEYS_FOUND; 1 if so. */
static int
decide_state(struct entry *e, enum sig_keystate state)
{
	switch (state) {
	case SIG_KEYS_TEMPFAIL:
		decide(e, SIG_TEMPERROR, SIG_R_DNS_TEMPFAIL);
		return 1;
	case SIG_KEYS_BOGUS:
		decide(e, SIG_TEMPERROR, SIG_R_DNS_BOGUS);
		return 1;
	case SIG_KEYS_INSECURE:
		decide(e, SIG_PERMERROR, SIG_R_KEY_INSECURE);
		return 1;
	case SIG_KEYS_MALFORMED:
		decide(e, SIG_PERMERROR, SIG_R_KEY_MALFORMED);
		return 1;
	case SIG_KEYS_NONE:
		decide(e, SIG_FAIL, SIG_R_NO_KEY);
		return 1;
	case SIG_KEYS_REVOKED:
		decide(e, SIG_FAIL, SIG_R_KEY_REVOKED);
		return 1;
	case SIG_KEYS_EXPIRED:
		decide(e, SIG_FAIL, SIG_R_KEY_EXPIRED);
		return 1;
	case SIG_KEYS_FOUND:
		break;
	}
	return 0;
}

void
sig_verify_dkim(struct sig_verify *v, enum sig_keystate state,
    const char (*fps)[KEY_FP_SIZE], size_t n)
{
	size_t i;

	free(v->dkim_fps);
	v->dkim_fps = NULL;
	v->ndkim = 0;
	v->dkim_given = 1;
	if (state == SIG_KEYS_FOUND && n > 0) {
		if ((v->dkim_fps = calloc(n, sizeof(*v->dkim_fps))) == NULL) {
			v->dkim_given = 0;	/* pending ones end temperror */
			return;
		}
		memcpy(v->dkim_fps, fps, n * sizeof(*v->dkim_fps));
		v->ndkim = n;
	}
	for (i = 0; i < v->n; i++)
		if (v->e[i].pending &&
		    v->e[i].out.kind == SIGHEADER_DKIM_BRIDGE)
			(void)decide_state(&v->e[i], state);
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
	size_t i, j, nc = 0, tried, inset;
	int bridge;

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
			    sig_pkey_alg(keys[i].pkey);
			cs[nc++].k = &keys[i];
		}
		if (nc > 1)
			qsort(cs, nc, sizeof(*cs), cand_cmp);
	}
	for (i = 0; i < v->n; i++) {
		e = &v->e[i];
		if (!e->pending)
			continue;
		bridge = e->out.kind == SIGHEADER_DKIM_BRIDGE;
		if (bridge && !v->dkim_given) {
			decide(e, SIG_TEMPERROR, SIG_R_INTERNAL);
			continue;
		}
		if (decide_state(e, state))
			continue;
		tried = inset = 0;
		for (j = 0; j < nc; j++) {
			/* a bridge signature: keys of both records only */
			if (bridge && !sigbridge_fp_in(cs[j].fp, v->dkim_fps,
			    v->ndkim))
				continue;
			inset++;
			if (cs[j].alg != e->out.alg)
				continue;
			tried++;
			if (cs[j].k->prepared ? sig_key_verify(cs[j].k,
			    e->hhash, sigheader_get(e->sh)->b,
			    sigheader_get(e->sh)->blen) :
			    sig_pkey_verify(v->ctx, cs[j].k->pkey, e->out.alg,
			    e->hhash, sigheader_get(e->sh)->b,
			    sigheader_get(e->sh)->blen)) {
				decide(e, SIG_PASS, SIG_R_OK);
				fp_text(cs[j].fp, e->out.fp);
				e->out.testing = cs[j].k->testing;
				break;
			}
		}
		if (e->pending)
			decide(e, SIG_FAIL, inset == 0 && bridge ?
			    SIG_R_DKIM_KEY_DIFFERS : tried == 0 ?
			    SIG_R_NO_KEY_FOR_ALG : SIG_R_SIG_MISMATCH);
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

