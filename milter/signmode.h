/*
 * signmode: the sign-mode decision of senderkey-milter (specs/protocol.md
 * 5.3): a message submitted by an authenticated login is signed with the
 * KeyTable key of its From: address when that login may use it.  Pure
 * apart from the clock the caller passes: no I/O, no libmilter.  Not
 * here: the signing itself (lib/sig.h), reading the table (keytable.h).
 */
#ifndef SK_MILTER_SIGNMODE_H
#define SK_MILTER_SIGNMODE_H

#include <stddef.h>
#include <stdint.h>

#include "keytable.h"
#include "msg.h"
#include "sig.h"

enum signmode_result {
	SIGNMODE_SIGNED,	/* *VALUE holds the field value to insert */
	SIGNMODE_NOKEY,		/* the From: address has no KeyTable entry */
	SIGNMODE_NOTALLOWED,	/* the login may not use that address */
	SIGNMODE_BADFROM,	/* not exactly one From: mailbox */
	SIGNMODE_ERROR,		/* signing failed (see *SERR) */
};

/*
 * signmode_sign: decide and sign M for LOGIN at NOW.  On SIGNMODE_SIGNED
 * *VALUE is the Sender-Key-Signature field value for smfi_insheader: the
 * name and ": " removed, folded with LF + whitespace (libmilter's line
 * ends), malloc'd (caller frees).  *FROM (when not NULL) gets a malloc'd
 * copy of the canonical From: address when there is one.
 */
enum signmode_result signmode_sign(struct sig_ctx *, const struct msg *m,
		    const struct keytable *kt, const char *login, int64_t now,
		    char **value, char **from, enum sig_sign_err *serr);

/* signmode_name: "signed", "no-key", "not-allowed", "bad-from", "error". */
const char	*signmode_name(enum signmode_result);

#endif
