/*
 * server.c: listeners, connections, replies and STATS.  Each connection
 * (struct sconn) holds at most one request (struct req) at a time; a
 * framed request goes to dispatch.c, which parses it and starts the
 * request, whose lifetime is server_req.c's; server_reply ends it.
 * A connection that goes away cancels its request's waiters; the lookups
 * themselves go on and fill the cache.  Out of descriptors, a spare one
 * (/dev/null) is given up to accept and close each waiting client, as
 * nginx and Postfix do, so no client waits for an answer that cannot come.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/afile.h"
#include "lib/config.h"
#include "lib/service.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/proto_line_stats.h"
#include "core/store.h"
#include "cache.h"
#include "addrmemo.h"
#include "classmemo.h"
#include "conn.h"
#include "storefeed.h"
#include "dispatch.h"
#include "learn.h"
#include "log.h"
#include "loop.h"
#include "proto_policy.h"
#include "server.h"
#include "server_int.h"
#include "server_req.h"

/* --- replies --- */

void
server_reply(struct sconn *sc, const char *buf, int len, int close_after)
{
	struct req *r = sc->req;
	struct timespec now;
	uint64_t us;
	int b = 0;

	if (r != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		us = (uint64_t)(now.tv_sec - r->ts0.tv_sec) * 1000000 +
		    (uint64_t)((now.tv_nsec - r->ts0.tv_nsec) / 1000);
		while (b < SERVER_LAT_BUCKETS - 1 && (1ULL << b) < us)
			b++;
		sc->s->st.lat[b]++;
		sc->req = NULL;
		server_req_free(r);
	}
	if (len < 0) {
		if (sc->proto != SERVER_POLICY)
			len = proto_line_error((char *)buf, 64, PLE_INTERNAL);
		if (len < 0)
			return;
	}
	if (close_after)
		conn_reply_close(sc->c, buf, (size_t)len);
	else
		conn_reply(sc->c, buf, (size_t)len);
}

void
server_reply_line_error(struct sconn *sc, enum proto_line_err e)
{
	char buf[64];
	int n = proto_line_error(buf, sizeof(buf), e);

	sc->s->st.errors++;
	server_reply(sc, buf, n, proto_line_err_closes(e));
}

void
server_reply_policy_malformed(struct sconn *sc)
{
	char buf[PROTO_POLICY_REPLY_MAX];
	int n = proto_policy_reply(PROTO_POLICY_MALFORMED, buf, sizeof(buf));

	sc->s->st.errors++;
	server_reply(sc, buf, n, 1);
}

/* --- STATS --- */

static uint64_t
quantile_us(const struct stats *st, double q)
{
	uint64_t total = 0, acc = 0, want;
	int i;

	for (i = 0; i < SERVER_LAT_BUCKETS; i++)
		total += st->lat[i];
	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * q);
	if (want == 0)
		want = 1;
	for (i = 0; i < SERVER_LAT_BUCKETS; i++) {
		acc += st->lat[i];
		if (acc >= want)
			return 1ULL << i;
	}
	return 1ULL << (SERVER_LAT_BUCKETS - 1);
}

/* One statistic: NAME (for STATS and, prefixed, for Prometheus). */
struct stat_kv {
	char		name[40];
	uint64_t	v;
	int		gauge;		/* else a counter */
};

#define STATS_MAX	48

static size_t
stat_add(struct stat_kv *kv, size_t n, const char *name, uint64_t v,
    int gauge)
{
	if (n < STATS_MAX) {
		snprintf(kv[n].name, sizeof(kv[n].name), "%s", name);
		kv[n].v = v;
		kv[n].gauge = gauge;
		n++;
	}
	return n;
}

