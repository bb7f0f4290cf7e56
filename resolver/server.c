/*
 * server.c: from a framed request to a reply.  Each connection (struct
 * sconn) holds at most one request (struct req) at a time; a request
 * waits on at most two cache lookups (key record, domain policy record),
 * each with the DNSTimeout deadline, then decides and answers.  A
 * connection that goes away cancels its request's waiters; the lookups
 * themselves go on and fill the cache.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "addr.h"
#include "b64.h"
#include "cache.h"
#include "config.h"
#include "conn.h"
#include "key.h"
#include "keyrec.h"
#include "log.h"
#include "lookup.h"
#include "loop.h"
#include "owner.h"
#include "proto_line.h"
#include "proto_policy.h"
#include "server.h"
#include "verdict.h"

#define MAX_LISTENERS	8
#define LAT_BUCKETS	40	/* latency histogram: 2^i microseconds */

struct listener {
	struct server		*s;
	int			 fd;
	enum server_proto	 proto;
	struct loop_timer	*pause;	/* out of descriptors: wait a bit */
};

struct stats {
	uint64_t	requests, authz, lookup, policy, ping, stats, errors;
	uint64_t	verdicts[VERDICT_COUNT];
	uint64_t	states[6];
	uint64_t	conns_total, conns_refused;
	uint64_t	lat[LAT_BUCKETS];
};

struct server {
	struct loop		*loop;
	struct lookup		*lk;
	struct cache		*cache;
	struct log		*log;
	const struct config	*cfg;
	struct listener		 ls[MAX_LISTENERS];
	size_t			 nls;
	struct sconn		*conns;		/* list of open connections */
	size_t			 nconns;
	uint64_t		 next_id;
	uint64_t		 started;	/* loop ms */
	struct stats		 st;
	int			 watch_lk;
};

struct req;

struct sconn {
	struct server		*s;
	struct conn		*c;
	enum server_proto	 proto;
	struct sconn		*prev, *next;
	struct req		*req;
	struct proto_line_request rq;
	struct proto_policy_parser *pp;
	struct proto_policy_txn	 txn;
};

enum req_kind { REQ_AUTHZ, REQ_LOOKUP, REQ_POLICY };

struct req {
	struct sconn		*sc;
	enum req_kind		 kind;
	struct addr		*sender;	/* NULL: null or invalid */
	enum verdict_sender	 vs;
	enum verdict_sig	 sig;
	int			 have_key;
	unsigned char		 key[KEY_SHA256_LEN];
	char			 keyname[OWNER_NAME_MAX];
	char			 polname[OWNER_NAME_MAX];
	struct cache_result	*kr, *pr;
	struct cache_waiter	*kw, *pw;
	int			 kdone, pdone;
	uint64_t		 t0;		/* loop ms */
	struct timespec		 ts0;
	char			 sender_s[64], rcpt_s[64], qid_s[48];
	char			 inst_s[64];
};

static void	req_free(struct req *r);
static void	req_step(struct req *r);
static void	stats_reply(struct server *s, struct sconn *sc);

/* --- replies --- */

static void
reply(struct sconn *sc, const char *buf, int len, int close_after)
{
	struct req *r = sc->req;
	struct timespec now;
	uint64_t us;
	int b = 0;

	if (r != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		us = (uint64_t)(now.tv_sec - r->ts0.tv_sec) * 1000000 +
		    (uint64_t)((now.tv_nsec - r->ts0.tv_nsec) / 1000);
		while (b < LAT_BUCKETS - 1 && (1ULL << b) < us)
			b++;
		sc->s->st.lat[b]++;
		sc->req = NULL;
		req_free(r);
	}
	if (len < 0) {
		if (sc->proto == SERVER_LINE)
			len = proto_line_error((char *)buf, 64, PLE_INTERNAL);
		if (len < 0)
			return;
	}
	if (close_after)
		conn_reply_close(sc->c, buf, (size_t)len);
	else
		conn_reply(sc->c, buf, (size_t)len);
}

static void
reply_line_error(struct sconn *sc, enum proto_line_err e)
{
	char buf[64];
	int n = proto_line_error(buf, sizeof(buf), e);

	sc->s->st.errors++;
	reply(sc, buf, n, proto_line_err_closes(e));
}

