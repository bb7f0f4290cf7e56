/*
 * refusal.c: the texts of specs/verdicts.md 6.5 (refusal.h).  A text is
 * HEAD "; " ADVICE " (senderkey: " REASON ")", or HEAD alone before the
 * parenthesis when there is no advice; HEAD names the recipient.  The
 * table below is the one place the words live; the vectors file
 * specs/vectors/refusals.tsv checks every row of it.
 */
#include <stdio.h>
#include <string.h>

#include "refusal.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

enum head {
	H_DENY,		/* deny mode: only authorized senders */
	H_POLICY,	/* allow mode, the sender domain's policy=all */
	H_REFUSED,	/* a denylisted sender: no advice */
};

static const char *const heads[] = {
	"accepts mail only from senders the recipient has authorized",
	"accepts mail from your domain only when it is signed, as your "
	    "domain's policy requires",
	"does not accept mail from this sender",
};

/* What the sender can do about the key or the signature (both modes). */
#define A_KEY_INSECURE	"the key for your address has no DNSSEC proof: " \
	"publish it in a DNSSEC-signed zone"
#define A_KEY_PERMERROR	"the key record for your address is malformed: " \
	"publish a valid one"
#define A_NO_KEY	"no key is published for your address: publish " \
	"your sender key"
#define A_KEY_REVOKED	"the key for your address is revoked: publish a " \
	"current key"
#define A_KEY_EXPIRED	"the key for your address has expired: publish a " \
	"current key"
#define A_SIG_FAIL	"the signature does not verify: sign with your " \
	"published key and change nothing after signing"
#define A_SIG_PERMERROR	"the signature is malformed: sign with your " \
	"published key"
#define A_SIG_MISSING	"the message is not signed: sign it with your " \
	"published key"

struct row {
	enum verdict_mode	 mode;
	enum verdict_reason	 reason;
	enum head		 head;
	const char		*advice;	/* NULL: none */
};

/* Every mode and reason an unauthorized verdict has (verdicts.md 6.1). */
static const struct row rows[] = {
	{ VM_DENY, VR_SENDER_INVALID, H_DENY,
	    "your sender address is not valid: send from a valid address" },
	{ VM_DENY, VR_DENYLISTED, H_REFUSED, NULL },
	{ VM_DENY, VR_NOT_ALLOWLISTED, H_DENY,
	    "ask the recipient to authorize your address" },
	{ VM_DENY, VR_KEY_INSECURE, H_DENY, A_KEY_INSECURE },
	{ VM_DENY, VR_KEY_PERMERROR, H_DENY, A_KEY_PERMERROR },
	{ VM_DENY, VR_NO_KEY, H_DENY, A_NO_KEY },
	{ VM_DENY, VR_KEY_REVOKED, H_DENY, A_KEY_REVOKED },
	{ VM_DENY, VR_KEY_EXPIRED, H_DENY, A_KEY_EXPIRED },
	{ VM_DENY, VR_KEY_TESTING, H_DENY,
	    "the key for your address is in testing mode: publish it "
	    "without the testing flag" },
	{ VM_DENY, VR_PIN_MISMATCH, H_DENY,
	    "your key is not the one the recipient authorized: ask the "
	    "recipient to authorize your current key" },
	{ VM_DENY, VR_SIG_FAIL, H_DENY, A_SIG_FAIL },
	{ VM_DENY, VR_SIG_PERMERROR, H_DENY, A_SIG_PERMERROR },
	{ VM_DENY, VR_SIG_MISSING, H_DENY, A_SIG_MISSING },
	{ VM_ALLOW, VR_DENYLISTED, H_REFUSED, NULL },
	{ VM_ALLOW, VR_KEY_INSECURE, H_POLICY, A_KEY_INSECURE },
	{ VM_ALLOW, VR_KEY_PERMERROR, H_POLICY, A_KEY_PERMERROR },
	{ VM_ALLOW, VR_NO_KEY, H_POLICY, A_NO_KEY },
	{ VM_ALLOW, VR_KEY_REVOKED, H_POLICY, A_KEY_REVOKED },
	{ VM_ALLOW, VR_KEY_EXPIRED, H_POLICY, A_KEY_EXPIRED },
	{ VM_ALLOW, VR_SIG_FAIL, H_POLICY, A_SIG_FAIL },
	{ VM_ALLOW, VR_SIG_PERMERROR, H_POLICY, A_SIG_PERMERROR },
	{ VM_ALLOW, VR_SIG_MISSING, H_POLICY, A_SIG_MISSING },
};

int
refusal_recipient(const char *rcpt)
{
	size_t n;

	if (rcpt == NULL)
		return 0;
	for (n = 0; rcpt[n] != '\0'; n++) {
		unsigned char c = (unsigned char)rcpt[n];

		if (n >= REFUSAL_RCPT_MAX || c < 0x21 || c > 0x7e ||
		    strchr("\"%<>\\", c) != NULL)
			return 0;
	}
	return n > 0;
}

int
refusal_text(enum verdict_mode mode, enum verdict_reason reason,
    const char *rcpt, char *buf, size_t bufsz)
{
	const struct row *r = NULL;
	const char *advice = NULL;
	enum head h = H_REFUSED;
	size_t i;
	int n;

	for (i = 0; i < NELEM(rows) && r == NULL; i++)
		if (rows[i].mode == mode && rows[i].reason == reason)
			r = &rows[i];
	if (r != NULL) {
		h = r->head;
		advice = r->advice;
	}
	if (refusal_recipient(rcpt))
		n = snprintf(buf, bufsz, "<%s> %s%s%s (senderkey: %s)", rcpt,
		    heads[h], advice != NULL ? "; " : "",
		    advice != NULL ? advice : "", verdict_reason_name(reason));
	else
		n = snprintf(buf, bufsz, "this mailbox %s%s%s (senderkey: %s)",
		    heads[h], advice != NULL ? "; " : "",
		    advice != NULL ? advice : "", verdict_reason_name(reason));
	if (n < 0 || (size_t)n >= bufsz || n > REFUSAL_TEXT_MAX) {
		if (bufsz > 0)
			buf[0] = '\0';
		return -1;
	}
	return n;
}
