/*
 * verdict: the decision of specs/verdicts.md section 6 (which verdict,
 * reason code and trust tag a sender/recipient pair gets) and the policy
 * class of section 8.  Pure: no I/O, no allocation, no clock.
 *
 * The caller gathers the inputs (sender parse, recipient policy, key and
 * policy lookups, signature result); verdict_decide only decides.  Every
 * enum has a stable name (the one specs/ and the logs use) and a parser
 * of that name.
 */
#ifndef SK_VERDICT_H
#define SK_VERDICT_H

#include <stddef.h>

#include "lookup.h"

enum verdict {
	VERDICT_AUTHORIZED,	/* "authorized" */
	VERDICT_UNAUTHORIZED,	/* "unauthorized" */
	VERDICT_UNTRUSTED,	/* "untrusted" */
	VERDICT_TEMPFAIL,	/* "tempfail" */
};
#define VERDICT_COUNT		4

/* Reason codes of verdicts.md 6.2 (names in comments), plus "internal". */
enum verdict_reason {
	VR_NULL_SENDER,		/* null-sender */
	VR_SENDER_INVALID,	/* sender-invalid */
	VR_DENYLISTED,		/* denylisted */
	VR_NOT_ALLOWLISTED,	/* not-allowlisted */
	VR_DNS_TEMPFAIL,	/* dns-tempfail */
	VR_DNS_BOGUS,		/* dns-bogus */
	VR_SIG_TEMPERROR,	/* sig-temperror */
	VR_POLICY_TEMPFAIL,	/* policy-tempfail */
	VR_KEY_INSECURE,	/* key-insecure */
	VR_KEY_PERMERROR,	/* key-permerror */
	VR_NO_KEY,		/* no-key */
	VR_KEY_REVOKED,		/* key-revoked */
	VR_KEY_EXPIRED,		/* key-expired */
	VR_KEY_TESTING,		/* key-testing */
	VR_PIN_MISMATCH,	/* pin-mismatch */
	VR_SIG_FAIL,		/* sig-fail */
	VR_SIG_PERMERROR,	/* sig-permerror */
	VR_SIG_MISSING,		/* sig-missing */
	VR_SIG_PENDING,		/* sig-pending */
	VR_ALLOWLISTED_SIGNED,	/* allowlisted-signed */
	VR_KEY_SECURE_SIGNED,	/* key-secure-signed */
	VR_INTERNAL,		/* internal: adapters only, never decided here */
};
#define VERDICT_REASON_COUNT	22

/* Trust tags of verdicts.md section 7 (the Sender-Key-Trust value). */
enum verdict_tag {
	VT_NONE,		/* "-": tempfail, no header */
	VT_AUTHORIZED,		/* "authorized" */
	VT_TRUSTED,		/* "trusted" */
	VT_UNTRUSTED,		/* "untrusted" */
	VT_UNAUTHORIZED,	/* "unauthorized" */
};
#define VERDICT_TAG_COUNT	5

enum verdict_sender {
	VS_OK,			/* "ok": addr_parse accepted it */
	VS_NULL,		/* "null": empty reverse-path */
	VS_INVALID,		/* "invalid": addr_parse refused it */
};

enum verdict_mode {
	VM_ALLOW,		/* "allow" */
	VM_DENY,		/* "deny" */
};

enum verdict_list {
	VL_NONE,		/* "none": no entry matched the sender */
	VL_ALLOW,		/* "allow" */
	VL_DENY,		/* "deny" */
};

enum verdict_pin {
	VP_NONE,		/* "-": no pin applies (4.3) */
	VP_MATCH,		/* "match" */
	VP_MISMATCH,		/* "mismatch" */
};

/* The key detail of verdicts.md 2.3. */
enum verdict_key {
	VK_NONE,		/* "-": lookup not SECURE_KEY/SECURE_NOKEY */
	VK_OK,			/* "ok" */
	VK_TESTING,		/* "testing" */
	VK_ABSENT,		/* "absent" */
	VK_REVOKED,		/* "revoked" */
	VK_EXPIRED,		/* "expired" */
};

/* The domain policy input of verdicts.md section 3. */
enum verdict_policy {
	VPOL_SOME,		/* "some" */
	VPOL_ALL,		/* "all" */
	VPOL_TEMPFAIL,		/* "tempfail" */
};

/* The signature result of verdicts.md section 5. */
enum verdict_sig {
	VSIG_UNKNOWN,		/* "unknown": not seen yet (RCPT time) */
	VSIG_PASS,		/* "pass" */
	VSIG_FAIL,		/* "fail" */
	VSIG_NONE,		/* "none": the message is not signed */
	VSIG_TEMPERROR,		/* "temperror" */
	VSIG_PERMERROR,		/* "permerror" */
};