static void
reply_policy_malformed(struct sconn *sc)
{
	char buf[PROTO_POLICY_REPLY_MAX];
	int n = proto_policy_reply(PROTO_POLICY_MALFORMED, buf, sizeof(buf));

	sc->s->st.errors++;
	reply(sc, buf, n, 1);
}

/* --- deciding --- */

static enum verdict_key
key_detail(const struct lookup_answer *a, enum verdict_sig sig,
    const unsigned char *fpr, int *found)
{
	unsigned char d[KEY_SHA256_LEN];
	const struct keyrec_fields *kf;
	EVP_PKEY *pk;
	size_t i;
	int testing = 1;

	*found = 0;
	if (a == NULL)
		return VK_NONE;
	if (a->state == LOOKUP_SECURE_NOKEY) {
		if (a->reason != NULL && strcmp(a->reason, "revoked") == 0)
			return VK_REVOKED;
		if (a->reason != NULL && strcmp(a->reason, "expired") == 0)
			return VK_EXPIRED;
		return VK_ABSENT;
	}
	if (a->state != LOOKUP_SECURE_KEY)
		return VK_NONE;
	for (i = 0; i < a->nkeys; i++) {
		kf = keyrec_get(a->keys[i]);
		if (!kf->testing)
			testing = 0;
		if (sig != VSIG_PASS || fpr == NULL)
			continue;
		pk = key_from_record_bytes((int)kf->alg, kf->key, kf->keylen);
		if (pk != NULL && key_spki_sha256(pk, d) == 0 &&
		    memcmp(d, fpr, sizeof(d)) == 0) {
			*found = 1;
			EVP_PKEY_free(pk);
			return kf->testing ? VK_TESTING : VK_OK;
		}
		EVP_PKEY_free(pk);
	}
	return testing ? VK_TESTING : VK_OK;
}

static enum verdict_policy
policy_of(const struct lookup_answer *a)
{
	if (a == NULL)
		return VPOL_SOME;
	if (a->state == LOOKUP_TEMPFAIL || a->state == LOOKUP_BOGUS)
		return VPOL_TEMPFAIL;
	if (a->state == LOOKUP_SECURE_KEY && a->policy == POLICYREC_ALL)
		return VPOL_ALL;
	return VPOL_SOME;
}

