/*
 * test_decision: the derivation of the verdict inputs (core/decision.c)
 * against every row of specs/vectors/inputs.tsv, and decision_answer_of on
 * real lookup answers (fingerprints of real keys, the no-key details).
 */
#include <stdio.h>
#include <string.h>

#include "lib/key.h"
#include "lib/keyrec.h"
#include "core/decision.h"
#include "t.h"
#include "vec.h"

#define VECTORS "specs/vectors/inputs.tsv"

static const char *const header[] = { "id", "sender", "mode", "list",
	"pins", "kstate", "knokey", "keys", "policy", "sig", "sigkey",
	"lookup", "key", "pin", "policy", "sig", "ckey", "cpin" };
#define NCOL	18

struct labels {
	unsigned char	fp[LOOKUP_MAX_KEY_RECORDS][DECISION_FP_LEN];
	size_t		n;
};

/* fp_of: the fingerprint a one-letter label stands for. */
static void
fp_of(char label, unsigned char fp[DECISION_FP_LEN])
{
	memset(fp, (unsigned char)label, DECISION_FP_LEN);
}

/* parse_pins: "-" or "A,B" into RP's pins; -1 on a bad field. */
static int
parse_pins(const char *s, struct store_result *rp)
{
	rp->npins = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == ',')
			continue;
		if (rp->npins == STORE_MAX_PINS)
			return -1;
		fp_of(*s, rp->pins[rp->npins++]);
	}
	return 0;
}

/* parse_keys: "-" or "A,B:t,C:?" into KEYS; returns the count or -1. */
static int
parse_keys(const char *s, struct decision_key *keys)
{
	size_t n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	while (*s != '\0') {
		if (n == LOOKUP_MAX_KEY_RECORDS)
			return -1;
		memset(&keys[n], 0, sizeof(keys[n]));
		fp_of(*s, keys[n].fp);
		keys[n].has_fp = 1;
		s++;
		if (*s == ':') {
			if (s[1] == 't')
				keys[n].testing = 1;
			else if (s[1] == '?')
				keys[n].has_fp = 0;
			else
				return -1;
			s += 2;
		}
		if (*s == ',')
			s++;
		n++;
	}
	return (int)n;
}

/* parse_policy: "-", a state name, or "secure-key:all|some". */
static int
parse_policy(const char *s, struct decision_answer *a, int *have)
{
	char st[32];
	const char *colon = strchr(s, ':');
	size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);

	memset(a, 0, sizeof(*a));
	*have = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (n >= sizeof(st))
		return -1;
	memcpy(st, s, n);
	st[n] = '\0';
	if (verdict_lookup_from_name(st, &a->state) == -1)
		return -1;
	if (colon != NULL)
		a->policy = strcmp(colon + 1, "all") == 0 ? POLICYREC_ALL :
		    POLICYREC_SOME;
	*have = 1;
	return 0;
}

static void
row(struct vec_row *r, void *arg)
{
	int *seen_header = arg;
	struct store_result rp;
	struct decision_key keys[LOOKUP_MAX_KEY_RECORDS];
	struct decision_answer ka, pa;
	struct decision_facts f;
	struct decision d;
	unsigned char sigfp[DECISION_FP_LEN];
	enum verdict_sig sig = VSIG_UNKNOWN;
	enum verdict_key nokey = VK_NONE;
	enum lookup_state ks = LOOKUP_TEMPFAIL;
	const char *id = r->f[0];
	char got[256], want[256];
	int i, nk, have_pol = 0, bad = 0;

	if (!*seen_header) {
		for (i = 0; i < NCOL; i++)
			if (strcmp(r->f[i], header[i]) != 0)
				bad = 1;
		T_OK(!bad && r->nf >= NCOL, "inputs.tsv: header line");
		*seen_header = 1;
		return;
	}
	memset(&rp, 0, sizeof(rp));
	memset(&f, 0, sizeof(f));
	memset(&ka, 0, sizeof(ka));
	if (verdict_sender_from_name(r->f[1], &f.sender) == -1 ||
	    verdict_mode_from_name(r->f[2], &rp.mode) == -1 ||
	    verdict_list_from_name(r->f[3], &rp.list) == -1 ||
	    parse_pins(r->f[4], &rp) == -1 ||
	    (strcmp(r->f[5], "-") != 0 &&
	    verdict_lookup_from_name(r->f[5], &ks) == -1) ||
	    (strcmp(r->f[6], "-") != 0 &&
	    verdict_key_from_name(r->f[6], &nokey) == -1) ||
	    (nk = parse_keys(r->f[7], keys)) == -1 ||
	    parse_policy(r->f[8], &pa, &have_pol) == -1 ||
	    verdict_sig_from_name(r->f[9], &sig) == -1) {
		T_OK(0, "inputs.tsv:%d %s: bad row", r->line, id);
		return;
	}
	f.rp = &rp;
	if (strcmp(r->f[5], "-") != 0) {
		ka.state = ks;
		ka.nokey = nokey;
		ka.keys = keys;
		ka.nkeys = (size_t)nk;
		f.key = &ka;
	}
	f.policy = have_pol ? &pa : NULL;
	f.sig = sig;
	if (strcmp(r->f[10], "-") != 0) {
		fp_of(r->f[10][0], sigfp);
		f.sig_fp = sigfp;
	}
	decision_derive(&f, &d);
	snprintf(got, sizeof(got), "%s %s %s %s %s | %s %s",
	    lookup_state_name(d.in.lookup), verdict_key_name(d.in.key),
	    verdict_pin_name(d.in.pin), verdict_policy_name(d.in.policy),
	    verdict_sig_name(d.in.sig), verdict_key_name(d.cls.key),
	    verdict_pin_name(d.cls.pin));
	snprintf(want, sizeof(want), "%s %s %s %s %s | %s %s", r->f[11],
	    r->f[12], r->f[13], r->f[14], r->f[15], r->f[16], r->f[17]);
	T_STREQ(got, want, "inputs.tsv:%d %s", r->line, id);
	/* what the row does not name is passed through unchanged */
	T_OK(d.in.sender == f.sender && d.in.mode == rp.mode &&
	    d.in.list == rp.list && d.cls.sender == f.sender &&
	    d.cls.mode == rp.mode && d.cls.list == rp.list &&
	    d.cls.lookup == d.in.lookup && d.cls.policy == d.in.policy,
	    "inputs.tsv:%d %s: sender, mode, list as given", r->line, id);
	T_OK(verdict_input_consistent(&d.in) &&
	    verdict_input_consistent(&d.cls),
	    "inputs.tsv:%d %s: consistent inputs (6.3)", r->line, id);
}

