/*
 * test_verdict: the decision function against every row of
 * specs/vectors/verdicts.tsv (each "*" expanded as verdicts.md 6.3 says),
 * the hard rules of 6.4 over every consistent input combination, the
 * policy classes of section 8 and the name <-> enum helpers.
 */
#include <stdio.h>
#include <string.h>

#include "core/verdict.h"
#include "t.h"
#include "vec.h"

#define VECTORS "specs/vectors/verdicts.tsv"

static const char *const header[] = { "id", "sender", "mode", "list", "pin",
	"lookup", "key", "policy", "sig", "verdict", "reason", "tag" };
#define NCOL	12

/* Every value of each input column, in enum order. */
static const enum verdict_sender all_sender[] = { VS_OK, VS_NULL,
	VS_INVALID };
static const enum verdict_mode all_mode[] = { VM_ALLOW, VM_DENY };
static const enum verdict_list all_list[] = { VL_NONE, VL_ALLOW, VL_DENY };
static const enum verdict_pin all_pin[] = { VP_NONE, VP_MATCH,
	VP_MISMATCH };
static const enum lookup_state all_lookup[] = { LOOKUP_SECURE_KEY,
	LOOKUP_SECURE_NOKEY, LOOKUP_INSECURE, LOOKUP_BOGUS, LOOKUP_TEMPFAIL,
	LOOKUP_PERMERROR };
static const enum verdict_key all_key[] = { VK_NONE, VK_OK, VK_TESTING,
	VK_ABSENT, VK_REVOKED, VK_EXPIRED };
static const enum verdict_policy all_policy[] = { VPOL_SOME, VPOL_ALL,
	VPOL_TEMPFAIL };
static const enum verdict_sig all_sig[] = { VSIG_UNKNOWN, VSIG_PASS,
	VSIG_FAIL, VSIG_NONE, VSIG_TEMPERROR, VSIG_PERMERROR };
#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* The call-back for every consistent input combination. */
typedef void (*each_fn)(const struct verdict_input *, void *);

/*
 * A row's input pattern: -1 in a field is "*".  each_case calls FN for
 * every consistent input the pattern stands for; returns how many.
 */
struct pattern {
	int sender, mode, list, pin, lookup, key, policy, sig;
};

static int
each_case(const struct pattern *p, each_fn fn, void *arg)
{
	struct verdict_input in;
	size_t a, b, c, d, e, f, g, h;
	int n = 0;

	for (a = 0; a < N(all_sender); a++)
	for (b = 0; b < N(all_mode); b++)
	for (c = 0; c < N(all_list); c++)
	for (d = 0; d < N(all_pin); d++)
	for (e = 0; e < N(all_lookup); e++)
	for (f = 0; f < N(all_key); f++)
	for (g = 0; g < N(all_policy); g++)
	for (h = 0; h < N(all_sig); h++) {
		in.sender = all_sender[a];
		in.mode = all_mode[b];
		in.list = all_list[c];
		in.pin = all_pin[d];
		in.lookup = all_lookup[e];
		in.key = all_key[f];
		in.policy = all_policy[g];
		in.sig = all_sig[h];
		if ((p->sender >= 0 && (int)in.sender != p->sender) ||
		    (p->mode >= 0 && (int)in.mode != p->mode) ||
		    (p->list >= 0 && (int)in.list != p->list) ||
		    (p->pin >= 0 && (int)in.pin != p->pin) ||
		    (p->lookup >= 0 && (int)in.lookup != p->lookup) ||
		    (p->key >= 0 && (int)in.key != p->key) ||
		    (p->policy >= 0 && (int)in.policy != p->policy) ||
		    (p->sig >= 0 && (int)in.sig != p->sig))
			continue;
		if (!verdict_input_consistent(&in))
			continue;
		fn(&in, arg);
		n++;
	}
	return n;
}

