/*
 * verify: the verify-mode decision of senderkey-milter (specs/protocol.md
 * section 5, specs/verdicts.md sections 7 and 8): from the message's
 * header fields, its signature result and senderkeyd's AUTHZ answer for
 * every recipient, the header edits (Authentication-Results, Sender-Key-
 * Trust, removal of forged copies) and the end-of-message action.  Pure:
 * no I/O, no libmilter; main.c applies the result.  Not here: verifying
 * signatures (lib/sig.h) or deciding verdicts (senderkeyd does).
 */
#ifndef SK_MILTER_VERIFY_H
#define SK_MILTER_VERIFY_H

#include <stddef.h>

#include "lib/msg.h"
#include "lib/sig.h"
#include "core/trustfield.h"
#include "answer.h"

#define VERIFY_MAX_DEL	64		/* forged copies removed, at most */
#define VERIFY_AR_MAX	1024
#define VERIFY_TEXT_MAX	256
#define VERIFY_REPLY_MAX REFUSAL_TEXT_SIZE	/* a reply's text */

enum verify_action {
	VERIFY_ACCEPT,		/* continue, with the header edits */
	VERIFY_REJECT,		/* 550 5.7.1 */
	VERIFY_TEMPFAIL,	/* 451 4.7.0 */
};

struct verify_in {
	const struct msg		*m;	/* the header as received */
	const struct sig_outcome	*res;	/* the message result */
	const char	*from;		/* canonical From: address, or NULL */
	const char	*b8;		/* reported signature's b=, 8 chars */
	const char	*selector;	/* its s= when it is a DKIM bridge
					   signature (header.s=), or NULL */
	const struct answer_authz *ans;	/* one per recipient */
	size_t		 nans;
	int		 daemon_failed;	/* no (complete) answer: internal */
	const char	*authserv_id;
	int		 monitor;	/* Mode monitor: never reject/defer */
};

struct verify_out {
	enum verify_action action;
	char	 code[4];			/* "550", "451"; "" */
	char	 xcode[8];			/* "5.7.1", "4.7.0"; "" */
	char	 text[VERIFY_REPLY_MAX];	/* reply text; "" */
	char	 ar[VERIFY_AR_MAX];		/* A-R value; "" none */
	char	 trust[TRUSTFIELD_MAX + 1];	/* S-K-T value; "" none */
	/* Sender-Key-Trust fields to delete: indexes NTRUST_DEL down to 1 */
	size_t	 ntrust_del;
	/* Authentication-Results to delete: 1-based indexes among fields
	   of that name, in descending order (so earlier deletions do not
	   shift later ones) */
	size_t	 ar_del[VERIFY_MAX_DEL];
	size_t	 nar_del;
};

/*
 * verify_decide: the decision for IN (protocol.md 5.4, 5.5).  Returns 0
 * with *OUT set; -1 only when IN is unusable (no message).
 */
int		 verify_decide(const struct verify_in *in,
		    struct verify_out *out);

/*
 * verify_authserv_id: the authserv-id of an Authentication-Results field
 * VALUE (LEN octets, folding allowed): leading whitespace and comments
 * skipped, a token or quoted-string, up to whitespace, ';' or '('.
 * Written to OUT (OUTSZ octets, NUL-terminated).  Returns 0, or -1 when
 * there is none or it does not fit.
 */
int		 verify_authserv_id(const char *value, size_t len, char *out,
		    size_t outsz);

/*
 * verify_b8: the first 8 characters of the b= of O's reported signature
 * in M (its field parsed as O's kind), for Authentication-Results'
 * header.b (verdicts.md 7.2), NUL-terminated in OUT; "" when O reports
 * no field or the field does not parse.
 */
void		 verify_b8(const struct msg *m, const struct sig_outcome *o,
		    char out[9]);

#endif