/* stats_collect: every statistic, in the order STATS reports them. */
static size_t
stats_collect(struct server *s, struct stat_kv *kv)
{
	static const char *const vnames[VERDICT_COUNT] = { "authorized",
	    "unauthorized", "untrusted", "tempfail" };
	static const char *const snames[6] = { "secure_key", "secure_nokey",
	    "insecure", "bogus", "tempfail", "permerror" };
	struct cache_stats cs;
	struct storefeed_stats fs;
	char name[40];
	size_t n = 0;
	int i;

	cache_get_stats(s->cache, &cs);
	n = stat_add(kv, n, "uptime", (loop_now(s->loop) - s->started) / 1000,
	    1);
	n = stat_add(kv, n, "requests", s->st.requests, 0);
	n = stat_add(kv, n, "requests_authz", s->st.authz, 0);
	n = stat_add(kv, n, "requests_lookup", s->st.lookup, 0);
	n = stat_add(kv, n, "requests_dkimkey", s->st.dkimkey, 0);
	n = stat_add(kv, n, "requests_policy", s->st.policy, 0);
	n = stat_add(kv, n, "requests_ping", s->st.ping, 0);
	n = stat_add(kv, n, "requests_stats", s->st.stats, 0);
	n = stat_add(kv, n, "errors", s->st.errors, 0);
	for (i = 0; i < VERDICT_COUNT; i++) {
		snprintf(name, sizeof(name), "verdict_%s", vnames[i]);
		n = stat_add(kv, n, name, s->st.verdicts[i], 0);
	}
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "dnssec_%s", snames[i]);
		n = stat_add(kv, n, name, s->st.states[i], 0);
	}
	n = stat_add(kv, n, "cache_hits", cs.hits, 0);
	n = stat_add(kv, n, "cache_misses", cs.misses, 0);
	n = stat_add(kv, n, "cache_coalesced", cs.coalesced, 0);
	n = stat_add(kv, n, "cache_evictions", cs.evictions, 0);
	n = stat_add(kv, n, "cache_entries", cs.entries, 1);
	n = stat_add(kv, n, "cache_bytes", cs.bytes, 1);
	n = stat_add(kv, n, "lookups_inflight", cs.inflight, 1);
	n = stat_add(kv, n, "lookup_failures", cs.failures, 0);
	n = stat_add(kv, n, "timeouts", cs.timeouts, 0);
	n = stat_add(kv, n, "connections", s->nconns, 1);
	n = stat_add(kv, n, "connections_total", s->st.conns_total, 0);
	n = stat_add(kv, n, "connections_refused", s->st.conns_refused, 0);
	n = stat_add(kv, n, "latency_median_us", quantile_us(&s->st, 0.50), 1);
	n = stat_add(kv, n, "latency_tail_us", quantile_us(&s->st, 0.99), 1);
	n = stat_add(kv, n, "latency_max_us", quantile_us(&s->st, 1.0), 1);
	memset(&fs, 0, sizeof(fs));
	if (s->feed != NULL)
		storefeed_stats(s->feed, &fs);
	n = stat_add(kv, n, "store_age", fs.age, 1);
	n = stat_add(kv, n, "store_updates", fs.updates, 0);
	n = stat_add(kv, n, "store_reloads", fs.reloads, 0);
	n = stat_add(kv, n, "store_unread", (uint64_t)fs.unread, 1);
	n = stat_add(kv, n, "store_unread_tempfails", s->st.unread, 0);
	return n;
}

void
server_stats_reply(struct server *s, struct sconn *sc)
{
	struct stat_kv kv[STATS_MAX];
	struct proto_line_stats st;
	char buf[4096];
	size_t i, n;
	int len;

	/* the reply through the protocol's codec (proto_line_stats.h): a
	   name it does not know, or a counter left out, is "error internal" */
	n = stats_collect(s, kv);
	memset(&st, 0, sizeof(st));
	len = 0;
	for (i = 0; i < n; i++)
		if (proto_line_stats_set(&st, kv[i].name, kv[i].v) == -1)
			len = -1;
	if (len == 0)
		len = proto_line_stats_encode(buf, sizeof(buf), &st);
	if (len == -1)
		len = proto_line_error(buf, sizeof(buf), PLE_INTERNAL);
	server_reply(sc, buf, len, 0);
}