static void
describe(const struct verdict_input *in, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s %s %s %s %s %s %s %s",
	    verdict_sender_name(in->sender), verdict_mode_name(in->mode),
	    verdict_list_name(in->list), verdict_pin_name(in->pin),
	    lookup_state_name(in->lookup), verdict_key_name(in->key),
	    verdict_policy_name(in->policy), verdict_sig_name(in->sig));
}

/* ---- the vectors ---- */

struct rowctx {
	int header_seen;
	int rows;
	int cases;
	enum verdict verdict;
	enum verdict_reason reason;
	enum verdict_tag tag;
	int bad;		/* cases of this row that disagree */
};

static void
row_case(const struct verdict_input *in, void *arg)
{
	struct rowctx *rc = arg;
	struct verdict_output o;
	char d[256];

	verdict_decide(in, &o);
	rc->cases++;
	if (o.verdict == rc->verdict && o.reason == rc->reason &&
	    o.tag == rc->tag)
		return;
	rc->bad++;
	describe(in, d, sizeof(d));
	printf("#   %s: got %s %s %s (rule %d)\n", d, verdict_name(o.verdict),
	    verdict_reason_name(o.reason), verdict_tag_name(o.tag), o.rule);
}

/* FIELD: DST = -1 for "*", the parsed value, or -2 when bad. */
#define FIELD(dst, str, parse, type)					\
	do {								\
		type v_;						\
		if (strcmp((str), "*") == 0)				\
			(dst) = -1;					\
		else if (parse((str), &v_) == 0)			\
			(dst) = (int)v_;				\
		else							\
			(dst) = -2;					\
	} while (0)

static void
row(struct vec_row *r, void *arg)
{
	struct rowctx *rc = arg;
	struct pattern p;
	int i, ok, before, n;

	if (!rc->header_seen) {
		rc->header_seen = 1;
		ok = r->nf >= NCOL && r->f[NCOL][0] == '\0';
		for (i = 0; ok && i < NCOL; i++)
			ok = strcmp(r->f[i], header[i]) == 0;
		T_OK(ok, "verdicts.tsv line %d names the 12 columns of 6.3",
		    r->line);
		return;
	}
	rc->rows++;
	FIELD(p.sender, r->f[1], verdict_sender_from_name,
	    enum verdict_sender);
	FIELD(p.mode, r->f[2], verdict_mode_from_name, enum verdict_mode);
	FIELD(p.list, r->f[3], verdict_list_from_name, enum verdict_list);
	FIELD(p.pin, r->f[4], verdict_pin_from_name, enum verdict_pin);
	FIELD(p.lookup, r->f[5], verdict_lookup_from_name, enum lookup_state);
	FIELD(p.key, r->f[6], verdict_key_from_name, enum verdict_key);
	FIELD(p.policy, r->f[7], verdict_policy_from_name,
	    enum verdict_policy);
	FIELD(p.sig, r->f[8], verdict_sig_from_name, enum verdict_sig);
	ok = p.sender != -2 && p.mode != -2 && p.list != -2 && p.pin != -2 &&
	    p.lookup != -2 && p.key != -2 && p.policy != -2 && p.sig != -2 &&
	    verdict_from_name(r->f[9], &rc->verdict) == 0 &&
	    verdict_reason_from_name(r->f[10], &rc->reason) == 0 &&
	    verdict_tag_from_name(r->f[11], &rc->tag) == 0 &&
	    r->f[12][0] == '\0';
	if (!ok) {
		T_OK(0, "verdicts.tsv line %d (%s): every field is a known "
		    "value", r->line, r->f[0]);
		return;
	}
	rc->bad = 0;
	before = rc->cases;
	n = each_case(&p, row_case, rc);
	T_OK(n > 0 && rc->bad == 0 && rc->cases - before == n,
	    "verdicts.tsv %s: %d case(s) give %s %s %s", r->f[0], n,
	    r->f[9], r->f[10], r->f[11]);
}

