/*
 * reply.c: senderkeyd's reply octets (reply.h).  A LOOKUP (or DKIMKEY)
 * reply lists
 * each usable key as ALG,FINGERPRINT,FLAG,P, sorted by fingerprint; the
 * rest is the codecs' work (proto_line.c, proto_policy.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "core/decision.h"
#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "core/refusal.h"
#include "reply.h"

int
reply_authz(char *buf, size_t bufsz, const struct verdict_output *v,
    const struct trustfield *tf, const struct lookup_answer *ka,
    int has_policy, enum verdict_policy policy, const char *class_id,
    enum verdict_mode mode, const char *rcpt)
{
	struct proto_line_authz a;
	struct trustfield f;
	int n;

	memset(&a, 0, sizeof(a));
	a.verdict = v->verdict;
	a.reason = v->reason;
	a.tag = v->tag;
	if (tf != NULL)
		f = *tf;
	else
		trustfield_set(&f, v->tag, v->reason, NULL, NULL);
	f.tag = v->tag;
	f.reason = v->reason;
	if (v->tag != VT_NONE &&
	    trustfield_encode(&f, a.trust, sizeof(a.trust)) == -1) {
		f.sender[0] = '\0';
		if (trustfield_encode(&f, a.trust, sizeof(a.trust)) == -1)
			a.trust[0] = '\0';
	}
	if (v->used_lookup && ka != NULL) {
		a.has_lookup = 1;
		a.lookup = ka->state;
	}
	if (v->used_lookup && has_policy) {
		a.has_policy = 1;
		a.policy = policy;
	}
	if (class_id != NULL) {
		if (strlen(class_id) >= sizeof(a.class_id)) {
			(void)proto_line_error(buf, bufsz, PLE_INTERNAL);
			return -1;
		}
		strcpy(a.class_id, class_id);
	}
	if (v->verdict == VERDICT_UNAUTHORIZED &&
	    refusal_text(mode, v->reason, rcpt, a.text, sizeof(a.text)) == -1) {
		(void)proto_line_error(buf, bufsz, PLE_INTERNAL);
		return -1;
	}
	if ((n = proto_line_authz_encode(buf, bufsz, &a)) != -1 ||
	    a.trust[0] == '\0')
		return n;
	/* a line too long: the field without its sender, else none */
	f.sender[0] = '\0';
	if (trustfield_encode(&f, a.trust, sizeof(a.trust)) == -1 ||
	    (n = proto_line_authz_encode(buf, bufsz, &a)) == -1) {
		a.trust[0] = '\0';
		n = proto_line_authz_encode(buf, bufsz, &a);
	}
	return n;
}

int
reply_authz_internal(char *buf, size_t bufsz)
{
	struct verdict_output v = { VERDICT_TEMPFAIL, VR_INTERNAL, VT_NONE,
	    0, 0, 0 };

	return reply_authz(buf, bufsz, &v, NULL, NULL, 0, VPOL_SOME, NULL,
	    VM_ALLOW, NULL);
}

/* One key= value and the fingerprint it is sorted by. */
struct keyline {
	char	fp[KEY_FP_SIZE];
	char	*text;
};

static int
keyline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyline *)a)->fp,
	    ((const struct keyline *)b)->fp);
}

/* keyline_of: "ALG,FP,FLAG,P" of K into *KL.  Returns 0 or -1. */
static int
keyline_of(const struct keyrec *k, struct keyline *kl)
{
	const struct keyrec_fields *kf = keyrec_get(k);
	const char *alg = keyrec_alg_name(kf->alg);
	char *p64;
	EVP_PKEY *pk;
	size_t n;

	pk = key_from_record_bytes((int)kf->alg, kf->key, kf->keylen);
	if (pk == NULL || key_fingerprint(pk, kl->fp, sizeof(kl->fp)) == -1 ||
	    (p64 = b64_encode(kf->key, kf->keylen)) == NULL) {
		EVP_PKEY_free(pk);
		return -1;
	}
	EVP_PKEY_free(pk);
	n = strlen(alg) + strlen(kl->fp) + strlen(p64) + 6;
	if ((kl->text = malloc(n)) == NULL) {
		free(p64);
		return -1;
	}
	snprintf(kl->text, n, "%s,%s,%s,%s", alg, kl->fp,
	    kf->testing ? "t" : "-", p64);
	free(p64);
	return 0;
}

