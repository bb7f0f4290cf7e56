/*
 * lookup: DNSSEC-validated TXT lookups through libunbound (async mode,
 * polled by the caller or by lookup_sync; or in the caller's thread, for
 * a one-shot, by lookup_fg), and the pure classification of
 * their results.  See lookup.h for the table of answers.  Queries for
 * whole packets of any type are lookup_packet.c's.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "lib/errstr.h"
#include "lib/keyrec.h"
#include "lib/policyrec.h"
#include "lib/txt.h"
#include "lookup.h"
#include "lookup_int.h"

#define RCODE_NOERROR	0
#define RCODE_NXDOMAIN	3

/* --- classification (pure) --------------------------------------- */

const char *
lookup_state_name(enum lookup_state s)
{
	switch (s) {
	case LOOKUP_SECURE_KEY:
		return "secure-key";
	case LOOKUP_SECURE_NOKEY:
		return "secure-nokey";
	case LOOKUP_INSECURE:
		return "insecure";
	case LOOKUP_BOGUS:
		return "bogus";
	case LOOKUP_TEMPFAIL:
		return "tempfail";
	case LOOKUP_PERMERROR:
		return "permerror";
	}
	return "?";
}

const char *
lookup_nokey_name(enum lookup_nokey n)
{
	switch (n) {
	case LOOKUP_NOKEY_NONE:
		return "-";
	case LOOKUP_NOKEY_ABSENT:
		return "absent";
	case LOOKUP_NOKEY_REVOKED:
		return "revoked";
	case LOOKUP_NOKEY_EXPIRED:
		return "expired";
	}
	return "?";
}

static const char *
rcode_name(int rcode, char *buf, size_t bufsz)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE",
	};

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(buf, bufsz, "RCODE%d", rcode);
	return buf;
}

static int
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * is_sk1: whether TEXT starts with the tag v=SK1 (whitespace allowed
 * around the name, the '=' and the value, as in any tag-list), i.e. is a
 * record of ours.  "v=SK10" or "v=SK1 x" are not.
 */
static int
is_sk1(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && is_fws(text[i]))
		i++;
	if (i >= len || text[i++] != 'v')
		return 0;
	while (i < len && is_fws(text[i]))
		i++;
	if (i >= len || text[i++] != '=')
		return 0;
	while (i < len && is_fws(text[i]))
		i++;
	if (len - i < 3 || memcmp(text + i, "SK1", 3) != 0)
		return 0;
	i += 3;
	while (i < len && is_fws(text[i]))
		i++;
	return i == len || text[i] == ';';
}

/*
 * is_ours: whether TXT record TEXT is read as a key record of a KIND
 * lookup: a v=SK1 record for LOOKUP_KEY; every TXT record at a DKIM name
 * (a DKIM key record has no required v=, RFC 6376 3.6.1).
 */
static int
is_ours(enum lookup_kind kind, const char *text, size_t len)
{
	if (text == NULL)
		return 0;
	return kind == LOOKUP_DKIM || is_sk1(text, len);
}