static void
test_vectors(void)
{
	struct rowctx rc;
	int n;

	memset(&rc, 0, sizeof(rc));
	n = vec_each(VECTORS, row, &rc);
	T_OK(n > 0 && rc.header_seen, "verdicts.tsv read (%d lines)", n);
	T_OK(rc.rows >= 80, "verdicts.tsv has its rows (%d, %d cases)",
	    rc.rows, rc.cases);
}

/* ---- the hard rules of 6.4 ---- */

#define NHARD	9	/* 6.4 rules 1-7, 6.2 as 8; [0] unused */

struct hard {
	int n;
	int bad[NHARD];
};

static int
reason_allows(enum verdict_reason r, enum verdict v)
{
	switch (r) {
	case VR_NULL_SENDER:
	case VR_SIG_PENDING:
		return v == VERDICT_UNTRUSTED;
	case VR_DENYLISTED:
	case VR_NOT_ALLOWLISTED:
		return v == VERDICT_UNAUTHORIZED;
	case VR_DNS_TEMPFAIL:
	case VR_DNS_BOGUS:
	case VR_SIG_TEMPERROR:
	case VR_POLICY_TEMPFAIL:
	case VR_INTERNAL:
		return v == VERDICT_TEMPFAIL;
	case VR_ALLOWLISTED_SIGNED:
	case VR_KEY_SECURE_SIGNED:
		return v == VERDICT_AUTHORIZED;
	default:
		return v == VERDICT_UNAUTHORIZED || v == VERDICT_UNTRUSTED;
	}
}

static void
hard_case(const struct verdict_input *in, void *arg)
{
	struct hard *h = arg;
	struct verdict_output o;
	int bad[NHARD] = { 0 }, i, nodns, tag;
	char d[256];

	h->n++;
	verdict_decide(in, &o);
	nodns = verdict_without_dns(in);

	/* 1: authorized only with full proof. */
	if (o.verdict == VERDICT_AUTHORIZED &&
	    !(in->sender == VS_OK && in->lookup == LOOKUP_SECURE_KEY &&
	    in->key == VK_OK && in->sig == VSIG_PASS &&
	    in->list != VL_DENY && in->pin != VP_MISMATCH &&
	    (in->mode == VM_ALLOW || in->list == VL_ALLOW)))
		bad[1] = 1;
	/* 2: DNS trouble and temperror are tempfail, unless rules 1-5. */
	if ((in->lookup == LOOKUP_TEMPFAIL || in->lookup == LOOKUP_BOGUS ||
	    in->sig == VSIG_TEMPERROR) && !nodns &&
	    o.verdict != VERDICT_TEMPFAIL)
		bad[2] = 1;
	if (nodns != (o.rule <= 5) || o.used_lookup != (o.rule >= 6))
		bad[2] = 1;
	/* 3: deny mode answers. */
	if (in->mode == VM_DENY && o.verdict == VERDICT_UNTRUSTED &&
	    o.reason != VR_SIG_PENDING && o.reason != VR_NULL_SENDER)
		bad[3] = 1;
	/* 4: policy=all and no key: unauthorized. */
	if (in->sender == VS_OK && in->lookup == LOOKUP_SECURE_NOKEY &&
	    in->policy == VPOL_ALL && in->sig != VSIG_TEMPERROR &&
	    o.verdict != VERDICT_UNAUTHORIZED)
		bad[4] = 1;
	/* 5: a testing key never rejects in allow mode. */
	if (in->key == VK_TESTING && in->mode == VM_ALLOW &&
	    o.verdict == VERDICT_UNAUTHORIZED && o.rule > 5)
		bad[5] = 1;
	/* 6: the tag follows from the verdict. */
	switch (o.verdict) {
	case VERDICT_TEMPFAIL:
		tag = o.tag == VT_NONE;
		break;
	case VERDICT_UNTRUSTED:
		tag = o.tag == VT_UNTRUSTED;
		break;
	case VERDICT_UNAUTHORIZED:
		tag = o.tag == VT_UNAUTHORIZED;
		break;
	default:
		tag = o.tag == (in->list == VL_NONE ? VT_TRUSTED :
		    VT_AUTHORIZED);
		break;
	}
	if (!tag)
		bad[6] = 1;
	/*
	 * 7: an INSECURE key answer under a secure policy=all is no way
	 * out, in either mode: unauthorized (tempfail for sig temperror).
	 */
	if (in->sender == VS_OK && in->lookup == LOOKUP_INSECURE &&
	    in->policy == VPOL_ALL && o.verdict != VERDICT_UNAUTHORIZED &&
	    !(in->sig == VSIG_TEMPERROR && o.verdict == VERDICT_TEMPFAIL))
		bad[7] = 1;
	/* 8 (6.2): each reason code only with its verdicts. */
	if (!reason_allows(o.reason, o.verdict) || o.reason == VR_INTERNAL)
		bad[8] = 1;
	for (i = 1; i < NHARD; i++) {
		if (!bad[i])
			continue;
		if (h->bad[i]++ < 5) {
			describe(in, d, sizeof(d));
			printf("#   hard rule %d broken by %s: %s %s %s\n", i, d,
			    verdict_name(o.verdict),
			    verdict_reason_name(o.reason),
			    verdict_tag_name(o.tag));
		}
	}
}

