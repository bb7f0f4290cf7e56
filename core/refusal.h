/*
 * refusal: what a refused sender reads (specs/verdicts.md 6.5).  One
 * table of texts, one per recipient mode and reason of an unauthorized
 * verdict, naming the recipient and saying what to do.  senderkeyd puts
 * the text in the Postfix action ({text}) and in the AUTHZ reply (text=),
 * which the milter and Exim's ACL show as they are, so every MTA shows
 * the same words.  Pure: no I/O, no allocation.
 */
#ifndef SK_REFUSAL_H
#define SK_REFUSAL_H

#include <stddef.h>

#include "verdict.h"

/* Octets of a recipient the text may name; a longer one is not named. */
#define REFUSAL_RCPT_MAX	100
/* Octets of a text, NUL excluded; REFUSAL_TEXT_SIZE holds one. */
#define REFUSAL_TEXT_MAX	360
#define REFUSAL_TEXT_SIZE	(REFUSAL_TEXT_MAX + 1)

/*
 * refusal_recipient: whether RCPT (the recipient as the MTA sent it) may
 * be named in a reply: 1 when it is 1 to REFUSAL_RCPT_MAX octets of
 * printable ASCII (%x21-7E) without DQUOTE, '%', '<', '>' or '\', else 0
 * (NULL included).  A client's control octets, spaces, 8-bit octets and
 * long input are thus never echoed.
 */
int		 refusal_recipient(const char *rcpt);

/*
 * refusal_text: the text for an unauthorized verdict with REASON for a
 * recipient in MODE, naming RCPT as "<RCPT>" when refusal_recipient
 * allows it, else as "this mailbox", into BUF (BUFSZ octets, NUL
 * added).  A mode and reason the table does not list (no verdict gives
 * them) get the neutral text of a denylisted sender.  The text is
 * printable ASCII, at most REFUSAL_TEXT_MAX octets.  Returns its length,
 * or -1 when BUFSZ is too small (BUF then holds "" when BUFSZ > 0).
 */
int		 refusal_text(enum verdict_mode mode,
		    enum verdict_reason reason, const char *rcpt, char *buf,
		    size_t bufsz);

#endif