struct verdict_input {
	enum verdict_sender	 sender;
	enum verdict_mode	 mode;
	enum verdict_list	 list;
	enum verdict_pin	 pin;
	enum lookup_state	 lookup;	/* ignored when rules 1-5 decide */
	enum verdict_key	 key;
	enum verdict_policy	 policy;	/* read by rules 17, 23-25 */
	enum verdict_sig	 sig;
};

struct verdict_output {
	enum verdict		 verdict;
	enum verdict_reason	 reason;
	enum verdict_tag	 tag;
	int			 rule;		/* 1-25: the rule that decided */
	int			 used_lookup;	/* rule >= 6: lookup was read */
	int			 used_policy;	/* rule 17 or >= 23 */
};

/*
 * verdict_decide: the first rule of verdicts.md 6.1 that applies to IN,
 * stored in *OUT.  Total: any combination of in-range values gets an
 * answer (inconsistent ones too, see verdict_input_consistent).
 */
void		 verdict_decide(const struct verdict_input *in,
		    struct verdict_output *out);

/*
 * verdict_without_dns: 1 when rules 1-5 decide IN (sender, mode and list
 * alone), so no DNS query is needed; 0 otherwise.  The lookup, key,
 * policy, pin and sig fields are not read.
 */
int		 verdict_without_dns(const struct verdict_input *in);

/*
 * verdict_needs_policy: 1 when the verdict or the class (section 8) of IN
 * may depend on the domain policy for some signature result, so the
 * daemon must look it up; 0 when it never matters.  The policy and sig
 * fields are not read.
 */
int		 verdict_needs_policy(const struct verdict_input *in);

/*
 * verdict_input_consistent: 1 when IN obeys the constraints of 6.3 (key
 * fits lookup; pin is "-" unless list is allow, and match only with
 * SECURE_KEY), 0 otherwise.
 */
int		 verdict_input_consistent(const struct verdict_input *in);

/* The length of a class string (section 8), NUL excluded, is below this. */
#define VERDICT_CLASS_STRMAX	256
/* A class id: 16 lowercase hex digits and a NUL. */
#define VERDICT_CLASS_IDSIZE	17

/*
 * verdict_class: the policy class of verdicts.md section 8 for IN, whose
 * sig field is ignored (each of pass, fail, none, permerror, temperror is
 * tried).  The caller passes pin and key as section 8 says: pin as if no
 * verifying key were known, key from the lookup alone.  Writes the class
 * string to STR (STRSZ >= VERDICT_CLASS_STRMAX) when STR is not NULL and
 * the id to ID (VERDICT_CLASS_IDSIZE octets).  Returns 0, or -1 when
 * SHA-256 failed (ID is then "").
 */
int		 verdict_class(const struct verdict_input *in, char *str,
		    size_t strsz, char id[VERDICT_CLASS_IDSIZE]);

/*
 * Names: static strings, the forms of specs/ ("?" for a value out of
 * range).  Parsers: 0 and *OUT set when NAME is exactly one of the names,
 * else -1 (*OUT untouched).
 */
const char	*verdict_name(enum verdict);
const char	*verdict_reason_name(enum verdict_reason);
const char	*verdict_tag_name(enum verdict_tag);
const char	*verdict_sender_name(enum verdict_sender);
const char	*verdict_mode_name(enum verdict_mode);
const char	*verdict_list_name(enum verdict_list);
const char	*verdict_pin_name(enum verdict_pin);
const char	*verdict_key_name(enum verdict_key);
const char	*verdict_policy_name(enum verdict_policy);
const char	*verdict_sig_name(enum verdict_sig);

int		 verdict_from_name(const char *name, enum verdict *out);
int		 verdict_reason_from_name(const char *name,
		    enum verdict_reason *out);
int		 verdict_tag_from_name(const char *name, enum verdict_tag *out);
int		 verdict_sender_from_name(const char *name,
		    enum verdict_sender *out);
int		 verdict_mode_from_name(const char *name,
		    enum verdict_mode *out);
int		 verdict_list_from_name(const char *name,
		    enum verdict_list *out);
int		 verdict_pin_from_name(const char *name, enum verdict_pin *out);
int		 verdict_key_from_name(const char *name, enum verdict_key *out);
int		 verdict_policy_from_name(const char *name,
		    enum verdict_policy *out);
int		 verdict_sig_from_name(const char *name, enum verdict_sig *out);
/* verdict_lookup_from_name: the inverse of lookup_state_name. */
int		 verdict_lookup_from_name(const char *name,
		    enum lookup_state *out);

#endif
