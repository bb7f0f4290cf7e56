/*
 * decision: every input of the verdict function (specs/verdicts.md
 * sections 1 to 5 and 8) derived in one place, from what is known about
 * one request: how the sender parsed, the recipient's rules, the key and
 * policy answers, and the signature result with the key that made it.
 * senderkeyd and every client that decides call this; nothing else works
 * a verdict input out.  Pure: no I/O, no allocation, no clock.
 *
 *	decision_derive(&facts, &d);     facts as known so far
 *	verdict_decide(&d.in, &out);     the verdict
 *	verdict_class(&d.cls, ...);      the class of section 8
 *
 * The vectors are specs/vectors/inputs.tsv.
 */
#ifndef SK_DECISION_H
#define SK_DECISION_H

#include <stddef.h>

#include "lib/policyrec.h"
#include "lookup.h"
#include "store.h"
#include "verdict.h"

#define DECISION_FP_LEN		STORE_FP_LEN	/* SHA-256 of an SPKI */

/* One usable key of a SECURE_KEY answer (verdicts.md 2.2). */
struct decision_key {
	unsigned char	fp[DECISION_FP_LEN];
	int		has_fp;		/* 0: fingerprint not known */
	int		testing;	/* t=y */
};

/*
 * A lookup answer as the decision needs it.  For the key answer: STATE,
 * NOKEY (SECURE_NOKEY only: VK_ABSENT, VK_REVOKED or VK_EXPIRED) and the
 * usable KEYS (SECURE_KEY only).  For the policy answer: STATE and POLICY.
 */
struct decision_answer {
	enum lookup_state		 state;
	enum verdict_key		 nokey;
	const struct decision_key	*keys;
	size_t				 nkeys;
	enum policyrec_policy		 policy;
};

/* What is known about one request; the pointers are borrowed. */
struct decision_facts {
	enum verdict_sender		 sender;
	const struct store_result	*rp;	/* the recipient's rules */
	const struct decision_answer	*key;	/* NULL: none (TEMPFAIL) */
	const struct decision_answer	*policy; /* NULL: not looked up */
	enum verdict_sig		 sig;
	const unsigned char		*sig_fp; /* sig pass: the key's, or NULL */
};

struct decision {
	struct verdict_input	in;	/* for verdict_decide */
	struct verdict_input	cls;	/* for verdict_class (section 8) */
	int			key_gone; /* sig pass, key not in the answer */
};

/*
 * decision_derive: the verdict inputs for F in *D.  With F->sig pass, the
 * key that verified must be one of the answer's usable keys, else sig is
 * taken as fail (the key is no longer published); key and pin follow that
 * key (2.3, 4.3).  D->cls holds the same inputs with key and pin as if no
 * verifying key were known (section 8).  Always succeeds.
 */
void	decision_derive(const struct decision_facts *f, struct decision *d);

/*
 * decision_answer_of: A (a lookup answer, or NULL) distilled into *OUT,
 * with up to LOOKUP_MAX_KEY_RECORDS usable keys in KEYS.  Fingerprints
 * (a public key parse and a SHA-256 each) are computed only when WANT_FP
 * is set: the decision needs them only for pins and sig pass
 * (decision_wants_fp).  A key whose fingerprint cannot be computed keeps
 * has_fp 0 and matches no pin.  Returns OUT, or NULL when A is NULL.
 */
const struct decision_answer *decision_answer_of(const struct lookup_answer *a,
	    int want_fp, struct decision_key keys[LOOKUP_MAX_KEY_RECORDS],
	    struct decision_answer *out);

/* decision_policy: the policy input of section 3 for A (NULL: some). */
enum verdict_policy decision_policy(const struct decision_answer *a);

/* decision_wants_fp: 1 when key fingerprints matter for RP and SIG. */
int	decision_wants_fp(const struct store_result *rp, enum verdict_sig sig);

#endif