static void
test_hard_rules(void)
{
	static const char *const what[NHARD] = { NULL,
		"authorized only with sender ok, secure-key, key ok, sig "
		"pass, not denied, pin not mismatched",
		"tempfail for tempfail/bogus/temperror unless rules 1-5; "
		"rules 1-5 exactly when verdict_without_dns",
		"deny mode gives no untrusted but sig-pending/null-sender",
		"secure-nokey with policy=all is unauthorized",
		"a testing key never gives unauthorized in allow mode",
		"the tag follows from the verdict",
		"insecure with policy=all is unauthorized in both modes "
		"(tempfail with sig temperror)",
		"each reason code comes only with its verdicts (6.2)",
	};
	struct pattern any = { -1, -1, -1, -1, -1, -1, -1, -1 };
	struct hard h;
	int i;

	memset(&h, 0, sizeof(h));
	each_case(&any, hard_case, &h);
	T_INTEQ(h.n, 4104, "6.4: 4104 consistent input combinations");
	for (i = 1; i < NHARD; i++)
		T_OK(h.bad[i] == 0, "6.4 rule %d over all inputs: %s (%d "
		    "broken)", i, what[i], h.bad[i]);
}

/* ---- inputs out of the table ---- */

static void
test_inconsistent(void)
{
	struct verdict_input in = { VS_OK, VM_DENY, VL_ALLOW, VP_NONE,
		LOOKUP_SECURE_KEY, VK_NONE, VPOL_SOME, VSIG_PASS };
	struct verdict_output o;

	T_OK(!verdict_input_consistent(&in), "secure-key with key '-' is "
	    "inconsistent");
	verdict_decide(&in, &o);
	T_OK(o.verdict != VERDICT_AUTHORIZED, "secure-key with key '-' is "
	    "never authorized (deny mode)");
	in.mode = VM_ALLOW;
	verdict_decide(&in, &o);
	T_OK(o.verdict != VERDICT_AUTHORIZED, "secure-key with key '-' is "
	    "never authorized (allow mode)");
	in.key = VK_OK;
	in.list = VL_NONE;
	in.pin = VP_MATCH;
	T_OK(!verdict_input_consistent(&in), "a pin without list=allow is "
	    "inconsistent");
	in.key = (enum verdict_key)99;
	T_OK(!verdict_input_consistent(&in), "an out-of-range key is "
	    "inconsistent");
	verdict_decide(&in, &o);
	T_OK(o.verdict != VERDICT_AUTHORIZED, "an out-of-range key is never "
	    "authorized");
}

