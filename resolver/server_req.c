/*
 * server_req.c: the lifetime of one senderkeyd request (server_req.h).
 * A request starts with its sender parsed once and its recipient policy
 * read once (inputs.c), then either decides at once (verdicts.md rules
 * 1-5 need no DNS) or asks the cache for the key record and the domain
 * policy record, each answer calling req_step, which decides as soon as
 * enough is known: the policy answer is waited for only when the
 * verdict or the class depends on it.  The decision is answered
 * (reply.c), logged (logline.c) and counted; server_reply (server.c)
 * ends the request.  Not here: parsing and dispatch (dispatch.c),
 * connections, listeners and STATS (server.c), DNS (lookup.c, cache.c),
 * rule precedence (store.c, decision.c, verdict.c).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/owner.h"
#include "core/decision.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/refusal.h"
#include "core/verdict.h"
#include "addrmemo.h"
#include "cache.h"
#include "classmemo.h"
#include "conn.h"
#include "inputs.h"
#include "journal.h"
#include "log.h"
#include "logline.h"
#include "loop.h"
#include "proto_policy.h"
#include "reply.h"
#include "server.h"
#include "server_int.h"
#include "server_req.h"

static void	req_step(struct req *r);

/* derive: R's verdict inputs with the answers KA and PA (NULL: none). */
static void
derive(const struct req *r, const struct lookup_answer *ka,
    const struct lookup_answer *pa, struct decision *d)
{
	struct inputs_req q;

	q.sender = r->vs;
	q.rp = &r->rp;
	q.sig = r->sig;
	q.key = r->have_key ? r->key : NULL;
	inputs_derive(&q, ka, pa, d);
}

/* decide: the verdict of R with the answers it has; answer and log. */
static void
decide(struct req *r)
{
	struct sconn *sc = r->sc;
	struct server *s = sc->s;
	const struct lookup_answer *ka, *pa;
	struct logline_decision ld;
	struct decision d;
	struct verdict_output v;
	struct trustfield tf;
	char cls[VERDICT_CLASS_IDSIZE], buf[PROTO_POLICY_REPLY_MAX + 256];
	char line[LOGLINE_MAX];
	int n;

	ka = r->kr != NULL ? cache_result_answer(r->kr) : NULL;
	pa = r->pr != NULL ? cache_result_answer(r->pr) : NULL;
	derive(r, ka, pa, &d);
	verdict_decide(&d.in, &v);
	if (classmemo_id(s->memo, &d.cls, cls) == -1)
		cls[0] = '\0';
	s->st.verdicts[v.verdict]++;
	if (v.used_lookup && ka != NULL)
		s->st.states[ka->state]++;
	memset(&ld, 0, sizeof(ld));
	ld.conn = conn_id(sc->c);
	ld.queue_id = r->qid_s;
	ld.sender = r->sender_s;
	ld.recipient = r->rcpt_s;
	ld.v = &v;
	ld.in = &d.in;
	ld.ka = ka;
	ld.has_policy = pa != NULL;
	ld.class_id = cls;
	ld.ms = loop_now(s->loop) - r->t0;
	if (s->journal != NULL && r->sender != NULL && r->mbox[0] != '\0')
		journal_note(s->journal, r->mbox, addr_canon(r->sender),
		    r->sig, &v, r->have_key ? r->key : NULL);
	log_line(s->log, LOG_INFO, line, logline_decision(line, sizeof(line),
	    &ld));
	/* the field names the decision's sender, and the key only when it
	   verified a sig=pass under a secure lookup (verdicts.md 7.1) */
	trustfield_set(&tf, v.tag, v.reason, r->sender != NULL ?
	    addr_canon(r->sender) : NULL, v.verdict == VERDICT_AUTHORIZED &&
	    r->sig == VSIG_PASS && r->have_key ? r->key : NULL);
	if (r->kind == REQ_AUTHZ) {
		n = reply_authz(buf, sizeof(buf), &v, &tf, ka, pa != NULL,
		    d.in.policy, cls, d.in.mode, r->rcpt_text);
		server_reply(sc, buf, n, 0);
		return;
	}
	n = reply_policy(&sc->txn, s->cfg, proto_policy_request(sc->pp),
	    d.in.mode, &v, &tf, cls, buf, sizeof(buf));
	proto_policy_reset(sc->pp);
	server_reply(sc, buf, n, 0);
}