int
server_stats_write(struct server *s, const char *path, char *err,
    size_t errsz)
{
	struct stat_kv kv[STATS_MAX];
	struct afile *af;
	FILE *fp;
	size_t i, n;

	n = stats_collect(s, kv);
	if ((af = afile_open(path, 0644, err, errsz)) == NULL)
		return -1;
	fp = afile_fp(af);
	for (i = 0; i < n; i++)
		fprintf(fp, "# TYPE senderkeyd_%s %s\nsenderkeyd_%s %llu\n",
		    kv[i].name, kv[i].gauge ? "gauge" : "counter", kv[i].name,
		    (unsigned long long)kv[i].v);
	if (ferror(fp)) {
		snprintf(err, errsz, "%s: cannot write", path);
		afile_abort(af);
		return -1;
	}
	return afile_commit(af, 0, err, errsz);
}

/* --- connections --- */

static void
on_request(void *arg, struct conn *c, const char *req, size_t len)
{
	struct sconn *sc = arg;

	(void)c;
	sc->s->st.requests++;
	if (sc->proto != SERVER_POLICY)
		dispatch_line(sc, req, len);
	else
		dispatch_policy(sc, req, len);
}

static void
on_overlimit(void *arg, struct conn *c)
{
	struct sconn *sc = arg;

	(void)c;
	sc->s->st.requests++;
	if (sc->proto != SERVER_POLICY)
		server_reply_line_error(sc, PLE_LINE_TOO_LONG);
	else
		server_reply_policy_malformed(sc);
}

