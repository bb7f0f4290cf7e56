/*
 * verdict.c: the decision table of specs/verdicts.md section 6, the policy
 * class of section 8 and the names of every enum in verdict.h.  Pure: no
 * I/O.  The rules are written in the order of 6.1, one test each, so the
 * code reads like the table; specs/vectors/verdicts.tsv checks it.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "verdict.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const verdict_names[] = {
	"authorized", "unauthorized", "untrusted", "tempfail",
};
static const char *const reason_names[] = {
	"null-sender", "sender-invalid", "denylisted", "not-allowlisted",
	"dns-tempfail", "dns-bogus", "sig-temperror", "policy-tempfail",
	"key-insecure", "key-permerror", "no-key", "key-revoked",
	"key-expired", "key-testing", "pin-mismatch", "sig-fail",
	"sig-permerror", "sig-missing", "sig-pending", "allowlisted-signed",
	"key-secure-signed", "internal",
};
static const char *const tag_names[] = {
	"-", "authorized", "trusted", "untrusted", "unauthorized",
};
static const char *const sender_names[] = { "ok", "null", "invalid" };
static const char *const mode_names[] = { "allow", "deny" };
static const char *const list_names[] = { "none", "allow", "deny" };
static const char *const pin_names[] = { "-", "match", "mismatch" };
static const char *const key_names[] = {
	"-", "ok", "testing", "absent", "revoked", "expired",
};
static const char *const policy_names[] = { "some", "all", "tempfail" };
static const char *const sig_names[] = {
	"unknown", "pass", "fail", "none", "temperror", "permerror",
};

_Static_assert(NELEM(verdict_names) == VERDICT_COUNT, "verdict names");
_Static_assert(NELEM(reason_names) == VERDICT_REASON_COUNT, "reasons");
_Static_assert(NELEM(tag_names) == VERDICT_TAG_COUNT, "tag names");

static const char *
name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "?";
}

static int
index_of(const char *const *names, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* set: fill *OUT for RULE; returns 0 so rules can "return set(...)". */
static int
set(struct verdict_output *out, int rule, enum verdict v,
    enum verdict_reason r, enum verdict_tag t)
{
	out->verdict = v;
	out->reason = r;
	out->tag = t;
	out->rule = rule;
	out->used_lookup = rule >= 6;
	out->used_policy = rule == 17 || rule >= 23;
	return 0;
}

/*
 * key_reason: R of rules 23-25 for the lookup and key detail (6.1).  An
 * INSECURE key answer arrives here only with policy all or tempfail
 * (rule 17 takes policy some): below a secure policy=all it is not proof
 * of anything, so it is decided as a missing key would be (3.1).
 */
static enum verdict_reason
key_reason(const struct verdict_input *in)
{
	switch (in->lookup) {
	case LOOKUP_SECURE_NOKEY:
		if (in->key == VK_REVOKED)
			return VR_KEY_REVOKED;
		if (in->key == VK_EXPIRED)
			return VR_KEY_EXPIRED;
		return VR_NO_KEY;
	case LOOKUP_PERMERROR:
		return VR_KEY_PERMERROR;
	case LOOKUP_INSECURE:
		return VR_KEY_INSECURE;
	default:
		break;
	}
	/* SECURE_KEY: the signature is what failed. */
	switch (in->sig) {
	case VSIG_FAIL:
		return VR_SIG_FAIL;
	case VSIG_PERMERROR:
		return VR_SIG_PERMERROR;
	default:
		return VR_SIG_MISSING;
	}
}