/* lookup_line: reply_lookup's line, or reply_dkimkey's (DKIM). */
static int
lookup_line(char *buf, size_t bufsz, const struct lookup_answer *ka,
    const struct lookup_answer *pa, const char *owner, uint32_t ttl,
    int dkim)
{
	struct decision_answer pd;
	struct proto_line_lookup l;
	struct keyline kl[LOOKUP_MAX_KEY_RECORDS];
	size_t i, nk = 0;
	int n = -1;

	for (i = 0; i < ka->nkeys && nk < LOOKUP_MAX_KEY_RECORDS; i++) {
		if (keyline_of(ka->keys[i], &kl[nk]) == -1)
			goto done;
		nk++;
	}
	qsort(kl, nk, sizeof(kl[0]), keyline_cmp);
	memset(&l, 0, sizeof(l));
	l.state = ka->state;
	if (ka->state == LOOKUP_SECURE_NOKEY)
		l.nokey = ka->nokey != LOOKUP_NOKEY_NONE ? ka->nokey :
		    LOOKUP_NOKEY_ABSENT;
	l.owner = owner;
	l.policy = decision_policy(decision_answer_of(pa, 0, NULL, &pd));
	for (i = 0; i < nk; i++)
		l.keys[l.nkeys++] = kl[i].text;
	l.malformed = ka->nbad;
	if (ka->state == LOOKUP_BOGUS || ka->state == LOOKUP_TEMPFAIL ||
	    ka->state == LOOKUP_PERMERROR) {
		l.why = ka->reason != NULL ? ka->reason : "";
		l.whylen = strlen(l.why);
	}
	l.ttl = ttl;
	n = dkim ? proto_line_lookup_dkim_encode(buf, bufsz, &l) :
	    proto_line_lookup_encode(buf, bufsz, &l);
done:
	for (i = 0; i < nk; i++)
		free(kl[i].text);
	return n;
}

int
reply_lookup(char *buf, size_t bufsz, const struct lookup_answer *ka,
    const struct lookup_answer *pa, const char *owner, uint32_t ttl)
{
	return lookup_line(buf, bufsz, ka, pa, owner, ttl, 0);
}

int
reply_dkimkey(char *buf, size_t bufsz, const struct lookup_answer *ka,
    const char *owner, uint32_t ttl)
{
	return lookup_line(buf, bufsz, ka, NULL, owner, ttl, 1);
}

int
reply_policy(struct proto_policy_txn *txn, const struct config *cfg,
    const struct proto_policy_request *rq, enum verdict_mode mode,
    const struct verdict_output *v, const struct trustfield *tf,
    const char *class_id, char *buf, size_t bufsz)
{
	struct proto_policy_actions acts;

	memset(&acts, 0, sizeof(acts));
	acts.tempfail = cfg->action_tempfail;
	acts.unauthorized = cfg->action_unauthorized;
	acts.untrusted = cfg->action_untrusted;
	acts.authorized = cfg->action_authorized;
	acts.untrusted_deny = cfg->action_untrusted_deny;
	acts.authorized_deny = cfg->action_authorized_deny;
	return proto_policy_respond(txn, v != NULL ? &acts : NULL, rq, mode,
	    v, tf, class_id, cfg->mode == CONFIG_MONITOR, buf, bufsz);
}

int
reply_policy_internal(char *buf, size_t bufsz)
{
	return proto_policy_reply(PROTO_POLICY_INTERNAL, buf, bufsz);
}