/* ---- classes (section 8, protocol.md 3.3 examples) ---- */

static void
test_class(void)
{
	struct verdict_input in = { VS_OK, VM_ALLOW, VL_NONE, VP_NONE,
		LOOKUP_SECURE_KEY, VK_OK, VPOL_SOME, VSIG_UNKNOWN };
	char s[VERDICT_CLASS_STRMAX], id[VERDICT_CLASS_IDSIZE];

	T_OK(verdict_class(&in, s, sizeof(s), id) == 0, "class computed");
	T_STREQ(s, "pass=authorized/trusted;fail=untrusted/untrusted;"
	    "none=untrusted/untrusted;permerror=untrusted/untrusted;"
	    "temperror=tempfail/-", "class string of 8 (allow, secure key)");
	T_STREQ(id, "21c33b21cbddc32d", "class id of 8 (allow, secure key)");
	in.sig = VSIG_PASS;
	verdict_class(&in, NULL, 0, id);
	T_STREQ(id, "21c33b21cbddc32d", "the class ignores the sig input");

	in.list = VL_DENY;
	verdict_class(&in, s, sizeof(s), id);
	T_STREQ(id, "6e1e7a987a14b296", "class id of a denylisted sender");

	in.list = VL_NONE;
	in.sender = VS_NULL;
	verdict_class(&in, s, sizeof(s), id);
	T_STREQ(id, "c6b1e134bd82ceae", "class id of the null sender");

	in.sender = VS_OK;
	in.lookup = LOOKUP_BOGUS;
	in.key = VK_NONE;
	verdict_class(&in, s, sizeof(s), id);
	T_STREQ(id, "81dcff504660a166", "class id of a bogus sender");
}

static void
test_needs(void)
{
	struct verdict_input in = { VS_OK, VM_ALLOW, VL_NONE, VP_NONE,
		LOOKUP_SECURE_KEY, VK_OK, VPOL_SOME, VSIG_UNKNOWN };

	T_OK(!verdict_without_dns(&in), "allow mode, sender ok: needs DNS");
	T_OK(verdict_needs_policy(&in), "secure key in allow mode: the "
	    "class needs the policy (sig fail reaches rule 23)");
	in.mode = VM_DENY;
	in.list = VL_ALLOW;
	T_OK(!verdict_needs_policy(&in), "deny mode: never the policy");
	in.list = VL_NONE;
	T_OK(verdict_without_dns(&in), "deny mode, not allowlisted: no DNS");
	in.mode = VM_ALLOW;
	in.lookup = LOOKUP_BOGUS;
	in.key = VK_NONE;
	T_OK(!verdict_needs_policy(&in), "bogus: never the policy");
	in.lookup = LOOKUP_SECURE_NOKEY;
	in.key = VK_ABSENT;
	T_OK(verdict_needs_policy(&in), "no key in allow mode: policy");
	in.lookup = LOOKUP_INSECURE;
	in.key = VK_NONE;
	T_OK(verdict_needs_policy(&in), "insecure key answer in allow mode: "
	    "policy (policy=all refuses it, 3.1)");
	in.mode = VM_DENY;
	in.list = VL_ALLOW;
	T_OK(!verdict_needs_policy(&in), "insecure key answer in deny mode: "
	    "never the policy (rule 9)");
}

/*
 * An INSECURE key answer (an NSEC3 opt-out span, an unsigned delegation)
 * below a secure policy=all: decided as a missing key (verdicts.md 3.1).
 */