/* A real answer: two keys of the test data, one of them testing. */
static void
test_answer_of(void)
{
	static const char *const txt[] = {
	    "v=SK1; k=ed25519; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=",
	    "v=SK1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	};
	struct lookup_txt t[2];
	struct lookup_input in;
	struct lookup_answer *a;
	struct decision_key keys[LOOKUP_MAX_KEY_RECORDS];
	struct decision_answer da;
	const struct decision_answer *p;
	unsigned char want[KEY_SHA256_LEN];
	const struct keyrec_fields *kf;
	EVP_PKEY *pk;
	size_t i;

	for (i = 0; i < 2; i++) {
		t[i].text = txt[i];
		t[i].len = strlen(txt[i]);
	}
	memset(&in, 0, sizeof(in));
	in.kind = LOOKUP_KEY;
	in.secure = 1;
	in.txt = t;
	in.ntxt = 2;
	in.now = 1700000000;
	if ((a = lookup_classify(&in)) == NULL) {
		T_OK(0, "lookup_classify");
		return;
	}
	T_OK(decision_answer_of(NULL, 1, keys, &da) == NULL,
	    "answer_of(NULL) is NULL");
	p = decision_answer_of(a, 0, keys, &da);
	T_OK(p == &da && da.state == LOOKUP_SECURE_KEY && da.nkeys == 2 &&
	    !keys[0].has_fp && !keys[1].has_fp,
	    "without want_fp: keys, no fingerprints");
	T_OK(!keys[0].testing && keys[1].testing, "testing flags");
	p = decision_answer_of(a, 1, keys, &da);
	kf = keyrec_get(a->keys[0]);
	pk = key_from_record_bytes((int)kf->alg, kf->key, kf->keylen);
	T_OK(pk != NULL && key_spki_sha256(pk, want) == 0 &&
	    keys[0].has_fp && memcmp(keys[0].fp, want, sizeof(want)) == 0 &&
	    keys[1].has_fp && memcmp(keys[1].fp, want, sizeof(want)) != 0,
	    "with want_fp: the SPKI SHA-256 of each key");
	EVP_PKEY_free(pk);
	lookup_answer_free(a);

	/* the no-key details */
	t[0].text = "v=SK1; k=ed25519; p=";
	t[0].len = strlen(t[0].text);
	in.ntxt = 1;
	a = lookup_classify(&in);
	p = a != NULL ? decision_answer_of(a, 1, keys, &da) : NULL;
	T_OK(p != NULL && da.state == LOOKUP_SECURE_NOKEY &&
	    da.nokey == VK_REVOKED && da.nkeys == 0, "revoked key: revoked");
	lookup_answer_free(a);
	t[0].text = "v=SK1; k=ed25519; x=1600000000; "
	    "p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=";
	t[0].len = strlen(t[0].text);
	a = lookup_classify(&in);
	p = a != NULL ? decision_answer_of(a, 1, keys, &da) : NULL;
	T_OK(p != NULL && da.state == LOOKUP_SECURE_NOKEY &&
	    da.nokey == VK_EXPIRED, "expired key: expired");
	lookup_answer_free(a);
	in.ntxt = 0;
	a = lookup_classify(&in);
	p = a != NULL ? decision_answer_of(a, 1, keys, &da) : NULL;
	T_OK(p != NULL && da.state == LOOKUP_SECURE_NOKEY &&
	    da.nokey == VK_ABSENT, "no record: absent");
	lookup_answer_free(a);
}

static void
test_wants_fp(void)
{
	struct store_result rp;

	memset(&rp, 0, sizeof(rp));
	T_OK(!decision_wants_fp(&rp, VSIG_UNKNOWN), "no pins, no pass: no fp");
	T_OK(decision_wants_fp(&rp, VSIG_PASS), "pass: fp");
	rp.list = VL_ALLOW;
	rp.npins = 1;
	T_OK(decision_wants_fp(&rp, VSIG_UNKNOWN), "pinned allow entry: fp");
	rp.list = VL_DENY;
	T_OK(!decision_wants_fp(&rp, VSIG_NONE), "pins of a deny: no fp");
}

int
main(void)
{
	int seen = 0, n;

	n = vec_each(VECTORS, row, &seen);
	T_OK(n > 40, "inputs.tsv read (%d rows)", n);
	test_answer_of();
	test_wants_fp();
	return t_done();
}