/*
 * answer_lookup: the LOOKUP reply of R, whose two answers are in, or the
 * DKIMKEY reply (its one answer).
 */
static void
answer_lookup(struct req *r)
{
	struct server *s = r->sc->s;
	const struct lookup_answer *ka = cache_result_answer(r->kr);
	char *buf;
	int n = -1;

	s->st.states[ka->state]++;
	if ((buf = malloc(PROTO_LINE_REPLY_MAX)) == NULL)
		n = -1;
	else if (r->kind == REQ_DKIMKEY)
		n = reply_dkimkey(buf, PROTO_LINE_REPLY_MAX, ka, r->keyname,
		    cache_result_ttl(s->cache, r->kr));
	else
		n = reply_lookup(buf, PROTO_LINE_REPLY_MAX, ka,
		    cache_result_answer(r->pr), r->keyname,
		    cache_result_ttl(s->cache, r->kr));
	if (n < 0) {
		free(buf);
		server_reply_line_error(r->sc, PLE_INTERNAL);
		return;
	}
	server_reply(r->sc, buf, n, 0);
	free(buf);
}

/* --- lookups --- */

static void
on_key(void *arg, struct cache_result *res)
{
	struct req *r = arg;

	r->kw = NULL;
	r->kr = res;
	r->kdone = 1;
	req_step(r);
}

static void
on_policy(void *arg, struct cache_result *res)
{
	struct req *r = arg;

	r->pw = NULL;
	r->pr = res;
	r->pdone = 1;
	req_step(r);
}

/* answer_internal: R cannot be decided (out of memory): say so. */
static void
answer_internal(struct req *r)
{
	char buf[PROTO_POLICY_REPLY_MAX];

	if (r->kind == REQ_POLICY) {
		int n = reply_policy_internal(buf, sizeof(buf));

		proto_policy_reset(r->sc->pp);
		server_reply(r->sc, buf, n, 0);
	} else if (r->kind == REQ_AUTHZ)
		server_reply(r->sc, buf, reply_authz_internal(buf,
		    sizeof(buf)), 0);
	else
		server_reply_line_error(r->sc, PLE_INTERNAL);
}

/* req_step: answer when enough is known. */
static void
req_step(struct req *r)
{
	struct decision d;

	if (!r->kdone)
		return;
	if ((r->kdone && r->kr == NULL) || (r->pdone && r->pr == NULL &&
	    r->kind == REQ_LOOKUP)) {
		answer_internal(r);
		return;
	}
	if (r->kind == REQ_DKIMKEY) {
		answer_lookup(r);
		return;
	}
	if (r->kind != REQ_LOOKUP && (!r->pdone || r->pr != NULL)) {
		/*
		 * The policy matters only for rules 17 and 23-25 and the
		 * class.  When it does not, the decision is made without it,
		 * and reported as policy=- whether or not its answer came
		 * first: the reply does not depend on the order the two
		 * answers arrive in.
		 */
		derive(r, cache_result_answer(r->kr), NULL, &d);
		if (verdict_needs_policy(&d.cls)) {
			if (!r->pdone)
				return;
		} else {
			cache_waiter_cancel(r->pw);
			r->pw = NULL;
			cache_result_release(r->pr);
			r->pr = NULL;
			r->pdone = 1;
		}
	}
	if (!r->pdone)
		return;
	if (r->kind == REQ_LOOKUP)
		answer_lookup(r);
	else
		decide(r);
}