static void
sconn_free(struct sconn *sc)
{
	struct server *s = sc->s;

	server_req_free(sc->req);	/* back to the pool */
	learn_conn_gone(s, sc);		/* its learns go on, unanswered */
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

/*
 * on_idle: SC has been idle for a while (conn.c's shrink_ms): a parser
 * arena grown by a large request is given back, so a held connection
 * costs only its fixed state.
 */
static void
on_idle(void *arg, struct conn *c)
{
	struct sconn *sc = arg;

	(void)c;
	if (sc->req != NULL)
		return;
	if (sc->pp != NULL)
		proto_policy_shrink(sc->pp);
}

static const struct conn_ops server_conn_ops = {
	on_request, on_overlimit, on_closed, on_idle
};

static void
limits_for(const struct server *s, enum server_proto p,
    struct conn_limits *lim)
{
	conn_default_limits(p != SERVER_POLICY ? CONN_LINE : CONN_BLOCK, lim);
	if (s->cfg->request_timeout_ms > 0)
		lim->request_ms = s->cfg->request_timeout_ms;
	if (s->cfg->idle_timeout_ms > 0)
		lim->idle_ms = s->cfg->idle_timeout_ms;
	if (s->cfg->write_timeout_ms > 0)
		lim->write_ms = s->cfg->write_timeout_ms;
}

static const char *
proto_name(enum server_proto p)
{
	return p == SERVER_LINE ? "line" : p == SERVER_POLICY ? "policy" :
	    "client";
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
	if (s->fd_refused > 0) {
		log_msg(s->log, LOG_NOTICE, "accept: descriptors available "
		    "again; %llu clients refused meanwhile",
		    (unsigned long long)s->fd_refused);
		s->fd_refused = 0;
	}
	if (s->nconns >= s->cfg->max_connections) {
		s->st.conns_refused++;
		close(fd);
		return;
	}
	if ((sc = calloc(1, ls->proto != SERVER_POLICY ? sizeof(*sc) :
	    SCONN_POLICY_SIZE)) == NULL)
		goto fail;
	sc->s = s;
	sc->proto = ls->proto;
	proto_policy_txn_init(&sc->txn);
	if (ls->proto == SERVER_POLICY &&
	    (sc->pp = proto_policy_parser_new()) == NULL)
		goto fail;
	limits_for(s, ls->proto, &lim);
	if ((sc->c = conn_new(s->loop, fd, ++s->next_id, ls->proto !=
	    SERVER_POLICY ? CONN_LINE : CONN_BLOCK, &lim, &server_conn_ops,
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
		    proto_name(ls->proto), (unsigned)uid, (unsigned)gid, (long)pid);
	else
		log_msg(s->log, LOG_DEBUG, "conn=%llu socket=%s tcp",
		    (unsigned long long)s->next_id,
		    proto_name(ls->proto));
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
spare_open(struct server *s)
{
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * refuse_nofd: accept failed with EMFILE or ENFILE: give up the spare
 * descriptor, accept one waiting client and close it at once (EOF, as
 * over MaxConnections), take the spare again.  Logs once per burst (the
 * first refusal; accept_one logs the end).  Returns 0 when a client was
 * refused, -1 when there was none or no spare (errno from accept).
 */
static int
refuse_nofd(struct listener *ls, int fd)
{
	struct server *s = ls->s;
	int cfd, e;

	if (s->spare_fd == -1) {
		spare_open(s);	/* maybe a descriptor came free */
		errno = EMFILE;
		return -1;
	}
	close(s->spare_fd);
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	e = errno;
	if (cfd != -1) {
		close(cfd);
		s->st.conns_total++;
		s->st.conns_refused++;
		if (s->fd_refused++ == 0)
			log_msg(s->log, LOG_WARNING, "accept: %s; refusing "
			    "new clients until descriptors are free (raise the "
			    "descriptor limit or lower MaxConnections)",
			    strerror(EMFILE));
	}
	spare_open(s);
	errno = e;
	return cfd != -1 ? 0 : -1;
}

static void
on_listen(void *arg, int fd, unsigned events)
{
	struct listener *ls = arg;
	int cfd, i;

	(void)events;
	for (i = 0; i < 64; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1 && (errno == EMFILE || errno == ENFILE)) {
			if (refuse_nofd(ls, fd) == 0)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
		}
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

/*
 * on_round: the end of a loop round: write the decision lines buffered
 * in it.  Buffering starts at the first round, so the start-up lines are
 * out before the daemon says it is ready.
 */
static void
on_round(void *arg)
{
	struct server *s = arg;

	log_buffer(s->log, 1);
	log_flush(s->log);
}

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

/*
 * client_user: ClientUser's uid, resolved once (a socket setting: a
 * change needs a restart).  An unknown user (startcheck refuses it
 * before a start) leaves MOVE to root alone.
 */
static void
client_user(struct server *s, const struct config *cfg)
{
	char err[256];
	gid_t gid;

	if (cfg == NULL || cfg->client_user == NULL)
		return;
	if (service_user(cfg->client_user, &s->client_uid, &gid, err,
	    sizeof(err)) == 0)
		s->have_client_uid = 1;
	else
		log_msg(s->log, LOG_ERR, "ClientUser: %s; MOVE only from root",
		    err);
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
	spare_open(s);	/* without it, EMFILE pauses the accept loop */
	s->loop = l;
	s->lk = lk;
	s->log = lg;
	s->cfg = cfg;
	s->started = loop_now(l);
	client_user(s, cfg);
	if ((s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (s->mdctx = EVP_MD_CTX_new()) == NULL ||
	    (s->memo = classmemo_new()) == NULL ||
	    (s->amemo = addrmemo_new(ADDRMEMO_SLOTS)) == NULL)
		goto fail;
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
	loop_on_round(l, on_round, s);
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
	while (s->free_reqs != NULL) {
		struct req *r = s->free_reqs;

		s->free_reqs = r->next_free;
		free(r);
	}
	for (i = 0; i < s->nls; i++) {
		loop_del(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
		loop_timer_free(s->ls[i].pause);
	}
	learn_free_all(s);
	cache_free(s->cache);
	loop_on_round(s->loop, NULL, NULL);
	log_buffer(s->log, 0);
	if (s->watch_lk)
		loop_del(s->loop, lookup_fd(s->lk));
	EVP_MD_CTX_free(s->mdctx);
	EVP_MD_free(s->sha256);
	classmemo_free(s->memo);
	addrmemo_free(s->amemo);
	if (s->spare_fd != -1)
		close(s->spare_fd);
	free(s);
}

int
server_listen(struct server *s, int fd, enum server_proto p)
{
	struct listener *ls;

	if (s->nls >= SERVER_MAX_LISTENERS)
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

void
server_set_feed(struct server *s, struct storefeed *f)
{
	s->feed = f;
}

void
server_set_journal(struct server *s, struct journal *j)
{
	s->journal = j;
}

void
server_set_uentry(struct server *s, struct uentry *u)
{
	s->uentry = u;
}

void
server_set_store(struct server *s, const struct store *st)
{
	s->store = st;
}

size_t
server_connections(const struct server *s)
{
	return s->nconns;
}
