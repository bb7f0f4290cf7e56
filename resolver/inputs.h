/*
 * inputs: what senderkeyd knows about one request, turned into the
 * inputs of the verdict function: the sender as parsed once, the
 * recipient policy (verdicts.md 4.2) from the policy store or
 * DefaultMode, and the facts handed to decision.c with the DNS answers
 * known so far.  Pure apart from reading the store's snapshot.  Not here:
 * the rules themselves (decision.c, verdict.c, store.c), asking DNS
 * (server_req.c, cache.c).
 */
#ifndef SK_INPUTS_H
#define SK_INPUTS_H

#include "lib/addr.h"
#include "core/decision.h"
#include "core/lookup.h"
#include "core/store.h"
#include "core/verdict.h"

struct config;
struct uentry;

/* What a request brings to the decision besides the DNS answers. */
struct inputs_req {
	enum verdict_sender		 sender;
	const struct store_result	*rp;	/* from inputs_recipient */
	enum verdict_sig		 sig;
	const unsigned char		*key;	/* key= (SPKI SHA-256), or
						   NULL */
};

/*
 * inputs_sender: SENDER as written in FORM parsed, once, into *OUT (the
 * caller frees it with addr_free): VS_OK.  NULL or "" or NUL_SENDER set:
 * VS_NULL, an address that does not parse: VS_INVALID (verdicts.md
 * rules 1-3); *OUT is NULL for both.
 */
enum verdict_sender inputs_sender(const char *sender, int null_sender,
		    enum addr_form form, struct addr **out);

/*
 * inputs_recipient: the mode, list and pins for SENDER (NULL unless
 * VS_OK) and RCPT (in FORM), decided as the mailbox RCPT is delivered to
 * (verdicts.md 4.2, CFG's RecipientDelimiter): from ST's snapshot when ST
 * is not NULL, merged with UE's user entry of the pair (when UE is not
 * NULL; store_uentry_merge), else CFG's DefaultMode and no entries.
 * *RP is a copy: a store reload does not change it.  MBOX (when not
 * NULL) gets the canonical mailbox the rules were read for (the decision
 * journal's recipient, specs/store.md 6.2), "" when there is none or no
 * store.
 */
void		 inputs_recipient(const struct store *st,
		    const struct uentry *ue, const struct config *cfg,
		    const struct addr *sender,
		    const char *rcpt, enum addr_form form,
		    struct store_result *rp, char mbox[STORE_TARGET_MAX]);

/*
 * inputs_recipient_mb: inputs_recipient with rcpt_mailbox's work done by
 * the caller: MB (NULL: none) and DOM are what rcpt_mailbox gave for
 * RCPT in FORM with CFG's RecipientDelimiter (the daemon remembers them,
 * addrmemo.h).
 */
void		 inputs_recipient_mb(const struct store *st,
		    const struct uentry *ue, const struct config *cfg,
		    const struct addr *sender, const struct addr *mb,
		    const char *dom, struct store_result *rp,
		    char mbox[STORE_TARGET_MAX]);

/*
 * inputs_derive: the verdict inputs (decision.c) of Q with the key
 * answer KA and the policy answer PA known so far (either may be NULL:
 * not asked, not there yet, or dropped), into *D.
 */
void		 inputs_derive(const struct inputs_req *q,
		    const struct lookup_answer *ka,
		    const struct lookup_answer *pa, struct decision *d);

#endif
