/*
 * signmode: the sign-mode decision of senderkey-milter (specs/protocol.md
 * 5.3): a message submitted by an authenticated login is signed with the
 * KeyTable key of its From: address when that login may use it, and
 * loses the trust fields it brought along (signmode_strip).  Pure
 * apart from the clock the caller passes: no I/O, no libmilter.  Not
 * here: the signing itself (lib/sig.h), reading the table (keytable.h).
 */
#ifndef SK_MILTER_SIGNMODE_H
#define SK_MILTER_SIGNMODE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/msg.h"
#include "lib/sig.h"
#include "keytable.h"

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

/*
 * signmode_bridge: the DKIM bridge's DKIM-Signature (specs/signature.md
 * 11.1) for M at NOW, made with the KeyTable key of its From: address, for
 * MilterDkim yes: call it after signmode_sign said SIGNMODE_SIGNED for M
 * (it decides nothing about logins).  Returns 0 with *VALUE the field value
 * as signmode_sign gives it (malloc'd; insert it right below the
 * Sender-Key-Signature), or -1 with *SERR set (SIG_SIGN_FROM when the From:
 * address has no key after all).
 */
int		 signmode_bridge(struct sig_ctx *, const struct msg *m,
		    const struct keytable *kt, int64_t now, char **value,
		    enum sig_sign_err *serr);

/*
 * The fields a submission loses before it goes on (protocol.md 5.3): a
 * submitting login must not hand anyone a Sender-Key-Trust or an
 * Authentication-Results of this host that senderkey did not write.
 */
#define SIGNMODE_MAX_DEL	64	/* Authentication-Results removed, at most */

struct signmode_strip {
	/* Sender-Key-Trust fields to delete: indexes NTRUST_DEL down to 1 */
	size_t	 ntrust_del;
	/* Authentication-Results whose authserv-id is ours: 1-based indexes
	   among fields of that name, descending (delete in this order) */
	size_t	 ar_del[SIGNMODE_MAX_DEL];
	size_t	 nar_del;
};

/*
 * signmode_strip: the deletions for submission M (every Sender-Key-Trust,
 * in any case; every Authentication-Results whose authserv-id equals
 * AUTHSERV_ID without regard to ASCII case) into *OUT.  Field names are
 * compared as the MTA's header-change indexes count them (any case).
 * Returns 0, or -1 when M or AUTHSERV_ID is NULL (*OUT then empty).
 */
int		 signmode_strip(const struct msg *m, const char *authserv_id,
		    struct signmode_strip *out);

/* signmode_name: "signed", "no-key", "not-allowed", "bad-from", "error". */
const char	*signmode_name(enum signmode_result);

#endif