static int
decide(const struct verdict_input *in, struct verdict_output *out)
{
	int deny = in->mode == VM_DENY;

	memset(out, 0, sizeof(*out));
	/* Rules 1-5: no DNS. */
	if (in->sender == VS_NULL)
		return set(out, 1, VERDICT_UNTRUSTED, VR_NULL_SENDER,
		    VT_UNTRUSTED);
	if (in->sender != VS_OK && deny)
		return set(out, 2, VERDICT_UNAUTHORIZED, VR_SENDER_INVALID,
		    VT_UNAUTHORIZED);
	if (in->sender != VS_OK)
		return set(out, 3, VERDICT_UNTRUSTED, VR_SENDER_INVALID,
		    VT_UNTRUSTED);
	if (in->list == VL_DENY)
		return set(out, 4, VERDICT_UNAUTHORIZED, VR_DENYLISTED,
		    VT_UNAUTHORIZED);
	if (deny && in->list != VL_ALLOW)
		return set(out, 5, VERDICT_UNAUTHORIZED, VR_NOT_ALLOWLISTED,
		    VT_UNAUTHORIZED);

	/* Rules 6-8: trouble is tempfail, never an answer. */
	if (in->lookup == LOOKUP_TEMPFAIL)
		return set(out, 6, VERDICT_TEMPFAIL, VR_DNS_TEMPFAIL, VT_NONE);
	if (in->lookup == LOOKUP_BOGUS)
		return set(out, 7, VERDICT_TEMPFAIL, VR_DNS_BOGUS, VT_NONE);
	if (in->sig == VSIG_TEMPERROR)
		return set(out, 8, VERDICT_TEMPFAIL, VR_SIG_TEMPERROR,
		    VT_NONE);

	/* Rules 9-16: deny mode, the sender is allowlisted. */
	if (deny) {
		if (in->lookup == LOOKUP_INSECURE)
			return set(out, 9, VERDICT_UNAUTHORIZED,
			    VR_KEY_INSECURE, VT_UNAUTHORIZED);
		if (in->lookup == LOOKUP_PERMERROR)
			return set(out, 10, VERDICT_UNAUTHORIZED,
			    VR_KEY_PERMERROR, VT_UNAUTHORIZED);
		if (in->lookup != LOOKUP_SECURE_KEY)	/* SECURE_NOKEY */
			return set(out, 11, VERDICT_UNAUTHORIZED,
			    key_reason(in), VT_UNAUTHORIZED);
		if (in->key != VK_OK)
			return set(out, 12, VERDICT_UNAUTHORIZED,
			    VR_KEY_TESTING, VT_UNAUTHORIZED);
		if (in->pin == VP_MISMATCH)
			return set(out, 13, VERDICT_UNAUTHORIZED,
			    VR_PIN_MISMATCH, VT_UNAUTHORIZED);
		if (in->sig == VSIG_UNKNOWN)
			return set(out, 15, VERDICT_UNTRUSTED, VR_SIG_PENDING,
			    VT_UNTRUSTED);
		if (in->sig != VSIG_PASS)
			return set(out, 14, VERDICT_UNAUTHORIZED,
			    key_reason(in), VT_UNAUTHORIZED);
		return set(out, 16, VERDICT_AUTHORIZED, VR_ALLOWLISTED_SIGNED,
		    VT_AUTHORIZED);
	}

	/* Rules 17-22: allow mode. */
	if (in->lookup == LOOKUP_INSECURE && in->policy == VPOL_SOME)
		return set(out, 17, VERDICT_UNTRUSTED, VR_KEY_INSECURE,
		    VT_UNTRUSTED);
	if (in->lookup == LOOKUP_SECURE_KEY && in->key != VK_OK)
		return set(out, 18, VERDICT_UNTRUSTED, VR_KEY_TESTING,
		    VT_UNTRUSTED);
	if (in->lookup == LOOKUP_SECURE_KEY) {
		if (in->sig == VSIG_UNKNOWN)
			return set(out, 19, VERDICT_UNTRUSTED, VR_SIG_PENDING,
			    VT_UNTRUSTED);
		if (in->sig == VSIG_PASS && in->pin == VP_MISMATCH)
			return set(out, 20, VERDICT_UNTRUSTED,
			    VR_PIN_MISMATCH, VT_UNTRUSTED);
		if (in->sig == VSIG_PASS && in->list == VL_ALLOW)
			return set(out, 21, VERDICT_AUTHORIZED,
			    VR_ALLOWLISTED_SIGNED, VT_AUTHORIZED);
		if (in->sig == VSIG_PASS)
			return set(out, 22, VERDICT_AUTHORIZED,
			    VR_KEY_SECURE_SIGNED, VT_TRUSTED);
	}

	/* Rules 23-25: negative outcomes, weighed by the domain policy. */
	if (in->policy == VPOL_ALL)
		return set(out, 23, VERDICT_UNAUTHORIZED, key_reason(in),
		    VT_UNAUTHORIZED);
	if (in->policy == VPOL_TEMPFAIL)
		return set(out, 24, VERDICT_TEMPFAIL, VR_POLICY_TEMPFAIL,
		    VT_NONE);
	return set(out, 25, VERDICT_UNTRUSTED, key_reason(in), VT_UNTRUSTED);
}

