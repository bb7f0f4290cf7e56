/*
 * server_req.c: one request of senderkeyd, from a parsed line or
 * attribute block to its answer.  A request takes the recipient policy
 * (the store's snapshot, or DefaultMode without a store), waits on at
 * most two cache lookups (key record, domain policy record), each with
 * the DNSTimeout deadline, then decides with verdict.c, answers, and
 * logs one key=value line.  Not here: connections, listeners and STATS
 * (server.c), DNS (lookup.c, cache.c), rule precedence (store.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/b64.h"
#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/rcpt.h"
#include "core/decision.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/store.h"
#include "core/verdict.h"
#include "cache.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "proto_policy.h"
#include "server.h"
#include "server_int.h"

static void	req_step(struct req *r);

/* --- deciding --- */

/*
 * recipient_policy: the mode, list and pins for R's sender and RCPT (in
 * FORM), decided as the mailbox RCPT is delivered to (verdicts.md 4.2):
 * from the store's snapshot when there is a store, else DefaultMode and
 * no entries.  The result is a copy: a reload does not change it.
 */
static void
recipient_policy(struct req *r, const char *rcpt, enum addr_form form)
{
	const struct server *s = r->sc->s;
	char dom[256];		/* rcpt_mailbox: 254 are enough */
	struct addr *mb;
	enum addr_err e;

	if (s->store != NULL) {
		mb = rcpt_mailbox(rcpt, form, s->cfg->recipient_delimiter, dom,
		    sizeof(dom), &e);
		store_eval(s->store, r->vs == VS_OK ? r->sender : NULL, mb,
		    dom, &r->rp);
		addr_free(mb);
		return;
	}
	memset(&r->rp, 0, sizeof(r->rp));
	r->rp.mode = s->cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY :
	    VM_ALLOW;
	r->rp.list = VL_NONE;
}

/*
 * derive: the verdict inputs of R (decision.c) from what is known now:
 * the key answer KA and the policy answer PA (either may be NULL).
 */
static void
derive(const struct req *r, const struct lookup_answer *ka,
    const struct lookup_answer *pa, struct decision *d)
{
	struct decision_key kk[LOOKUP_MAX_KEY_RECORDS];
	struct decision_answer kd, pd;
	struct decision_facts f;

	memset(&f, 0, sizeof(f));
	f.sender = r->vs;
	f.rp = &r->rp;
	f.key = decision_answer_of(ka, decision_wants_fp(&r->rp, r->sig), kk,
	    &kd);
	f.policy = decision_answer_of(pa, 0, NULL, &pd);
	f.sig = r->sig;
	f.sig_fp = r->have_key ? r->key : NULL;
	decision_derive(&f, d);
}

/*
 * class_id: verdict_class's id for IN (sig ignored) into ID, remembered
 * in S: the class is a pure function of the other seven inputs, and a
 * daemon sees few combinations.  Returns 0, or -1 as verdict_class.
 */
static int
class_id(struct server *s, const struct verdict_input *in,
    char id[VERDICT_CLASS_IDSIZE])
{
	struct class_memo *m;
	uint64_t key;

	/* each input is a small enum: one octet each, plus a marker */
	key = (uint64_t)1 << 56 |
	    (uint64_t)(in->sender & 0xff) << 48 |
	    (uint64_t)(in->mode & 0xff) << 40 |
	    (uint64_t)(in->list & 0xff) << 32 |
	    (uint64_t)(in->pin & 0xff) << 24 |
	    (uint64_t)(in->lookup & 0xff) << 16 |
	    (uint64_t)(in->key & 0xff) << 8 |
	    (uint64_t)(in->policy & 0xff);
	m = &s->memo[(key ^ key >> 7 ^ key >> 17 ^ key >> 31) &
	    (SERVER_CLASS_MEMO - 1)];
	if (m->key == key) {
		memcpy(id, m->id, VERDICT_CLASS_IDSIZE);
		return 0;
	}
	if (verdict_class(in, NULL, 0, id) == -1)
		return -1;
	m->key = key;
	memcpy(m->id, id, VERDICT_CLASS_IDSIZE);
	return 0;
}

/* A decision's log line, built with copies instead of printf. */
struct lline {
	char	buf[2048];
	size_t	len;
};

static void
ll_put(struct lline *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->len)
		n = sizeof(l->buf) - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* LL_KV: " KEY=VALUE"; KEY is a literal (its length known), and the
 * first field of a line goes without the space. */
#define LL_KV(l, key, value)	ll_kv((l), " " key "=", sizeof(key) + 1, \
				    (value))

static void
ll_kv(struct lline *l, const char *key, size_t keylen, const char *value)
{
	if (l->len == 0) {
		key++;
		keylen--;
	}
	ll_put(l, key, keylen);
	ll_put(l, value, strlen(value));
}

