/*
 * learn: LearnOutbound (senderkeyd.conf(5), specs/protocol.md 3.2
 * LEARN): an authenticated submission from a local user makes each
 * external recipient an allowed sender for that user, a user entry
 * (uentry.h, UENTRY_SENT, never overriding an entry that is there),
 * pinned to every usable key of the recipient's key lookup when it is
 * SECURE_KEY, unpinned otherwise.  Learning is only for the sender's
 * own mailbox: the SASL login, as a mailbox, must be the envelope
 * sender's (learn_mailbox).  Two paths start it: a Postfix policy
 * request with sasl_username (nobody waits for the result) and LEARN on
 * the line socket (answered when written).  Each learn is one journal
 * row (dir out) and one log line.  Not here: writing the entry
 * (uentry.c), the LEARN codec (core/proto_line*.c).
 */
#ifndef SK_LEARN_H
#define SK_LEARN_H

#include "lib/addr.h"
#include "core/store.h"

struct server;
struct sconn;

/* Why nothing is learned; the names are LEARN's why= codes. */
enum learn_why {
	LW_OK,			/* "ok": learn */
	LW_DISABLED,		/* "disabled": LearnOutbound no */
	LW_NO_JOURNAL,		/* "no-journal": no user entries (JournalDays 0) */
	LW_NULL_SENDER,		/* "null-sender" */
	LW_BAD_SENDER,		/* "bad-sender": no one mailbox */
	LW_BAD_LOGIN,		/* "bad-login": not a mailbox */
	LW_LOGIN_MISMATCH,	/* "login-mismatch": another mailbox */
	LW_BAD_RECIPIENT,	/* "bad-recipient": does not parse */
	LW_OWN_DOMAIN,		/* "own-domain": not an external recipient */
};

/* learn_whyname: the code of W ("?" when out of range). */
const char	*learn_whyname(enum learn_why w);

/*
 * learn_mailbox: whether LOGIN (a SASL login) may learn for the envelope
 * SENDER (in FORM; NULL or "" is the null sender): both as the mailbox
 * they are delivered to (rcpt_mailbox with DELIMS: case folded, address
 * extension and a trailing dot removed), a LOGIN without '@' taking
 * '@' and the sender's domain, must be the same.  Returns LW_OK with the
 * canonical mailbox in MBOX, else the reason (MBOX "").  Pure.
 */
enum learn_why	 learn_mailbox(const char *login, const char *sender,
		    enum addr_form form, const char *delims,
		    char mbox[STORE_TARGET_MAX]);

/*
 * learn_start: learn RECIPIENT (in FORM) for LOGIN sending as SENDER on
 * S.  SC NULL: nobody waits (the policy path); else the LEARN reply is
 * written on SC when the entry is written or nothing is to be done
 * (maybe at once).  Returns 0, or -1 when out of memory before anything
 * was answered (the caller answers).
 */
int		 learn_start(struct server *s, struct sconn *sc,
		    const char *login, const char *sender,
		    const char *recipient, enum addr_form form);

/*
 * learn_conn_gone: SC closes: the learns it waits for go on, with
 * nobody to answer.
 */
void		 learn_conn_gone(struct server *s, struct sconn *sc);

/* learn_free_all: cancel every learn of S still waiting for DNS. */
void		 learn_free_all(struct server *s);

#endif
