/*
 * answer.c: parse senderkeyd's AUTHZ and LOOKUP reply lines for the
 * milter (answer.h).  Attributes the milter does not know are ignored, as
 * protocol.md 3.3 requires of clients.
 */
#include <errno.h>
#include <limits.h>
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

EVP_PKEY *
answer_key_decode(const char *spec, int *testing)
{
	const char *fp, *flag, *p;
	char alg[8], want[KEY_FP_SIZE], got[KEY_FP_SIZE];
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	EVP_PKEY *pk = NULL;
	int kalg;

	if ((fp = strchr(spec, ',')) == NULL ||
	    (flag = strchr(fp + 1, ',')) == NULL ||
	    (p = strchr(flag + 1, ',')) == NULL)
		return NULL;
	if ((size_t)(fp - spec) >= sizeof(alg) ||
	    (size_t)(flag - fp - 1) >= sizeof(want))
		return NULL;
	memcpy(alg, spec, (size_t)(fp - spec));
	alg[fp - spec] = '\0';
	memcpy(want, fp + 1, (size_t)(flag - fp - 1));
	want[flag - fp - 1] = '\0';
	p++;
	if (strcmp(alg, "ed25519") == 0)
		kalg = KEYREC_ED25519;
	else if (strcmp(alg, "rsa") == 0)
		kalg = KEYREC_RSA;
	else
		return NULL;
	if (*p == '\0' || b64_decode(p, &raw, &rawlen) == -1)
		return NULL;
	pk = key_from_record_bytes(kalg, raw, rawlen);
	free(raw);
	if (pk == NULL || key_fingerprint(pk, got, sizeof(got)) == -1 ||
	    strcmp(got, want) != 0) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	*testing = (size_t)(p - 1 - flag - 1) == 1 && flag[1] == 't';
	return pk;
}

void
answer_lookup_raw_free(struct answer_lookup_raw *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int
answer_lookup_split(const char *line, struct answer_lookup_raw *out)
{
	char *w[WORDS_MAX], *end;
	size_t i, n, len = strlen(line);
	unsigned long t;
	enum lookup_state st = LOOKUP_TEMPFAIL;
	int havestate = 0, revoked = 0, expired = 0;

	memset(out, 0, sizeof(*out));
	if ((out->buf = malloc(len + 1)) == NULL)
		return -1;
	n = split(line, out->buf, len + 1, w);
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
		else if (strncmp(w[i], "key=", 4) == 0) {
			if (out->nkeys < ANSWER_MAX_KEYS)
				out->keys[out->nkeys++] = w[i] + 4;
		} else if (strncmp(w[i], "ttl=", 4) == 0) {
			errno = 0;
			t = strtoul(w[i] + 4, &end, 10);
			out->ttl = errno == 0 && *end == '\0' &&
			    w[i][4] >= '0' && w[i][4] <= '9' && t <= UINT_MAX ?
			    (unsigned)t : 0;
		}
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
	/* keys of an insecure answer are for diagnosis only */
	if (out->state != SIG_KEYS_FOUND)
		out->nkeys = 0;
	return 0;
fail:
	answer_lookup_raw_free(out);
	return -1;
}

int
answer_lookup_parse(const char *line, struct answer_lookup *out)
{
	struct answer_lookup_raw r;
	size_t i;
	int t;

	memset(out, 0, sizeof(*out));
	if (answer_lookup_split(line, &r) == -1)
		return -1;
	out->state = r.state;
	for (i = 0; i < r.nkeys; i++) {
		t = 0;
		if ((out->keys[out->nkeys].pkey = answer_key_decode(r.keys[i],
		    &t)) == NULL)
			continue;	/* skipped */
		out->keys[out->nkeys].testing = t;
		out->nkeys++;
	}
	answer_lookup_raw_free(&r);
	return 0;
}