static int
start_get(struct req *r, const char *name, enum lookup_kind kind)
{
	struct server *s = r->sc->s;
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;

	if (cache_get(s->cache, name, kind, s->cfg->dns_timeout_ms,
	    kind != LOOKUP_POLICY ? on_key : on_policy, r, &hit, &w) == -1)
		return -1;
	if (kind != LOOKUP_POLICY) {	/* the key slot: SK1 or DKIM */
		r->kr = hit;
		r->kw = w;
		r->kdone = hit != NULL;
	} else {
		r->pr = hit;
		r->pw = w;
		r->pdone = hit != NULL;
	}
	return 0;
}

/*
 * start_lookups: the owner names of R's sender (parsed) and the two
 * lookups.  Returns 0, or -1 (nothing to wait for; R->kr may hold a
 * result to release).
 */
static int
start_lookups(struct req *r)
{
	struct server *s = r->sc->s;

	if ((!r->named && (owner_name_ctx(s->mdctx, s->sha256, r->sender,
	    OWNER_SENDERKEY, r->keyname, sizeof(r->keyname)) == -1 ||
	    owner_policy_name(addr_domain(r->sender), r->polname,
	    sizeof(r->polname)) == -1)) ||
	    start_get(r, r->keyname, LOOKUP_KEY) == -1 ||
	    start_get(r, r->polname, LOOKUP_POLICY) == -1)
		return -1;
	return 0;
}

void
server_req_free(struct req *r)
{
	struct server *s;

	if (r == NULL)
		return;
	cache_waiter_cancel(r->kw);
	cache_waiter_cancel(r->pw);
	cache_result_release(r->kr);
	cache_result_release(r->pr);
	addr_free(r->sender);
	s = r->sc->s;
	if (s->nfree_reqs < SERVER_REQ_POOL) {
		r->next_free = s->free_reqs;
		s->free_reqs = r;
		s->nfree_reqs++;
	} else
		free(r);
}

static struct req *
req_new(struct sconn *sc, enum req_kind kind)
{
	struct server *s = sc->s;
	struct req *r;

	if ((r = s->free_reqs) != NULL) {
		s->free_reqs = r->next_free;
		s->nfree_reqs--;
	} else if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	memset(r, 0, offsetof(struct req, key));
	r->keyname[0] = r->polname[0] = '\0';
	r->sender_s[0] = r->rcpt_s[0] = '\0';
	r->sc = sc;
	r->kind = kind;
	r->t0 = loop_now(sc->s->loop);
	clock_gettime(CLOCK_MONOTONIC, &r->ts0);
	r->qid_s[0] = '-';	/* no queue id: "-", as log_value says */
	r->qid_s[1] = '\0';
	sc->req = r;
	return r;
}

/*
 * addressed: what R gets from IN's raw sender and recipient alone (the
 * sender parsed and its owner names, the recipient's mailbox and its
 * rules, the log and refusal texts), through the server's memo of them
 * (addrmemo.h).  The sender's results are copied before the recipient is
 * asked for: the memo's answers last until its next call.  Returns 0, or
 * -1 when out of memory.
 */
