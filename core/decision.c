/*
 * decision.c: the verdict inputs of specs/verdicts.md, worked out from
 * the facts of one request (decision.h).  The rules of the verdict
 * itself are in verdict.c; which rule of the recipient's store applies
 * is in store.c; this file only turns answers into inputs: the key
 * detail (2.3), the domain policy (3), the pin (4.3), the signature
 * result when its key is gone (5), and the class inputs (8).
 */
#include <string.h>

#include <openssl/evp.h>

#include "lib/key.h"
#include "lib/keyrec.h"
#include "decision.h"

/*
 * key_detail: the key input of 2.3 for answer A.  With a verifying
 * fingerprint FP, *FOUND tells whether A holds that key, and the
 * detail is that key's testing flag.
 */
static enum verdict_key
key_detail(const struct decision_answer *a, const unsigned char *fp,
    int *found)
{
	size_t i;
	int testing = 1;

	*found = 0;
	if (a == NULL)
		return VK_NONE;
	if (a->state == LOOKUP_SECURE_NOKEY)
		return a->nokey == VK_REVOKED || a->nokey == VK_EXPIRED ?
		    a->nokey : VK_ABSENT;
	if (a->state != LOOKUP_SECURE_KEY)
		return VK_NONE;
	for (i = 0; i < a->nkeys; i++) {
		if (!a->keys[i].testing)
			testing = 0;
		if (fp != NULL && a->keys[i].has_fp &&
		    memcmp(a->keys[i].fp, fp, DECISION_FP_LEN) == 0) {
			*found = 1;
			return a->keys[i].testing ? VK_TESTING : VK_OK;
		}
	}
	return testing ? VK_TESTING : VK_OK;
}

enum verdict_policy
decision_policy(const struct decision_answer *a)
{
	if (a == NULL)
		return VPOL_SOME;
	if (a->state == LOOKUP_TEMPFAIL || a->state == LOOKUP_BOGUS)
		return VPOL_TEMPFAIL;
	if (a->state == LOOKUP_SECURE_KEY && a->policy == POLICYREC_ALL)
		return VPOL_ALL;
	return VPOL_SOME;
}

/*
 * pin_of_answer: the pin input of 4.3 when no verifying key is known:
 * match when A is SECURE_KEY and one of its usable keys is pinned.
 */
static enum verdict_pin
pin_of_answer(const struct store_result *rp, const struct decision_answer *a)
{
	unsigned char fps[LOOKUP_MAX_KEY_RECORDS][STORE_FP_LEN];
	size_t i, n = 0;

	if (rp == NULL || rp->list != VL_ALLOW || rp->npins == 0)
		return VP_NONE;
	if (a != NULL && a->state == LOOKUP_SECURE_KEY)
		for (i = 0; i < a->nkeys && n < LOOKUP_MAX_KEY_RECORDS; i++)
			if (a->keys[i].has_fp)
				memcpy(fps[n++], a->keys[i].fp, STORE_FP_LEN);
	return store_pin(rp, (const unsigned char (*)[STORE_FP_LEN])fps, n);
}

void
decision_derive(const struct decision_facts *f, struct decision *d)
{
	const struct store_result *rp = f->rp;
	struct verdict_input *in = &d->in;
	int found = 0, unused;

	memset(d, 0, sizeof(*d));
	in->sender = f->sender;
	in->mode = rp != NULL ? rp->mode : VM_ALLOW;
	in->list = rp != NULL ? rp->list : VL_NONE;
	in->lookup = f->key != NULL ? f->key->state : LOOKUP_TEMPFAIL;
	in->sig = f->sig;
	in->key = key_detail(f->key, f->sig == VSIG_PASS ? f->sig_fp : NULL,
	    &found);
	if (f->sig == VSIG_PASS && f->key != NULL && !found) {
		in->sig = VSIG_FAIL;	/* that key is not (any more) in DNS */
		d->key_gone = 1;
	}
	if (in->sig == VSIG_PASS && found)
		in->pin = store_pin(rp, (const unsigned char (*)[STORE_FP_LEN])
		    f->sig_fp, 1);
	else
		in->pin = pin_of_answer(rp, f->key);
	if (rp == NULL)
		in->pin = VP_NONE;
	in->policy = decision_policy(f->policy);
	/* section 8: as if no verifying key were known */
	d->cls = *in;
	d->cls.key = key_detail(f->key, NULL, &unused);
	d->cls.pin = pin_of_answer(rp, f->key);
}

int
decision_wants_fp(const struct store_result *rp, enum verdict_sig sig)
{
	return sig == VSIG_PASS ||
	    (rp != NULL && rp->list == VL_ALLOW && rp->npins > 0);
}

const struct decision_answer *
decision_answer_of(const struct lookup_answer *a, int want_fp,
    struct decision_key keys[LOOKUP_MAX_KEY_RECORDS],
    struct decision_answer *out)
{
	const struct keyrec_fields *kf;
	EVP_PKEY *pk;
	size_t i;

	if (a == NULL)
		return NULL;
	memset(out, 0, sizeof(*out));
	out->state = a->state;
	out->policy = a->policy;
	out->nokey = VK_NONE;
	if (a->state == LOOKUP_SECURE_NOKEY)
		switch (a->nokey) {
		case LOOKUP_NOKEY_REVOKED:
			out->nokey = VK_REVOKED;
			break;
		case LOOKUP_NOKEY_EXPIRED:
			out->nokey = VK_EXPIRED;
			break;
		case LOOKUP_NOKEY_NONE:
		case LOOKUP_NOKEY_ABSENT:
			out->nokey = VK_ABSENT;
			break;
		}
	if (a->kind != LOOKUP_KEY || a->state != LOOKUP_SECURE_KEY)
		return out;
	for (i = 0; i < a->nkeys && i < LOOKUP_MAX_KEY_RECORDS; i++) {
		kf = keyrec_get(a->keys[i]);
		keys[i].testing = kf->testing != 0;
		keys[i].has_fp = 0;
		if (!want_fp)
			continue;
		pk = key_from_record_bytes((int)kf->alg, kf->key, kf->keylen);
		if (pk != NULL && key_spki_sha256(pk, keys[i].fp) == 0)
			keys[i].has_fp = 1;
		EVP_PKEY_free(pk);
	}
	out->keys = keys;
	out->nkeys = i;
	return out;
}