static void
decide(struct req *r)
{
	struct sconn *sc = r->sc;
	struct server *s = sc->s;
	const struct config *cfg = s->cfg;
	const struct lookup_answer *ka, *pa;
	const struct proto_policy_request *prq;
	struct verdict_input in, cin;
	struct verdict_output v;
	struct proto_policy_actions acts;
	char cls[VERDICT_CLASS_IDSIZE], buf[PROTO_POLICY_REPLY_MAX + 256];
	char why[512];
	int n, found = 0;

	ka = r->kr != NULL ? cache_result_answer(r->kr) : NULL;
	pa = r->pr != NULL ? cache_result_answer(r->pr) : NULL;
	memset(&in, 0, sizeof(in));
	in.sender = r->vs;
	in.mode = cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY : VM_ALLOW;
	in.list = VL_NONE;
	in.pin = VP_NONE;
	in.sig = r->sig;
	in.lookup = ka != NULL ? ka->state : LOOKUP_TEMPFAIL;
	in.key = key_detail(ka, r->sig, r->have_key ? r->key : NULL, &found);
	if (r->sig == VSIG_PASS && ka != NULL && !found)
		in.sig = VSIG_FAIL;	/* that key is not (any more) in DNS */
	in.policy = policy_of(pa);
	verdict_decide(&in, &v);
	cin = in;
	cin.key = key_detail(ka, VSIG_UNKNOWN, NULL, &found);
	if (verdict_class(&cin, NULL, 0, cls) == -1)
		cls[0] = '\0';
	s->st.verdicts[v.verdict]++;
	if (v.used_lookup && ka != NULL)
		s->st.states[ka->state]++;
	log_msg(s->log, LOG_INFO, "conn=%llu queue_id=%s sender=%s "
	    "recipient=%s verdict=%s reason=%s tag=%s dnssec=%s policy=%s "
	    "why_bogus=%s class=%s ms=%llu",
	    (unsigned long long)conn_id(sc->c), r->qid_s, r->sender_s,
	    r->rcpt_s, verdict_name(v.verdict), verdict_reason_name(v.reason),
	    verdict_tag_name(v.tag), v.used_lookup && ka != NULL ?
	    lookup_state_name(ka->state) : "-",
	    pa != NULL ? verdict_policy_name(in.policy) : "-",
	    log_value(ka != NULL && ka->state == LOOKUP_BOGUS ? ka->reason :
	    NULL, why, sizeof(why)), cls[0] != '\0' ? cls : "-",
	    (unsigned long long)(loop_now(s->loop) - r->t0));
	if (r->kind == REQ_AUTHZ) {
		n = proto_line_verdict(buf, sizeof(buf), &v,
		    v.used_lookup && ka != NULL ?
		    lookup_state_name(ka->state) : NULL,
		    pa != NULL && v.used_lookup ?
		    verdict_policy_name(in.policy) : NULL, cls);
		reply(sc, buf, n, 0);
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
	n = proto_policy_respond(&sc->txn, &acts, prq, in.mode, &v, cls,
	    cfg->mode == CONFIG_MONITOR, buf, sizeof(buf));
	proto_policy_reset(sc->pp);
	reply(sc, buf, n, 0);
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
	struct proto_line_out o;
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
	proto_line_out_init(&o, buf, PROTO_LINE_REPLY_MAX);
	proto_line_out_word(&o, "ok");
	proto_line_out_attr(&o, "state", lookup_state_name(ka->state));
	proto_line_out_attr(&o, "owner", r->keyname);
	proto_line_out_attr(&o, "policy", verdict_policy_name(policy_of(pa)));
	for (i = 0; i < nk; i++)
		proto_line_out_attr(&o, "key", kl[i].text);
	if (ka->nbad > 0)
		proto_line_out_attr_u64(&o, "malformed", ka->nbad);
	if (ka->state == LOOKUP_BOGUS || ka->state == LOOKUP_TEMPFAIL ||
	    ka->state == LOOKUP_PERMERROR)
		proto_line_out_attr_pct(&o, "why", ka->reason != NULL ?
		    ka->reason : "", ka->reason != NULL ? strlen(ka->reason) :
		    0);
	proto_line_out_attr_u64(&o, "ttl", cache_result_ttl(s->cache, r->kr));
	n = proto_line_out_end(&o);
done:
	for (i = 0; i < nk; i++)
		free(kl[i].text);
	if (n < 0) {
		free(buf);
		reply_line_error(r->sc, PLE_INTERNAL);
		return;
	}
	reply(r->sc, buf, n, 0);
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
	struct verdict_input in;
	const struct lookup_answer *ka;
	int found;

	if (!r->kdone)
		return;
	if ((r->kdone && r->kr == NULL) || (r->pdone && r->pr == NULL &&
	    r->kind == REQ_LOOKUP))
		goto internal;
	if (!r->pdone && r->kind != REQ_LOOKUP) {
		/* the policy matters only for rules 23-25 and the class */
		ka = cache_result_answer(r->kr);
		memset(&in, 0, sizeof(in));
		in.sender = r->vs;
		in.mode = r->sc->s->cfg->default_mode == CONFIG_MODE_DENY ?
		    VM_DENY : VM_ALLOW;
		in.lookup = ka->state;
		in.key = key_detail(ka, VSIG_UNKNOWN, NULL, &found);
		if (verdict_needs_policy(&in))
			return;
		cache_waiter_cancel(r->pw);
		r->pw = NULL;
		r->pdone = 1;
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
		reply(r->sc, buf, n, 0);
	} else if (r->kind == REQ_AUTHZ) {
		struct verdict_output v = { VERDICT_TEMPFAIL, VR_INTERNAL,
		    VT_NONE, 0, 0, 0 };
		char buf[256];

		reply(r->sc, buf, proto_line_verdict(buf, sizeof(buf), &v,
		    NULL, NULL, NULL), 0);
	} else
		reply_line_error(r->sc, PLE_INTERNAL);
}

static void
req_free(struct req *r)
{
	if (r == NULL)
		return;
	cache_waiter_cancel(r->kw);
	cache_waiter_cancel(r->pw);
	cache_result_release(r->kr);
	cache_result_release(r->pr);
	addr_free(r->sender);
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
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->sc = sc;
	r->kind = kind;
	r->t0 = loop_now(sc->s->loop);
	clock_gettime(CLOCK_MONOTONIC, &r->ts0);
	snprintf(r->qid_s, sizeof(r->qid_s), "-");
	sc->req = r;
	return r;
}

/*
 * run: SENDER (NULL or "" for the null sender) to RECIPIENT: decide at
 * once when no DNS is needed, else start the lookups.
 */
static void
run(struct req *r, const char *sender, int sender_null, const char *rcpt)
{
	struct verdict_input in;
	enum addr_err e;

	log_value(sender, r->sender_s, sizeof(r->sender_s));
	log_value(rcpt, r->rcpt_s, sizeof(r->rcpt_s));
	if (sender_null || sender == NULL || *sender == '\0')
		r->vs = VS_NULL;
	else if ((r->sender = addr_parse(sender, &e, NULL)) == NULL)
		r->vs = VS_INVALID;
	else
		r->vs = VS_OK;
	memset(&in, 0, sizeof(in));
	in.sender = r->vs;
	in.mode = r->sc->s->cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY :
	    VM_ALLOW;
	if (verdict_without_dns(&in)) {
		r->kdone = r->pdone = 1;
		decide(r);
		return;
	}
	if (owner_name(r->sender, OWNER_SENDERKEY, r->keyname,
	    sizeof(r->keyname)) == -1 ||
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

static void
do_line(struct sconn *sc, const char *line, size_t len)
{
	struct server *s = sc->s;
	enum proto_line_err e = PLE_OK;
	struct req *r;
	enum addr_err ae;
	char buf[256];
	int n;

	if (proto_line_parse(line, len, &sc->rq, &e) == -1) {
		reply_line_error(sc, e);
		return;
	}
	switch (sc->rq.cmd) {
	case PLC_PING:
		s->st.ping++;
		n = proto_line_pong(buf, sizeof(buf), SENDERKEY_VERSION);
		reply(sc, buf, n, 0);
		return;
	case PLC_STATS:
		s->st.stats++;
		stats_reply(s, sc);
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
		run(r, sc->rq.sender, sc->rq.sender_null, sc->rq.recipient);
		return;
	case PLC_LOOKUP:
		s->st.lookup++;
		if ((r = req_new(sc, REQ_LOOKUP)) == NULL)
			goto internal;
		if ((r->sender = addr_parse(sc->rq.address, &ae, NULL)) ==
		    NULL) {
			reply_line_error(sc, PLE_BAD_ADDRESS);
			return;
		}
		if (owner_name(r->sender, OWNER_SENDERKEY, r->keyname,
		    sizeof(r->keyname)) == -1 ||
		    owner_policy_name(addr_domain(r->sender), r->polname,
		    sizeof(r->polname)) == -1 ||
		    start_get(r, r->keyname, LOOKUP_KEY) == -1 ||
		    start_get(r, r->polname, LOOKUP_POLICY) == -1) {
			reply_line_error(sc, PLE_INTERNAL);
			return;
		}
		req_step(r);
		return;
	}
internal:
	reply_line_error(sc, PLE_INTERNAL);
}

static void
do_policy(struct sconn *sc, const char *block, size_t len)
{
	const struct proto_policy_request *prq;
	enum proto_policy_status st = PPS_MORE;
	enum proto_policy_err e = PPE_OK;
	const char *p = block, *nl;
	struct req *r;
	char buf[PROTO_POLICY_REPLY_MAX];
	int n;

	proto_policy_reset(sc->pp);
	while (st == PPS_MORE && p < block + len) {
		nl = memchr(p, '\n', (size_t)(block + len - p));
		if (nl == NULL)
			break;
		st = proto_policy_feed(sc->pp, p, (size_t)(nl - p) + 1, &e);
		p = nl + 1;
	}
	if (st == PPS_MORE)
		st = proto_policy_feed(sc->pp, "\n", 1, &e);
	if (st != PPS_DONE) {
		reply_policy_malformed(sc);
		return;
	}
	sc->s->st.policy++;
	prq = proto_policy_request(sc->pp);
	if (prq->state != PPST_RCPT) {
		n = proto_policy_respond(&sc->txn, NULL, prq, VM_ALLOW, NULL,
		    NULL, sc->s->cfg->mode == CONFIG_MONITOR, buf,
		    sizeof(buf));
		proto_policy_reset(sc->pp);
		reply(sc, buf, n, 0);
		return;
	}
	if ((r = req_new(sc, REQ_POLICY)) == NULL) {
		n = proto_policy_reply(PROTO_POLICY_INTERNAL, buf,
		    sizeof(buf));
		proto_policy_reset(sc->pp);
		reply(sc, buf, n, 0);
		return;
	}
	r->sig = VSIG_UNKNOWN;
	if (prq->queue_id != NULL && *prq->queue_id != '\0')
		log_value(prq->queue_id, r->qid_s, sizeof(r->qid_s));
	run(r, prq->sender, 0, prq->recipient);
}

/* --- STATS --- */

static uint64_t
quantile_us(const struct stats *st, double q)
{
	uint64_t total = 0, acc = 0, want;
	int i;

	for (i = 0; i < LAT_BUCKETS; i++)
		total += st->lat[i];
	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * q);
	if (want == 0)
		want = 1;
	for (i = 0; i < LAT_BUCKETS; i++) {
		acc += st->lat[i];
		if (acc >= want)
			return 1ULL << i;
	}
	return 1ULL << (LAT_BUCKETS - 1);
}

static void
stats_reply(struct server *s, struct sconn *sc)
{
	static const char *const vnames[VERDICT_COUNT] = { "authorized",
	    "unauthorized", "untrusted", "tempfail" };
	static const char *const snames[6] = { "secure_key", "secure_nokey",
	    "insecure", "bogus", "tempfail", "permerror" };
	struct proto_line_out o;
	struct cache_stats cs;
	char buf[4096], name[64];
	int i;

	cache_get_stats(s->cache, &cs);
	proto_line_out_init(&o, buf, sizeof(buf));
	proto_line_out_word(&o, "ok");
	proto_line_out_attr_u64(&o, "uptime",
	    (loop_now(s->loop) - s->started) / 1000);
	proto_line_out_attr_u64(&o, "requests", s->st.requests);
	proto_line_out_attr_u64(&o, "requests_authz", s->st.authz);
	proto_line_out_attr_u64(&o, "requests_lookup", s->st.lookup);
	proto_line_out_attr_u64(&o, "requests_policy", s->st.policy);
	proto_line_out_attr_u64(&o, "requests_ping", s->st.ping);
	proto_line_out_attr_u64(&o, "requests_stats", s->st.stats);
	proto_line_out_attr_u64(&o, "errors", s->st.errors);
	for (i = 0; i < VERDICT_COUNT; i++) {
		snprintf(name, sizeof(name), "verdict_%s", vnames[i]);
		proto_line_out_attr_u64(&o, name, s->st.verdicts[i]);
	}
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "dnssec_%s", snames[i]);
		proto_line_out_attr_u64(&o, name, s->st.states[i]);
	}
	proto_line_out_attr_u64(&o, "cache_hits", cs.hits);
	proto_line_out_attr_u64(&o, "cache_misses", cs.misses);
	proto_line_out_attr_u64(&o, "cache_coalesced", cs.coalesced);
	proto_line_out_attr_u64(&o, "cache_evictions", cs.evictions);
	proto_line_out_attr_u64(&o, "cache_entries", cs.entries);
	proto_line_out_attr_u64(&o, "cache_bytes", cs.bytes);
	proto_line_out_attr_u64(&o, "lookups_inflight", cs.inflight);
	proto_line_out_attr_u64(&o, "lookup_failures", cs.failures);
	proto_line_out_attr_u64(&o, "timeouts", cs.timeouts);
	proto_line_out_attr_u64(&o, "connections", s->nconns);
	proto_line_out_attr_u64(&o, "connections_total", s->st.conns_total);
	proto_line_out_attr_u64(&o, "connections_refused",
	    s->st.conns_refused);
	proto_line_out_attr_u64(&o, "latency_median_us", quantile_us(&s->st,
	    0.50));
	proto_line_out_attr_u64(&o, "latency_tail_us", quantile_us(&s->st,
	    0.99));
	proto_line_out_attr_u64(&o, "latency_max_us", quantile_us(&s->st,
	    1.0));
	reply(sc, buf, proto_line_out_end(&o), 0);
}