void
verdict_decide(const struct verdict_input *in, struct verdict_output *out)
{
	(void)decide(in, out);
}

int
verdict_without_dns(const struct verdict_input *in)
{
	return in->sender != VS_OK || in->list == VL_DENY ||
	    (in->mode == VM_DENY && in->list != VL_ALLOW);
}

int
verdict_needs_policy(const struct verdict_input *in)
{
	static const enum verdict_sig sigs[] = { VSIG_UNKNOWN, VSIG_PASS,
	    VSIG_FAIL, VSIG_NONE, VSIG_TEMPERROR, VSIG_PERMERROR };
	struct verdict_input t = *in;
	struct verdict_output o;
	size_t i;

	/*
	 * Rules 1-16 and 18-22 never read the policy, and whether rule 17
	 * applies to an INSECURE answer or rules 23-24 do instead is the
	 * policy's to say: with policy some, the deciding rule reads it
	 * exactly when some policy value could change the answer.
	 */
	t.policy = VPOL_SOME;
	for (i = 0; i < NELEM(sigs); i++) {
		t.sig = sigs[i];
		verdict_decide(&t, &o);
		if (o.used_policy)
			return 1;
	}
	return 0;
}

int
verdict_input_consistent(const struct verdict_input *in)
{
	if ((unsigned)in->sender > VS_INVALID || (unsigned)in->mode > VM_DENY ||
	    (unsigned)in->list > VL_DENY || (unsigned)in->pin > VP_MISMATCH ||
	    (unsigned)in->lookup > LOOKUP_PERMERROR ||
	    (unsigned)in->key > VK_EXPIRED ||
	    (unsigned)in->policy > VPOL_TEMPFAIL ||
	    (unsigned)in->sig > VSIG_PERMERROR)
		return 0;
	switch (in->lookup) {
	case LOOKUP_SECURE_KEY:
		if (in->key != VK_OK && in->key != VK_TESTING)
			return 0;
		break;
	case LOOKUP_SECURE_NOKEY:
		if (in->key != VK_ABSENT && in->key != VK_REVOKED &&
		    in->key != VK_EXPIRED)
			return 0;
		break;
	default:
		if (in->key != VK_NONE)
			return 0;
		break;
	}
	if (in->list != VL_ALLOW && in->pin != VP_NONE)
		return 0;
	if (in->pin == VP_MATCH && in->lookup != LOOKUP_SECURE_KEY)
		return 0;
	return 1;
}

int
verdict_class(const struct verdict_input *in, char *str, size_t strsz,
    char id[VERDICT_CLASS_IDSIZE])
{
	static const enum verdict_sig sigs[] = { VSIG_PASS, VSIG_FAIL,
	    VSIG_NONE, VSIG_PERMERROR, VSIG_TEMPERROR };
	static const char hex[] = "0123456789abcdef";
	char s[VERDICT_CLASS_STRMAX];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct verdict_input t = *in;
	struct verdict_output o;
	size_t i, n = 0;
	int w;

	id[0] = '\0';
	for (i = 0; i < NELEM(sigs); i++) {
		t.sig = sigs[i];
		verdict_decide(&t, &o);
		w = snprintf(s + n, sizeof(s) - n, "%s%s=%s/%s",
		    i == 0 ? "" : ";", verdict_sig_name(sigs[i]),
		    verdict_name(o.verdict), verdict_tag_name(o.tag));
		if (w < 0 || (size_t)w >= sizeof(s) - n)
			return -1;
		n += (size_t)w;
	}
	if (str != NULL && strsz > 0)
		snprintf(str, strsz, "%s", s);
	if (EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8)
		return -1;
	for (i = 0; i < 8; i++) {
		id[2 * i] = hex[md[i] >> 4];
		id[2 * i + 1] = hex[md[i] & 0xf];
	}
	id[16] = '\0';
	return 0;
}

