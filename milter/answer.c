/*
 * answer.c: parse senderkeyd's AUTHZ and LOOKUP reply lines for the
 * milter (answer.h).  Attributes the milter does not know are ignored, as
 * protocol.md 3.3 requires of clients.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "answer.h"
#include "b64.h"
#include "key.h"
#include "keyrec.h"
#include "lookup.h"

#define WORDS_MAX	64

/* split: LINE's SP-separated words into W (copies in BUF); the count. */
static size_t
split(const char *line, char *buf, size_t bufsz, char *w[WORDS_MAX])
{
	size_t n = 0, len = strlen(line);
	char *p, *save = NULL;

	if (len >= bufsz)
		return 0;
	memcpy(buf, line, len + 1);
	for (p = strtok_r(buf, " ", &save); p != NULL && n < WORDS_MAX;
	    p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	return n;
}

int
answer_authz_parse(const char *line, struct answer_authz *out)
{
	char buf[1024], *w[WORDS_MAX];
	size_t i, n;
	int havetag = 0;

	memset(out, 0, sizeof(*out));
	strcpy(out->class_id, "-");
	if ((n = split(line, buf, sizeof(buf), w)) < 3)
		return -1;
	if (verdict_from_name(w[0], &out->verdict) == -1 ||
	    strlen(w[1]) >= sizeof(out->reason))
		return -1;
	strcpy(out->reason, w[1]);
	for (i = 2; i < n; i++) {
		if (strncmp(w[i], "tag=", 4) == 0) {
			if (verdict_tag_from_name(w[i] + 4, &out->tag) == -1)
				return -1;
			havetag = 1;
		} else if (strncmp(w[i], "class=", 6) == 0 &&
		    strlen(w[i] + 6) < sizeof(out->class_id))
			strcpy(out->class_id, w[i] + 6);
	}
	if (!havetag)
		return -1;
	/* the tag must agree with the verdict (verdicts.md 6.4 rule 6) */
	switch (out->verdict) {
	case VERDICT_TEMPFAIL:
		return out->tag == VT_NONE ? 0 : -1;
	case VERDICT_UNAUTHORIZED:
		return out->tag == VT_UNAUTHORIZED ? 0 : -1;
	case VERDICT_UNTRUSTED:
		return out->tag == VT_UNTRUSTED ? 0 : -1;
	case VERDICT_AUTHORIZED:
		return out->tag == VT_AUTHORIZED || out->tag == VT_TRUSTED ?
		    0 : -1;
	}
	return -1;
}

void
answer_lookup_free(struct answer_lookup *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nkeys; i++) {
		sig_key_release(&a->keys[i]);
		EVP_PKEY_free(a->keys[i].pkey);
	}
	memset(a, 0, sizeof(*a));
}

/* add_key: "ALG,FP,FLAG,P" into A; 0, or -1 when skipped. */
static int
add_key(struct answer_lookup *a, char *spec)
{
	char *alg, *fp, *flag, *p, got[KEY_FP_SIZE];
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	EVP_PKEY *pk = NULL;
	int kalg;

	if (a->nkeys == ANSWER_MAX_KEYS)
		return -1;
	alg = spec;
	if ((fp = strchr(alg, ',')) == NULL)
		return -1;
	*fp++ = '\0';
	if ((flag = strchr(fp, ',')) == NULL)
		return -1;
	*flag++ = '\0';
	if ((p = strchr(flag, ',')) == NULL)
		return -1;
	*p++ = '\0';
	if (strcmp(alg, "ed25519") == 0)
		kalg = KEYREC_ED25519;
	else if (strcmp(alg, "rsa") == 0)
		kalg = KEYREC_RSA;
	else
		return -1;
	if (b64_decode(p, &raw, &rawlen) == -1)
		return -1;
	pk = key_from_record_bytes(kalg, raw, rawlen);
	free(raw);
	if (pk == NULL || key_fingerprint(pk, got, sizeof(got)) == -1 ||
	    strcmp(got, fp) != 0) {
		EVP_PKEY_free(pk);
		return -1;
	}
	a->keys[a->nkeys].pkey = pk;
	a->keys[a->nkeys].testing = strcmp(flag, "t") == 0;
	a->nkeys++;
	return 0;
}

int
answer_lookup_parse(const char *line, struct answer_lookup *out)
{
	char *buf = NULL, *w[WORDS_MAX];
	size_t i, n, len = strlen(line);
	enum lookup_state st = LOOKUP_TEMPFAIL;
	int havestate = 0, revoked = 0, expired = 0;

	memset(out, 0, sizeof(*out));
	if ((buf = malloc(len + 1)) == NULL)
		return -1;
	n = split(line, buf, len + 1, w);
	if (n < 2 || strcmp(w[0], "ok") != 0)
		goto fail;
	for (i = 1; i < n; i++) {
		if (strncmp(w[i], "state=", 6) == 0) {
			if (verdict_lookup_from_name(w[i] + 6, &st) == -1)
				goto fail;
			havestate = 1;
		} else if (strncmp(w[i], "revoked=", 8) == 0)
			revoked = 1;
		else if (strncmp(w[i], "expired=", 8) == 0)
			expired = 1;
		else if (strncmp(w[i], "key=", 4) == 0)
			(void)add_key(out, w[i] + 4);
	}
	if (!havestate)
		goto fail;
	switch (st) {
	case LOOKUP_SECURE_KEY:
		out->state = SIG_KEYS_FOUND;
		break;
	case LOOKUP_SECURE_NOKEY:
		out->state = revoked ? SIG_KEYS_REVOKED : expired ?
		    SIG_KEYS_EXPIRED : SIG_KEYS_NONE;
		break;
	case LOOKUP_INSECURE:
		out->state = SIG_KEYS_INSECURE;
		break;
	case LOOKUP_BOGUS:
		out->state = SIG_KEYS_BOGUS;
		break;
	case LOOKUP_PERMERROR:
		out->state = SIG_KEYS_MALFORMED;
		break;
	case LOOKUP_TEMPFAIL:
		out->state = SIG_KEYS_TEMPFAIL;
		break;
	}
	if (out->state != SIG_KEYS_FOUND) {
		/* keys of an insecure answer are for diagnosis only */
		enum sig_keystate ks = out->state;

		answer_lookup_free(out);
		out->state = ks;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	answer_lookup_free(out);
	return -1;
}