/* --- connections --- */

static void
on_request(void *arg, struct conn *c, const char *req, size_t len)
{
	struct sconn *sc = arg;

	(void)c;
	sc->s->st.requests++;
	if (sc->proto == SERVER_LINE)
		do_line(sc, req, len);
	else
		do_policy(sc, req, len);
}

static void
on_overlimit(void *arg, struct conn *c)
{
	struct sconn *sc = arg;

	(void)c;
	sc->s->st.requests++;
	if (sc->proto == SERVER_LINE)
		reply_line_error(sc, PLE_LINE_TOO_LONG);
	else
		reply_policy_malformed(sc);
}

static void
sconn_free(struct sconn *sc)
{
	struct server *s = sc->s;

	req_free(sc->req);
	proto_policy_parser_free(sc->pp);
	if (sc->prev != NULL)
		sc->prev->next = sc->next;
	else
		s->conns = sc->next;
	if (sc->next != NULL)
		sc->next->prev = sc->prev;
	s->nconns--;
	free(sc);
}

static void
on_closed(void *arg, struct conn *c)
{
	(void)c;
	sconn_free(arg);
}

static const struct conn_ops server_conn_ops = {
	on_request, on_overlimit, on_closed
};

static void
limits_for(const struct server *s, enum server_proto p,
    struct conn_limits *lim)
{
	conn_default_limits(p == SERVER_LINE ? CONN_LINE : CONN_BLOCK, lim);
	if (s->cfg->request_timeout_ms > 0)
		lim->request_ms = s->cfg->request_timeout_ms;
	if (s->cfg->idle_timeout_ms > 0)
		lim->idle_ms = s->cfg->idle_timeout_ms;
	if (s->cfg->write_timeout_ms > 0)
		lim->write_ms = s->cfg->write_timeout_ms;
}