static struct lookup_answer *
answer_new(enum lookup_kind kind, enum lookup_state state, const char *reason)
{
	struct lookup_answer *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->kind = kind;
	a->state = state;
	a->rcode = -1;
	if (reason != NULL && (a->reason = strdup(reason)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void
lookup_answer_free(struct lookup_answer *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nkeys; i++)
		keyrec_free(a->keys[i]);
	free(a->keys);
	free(a->reason);
	free(a);
}

_Static_assert(sizeof(struct lookup_answer) % 8 == 0, "flat copy alignment");
size_t
lookup_answer_flat_size(const struct lookup_answer *a)
{
	size_t n = sizeof(*a) + a->nkeys * sizeof(*a->keys), i;

	for (i = 0; i < a->nkeys; i++)
		n += keyrec_flat_size(a->keys[i]);
	if (a->reason != NULL)
		n += strlen(a->reason) + 1;
	return (n + 7) & ~(size_t)7;
}

struct lookup_answer *
lookup_answer_flat_copy(const struct lookup_answer *a, void *buf)
{
	struct lookup_answer *c = buf;
	struct keyrec **keys = (struct keyrec **)(c + 1);
	unsigned char *p = (unsigned char *)(keys + a->nkeys);
	size_t i;

	*c = *a;
	c->keys = a->nkeys > 0 ? keys : NULL;
	for (i = 0; i < a->nkeys; i++) {
		keys[i] = keyrec_flat_copy(a->keys[i], p);
		p += keyrec_flat_size(a->keys[i]);
	}
	if (a->reason != NULL)
		c->reason = memcpy(p, a->reason, strlen(a->reason) + 1);
	return c;
}

struct lookup_answer *
lookup_answer_tempfail(enum lookup_kind kind, const char *reason)
{
	return answer_new(kind, LOOKUP_TEMPFAIL, reason);
}

/*
 * classify_keys: the sender key records among IN's TXT records (is_ours;
 * DKIM ones parsed by keyrec_dkim_parse).  A record of ours holding a NUL
 * octet is malformed (a tag-list cannot hold one): it counts like any
 * record the parser refuses, with the error "syntax".  Records that are
 * not ours are skipped, NUL or not.
 * Returns 0, or -1 when memory ran out.
 */
static int
classify_keys(const struct lookup_input *in, struct lookup_answer *a,
    const char **reason)
{
	enum keyrec_err err, first = KEYREC_OK;
	struct keyrec *rec, **keys;
	size_t i, nsk1 = 0, nrevoked = 0;

	/* Bound the work a hostile zone can cause (specs/verdicts.md 2.2). */
	for (i = 0; i < in->ntxt; i++)
		if (is_ours(in->kind, in->txt[i].text, in->txt[i].len))
			nsk1++;
	if (nsk1 > LOOKUP_MAX_KEY_RECORDS) {
		a->state = LOOKUP_PERMERROR;
		a->nbad = nsk1;
		*reason = "too-many-records";
		return 0;
	}
	nsk1 = 0;
	for (i = 0; i < in->ntxt; i++) {
		const char *t = in->txt[i].text;
		size_t len = in->txt[i].len;

		if (!is_ours(in->kind, t, len))
			continue;
		nsk1++;
		rec = NULL;
		err = KEYREC_ESYNTAX;
		if (memchr(t, '\0', len) == NULL)
			rec = in->kind == LOOKUP_DKIM ?
			    keyrec_dkim_parse(t, len, &err, NULL) :
			    keyrec_parse(t, len, &err, NULL);
		if (rec == NULL) {
			a->nbad++;
			if (first == KEYREC_OK)
				first = err != KEYREC_OK ? err : KEYREC_ESYNTAX;
			continue;
		}
		if (!keyrec_usable(rec, in->now)) {
			if (keyrec_get(rec)->keylen == 0)
				nrevoked++;
			keyrec_free(rec);
			continue;
		}
		keys = realloc(a->keys, (a->nkeys + 1) * sizeof(*keys));
		if (keys == NULL) {
			keyrec_free(rec);
			return -1;
		}
		a->keys = keys;
		a->keys[a->nkeys++] = rec;
	}
	if (a->nkeys > 0) {
		a->state = LOOKUP_SECURE_KEY;
		*reason = NULL;
	} else if (nsk1 == 0) {
		a->state = LOOKUP_SECURE_NOKEY;
		a->nokey = LOOKUP_NOKEY_ABSENT;
		*reason = "no-record";
	} else if (a->nbad == nsk1) {
		a->state = LOOKUP_PERMERROR;
		a->keyerr = first;
		*reason = keyrec_errname(first);
	} else {
		/* Revocation is the stronger statement when both occur. */
		a->state = LOOKUP_SECURE_NOKEY;
		a->nokey = nrevoked > 0 ? LOOKUP_NOKEY_REVOKED :
		    LOOKUP_NOKEY_EXPIRED;
		*reason = nrevoked > 0 ? "revoked" : "expired";
	}
	return 0;
}

/*
 * classify_policy: the domain policy among IN's TXT records.  Exactly one
 * v=SK1 record may be published: two or more are an error, even if they
 * agree (as DMARC does), so a domain cannot be read two ways.  NUL octets
 * as in classify_keys.
 */
static void
classify_policy(const struct lookup_input *in, struct lookup_answer *a,
    const char **reason)
{
	enum policyrec_policy p;
	enum policyrec_err err = POLICYREC_ESYNTAX;
	size_t i, nsk1 = 0, which = 0;

	for (i = 0; i < in->ntxt; i++)
		if (in->txt[i].text != NULL &&
		    is_sk1(in->txt[i].text, in->txt[i].len)) {
			nsk1++;
			which = i;
		}
	if (nsk1 == 0) {
		a->state = LOOKUP_SECURE_NOKEY;
		*reason = "no-record";
		return;
	}
	if (nsk1 > 1) {
		a->state = LOOKUP_PERMERROR;
		a->nbad = nsk1;
		*reason = "multiple-records";
		return;
	}
	if (memchr(in->txt[which].text, '\0', in->txt[which].len) != NULL ||
	    policyrec_parse(in->txt[which].text, in->txt[which].len, &p, &err,
	    NULL) != 0) {
		a->state = LOOKUP_PERMERROR;
		a->nbad = 1;
		*reason = policyrec_errname(err != POLICYREC_OK ? err :
		    POLICYREC_ESYNTAX);
		return;
	}
	a->state = LOOKUP_SECURE_KEY;
	a->policy = p;
	*reason = NULL;
}

struct lookup_answer *
lookup_classify(const struct lookup_input *in)
{
	struct lookup_answer *a;
	const char *reason = NULL;
	char buf[32];

	if ((a = answer_new(in->kind, LOOKUP_TEMPFAIL, NULL)) == NULL)
		return NULL;
	a->rcode = in->rcode;
	a->ttl = in->ttl;
	if (in->bogus) {
		a->state = LOOKUP_BOGUS;
		reason = in->why_bogus != NULL && *in->why_bogus != '\0' ?
		    in->why_bogus : "bogus";
	} else if (in->rcode != RCODE_NOERROR && in->rcode != RCODE_NXDOMAIN) {
		a->state = LOOKUP_TEMPFAIL;
		reason = rcode_name(in->rcode, buf, sizeof(buf));
	} else if (in->rcode == RCODE_NXDOMAIN) {
		a->state = LOOKUP_SECURE_NOKEY;
		a->nokey = in->kind != LOOKUP_POLICY ? LOOKUP_NOKEY_ABSENT :
		    LOOKUP_NOKEY_NONE;
		reason = "NXDOMAIN";
	} else if (in->ntxt == 0) {
		a->state = LOOKUP_SECURE_NOKEY;
		a->nokey = in->kind != LOOKUP_POLICY ? LOOKUP_NOKEY_ABSENT :
		    LOOKUP_NOKEY_NONE;
		reason = "NODATA";
	} else if (in->kind == LOOKUP_POLICY) {
		classify_policy(in, a, &reason);
	} else if (classify_keys(in, a, &reason) != 0) {
		lookup_answer_free(a);
		return NULL;
	}
	if (a->state == LOOKUP_SECURE_KEY || a->state == LOOKUP_SECURE_NOKEY ||
	    a->state == LOOKUP_PERMERROR) {
		if (in->secure)
			a->trusted = 1;
		else
			a->state = LOOKUP_INSECURE;
	}
	if (reason != NULL && (a->reason = strdup(reason)) == NULL) {
		lookup_answer_free(a);
		return NULL;
	}
	return a;
}

/* --- libunbound results ------------------------------------------- */

/* rdata_join: TXT rdata (wire form, LEN octets) joined with txt_join. */
static char *
rdata_join(const unsigned char *data, size_t len, size_t *outlen)
{
	ldns_rr *rr;
	uint8_t *wire;
	size_t pos = 0;
	char *text = NULL;

	if (len > 65535 || (wire = malloc(len + 2)) == NULL)
		return NULL;
	wire[0] = (uint8_t)(len >> 8);
	wire[1] = (uint8_t)len;
	memcpy(wire + 2, data, len);
	if ((rr = ldns_rr_new()) != NULL) {
		ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
		if (ldns_wire2rdf(rr, wire, len + 2, &pos) == LDNS_STATUS_OK)
			text = txt_join(rr, outlen);
		ldns_rr_free(rr);
	}
	free(wire);
	return text;
}

struct lookup_answer *
lookup_result_answer(enum lookup_kind kind, int err, const struct ub_result *res)
{
	struct lookup_input in;
	struct lookup_txt *txt = NULL;
	struct lookup_answer *a = NULL;
	char buf[160];
	size_t i, n = 0;

	if (err != 0 || res == NULL) {
		snprintf(buf, sizeof(buf), "resolver: %s",
		    err != 0 ? ub_strerror(err) : "no result");
		return lookup_answer_tempfail(kind, buf);
	}
	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.secure = res->secure;
	in.bogus = res->bogus;
	in.why_bogus = res->why_bogus;
	in.rcode = res->rcode;
	in.ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
	in.now = (int64_t)time(NULL);
	if (res->havedata && res->data != NULL) {
		while (res->data[n] != NULL)
			n++;
		if (n > 0 && (txt = calloc(n, sizeof(*txt))) == NULL)
			return NULL;
		for (i = 0; i < n; i++) {
			size_t len = 0;
			char *t = rdata_join((const unsigned char *)res->data[i],
			    (size_t)res->len[i], &len);

			if (t != NULL) {
				txt[in.ntxt].text = t;
				txt[in.ntxt++].len = len;
			}
		}
		in.txt = txt;
	}
	a = lookup_classify(&in);
	for (i = 0; i < in.ntxt; i++)
		free((char *)txt[i].text);
	free(txt);
	return a;
}

void
lookup_unlink(struct lk_query *q)
{
	struct lookup *lk = q->lk;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		lk->pending = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	lk->npending--;
}

/* on_result: libunbound's callback; RES is freed here and only here. */
static void
on_result(void *mydata, int err, struct ub_result *res)
{
	struct lk_query *q = mydata;
	struct lookup_answer *a;

	if (q->pcb != NULL) {
		lookup_packet_done(q, err, res);
		return;
	}
	a = lookup_result_answer(q->kind, err, res);
	ub_resolve_free(res);
	lookup_unlink(q);
	q->cb(q->arg, q->id, a);
	free(q);
}

/* --- contexts ------------------------------------------------------ */

struct lookup *
lookup_new(const struct lookup_opts *opts, char *err, size_t errsz)
{
	static const struct lookup_opts defaults;
	struct lookup *lk;
	const char *anchor;
	size_t i;
	int r;

	if (opts == NULL)
		opts = &defaults;
	anchor = opts->trust_anchor_file != NULL ? opts->trust_anchor_file :
	    LOOKUP_DEFAULT_ANCHOR;
	if ((lk = calloc(1, sizeof(*lk))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	lk->timeout_ms = opts->timeout_ms != 0 ? opts->timeout_ms :
	    LOOKUP_DEFAULT_TIMEOUT;
	if ((lk->ctx = ub_ctx_create()) == NULL) {
		errstr_set(err, errsz, "cannot create a libunbound context");
		goto fail;
	}
	/* Threads, not a forked process, answer in the background. */
	if ((r = ub_ctx_async(lk->ctx, 1)) != 0) {
		errstr_set(err, errsz,
		    "%s: %s", "ub_ctx_async", ub_strerror(r));
		goto fail;
	}
	/*
	 * The facts of libunbound 1.17: local-zone "test." nodefault only
	 * works from a config file; the config comes first, then the
	 * forwarders, then the anchor.
	 */
	if (opts->unbound_config != NULL) {
		if (lookup_opts_readable(opts->unbound_config, err, errsz,
		    "unbound config") != 0)
			goto fail;
		if ((r = ub_ctx_config(lk->ctx, opts->unbound_config)) != 0) {
			errstr_set(err, errsz, "unbound config %s: %s",
			    opts->unbound_config, ub_strerror(r));
			goto fail;
		}
	}
	if (lookup_opts_bound_cache(lk->ctx, opts, err, errsz) != 0)
		goto fail;
	for (i = 0; i < opts->nforwarders; i++)
		if ((r = ub_ctx_set_fwd(lk->ctx, opts->forwarders[i])) != 0) {
			errstr_set(err, errsz, "forwarder %s: %s",
			    opts->forwarders[i], ub_strerror(r));
			goto fail;
		}
	if (lookup_opts_readable(anchor, err, errsz, "trust anchor") != 0)
		goto fail;
	if ((r = ub_ctx_add_ta_file(lk->ctx, anchor)) != 0) {
		errstr_set(err, errsz,
		    "trust anchor %s: %s", anchor, ub_strerror(r));
		goto fail;
	}
	/*
	 * why_bogus is only filled in at val-log-level 2, which also logs
	 * every failure: that log goes to /dev/null, the reason to callers.
	 */
	if ((r = ub_ctx_set_option(lk->ctx, "val-log-level:", "2")) != 0) {
		errstr_set(err, errsz,
		    "%s: %s", "val-log-level", ub_strerror(r));
		goto fail;
	}
	if ((lk->log = fopen("/dev/null", "w")) == NULL) {
		errstr_set(err, errsz, "%s: %s", "/dev/null", strerror(errno));
		goto fail;
	}
	if ((r = ub_ctx_debugout(lk->ctx, lk->log)) != 0) {
		errstr_set(err, errsz,
		    "%s: %s", "ub_ctx_debugout", ub_strerror(r));
		goto fail;
	}
	return lk;
fail:
	lookup_free(lk);
	return NULL;
}

void
lookup_free(struct lookup *lk)
{
	struct lk_query *q, *next;

	if (lk == NULL)
		return;
	/* Deleting the context drops its queries without callbacks. */
	if (lk->ctx != NULL)
		ub_ctx_delete(lk->ctx);
	for (q = lk->pending; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	if (lk->log != NULL)
		fclose(lk->log);
	free(lk);
}

int
lookup_fd(const struct lookup *lk)
{
	return ub_fd(lk->ctx);
}

size_t
lookup_pending(const struct lookup *lk)
{
	return lk->npending;
}

int
lookup_start(struct lookup *lk, const char *qname, enum lookup_kind kind,
    lookup_cb cb, void *arg, int *id)
{
	struct lk_query *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->lk = lk;
	q->kind = kind;
	q->cb = cb;
	q->arg = arg;
	return lookup_submit(lk, q, qname, LDNS_RR_TYPE_TXT, id);
}

int
lookup_submit(struct lookup *lk, struct lk_query *q, const char *qname,
    int rrtype, int *id)
{
	if (ub_resolve_async(lk->ctx, qname, rrtype, LDNS_RR_CLASS_IN, q,
	    on_result, &q->id) != 0) {
		free(q);
		return -1;
	}
	q->next = lk->pending;
	if (q->next != NULL)
		q->next->prev = q;
	lk->pending = q;
	lk->npending++;
	if (id != NULL)
		*id = q->id;
	return 0;
}

int
lookup_process(struct lookup *lk)
{
	return ub_process(lk->ctx) == 0 ? 0 : -1;
}

void
lookup_cancel(struct lookup *lk, int id)
{
	struct lk_query *q;

	for (q = lk->pending; q != NULL; q = q->next)
		if (q->id == id)
			break;
	if (q == NULL)
		return;
	(void)ub_cancel(lk->ctx, id);
	lookup_unlink(q);
	free(q);
}

/* --- the synchronous wrapper -------------------------------------- */

struct sync_wait {
	int			 done;
	struct lookup_answer	*ans;
};

static void
sync_done(void *arg, int id, struct lookup_answer *ans)
{
	struct sync_wait *w = arg;

	(void)id;
	w->done = 1;
	w->ans = ans;
}

int64_t
lookup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
lookup_sync(struct lookup *lk, const char *qname, enum lookup_kind kind,
    struct lookup_answer **out)
{
	struct sync_wait w = { 0, NULL };
	struct pollfd pfd;
	int64_t deadline, left;
	int id, r;
	char msg[96];

	*out = NULL;
	if (lookup_start(lk, qname, kind, sync_done, &w, &id) != 0)
		return -1;
	deadline = lookup_now_ms() + lk->timeout_ms;
	while (!w.done) {
		if ((left = deadline - lookup_now_ms()) <= 0) {
			lookup_cancel(lk, id);
			*out = lookup_answer_tempfail(kind, "timeout");
			return *out != NULL ? 0 : -1;
		}
		pfd.fd = lookup_fd(lk);
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR) {
			snprintf(msg, sizeof(msg), "poll: %s", strerror(errno));
			lookup_cancel(lk, id);
			*out = lookup_answer_tempfail(kind, msg);
			return *out != NULL ? 0 : -1;
		}
		if (r > 0 && lookup_process(lk) != 0) {
			lookup_cancel(lk, id);
			*out = lookup_answer_tempfail(kind,
			    "resolver: ub_process failed");
			return *out != NULL ? 0 : -1;
		}
	}
	*out = w.ans;
	return w.ans != NULL ? 0 : -1;
}

int
lookup_fg(struct lookup *lk, const char *qname, enum lookup_kind kind,
    struct lookup_answer **out)
{
	struct ub_result *res = NULL;
	int err;

	err = ub_resolve(lk->ctx, qname, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN,
	    &res);
	*out = lookup_result_answer(kind, err, res);
	ub_resolve_free(res);
	return *out != NULL ? 0 : -1;
}

unsigned
lookup_timeout_ms(const struct lookup *lk)
{
	return lk->timeout_ms;
}

const char *
lookup_version(void)
{
	return ub_version();
}