static void
ll_kv_u64(struct lline *l, const char *key, size_t keylen, uint64_t v)
{
	char d[24], *p = d + sizeof(d);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	ll_kv(l, key, keylen, p);
}

#define LL_KV_U64(l, key, v)	ll_kv_u64((l), " " key "=", \
				    sizeof(key) + 1, (v))

static void
decide(struct req *r)
{
	struct sconn *sc = r->sc;
	struct server *s = sc->s;
	const struct config *cfg = s->cfg;
	const struct lookup_answer *ka, *pa;
	const struct proto_policy_request *prq;
	struct decision d;
	struct verdict_output v;
	struct proto_policy_actions acts;
	char cls[VERDICT_CLASS_IDSIZE], buf[PROTO_POLICY_REPLY_MAX + 256];
	char why[512];
	struct lline ll;
	int n;

	ka = r->kr != NULL ? cache_result_answer(r->kr) : NULL;
	pa = r->pr != NULL ? cache_result_answer(r->pr) : NULL;
	derive(r, ka, pa, &d);
	verdict_decide(&d.in, &v);
	if (class_id(s, &d.cls, cls) == -1)
		cls[0] = '\0';
	s->st.verdicts[v.verdict]++;
	if (v.used_lookup && ka != NULL)
		s->st.states[ka->state]++;
	/* one key=value line, the fields and order of specs/protocol.md */
	ll.len = 0;
	LL_KV_U64(&ll, "conn", conn_id(sc->c));
	LL_KV(&ll, "queue_id", r->qid_s);
	LL_KV(&ll, "sender", r->sender_s);
	LL_KV(&ll, "recipient", r->rcpt_s);
	LL_KV(&ll, "verdict", verdict_name(v.verdict));
	LL_KV(&ll, "reason", verdict_reason_name(v.reason));
	LL_KV(&ll, "tag", verdict_tag_name(v.tag));
	LL_KV(&ll, "dnssec", v.used_lookup && ka != NULL ?
	    lookup_state_name(ka->state) : "-");
	LL_KV(&ll, "policy", pa != NULL ? verdict_policy_name(d.in.policy) :
	    "-");
	LL_KV(&ll, "why_bogus", log_value(ka != NULL &&
	    ka->state == LOOKUP_BOGUS ? ka->reason : NULL, why, sizeof(why)));
	LL_KV(&ll, "class", cls[0] != '\0' ? cls : "-");
	LL_KV_U64(&ll, "ms", loop_now(s->loop) - r->t0);
	LL_KV(&ll, "mode", verdict_mode_name(d.in.mode));
	LL_KV(&ll, "list", verdict_list_name(d.in.list));
	LL_KV(&ll, "pin", verdict_pin_name(d.in.pin));
	log_line(s->log, LOG_INFO, ll.buf, ll.len);
	if (r->kind == REQ_AUTHZ) {
		n = proto_line_verdict(buf, sizeof(buf), &v,
		    v.used_lookup && ka != NULL ?
		    lookup_state_name(ka->state) : NULL,
		    pa != NULL && v.used_lookup ?
		    verdict_policy_name(d.in.policy) : NULL, cls);
		server_reply(sc, buf, n, 0);
		return;
	}
	memset(&acts, 0, sizeof(acts));
	acts.tempfail = cfg->action_tempfail;
	acts.unauthorized = cfg->action_unauthorized;
	acts.untrusted = cfg->action_untrusted;
	acts.authorized = cfg->action_authorized;
	acts.untrusted_deny = cfg->action_untrusted_deny;
	acts.authorized_deny = cfg->action_authorized_deny;
	prq = proto_policy_request(sc->pp);
	n = proto_policy_respond(&sc->txn, &acts, prq, d.in.mode, &v, cls,
	    cfg->mode == CONFIG_MONITOR, buf, sizeof(buf));
	proto_policy_reset(sc->pp);
	server_reply(sc, buf, n, 0);
}

/* --- LOOKUP replies --- */

struct keyline {
	char	fp[KEY_FP_SIZE];
	char	*text;
};

static int
keyline_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyline *)a)->fp,
	    ((const struct keyline *)b)->fp);
}