static void
accept_one(struct listener *ls, int fd)
{
	struct server *s = ls->s;
	struct conn_limits lim;
	struct sconn *sc;
	pid_t pid;
	uid_t uid;
	gid_t gid;

	s->st.conns_total++;
	if (s->nconns >= s->cfg->max_connections) {
		s->st.conns_refused++;
		close(fd);
		return;
	}
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto fail;
	sc->s = s;
	sc->proto = ls->proto;
	proto_policy_txn_init(&sc->txn);
	if (ls->proto == SERVER_POLICY &&
	    (sc->pp = proto_policy_parser_new()) == NULL)
		goto fail;
	limits_for(s, ls->proto, &lim);
	if ((sc->c = conn_new(s->loop, fd, ++s->next_id, ls->proto ==
	    SERVER_LINE ? CONN_LINE : CONN_BLOCK, &lim, &server_conn_ops,
	    sc)) == NULL)
		goto fail;
	sc->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = sc;
	s->conns = sc;
	s->nconns++;
	if (conn_peercred(sc->c, &pid, &uid, &gid) == 0)
		log_msg(s->log, LOG_DEBUG, "conn=%llu socket=%s uid=%u gid=%u "
		    "pid=%ld", (unsigned long long)s->next_id,
		    ls->proto == SERVER_LINE ? "line" : "policy",
		    (unsigned)uid, (unsigned)gid, (long)pid);
	else
		log_msg(s->log, LOG_DEBUG, "conn=%llu socket=%s tcp",
		    (unsigned long long)s->next_id,
		    ls->proto == SERVER_LINE ? "line" : "policy");
	return;
fail:
	if (sc != NULL)
		proto_policy_parser_free(sc->pp);
	free(sc);
	close(fd);
}

