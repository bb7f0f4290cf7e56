/*
 * inputs.c: a request's facts into the verdict inputs (inputs.h).  The
 * sender is parsed here and nowhere else on the request path; the
 * recipient policy is read from the store once, when the request
 * starts.
 */
#include <string.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/rcpt.h"
#include "inputs.h"
#include "uentry.h"

enum verdict_sender
inputs_sender(const char *sender, int null_sender, enum addr_form form,
    struct addr **out)
{
	enum addr_err e;

	*out = NULL;
	if (null_sender || sender == NULL || *sender == '\0')
		return VS_NULL;
	if ((*out = addr_parse_form(sender, form, &e, NULL)) == NULL)
		return VS_INVALID;
	return VS_OK;
}

void
inputs_recipient_mb(const struct store *st, const struct uentry *ue,
    const struct config *cfg, const struct addr *sender,
    const struct addr *mb, const char *dom, struct store_result *rp,
    char mbox[STORE_TARGET_MAX])
{
	size_t n;

	if (st != NULL) {
		store_eval(st, sender, mb, dom, rp);
		if (ue != NULL && mb != NULL && sender != NULL)
			store_uentry_merge(rp, uentry_find(ue, addr_canon(mb),
			    addr_canon(sender)));
		if (mbox != NULL) {
			mbox[0] = '\0';
			if (mb != NULL && (n = strlen(addr_canon(mb))) <
			    STORE_TARGET_MAX)
				memcpy(mbox, addr_canon(mb), n + 1);
		}
		return;
	}
	if (mbox != NULL)
		mbox[0] = '\0';
	memset(rp, 0, sizeof(*rp));
	rp->mode = cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY :
	    VM_ALLOW;
	rp->list = VL_NONE;
}

void
inputs_recipient(const struct store *st, const struct uentry *ue,
    const struct config *cfg, const struct addr *sender, const char *rcpt,
    enum addr_form form, struct store_result *rp,
    char mbox[STORE_TARGET_MAX])
{
	char dom[256];		/* rcpt_mailbox: 254 are enough */
	struct addr *mb = NULL;
	enum addr_err e;

	dom[0] = '\0';
	if (st != NULL)
		mb = rcpt_mailbox(rcpt, form, cfg->recipient_delimiter, dom,
		    sizeof(dom), &e);
	inputs_recipient_mb(st, ue, cfg, sender, mb, dom, rp, mbox);
	addr_free(mb);
}

void
inputs_derive(const struct inputs_req *q, const struct lookup_answer *ka,
    const struct lookup_answer *pa, struct decision *d)
{
	struct decision_key kk[LOOKUP_MAX_KEY_RECORDS];
	struct decision_answer kd, pd;
	struct decision_facts f;

	memset(&f, 0, sizeof(f));
	f.sender = q->sender;
	f.rp = q->rp;
	f.key = decision_answer_of(ka, decision_wants_fp(q->rp, q->sig), kk,
	    &kd);
	f.policy = decision_answer_of(pa, 0, NULL, &pd);
	f.sig = q->sig;
	f.sig_fp = q->key;
	decision_derive(&f, d);
}
