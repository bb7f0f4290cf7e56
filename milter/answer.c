/*
 * answer.c: senderkeyd's AUTHZ, LOOKUP and DKIMKEY reply lines, decoded by the
 * protocol's one codec (proto_line.h), turned into what the milter needs
 * (answer.h).  Attributes the milter does not know are ignored, as
 * protocol.md 3.3 requires of clients.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "answer.h"

int
answer_authz_parse(const char *line, struct answer_authz *out)
{
	struct proto_line_authz a;

	memset(out, 0, sizeof(*out));
	strcpy(out->class_id, "-");
	if (proto_line_authz_decode(line, strlen(line), &a) == -1)
		return -1;
	out->verdict = a.verdict;
	out->tag = a.tag;
	snprintf(out->reason, sizeof(out->reason), "%s",
	    verdict_reason_name(a.reason));
	if (a.class_id[0] != '\0')
		snprintf(out->class_id, sizeof(out->class_id), "%s",
		    a.class_id);
	memcpy(out->text, a.text, sizeof(out->text));
	return 0;
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

/* keystate: the key state of signature.md 6.1 step 7 for a reply. */
static enum sig_keystate
keystate(const struct proto_line_lookup *l)
{
	switch (l->state) {
	case LOOKUP_SECURE_KEY:
		return SIG_KEYS_FOUND;
	case LOOKUP_SECURE_NOKEY:
		switch (l->nokey) {
		case LOOKUP_NOKEY_REVOKED:
			return SIG_KEYS_REVOKED;
		case LOOKUP_NOKEY_EXPIRED:
			return SIG_KEYS_EXPIRED;
		case LOOKUP_NOKEY_NONE:
		case LOOKUP_NOKEY_ABSENT:
			break;
		}
		return SIG_KEYS_NONE;
	case LOOKUP_INSECURE:
		return SIG_KEYS_INSECURE;
	case LOOKUP_BOGUS:
		return SIG_KEYS_BOGUS;
	case LOOKUP_PERMERROR:
		return SIG_KEYS_MALFORMED;
	case LOOKUP_TEMPFAIL:
		break;
	}
	return SIG_KEYS_TEMPFAIL;
}

int
answer_lookup_split(const char *line, struct answer_lookup_raw *out)
{
	struct proto_line_lookup l;
	size_t i, len = strlen(line);

	memset(out, 0, sizeof(*out));
	if ((out->buf = malloc(len + 1)) == NULL)
		return -1;
	memcpy(out->buf, line, len + 1);
	if (proto_line_lookup_decode(out->buf, &l) == -1) {
		answer_lookup_raw_free(out);
		return -1;
	}
	out->state = keystate(&l);
	out->ttl = l.ttl <= UINT_MAX ? (unsigned)l.ttl : UINT_MAX;
	/* keys of an insecure answer are for diagnosis only */
	if (out->state == SIG_KEYS_FOUND)
		for (i = 0; i < l.nkeys && i < ANSWER_MAX_KEYS; i++)
			out->keys[out->nkeys++] = l.keys[i];
	return 0;
}

int
answer_dkimkey_parse(const char *line, struct answer_dkimkey *out)
{
	struct proto_line_lookup l;
	const char *fp, *end;
	EVP_PKEY *pk;
	char *buf;
	size_t i, len = strlen(line);
	int t;

	memset(out, 0, sizeof(*out));
	if ((buf = malloc(len + 1)) == NULL)
		return -1;
	memcpy(buf, line, len + 1);
	if (proto_line_lookup_dkim_decode(buf, &l) == -1) {
		free(buf);
		return -1;
	}
	out->state = keystate(&l);
	/* keys of an answer that is not secure-key are never candidates */
	for (i = 0; out->state == SIG_KEYS_FOUND && i < l.nkeys &&
	    i < ANSWER_MAX_KEYS; i++) {
		/* FP is checked against P, so it is key_fingerprint's text */
		if ((pk = answer_key_decode(l.keys[i], &t)) == NULL)
			continue;
		EVP_PKEY_free(pk);
		fp = strchr(l.keys[i], ',') + 1;
		if ((end = strchr(fp, ',')) == NULL ||
		    (size_t)(end - fp) != KEY_FP_LEN)
			continue;
		memcpy(out->fps[out->nfps], fp, KEY_FP_LEN);
		out->fps[out->nfps++][KEY_FP_LEN] = '\0';
	}
	free(buf);
	return 0;
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