static void
on_resume(void *arg)
{
	struct listener *ls = arg;

	loop_mod(ls->s->loop, ls->fd, LOOP_READ);
}

static void
on_listen(void *arg, int fd, unsigned events)
{
	struct listener *ls = arg;
	int cfd, i;

	(void)events;
	for (i = 0; i < 64; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_msg(ls->s->log, LOG_WARNING,
				    "accept: %s; pausing", strerror(errno));
				loop_mod(ls->s->loop, fd, 0);
				loop_timer_set(ls->pause, 100);
			}
			return;
		}
		accept_one(ls, cfd);
	}
}

static void
on_lookup_fd(void *arg, int fd, unsigned events)
{
	struct server *s = arg;

	(void)fd;
	(void)events;
	if (lookup_process(s->lk) == -1)
		log_msg(s->log, LOG_ERR, "lookup_process failed");
}

static int
be_start(void *barg, const char *qname, enum lookup_kind kind,
    lookup_cb cb, void *cbarg, int *id)
{
	return lookup_start(barg, qname, kind, cb, cbarg, id);
}

static void
be_cancel(void *barg, int id)
{
	lookup_cancel(barg, id);
}

static const struct cache_backend lookup_backend = { be_start, be_cancel };

static void
cache_opts_of(const struct config *cfg, struct cache_opts *o)
{
	cache_default_opts(o);
	o->max_entries = (size_t)cfg->cache_entries;
	o->max_bytes = (size_t)cfg->cache_bytes;
	o->min_ttl = cfg->cache_min_ttl;
	o->max_ttl = cfg->cache_max_ttl;
	o->bogus_ttl = cfg->bogus_ttl;
	o->tempfail_ttl = cfg->tempfail_ttl;
}

