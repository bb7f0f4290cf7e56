/*
 * fuzz_verify.c: libFuzzer target for verification past the body hash:
 * sighash_header (lib/sighash.c) and the key step of lib/sig_verify.c,
 * which a fuzzed message never reaches on its own (check_one compares bh
 * first).
 * The first octet chooses how:
 *   bit 0 clear, "fix bh": the rest is a message; the bh= tag of every
 *     Sender-Key-Signature and DKIM-Signature field is replaced by the
 *     body hash the field's c= asks for, so mutations land on the header
 *     side; then it is verified with the fixed test key.
 *   bit 0 set, "sign, then change the header": the rest is a message M,
 *     optionally followed by a NUL and a header block H.  M is signed
 *     with the fixed test key (bit 1: DKIM-Signature test mode; bit 2:
 *     simple header canonicalisation; bit 3: simple body); the signature
 *     field is put on top of M (no H), or of H and M's body (with H), and
 *     verified.  Without H the result must be pass; with H, a pass means
 *     the From: address is M's.  Without bit 1 the same is done again with
 *     the DKIM bridge field (signature.md 11.1), verified in the bridge
 *     mode (11.2) with the test key in both records.
 * In both modes a result is never pass for a From: address the
 * signature's sender differs from (Sender-Key-Signature), and a bridge
 * pass is for a field whose i= is the From: address and d= its domain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/b64.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "lib/sighash.h"
#include "lib/sigheader.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	1763030000	/* inside the seeds' t= and x= */
#define MAX_FIX		8	/* signature fields whose bh is fixed */

static struct sig_ctx *ctx;
static EVP_PKEY *key;

static int
setup(void)
{
	/* A fixed Ed25519 key: the seed is not a secret. */
	static const unsigned char seed[32] = {
		0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x76, 0x65, 0x72,
		0x69, 0x66, 0x79, 0x2d, 0x74, 0x65, 0x73, 0x74,
		0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x6e, 0x6f, 0x74,
		0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x21,
	};

	if (ctx == NULL && (ctx = sig_ctx_new()) == NULL)
		return -1;
	if (key == NULL && (key = EVP_PKEY_new_raw_private_key(
	    EVP_PKEY_ED25519, NULL, seed, sizeof(seed))) == NULL)
		return -1;
	return 0;
}

/* from_canon: M's From: address (canonical, malloc'd), or NULL. */
static char *
from_canon(const struct msg *m)
{
	enum msg_from_err fe;
	struct addr *a;
	char *s;

	if ((a = msg_from(m, &fe)) == NULL)
		return NULL;
	s = strdup(addr_canon(a));
	addr_free(a);
	return s;
}

/*
 * bridge_names_from: the bridge field that passed (field I of M) has the
 * From: address FROM (canonical) in i= and its domain in d=; else abort.
 */
static void
bridge_names_from(const struct msg *m, size_t i, const char *from)
{
	const struct msg_field *f = msg_field(m, i);
	const struct sigheader_fields *sf;
	struct sigheader *sh;
	const char *at = strrchr(from, '@');

	if (f == NULL || at == NULL || (sh = sigheader_parse(
	    SIGHEADER_DKIM_BRIDGE, f->value, f->valuelen, NULL)) == NULL)
		abort();
	sf = sigheader_get(sh);
	if (sf->ident == NULL || strcmp(addr_canon(sf->ident), from) != 0 ||
	    strcasecmp(sf->domain, at + 1) != 0)
		abort();
	sigheader_free(sh);
}

/*
 * verify: M verified as KIND with the test key at FUZZ_NOW (in the bridge
 * mode also as the DKIM record's key); the result.  Checks what holds for
 * any message: a pass has a From: address, and for Sender-Key-Signature
 * it is the signature's sender, for a bridge signature its i=.
 */
static enum sig_result
verify(const struct msg *m, enum sigheader_kind kind)
{
	struct sig_verify *v;
	struct sig_key k;
	const struct addr *sender;
	const struct sig_outcome *o;
	enum sig_result r;
	char *from, fp[1][KEY_FP_SIZE];

	if ((v = sig_verify_begin(ctx, m, kind, FUZZ_NOW)) == NULL)
		return SIG_NONE;
	if (sig_verify_need_dkim(v) == 1) {
		if (key_fingerprint(key, fp[0], sizeof(fp[0])) == -1)
			abort();
		sig_verify_dkim(v, SIG_KEYS_FOUND,
		    (const char (*)[KEY_FP_SIZE])fp, 1);
	}
	if (sig_verify_need_keys(v, &sender) == 1) {
		memset(&k, 0, sizeof(k));
		k.pkey = key;
		sig_verify_keys(v, SIG_KEYS_FOUND, &k, 1);
	}
	o = sig_verify_result(v);
	r = o->result;
	(void)strlen(sig_reason_name(o->reason));
	if (r == SIG_PASS) {
		if ((from = from_canon(m)) == NULL)
			abort();	/* passed without a From: address */
		if (o->kind == SIGHEADER_DKIM_BRIDGE)
			bridge_names_from(m, o->field, from);
		free(from);
	}
	sig_verify_free(v);
	return r;
}

