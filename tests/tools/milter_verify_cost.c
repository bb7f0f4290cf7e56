/*
 * milter_verify_cost: drive senderkey-milter's verify path without
 * libmilter or a daemon, for instruction counts (callgrind, perf stat):
 * N times, split a signed 4 KiB message, run sig_verify_begin and verify
 * it with a canned LOOKUP reply, either as the milter did before the key
 * cache ("parse": answer_lookup_parse, a fresh key per message) or through
 * the cache ("cache": keycache_verify_reply).  Exits 1 when a message does
 * not pass.  Not a test: tests/unit/test_milter_keycache.c checks.
 *
 * Usage: milter_verify_cost ed25519|rsa parse|cache N
 * Per message: callgrind --toggle-collect=run, count / N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "lib/sigheader.h"
#include "milter/answer.h"
#include "milter/keycache.h"

/* run: N verifications of MSG with the LOOKUP reply LINE; -1 unless
   every one passes.  Separate, so that callgrind --toggle-collect=run
   counts the verify path alone. */
static int __attribute__((noinline))
run(struct sig_ctx *ctx, struct keycache *kc, const char *msgtext,
    const char *line, int64_t now, int cache, long n)
{
	struct answer_lookup al;
	struct sig_verify *v = NULL;
	struct msg *m = NULL;
	long k;
	int rc = -1;

	for (k = 0; k < n; k++) {
		if ((m = msg_parse(msgtext, strlen(msgtext), NULL,
		    NULL)) == NULL || (v = sig_verify_begin(ctx, m,
		    SIGHEADER_SKS, now)) == NULL)
			goto done;
		if (cache) {
			if (keycache_verify_reply(kc, v, line, now) == -1)
				goto done;
		} else {
			if (answer_lookup_parse(line, &al) == -1)
				goto done;
			sig_verify_keys(v, al.state, al.keys, al.nkeys);
			answer_lookup_free(&al);
		}
		if (sig_verify_result(v)->result != SIG_PASS) {
			fprintf(stderr, "message %ld: %s\n", k,
			    sig_reason_name(sig_verify_result(v)->reason));
			goto done;
		}
		sig_verify_free(v);
		msg_free(m);
		v = NULL;
		m = NULL;
	}
	rc = 0;
done:
	sig_verify_free(v);
	msg_free(m);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *hdr = "From: Alice <alice@example.com>\r\nTo: "
	    "bob@example.net\r\nSubject: bench\r\nDate: Thu, 13 Nov 2025 "
	    "09:30:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\n";
	static char text[4096 + 1], line[4096];
	struct sig_ctx *ctx = NULL;
	struct keycache *kc = NULL;
	struct sig_sign_opts o = { 0 };
	struct msg *m = NULL;
	EVP_PKEY *key = NULL;
	enum sig_sign_err e;
	char *field = NULL, *signedmsg = NULL, *b64 = NULL, fp[KEY_FP_SIZE];
	unsigned char *p = NULL;
	size_t hl = strlen(hdr), flen, plen = 0, i;
	long n;
	int alg = 0, rsa, cache, rc = 1;

	if (argc != 4 || (strcmp(argv[1], "rsa") != 0 &&
	    strcmp(argv[1], "ed25519") != 0) || (strcmp(argv[2], "parse") !=
	    0 && strcmp(argv[2], "cache") != 0)) {
		fprintf(stderr, "usage: milter_verify_cost ed25519|rsa "
		    "parse|cache N\n");
		return 2;
	}
	rsa = strcmp(argv[1], "rsa") == 0;
	cache = strcmp(argv[2], "cache") == 0;
	n = atol(argv[3]);
	memcpy(text, hdr, hl);
	for (i = hl; i < 4096; i++)
		text[i] = (i % 72 == 71) ? '\n' : "abcdefgh ij"[i % 11];
	for (i = hl; i < 4096; i++)
		if (text[i] == '\n')
			text[i - 1] = '\r';
	o.now = time(NULL);
	if ((ctx = sig_ctx_new()) == NULL || (kc = keycache_new(ctx,
	    KEYCACHE_ENTRIES, KEYCACHE_BYTES, KEYCACHE_MAX_TTL)) == NULL)
		goto done;
	key = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL || key_record_bytes(key, &alg, &p, &plen) == -1 ||
	    (b64 = b64_encode(p, plen)) == NULL ||
	    key_fingerprint(key, fp, sizeof(fp)) == -1)
		goto done;
	snprintf(line, sizeof(line), "ok state=secure-key owner=x._senderkey."
	    "example.com. policy=some key=%s,%s,-,%s ttl=3600",
	    rsa ? "rsa" : "ed25519", fp, b64);
	if ((m = msg_parse(text, strlen(text), NULL, NULL)) == NULL)
		goto done;
	field = sig_sign(ctx, m, key, &o, &e, NULL, &flen);
	msg_free(m);
	m = NULL;
	if (field == NULL || (signedmsg = malloc(flen + strlen(text) + 3)) ==
	    NULL)
		goto done;
	sprintf(signedmsg, "%s\r\n%s", field, text);
	if (run(ctx, kc, signedmsg, line, o.now, cache, n) == -1)
		goto done;
	rc = 0;
done:
	msg_free(m);
	free(signedmsg);
	free(field);
	free(b64);
	free(p);
	EVP_PKEY_free(key);
	keycache_free(kc);
	sig_ctx_free(ctx);
	return rc;
}