const char *
verdict_name(enum verdict v)
{
	return name_of(verdict_names, NELEM(verdict_names), v);
}

const char *
verdict_reason_name(enum verdict_reason r)
{
	return name_of(reason_names, NELEM(reason_names), r);
}

const char *
verdict_tag_name(enum verdict_tag t)
{
	return name_of(tag_names, NELEM(tag_names), t);
}

const char *
verdict_sender_name(enum verdict_sender s)
{
	return name_of(sender_names, NELEM(sender_names), s);
}

const char *
verdict_mode_name(enum verdict_mode m)
{
	return name_of(mode_names, NELEM(mode_names), m);
}

const char *
verdict_list_name(enum verdict_list l)
{
	return name_of(list_names, NELEM(list_names), l);
}

const char *
verdict_pin_name(enum verdict_pin p)
{
	return name_of(pin_names, NELEM(pin_names), p);
}

const char *
verdict_key_name(enum verdict_key k)
{
	return name_of(key_names, NELEM(key_names), k);
}

const char *
verdict_policy_name(enum verdict_policy p)
{
	return name_of(policy_names, NELEM(policy_names), p);
}

const char *
verdict_sig_name(enum verdict_sig s)
{
	return name_of(sig_names, NELEM(sig_names), s);
}

/* FROM_NAME: the body of every *_from_name parser. */
#define FROM_NAME(names, type)						\
	do {								\
		int i_ = index_of(names, NELEM(names), name);		\
		if (i_ < 0)						\
			return -1;					\
		*out = (type)i_;					\
		return 0;						\
	} while (0)

int
verdict_from_name(const char *name, enum verdict *out)
{
	FROM_NAME(verdict_names, enum verdict);
}

int
verdict_reason_from_name(const char *name, enum verdict_reason *out)
{
	FROM_NAME(reason_names, enum verdict_reason);
}

int
verdict_tag_from_name(const char *name, enum verdict_tag *out)
{
	FROM_NAME(tag_names, enum verdict_tag);
}

int
verdict_sender_from_name(const char *name, enum verdict_sender *out)
{
	FROM_NAME(sender_names, enum verdict_sender);
}

int
verdict_mode_from_name(const char *name, enum verdict_mode *out)
{
	FROM_NAME(mode_names, enum verdict_mode);
}

int
verdict_list_from_name(const char *name, enum verdict_list *out)
{
	FROM_NAME(list_names, enum verdict_list);
}

int
verdict_pin_from_name(const char *name, enum verdict_pin *out)
{
	FROM_NAME(pin_names, enum verdict_pin);
}

int
verdict_key_from_name(const char *name, enum verdict_key *out)
{
	FROM_NAME(key_names, enum verdict_key);
}

int
verdict_policy_from_name(const char *name, enum verdict_policy *out)
{
	FROM_NAME(policy_names, enum verdict_policy);
}

int
verdict_sig_from_name(const char *name, enum verdict_sig *out)
{
	FROM_NAME(sig_names, enum verdict_sig);
}

int
verdict_lookup_from_name(const char *name, enum lookup_state *out)
{
	static const enum lookup_state all[] = { LOOKUP_SECURE_KEY,
	    LOOKUP_SECURE_NOKEY, LOOKUP_INSECURE, LOOKUP_BOGUS,
	    LOOKUP_TEMPFAIL, LOOKUP_PERMERROR };
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < NELEM(all); i++)
		if (strcmp(lookup_state_name(all[i]), name) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}