/* bh_span: where the value of the bh tag is in FIELD; 0 or -1. */
static int
bh_span(const char *f, size_t len, size_t *start, size_t *end)
{
	size_t i, j;

	for (i = 0; i + 3 <= len; i++) {
		if (f[i] != 'b' || f[i + 1] != 'h')
			continue;
		if (i > 0 && f[i - 1] != ';' && f[i - 1] != ' ' &&
		    f[i - 1] != '\t' && f[i - 1] != '\n' && f[i - 1] != ':')
			continue;
		for (j = i + 2; j < len && (f[j] == ' ' || f[j] == '\t'); j++)
			;
		if (j >= len || f[j] != '=')
			continue;
		*start = j + 1;
		for (j = *start; j < len && f[j] != ';'; j++)
			;
		/* keep a final CRLF of the field out of the value */
		while (j > *start && (f[j - 1] == '\r' || f[j - 1] == '\n'))
			j--;
		*end = j;
		return 0;
	}
	return -1;
}

/* append: LEN octets to OUT (room checked by the caller). */
static void
append(char *out, size_t *o, const char *s, size_t len)
{
	memcpy(out + *o, s, len);
	*o += len;
}

/*
 * fix_bh: the text of M with the bh of each signature field replaced by
 * the right body hash (relaxed, or simple when the field's c= says so).
 * NULL when nothing was replaced or on failure.
 */
static char *
fix_bh(const struct msg *m, size_t *outlen)
{
	const char *text;
	const struct msg_field *f;
	struct sigheader *sh;
	enum sigheader_err perr;
	enum sigheader_kind kind;
	unsigned char h[2][SIGHASH_LEN];
	char *b64[2] = { NULL, NULL }, *out = NULL, *val;
	size_t len, i, o = 0, prev = 0, s, e, off, nfix = 0, vlen;
	int c;

	text = msg_text(m, &len);
	if (sighash_body(EVP_sha256(), m, CANON_RELAXED, h[0]) == -1 ||
	    sighash_body(EVP_sha256(), m, CANON_SIMPLE, h[1]) == -1 ||
	    (b64[0] = b64_encode(h[0], SIGHASH_LEN)) == NULL ||
	    (b64[1] = b64_encode(h[1], SIGHASH_LEN)) == NULL)
		goto done;
	/* each replacement adds at most 44 octets */
	if ((out = malloc(len + MAX_FIX * 48 + 1)) == NULL)
		goto done;
	for (i = 0; i < msg_nfields(m) && nfix < MAX_FIX; i++) {
		f = msg_field(m, i);
		if (msg_field_is(f, SIGHEADER_NAME))
			kind = SIGHEADER_SKS;
		else if (msg_field_is(f, SIGHEADER_DKIM_NAME))
			kind = SIGHEADER_DKIM;
		else
			continue;
		if (bh_span(f->raw, f->rawlen, &s, &e) == -1)
			continue;
		off = (size_t)(f->raw - text);
		/* the bcanon the field asks for: parse it with relaxed's bh */
		c = 0;
		vlen = f->valuelen - (e - s) + strlen(b64[0]);
		if ((val = malloc(vlen + 1)) != NULL) {
			size_t vs = (size_t)(f->value - f->raw), vo = 0;

			if (s >= vs && e <= vs + f->valuelen) {
				append(val, &vo, f->value, s - vs);
				append(val, &vo, b64[0], strlen(b64[0]));
				append(val, &vo, f->raw + e,
				    vs + f->valuelen - e);
				if ((sh = sigheader_parse(kind, val, vo,
				    &perr)) != NULL) {
					if (sigheader_get(sh)->bcanon ==
					    CANON_SIMPLE)
						c = 1;
					sigheader_free(sh);
				}
			}
			free(val);
		}
		append(out, &o, text + prev, off + s - prev);
		append(out, &o, b64[c], strlen(b64[c]));
		prev = off + e;
		nfix++;
	}
	if (nfix == 0) {
		free(out);
		out = NULL;
		goto done;
	}
	append(out, &o, text + prev, len - prev);
	*outlen = o;
done:
	free(b64[0]);
	free(b64[1]);
	return out;
}