static void
answer_lookup(struct req *r)
{
	struct server *s = r->sc->s;
	const struct lookup_answer *ka = cache_result_answer(r->kr);
	const struct lookup_answer *pa = cache_result_answer(r->pr);
	const struct keyrec_fields *kf;
	struct decision_answer pd;
	struct proto_line_lookup l;
	struct keyline kl[LOOKUP_MAX_KEY_RECORDS];
	char *buf = NULL, *p64, item[256], fp[KEY_FP_SIZE];
	size_t i, nk = 0;
	EVP_PKEY *pk;
	int n = -1;

	s->st.states[ka->state]++;
	for (i = 0; i < ka->nkeys && nk < LOOKUP_MAX_KEY_RECORDS; i++) {
		kf = keyrec_get(ka->keys[i]);
		pk = key_from_record_bytes((int)kf->alg, kf->key, kf->keylen);
		if (pk == NULL || key_fingerprint(pk, fp, sizeof(fp)) == -1 ||
		    (p64 = b64_encode(kf->key, kf->keylen)) == NULL) {
			EVP_PKEY_free(pk);
			goto done;
		}
		EVP_PKEY_free(pk);
		memcpy(kl[nk].fp, fp, sizeof(fp));
		snprintf(item, sizeof(item), "%s,%s,%s,",
		    keyrec_alg_name(kf->alg), fp,
		    kf->testing ? "t" : "-");
		if ((kl[nk].text = malloc(strlen(item) + strlen(p64) + 1)) ==
		    NULL) {
			free(p64);
			goto done;
		}
		strcpy(kl[nk].text, item);
		strcat(kl[nk].text, p64);
		free(p64);
		nk++;
	}
	qsort(kl, nk, sizeof(kl[0]), keyline_cmp);
	if ((buf = malloc(PROTO_LINE_REPLY_MAX)) == NULL)
		goto done;
	/* the reply through the protocol's codec (proto_line.h) */
	memset(&l, 0, sizeof(l));
	l.state = ka->state;
	if (ka->state == LOOKUP_SECURE_NOKEY)
		l.nokey = ka->nokey != LOOKUP_NOKEY_NONE ? ka->nokey :
		    LOOKUP_NOKEY_ABSENT;
	l.owner = r->keyname;
	l.policy = decision_policy(decision_answer_of(pa, 0, NULL, &pd));
	for (i = 0; i < nk; i++)
		l.keys[l.nkeys++] = kl[i].text;
	l.malformed = ka->nbad;
	if (ka->state == LOOKUP_BOGUS || ka->state == LOOKUP_TEMPFAIL ||
	    ka->state == LOOKUP_PERMERROR) {
		l.why = ka->reason != NULL ? ka->reason : "";
		l.whylen = strlen(l.why);
	}
	l.ttl = cache_result_ttl(s->cache, r->kr);
	n = proto_line_lookup_encode(buf, PROTO_LINE_REPLY_MAX, &l);
done:
	for (i = 0; i < nk; i++)
		free(kl[i].text);
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

/* req_step: answer when enough is known. */
static void
req_step(struct req *r)
{
	struct decision d;

	if (!r->kdone)
		return;
	if ((r->kdone && r->kr == NULL) || (r->pdone && r->pr == NULL &&
	    r->kind == REQ_LOOKUP))
		goto internal;
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
	return;
internal:
	if (r->kind == REQ_POLICY) {
		char buf[PROTO_POLICY_REPLY_MAX];
		int n = proto_policy_reply(PROTO_POLICY_INTERNAL, buf,
		    sizeof(buf));

		proto_policy_reset(r->sc->pp);
		server_reply(r->sc, buf, n, 0);
	} else if (r->kind == REQ_AUTHZ) {
		struct verdict_output v = { VERDICT_TEMPFAIL, VR_INTERNAL,
		    VT_NONE, 0, 0, 0 };
		char buf[256];

		server_reply(r->sc, buf, proto_line_verdict(buf, sizeof(buf), &v,
		    NULL, NULL, NULL), 0);
	} else
		server_reply_line_error(r->sc, PLE_INTERNAL);
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

static int
start_get(struct req *r, const char *name, enum lookup_kind kind)
{
	struct server *s = r->sc->s;
	struct cache_result *hit = NULL;
	struct cache_waiter *w = NULL;

	if (cache_get(s->cache, name, kind, s->cfg->dns_timeout_ms,
	    kind == LOOKUP_KEY ? on_key : on_policy, r, &hit, &w) == -1)
		return -1;
	if (kind == LOOKUP_KEY) {
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
 * run: SENDER (NULL or "" for the null sender) to RECIPIENT, both in
 * FORM: decide at once when no DNS is needed, else start the lookups.
 */
static void
run(struct req *r, const char *sender, int sender_null, const char *rcpt,
    enum addr_form form)
{
	struct server *s = r->sc->s;
	struct decision d;
	enum addr_err e;

	log_value(sender, r->sender_s, sizeof(r->sender_s));
	log_value(rcpt, r->rcpt_s, sizeof(r->rcpt_s));
	if (sender_null || sender == NULL || *sender == '\0')
		r->vs = VS_NULL;
	else if ((r->sender = addr_parse_form(sender, form, &e, NULL)) ==
	    NULL)
		r->vs = VS_INVALID;
	else
		r->vs = VS_OK;
	recipient_policy(r, rcpt, form);
	derive(r, NULL, NULL, &d);
	if (verdict_without_dns(&d.in)) {
		r->kdone = r->pdone = 1;
		decide(r);
		return;
	}
	if (owner_name_ctx(s->mdctx, s->sha256, r->sender, OWNER_SENDERKEY,
	    r->keyname, sizeof(r->keyname)) == -1 ||
	    owner_policy_name(addr_domain(r->sender), r->polname,
	    sizeof(r->polname)) == -1)
		goto fail;
	if (start_get(r, r->keyname, LOOKUP_KEY) == -1 ||
	    start_get(r, r->polname, LOOKUP_POLICY) == -1)
		goto fail;
	req_step(r);
	return;
fail:
	r->kdone = 1;
	cache_result_release(r->kr);
	r->kr = NULL;
	req_step(r);
}

void
server_do_line(struct sconn *sc, const char *line, size_t len)
{
	struct server *s = sc->s;
	enum proto_line_err e = PLE_OK;
	struct req *r;
	enum addr_err ae;
	char buf[256];
	int n;

	if (proto_line_parse(line, len, &sc->rq, &e) == -1) {
		server_reply_line_error(sc, e);
		return;
	}
	switch (sc->rq.cmd) {
	case PLC_PING:
		s->st.ping++;
		n = proto_line_pong(buf, sizeof(buf), SENDERKEY_VERSION);
		server_reply(sc, buf, n, 0);
		return;
	case PLC_STATS:
		s->st.stats++;
		server_stats_reply(s, sc);
		return;
	case PLC_AUTHZ:
		s->st.authz++;
		if ((r = req_new(sc, REQ_AUTHZ)) == NULL)
			goto internal;
		r->sig = sc->rq.sig;
		r->have_key = sc->rq.have_key;
		memcpy(r->key, sc->rq.key, sizeof(r->key));
		if (sc->rq.queue_id != NULL)
			log_value(sc->rq.queue_id, r->qid_s,
			    sizeof(r->qid_s));
		run(r, sc->rq.sender, sc->rq.sender_null, sc->rq.recipient,
		    ADDR_FORM_SMTP);
		return;
	case PLC_LOOKUP:
		s->st.lookup++;
		if ((r = req_new(sc, REQ_LOOKUP)) == NULL)
			goto internal;
		if ((r->sender = addr_parse(sc->rq.address, &ae, NULL)) ==
		    NULL) {
			server_reply_line_error(sc, PLE_BAD_ADDRESS);
			return;
		}
		if (owner_name_ctx(s->mdctx, s->sha256, r->sender,
		    OWNER_SENDERKEY, r->keyname, sizeof(r->keyname)) == -1 ||
		    owner_policy_name(addr_domain(r->sender), r->polname,
		    sizeof(r->polname)) == -1 ||
		    start_get(r, r->keyname, LOOKUP_KEY) == -1 ||
		    start_get(r, r->polname, LOOKUP_POLICY) == -1) {
			server_reply_line_error(sc, PLE_INTERNAL);
			return;
		}
		req_step(r);
		return;
	}
internal:
	server_reply_line_error(sc, PLE_INTERNAL);
}

void
server_do_policy(struct sconn *sc, const char *block, size_t len)
{
	const struct proto_policy_request *prq;
	enum proto_policy_status st;
	enum proto_policy_err e = PPE_OK;
	struct req *r;
	char buf[PROTO_POLICY_REPLY_MAX];
	int n;

	st = proto_policy_parse(sc->pp, block, len, &e);
	if (st != PPS_DONE) {
		server_reply_policy_malformed(sc);
		return;
	}
	sc->s->st.policy++;
	prq = proto_policy_request(sc->pp);
	if (prq->state != PPST_RCPT) {
		n = proto_policy_respond(&sc->txn, NULL, prq, VM_ALLOW, NULL,
		    NULL, sc->s->cfg->mode == CONFIG_MONITOR, buf,
		    sizeof(buf));
		proto_policy_reset(sc->pp);
		server_reply(sc, buf, n, 0);
		return;
	}
	if ((r = req_new(sc, REQ_POLICY)) == NULL) {
		n = proto_policy_reply(PROTO_POLICY_INTERNAL, buf,
		    sizeof(buf));
		proto_policy_reset(sc->pp);
		server_reply(sc, buf, n, 0);
		return;
	}
	r->sig = VSIG_UNKNOWN;
	if (prq->queue_id != NULL && *prq->queue_id != '\0')
		log_value(prq->queue_id, r->qid_s, sizeof(r->qid_s));
	run(r, prq->sender, 0, prq->recipient, ADDR_FORM_INTERNAL);
}
