/*
 * fuzz_msg.c: libFuzzer target for the message path of verification:
 * msg_parse, msg_from, msg_unfold and canon_header (simple and relaxed)
 * on each field, the body canonicalised in one piece and again in chunks
 * of pseudo-random sizes (both hashes and lengths must agree), and
 * sig_verify_begin for both signature kinds and the DKIM bridge mode
 * decided with no keys (the result must never be pass).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/canon.h"
#include "lib/msg.h"
#include "lib/sig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	1700000000
#define FIELDS_MAX	64		/* fields looked at one by one */

/* body_hash: the canonical hash of BODY fed in chunks; CHUNK 0: whole. */
static int
body_hash(const EVP_MD *md, enum canon_alg alg, const char *body,
    size_t len, uint32_t seed, unsigned char out[CANON_HASH_LEN],
    unsigned long long *clen)
{
	struct canon_body *cb;
	size_t off = 0, n;
	int rc = -1;

	if ((cb = canon_body_new(alg, md)) == NULL)
		return -1;
	while (off < len) {
		if (seed == 0)
			n = len - off;
		else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 97;
			if (n > len - off)
				n = len - off;
		}
		if (canon_body_update(cb, body + off, n) == -1)
			goto done;
		off += n;
	}
	if (canon_body_final(cb, out) == -1)
		goto done;
	*clen = canon_body_length(cb);
	rc = 0;
done:
	canon_body_free(cb);
	return rc;
}

static void
verify_nokeys(struct sig_ctx *ctx, const struct msg *m,
    enum sigheader_kind kind, enum sig_keystate state)
{
	struct sig_verify *v;
	const struct addr *sender;
	const struct sig_outcome *o;
	size_t i;

	if ((v = sig_verify_begin(ctx, m, kind, FUZZ_NOW)) == NULL)
		return;
	if (sig_verify_need_dkim(v) == 1)
		sig_verify_dkim(v, state, NULL, 0);
	if (sig_verify_need_keys(v, &sender) == 1) {
		(void)strlen(addr_canon(sender));
		sig_verify_keys(v, state, NULL, 0);
	}
	for (i = 0; i < sig_verify_count(v); i++)
		if (sig_verify_get(v, i)->result == SIG_PASS)
			abort();
	o = sig_verify_result(v);
	if (o->result == SIG_PASS)
		abort();	/* no key: never pass */
	(void)strlen(sig_result_name(o->result));
	(void)strlen(sig_reason_name(o->reason));
	sig_verify_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg *m;
	struct addr *a;
	struct sig_ctx *ctx;
	const struct msg_field *f;
	const EVP_MD *md;
	enum msg_err err;
	enum msg_from_err ferr;
	unsigned char h1[CANON_HASH_LEN], h2[CANON_HASH_LEN];
	unsigned long long l1, l2;
	const char *body;
	char *s;
	size_t line, i, n, blen, slen;
	uint32_t seed = (uint32_t)size * 2654435761u + 1;
	int alg;

	if ((m = msg_parse((const char *)data, size, &err, &line)) == NULL) {
		(void)strlen(msg_errname(err));
		return 0;
	}
	(void)msg_text(m, &n);
	if ((a = msg_from(m, &ferr)) != NULL)
		addr_free(a);
	else
		(void)strlen(msg_from_errname(ferr));
	n = msg_nfields(m);
	for (i = 0; i < n && i < FIELDS_MAX; i++) {
		f = msg_field(m, i);
		if (f->namelen > f->rawlen)
			abort();
		if ((s = msg_unfold(f, &slen)) != NULL)
			free(s);
		for (alg = CANON_SIMPLE; alg <= CANON_RELAXED; alg++)
			if ((s = canon_header(alg, f->raw, f->rawlen,
			    &slen)) != NULL)
				free(s);
	}
	body = msg_body(m, &blen);
	md = EVP_sha256();
	for (alg = CANON_SIMPLE; alg <= CANON_RELAXED; alg++) {
		if (body_hash(md, alg, body, blen, 0, h1, &l1) == -1 ||
		    body_hash(md, alg, body, blen, seed, h2, &l2) == -1)
			continue;
		/* the chunking must not change the canonical body */
		if (l1 != l2 || memcmp(h1, h2, sizeof(h1)) != 0)
			abort();
	}
	if ((ctx = sig_ctx_new()) != NULL) {
		verify_nokeys(ctx, m, SIGHEADER_SKS,
		    (enum sig_keystate)(size % 8));
		verify_nokeys(ctx, m, SIGHEADER_DKIM, SIG_KEYS_FOUND);
		verify_nokeys(ctx, m, SIGHEADER_DKIM_BRIDGE,
		    (enum sig_keystate)(size / 8 % 8));
		sig_ctx_free(ctx);
	}
	msg_free(m);
	return 0;
}