static void
mode_fix(const char *in, size_t len)
{
	struct msg *m, *m2;
	enum msg_err err;
	size_t line, n;
	char *fixed;

	if ((m = msg_parse(in, len, &err, &line)) == NULL)
		return;
	if ((fixed = fix_bh(m, &n)) != NULL) {
		if ((m2 = msg_parse(fixed, n, &err, &line)) != NULL) {
			verify(m2, SIGHEADER_SKS);
			verify(m2, SIGHEADER_DKIM);
			verify(m2, SIGHEADER_DKIM_BRIDGE);
			msg_free(m2);
		}
		free(fixed);
	}
	msg_free(m);
}

/* sign_one: mode_sign's work, with the bridge field when BRIDGE. */
static void
sign_one(uint8_t flags, int bridge, const char *in, size_t len)
{
	struct sig_sign_opts o;
	enum sig_sign_err serr;
	enum msg_from_err ferr;
	enum msg_err err;
	enum sigheader_kind kind;
	struct msg *m = NULL, *v = NULL;
	const char *nul, *hdr = NULL, *body;
	char *field = NULL, *text = NULL, *from = NULL, *vfrom = NULL;
	size_t flen, mlen = len, hlen = 0, blen, tlen = 0, line;
	enum sig_result r;

	if ((nul = memchr(in, '\0', len)) != NULL) {
		mlen = (size_t)(nul - in);
		hdr = nul + 1;
		hlen = len - mlen - 1;
	}
	if ((m = msg_parse(in, mlen, &err, &line)) == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.now = FUZZ_NOW;
	o.hcanon = (flags & 4) ? CANON_SIMPLE : CANON_RELAXED;
	o.bcanon = (flags & 8) ? CANON_SIMPLE : CANON_RELAXED;
	kind = SIGHEADER_SKS;
	if (bridge) {
		kind = SIGHEADER_DKIM_BRIDGE;
		o.dkim_bridge = 1;
	} else if (flags & 2) {
		kind = SIGHEADER_DKIM;
		o.dkim_domain = "example.test";
		o.dkim_selector = "fuzz";
	}
	if ((field = sig_sign(ctx, m, key, &o, &serr, &ferr, &flen)) == NULL)
		goto done;
	body = msg_body(m, &blen);
	if (hdr == NULL) {
		hdr = msg_text(m, &hlen);
		blen = 0;	/* the whole message follows the field */
	}
	if ((text = malloc(flen + hlen + blen + 8)) == NULL)
		goto done;
	memcpy(text, field, flen);
	tlen = flen;
	memcpy(text + tlen, "\r\n", 2);
	tlen += 2;
	memcpy(text + tlen, hdr, hlen);
	tlen += hlen;
	if (nul != NULL) {
		/* H, the empty line, M's body */
		if (hlen < 2 || memcmp(hdr + hlen - 2, "\r\n", 2) != 0) {
			memcpy(text + tlen, "\r\n", 2);
			tlen += 2;
		}
		memcpy(text + tlen, "\r\n", 2);
		tlen += 2;
		memcpy(text + tlen, body, blen);
		tlen += blen;
	}
	if ((v = msg_parse(text, tlen, &err, &line)) == NULL) {
		/* a signed message still parses, unless the field was one
		 * too many or the octets too many */
		if (nul == NULL && err != MSG_ETOOMANY && err != MSG_ETOOBIG &&
		    err != MSG_EFIELDLONG)
			abort();
		goto done;
	}
	r = verify(v, kind);
	if (nul == NULL && r != SIG_PASS)
		abort();	/* sign, then verify: must pass */
	if (nul != NULL && r == SIG_PASS) {
		from = from_canon(m);
		vfrom = from_canon(v);
		if (from == NULL || vfrom == NULL || strcmp(from, vfrom) != 0)
			abort();	/* the header changed the signer */
	}
done:
	free(from);
	free(vfrom);
	msg_free(v);
	free(text);
	free(field);
	msg_free(m);
}

static void
mode_sign(uint8_t flags, const char *in, size_t len)
{
	sign_one(flags, 0, in, len);
	if (!(flags & 2))
		sign_one(flags, 1, in, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || setup() == -1)
		return 0;
	if (data[0] & 1)
		mode_sign(data[0], (const char *)data + 1, size - 1);
	else
		mode_fix((const char *)data + 1, size - 1);
	return 0;
}