struct server *
server_new(struct loop *l, struct lookup *lk,
    const struct cache_backend *backend, void *barg, struct log *lg,
    const struct config *cfg)
{
	struct server *s;
	struct cache_opts co;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->loop = l;
	s->lk = lk;
	s->log = lg;
	s->cfg = cfg;
	s->started = loop_now(l);
	cache_opts_of(cfg, &co);
	if (backend == NULL) {
		backend = &lookup_backend;
		barg = lk;
		if (loop_add(l, lookup_fd(lk), LOOP_READ, on_lookup_fd,
		    s) == -1)
			goto fail;
		s->watch_lk = 1;
	}
	if ((s->cache = cache_new(l, backend, barg, &co)) == NULL)
		goto fail;
	return s;
fail:
	server_free(s);
	return NULL;
}

void
server_free(struct server *s)
{
	size_t i;

	if (s == NULL)
		return;
	while (s->conns != NULL) {
		struct sconn *sc = s->conns;

		conn_free(sc->c);
		sconn_free(sc);
	}
	for (i = 0; i < s->nls; i++) {
		loop_del(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
		loop_timer_free(s->ls[i].pause);
	}
	cache_free(s->cache);
	if (s->watch_lk)
		loop_del(s->loop, lookup_fd(s->lk));
	free(s);
}

int
server_listen(struct server *s, int fd, enum server_proto p)
{
	struct listener *ls;

	if (s->nls >= MAX_LISTENERS)
		goto fail;
	ls = &s->ls[s->nls];
	ls->s = s;
	ls->fd = fd;
	ls->proto = p;
	if ((ls->pause = loop_timer_new(s->loop, on_resume, ls)) == NULL)
		goto fail;
	if (loop_add(s->loop, fd, LOOP_READ, on_listen, ls) == -1) {
		loop_timer_free(ls->pause);
		goto fail;
	}
	s->nls++;
	return 0;
fail:
	close(fd);
	return -1;
}

void
server_set_config(struct server *s, const struct config *cfg)
{
	struct cache_opts co;

	s->cfg = cfg;
	cache_opts_of(cfg, &co);
	cache_set_opts(s->cache, &co);
}

size_t
server_connections(const struct server *s)
{
	return s->nconns;
}
