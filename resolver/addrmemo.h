/*
 * addrmemo: senderkeyd's memo of what a request derives from its raw
 * sender and recipient strings alone.  A mail server sends the same few
 * addresses over and over; parsing them (addr.c, rcpt.c, libidn2,
 * libunistring), hashing the sender's owner name (owner.c) and making
 * them safe for the log cost more than deciding.  Each of those is a
 * pure function of the exact octets it is given (and the form, and for
 * the recipient the delimiter set): no clock, no configuration, no
 * locale, no state.  So the result is kept under a key made of exactly
 * those inputs, compared octet for octet, in a direct-mapped table of a
 * fixed number of slots: a different spelling, form or delimiter set is
 * a different key, and can only replace an entry, never be answered
 * from another's.  Not here: the store's rules and the decision
 * (inputs.c, store.c, decision.c), which run on every request.
 */
#ifndef SK_ADDRMEMO_H
#define SK_ADDRMEMO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "core/verdict.h"

#define ADDRMEMO_SLOTS	512	/* entries kept (a power of 2) */
#define ADDRMEMO_RAW_MAX 512	/* longer raw strings are never kept */

struct addrmemo;

/* What a raw sender gives (valid until the next call on the memo). */
struct addrmemo_sender {
	enum verdict_sender	 vs;	/* VS_OK or VS_INVALID */
	const struct addr	*addr;	/* VS_OK: the parsed sender */
	int			 names;	/* 0: the two names are set; -1:
					   owner_name_ctx or
					   owner_policy_name failed */
	const char		*keyname, *polname;
	const char		*log;	/* log_value of the raw sender */
};

/* What a raw recipient gives (valid until the next call on the memo). */
struct addrmemo_rcpt {
	const struct addr	*mb;	/* rcpt_mailbox's, NULL: none */
	const char		*dom;	/* rcpt_mailbox's DOMAIN */
	const char		*log;	/* log_value of the raw recipient */
	int			 refusal; /* refusal_recipient of it */
};

/* addrmemo_new: an empty memo of NSLOTS (a power of 2) slots, or NULL. */
struct addrmemo	*addrmemo_new(size_t nslots);

/* addrmemo_free: NULL is a no-op. */
void		 addrmemo_free(struct addrmemo *m);

/*
 * addrmemo_sender: for the non-empty sender RAW in FORM, what
 * inputs_sender, owner_name_ctx(CTX, MD, OWNER_SENDERKEY),
 * owner_policy_name and log_value (64 octets) give, into OUT: from M
 * when the same octets in the same form were seen, else computed (and
 * kept, replacing the slot's entry).  Returns 0, or -1 when out of
 * memory.
 */
int		 addrmemo_sender(struct addrmemo *m, const char *raw,
		    enum addr_form form, EVP_MD_CTX *ctx, const EVP_MD *md,
		    struct addrmemo_sender *out);

/*
 * addrmemo_rcpt: for the recipient RAW in FORM with the delimiter set
 * DELIMS (NULL: none), what rcpt_mailbox, log_value (64 octets) and
 * refusal_recipient give, into OUT, as addrmemo_sender.
 */
int		 addrmemo_rcpt(struct addrmemo *m, const char *raw,
		    enum addr_form form, const char *delims,
		    struct addrmemo_rcpt *out);

/* addrmemo_hits, addrmemo_bytes: answers from memory; octets held. */
uint64_t	 addrmemo_hits(const struct addrmemo *m);
size_t		 addrmemo_bytes(const struct addrmemo *m);

#endif