static void
test_insecure_policy(void)
{
	struct verdict_input in = { VS_OK, VM_ALLOW, VL_NONE, VP_NONE,
		LOOKUP_INSECURE, VK_NONE, VPOL_ALL, VSIG_UNKNOWN };
	struct verdict_output o;
	char all[VERDICT_CLASS_IDSIZE], some[VERDICT_CLASS_IDSIZE];

	verdict_decide(&in, &o);
	T_OK(o.verdict == VERDICT_UNAUTHORIZED && o.reason == VR_KEY_INSECURE &&
	    o.rule == 23 && o.used_policy, "insecure, policy all, RCPT: "
	    "unauthorized key-insecure by rule 23");
	in.sig = VSIG_PASS;
	verdict_decide(&in, &o);
	T_OK(o.verdict == VERDICT_UNAUTHORIZED, "insecure, policy all, sig "
	    "pass: unauthorized");
	in.policy = VPOL_TEMPFAIL;
	verdict_decide(&in, &o);
	T_OK(o.verdict == VERDICT_TEMPFAIL && o.reason == VR_POLICY_TEMPFAIL &&
	    o.rule == 24, "insecure, policy tempfail: policy-tempfail");
	in.policy = VPOL_SOME;
	verdict_decide(&in, &o);
	T_OK(o.verdict == VERDICT_UNTRUSTED && o.reason == VR_KEY_INSECURE &&
	    o.rule == 17 && o.used_policy, "insecure, policy some: untrusted "
	    "key-insecure by rule 17, which read the policy");
	verdict_class(&in, NULL, 0, some);
	in.policy = VPOL_ALL;
	verdict_class(&in, NULL, 0, all);
	T_STREQ(some, "70af0381a7bb0b75", "class id of 8: insecure, policy "
	    "some");
	T_STREQ(all, "3886c04b0a18c0d7", "class id of 8: insecure, policy "
	    "all");
	in.lookup = LOOKUP_SECURE_NOKEY;
	in.key = VK_ABSENT;
	verdict_class(&in, NULL, 0, some);
	T_STREQ(all, some, "insecure under policy=all: the class of a "
	    "missing key under policy=all");
}

static void
test_names(void)
{
	enum verdict v;
	enum verdict_reason r;
	enum verdict_tag t;
	enum lookup_state ls;
	int i, ok = 1;

	for (i = 0; i < VERDICT_COUNT; i++)
		ok &= verdict_from_name(verdict_name(i), &v) == 0 &&
		    (int)v == i;
	T_OK(ok, "verdict names round-trip");
	ok = 1;
	for (i = 0; i < VERDICT_REASON_COUNT; i++)
		ok &= verdict_reason_from_name(verdict_reason_name(i),
		    &r) == 0 && (int)r == i;
	T_OK(ok, "reason names round-trip");
	ok = 1;
	for (i = 0; i < VERDICT_TAG_COUNT; i++)
		ok &= verdict_tag_from_name(verdict_tag_name(i), &t) == 0 &&
		    (int)t == i;
	T_OK(ok, "tag names round-trip");
	ok = 1;
	for (i = 0; i <= LOOKUP_PERMERROR; i++)
		ok &= verdict_lookup_from_name(lookup_state_name(i),
		    &ls) == 0 && (int)ls == i;
	T_OK(ok, "lookup state names round-trip");
	T_STREQ(verdict_reason_name(VR_KEY_SECURE_SIGNED),
	    "key-secure-signed", "reason name is the spec's");
	T_STREQ(verdict_reason_name(VR_INTERNAL), "internal",
	    "the adapters' reason 'internal'");
	T_STREQ(verdict_name((enum verdict)42), "?", "out of range: ?");
	T_OK(verdict_from_name("Authorized", &v) == -1, "names are "
	    "case-sensitive");
	T_OK(verdict_sig_from_name("", NULL) == -1, "empty name refused");
	T_OK(verdict_sig_from_name(NULL, NULL) == -1, "NULL name refused");
}

int
main(void)
{
	test_vectors();
	test_hard_rules();
	test_inconsistent();
	test_class();
	test_needs();
	test_insecure_policy();
	test_names();
	return t_done();
}