static int
addressed(struct req *r, const struct server_req_in *in)
{
	struct server *s = r->sc->s;
	struct addrmemo_sender ms;
	struct addrmemo_rcpt mr;

	if (in->sender_null || in->sender == NULL || *in->sender == '\0') {
		log_value(in->sender, r->sender_s, sizeof(r->sender_s));
		r->vs = inputs_sender(in->sender, in->sender_null, in->form,
		    &r->sender);
	} else {
		if (addrmemo_sender(s->amemo, in->sender, in->form, s->mdctx,
		    s->sha256, &ms) == -1 || (ms.addr != NULL &&
		    (r->sender = addr_dup(ms.addr)) == NULL))
			return -1;
		r->vs = ms.vs;
		/* both under OWNER_NAME_MAX, as owner_name_ctx wrote them */
		if (ms.vs == VS_OK && ms.names == 0) {
			strcpy(r->keyname, ms.keyname);
			strcpy(r->polname, ms.polname);
			r->named = 1;
		}
		strcpy(r->sender_s, ms.log);	/* log_value's, 64 octets */
	}
	if (s->store == NULL) {
		log_value(in->recipient, r->rcpt_s, sizeof(r->rcpt_s));
		r->rcpt_text[0] = '\0';
		if (refusal_recipient(in->recipient))
			strcpy(r->rcpt_text, in->recipient);
		inputs_recipient_mb(NULL, s->uentry, s->cfg, r->sender, NULL,
		    "", &r->rp, r->mbox);
		return 0;
	}
	if (addrmemo_rcpt(s->amemo, in->recipient, in->form,
	    s->cfg->recipient_delimiter, &mr) == -1)
		return -1;
	strcpy(r->rcpt_s, mr.log);
	r->rcpt_text[0] = '\0';
	if (mr.refusal)		/* at most REFUSAL_RCPT_MAX octets */
		strcpy(r->rcpt_text, in->recipient);
	inputs_recipient_mb(s->store, s->uentry, s->cfg, r->sender, mr.mb,
	    mr.dom, &r->rp, s->journal != NULL ? r->mbox : NULL);
	return 0;
}

/*
 * run: decide IN (a request of KIND) at once when no DNS is needed, else
 * start the lookups.  Returns 0, or -1 when it cannot be decided: out of
 * memory, or no rules read yet (PolicyStoreUnreachable tempfail), where
 * every rule is unknown.
 */
static int
run(struct sconn *sc, enum req_kind kind, const struct server_req_in *in)
{
	struct server *s = sc->s;
	struct decision d;
	struct req *r;

	if (s->store != NULL && store_is_unread(s->store)) {
		s->st.unread++;
		return -1;
	}
	if ((r = req_new(sc, kind)) == NULL)
		return -1;
	r->sig = in->sig;
	if ((r->have_key = in->key != NULL))
		memcpy(r->key, in->key, sizeof(r->key));
	if (in->queue_id != NULL)
		log_value(in->queue_id, r->qid_s, sizeof(r->qid_s));
	if (addressed(r, in) == -1) {
		server_req_free(r);
		sc->req = NULL;
		return -1;
	}
	if (s->journal == NULL)
		r->mbox[0] = '\0';
	derive(r, NULL, NULL, &d);
	if (verdict_without_dns(&d.in)) {
		r->kdone = r->pdone = 1;
		decide(r);
		return 0;
	}
	if (start_lookups(r) == -1) {
		r->kdone = 1;
		cache_result_release(r->kr);
		r->kr = NULL;
	}
	req_step(r);
	return 0;
}

int
server_req_authz(struct sconn *sc, const struct server_req_in *in)
{
	return run(sc, REQ_AUTHZ, in);
}

int
server_req_policy(struct sconn *sc, const struct server_req_in *in)
{
	return run(sc, REQ_POLICY, in);
}

int
server_req_lookup(struct sconn *sc, struct addr *address)
{
	struct req *r;

	if ((r = req_new(sc, REQ_LOOKUP)) == NULL) {
		addr_free(address);
		return -1;
	}
	r->sender = address;
	if (start_lookups(r) == -1) {
		server_reply_line_error(sc, PLE_INTERNAL);
		return 0;
	}
	req_step(r);
	return 0;
}

int
server_req_dkimkey(struct sconn *sc, struct addr *address)
{
	struct server *s = sc->s;
	struct req *r;

	if ((r = req_new(sc, REQ_DKIMKEY)) == NULL) {
		addr_free(address);
		return -1;
	}
	r->sender = address;
	r->pdone = 1;		/* no policy lookup */
	if (owner_name_ctx(s->mdctx, s->sha256, address, OWNER_DKIM,
	    r->keyname, sizeof(r->keyname)) == -1 ||
	    start_get(r, r->keyname, LOOKUP_DKIM) == -1) {
		server_reply_line_error(sc, PLE_INTERNAL);
		return 0;
	}
	req_step(r);
	return 0;
}
