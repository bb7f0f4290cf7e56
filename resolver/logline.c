/*
 * logline.c: the decision's log line (logline.h), appended field by
 * field into the caller's buffer; a value that does not fit is cut, as
 * log_msg cuts a long line.
 */
#include <string.h>

#include "log.h"
#include "logline.h"

struct lline {
	char	*buf;
	size_t	 cap;
	size_t	 len;
};

static void
ll_put(struct lline *l, const char *s, size_t n)
{
	if (n > l->cap - l->len)
		n = l->cap - l->len;
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

size_t
logline_decision(char *buf, size_t bufsz, const struct logline_decision *d)
{
	const struct lookup_answer *ka = d->ka;
	const struct verdict_output *v = d->v;
	struct lline ll;
	char why[512];

	ll.buf = buf;
	ll.cap = bufsz < LOGLINE_MAX ? bufsz : LOGLINE_MAX;
	ll.len = 0;
	LL_KV_U64(&ll, "conn", d->conn);
	LL_KV(&ll, "queue_id", d->queue_id);
	LL_KV(&ll, "sender", d->sender);
	LL_KV(&ll, "recipient", d->recipient);
	LL_KV(&ll, "verdict", verdict_name(v->verdict));
	LL_KV(&ll, "reason", verdict_reason_name(v->reason));
	LL_KV(&ll, "tag", verdict_tag_name(v->tag));
	LL_KV(&ll, "dnssec", v->used_lookup && ka != NULL ?
	    lookup_state_name(ka->state) : "-");
	LL_KV(&ll, "policy", d->has_policy ?
	    verdict_policy_name(d->in->policy) : "-");
	LL_KV(&ll, "why_bogus", log_value(ka != NULL &&
	    ka->state == LOOKUP_BOGUS ? ka->reason : NULL, why, sizeof(why)));
	LL_KV(&ll, "class", d->class_id != NULL && d->class_id[0] != '\0' ?
	    d->class_id : "-");
	LL_KV_U64(&ll, "ms", d->ms);
	LL_KV(&ll, "mode", verdict_mode_name(d->in->mode));
	LL_KV(&ll, "list", verdict_list_name(d->in->list));
	LL_KV(&ll, "pin", verdict_pin_name(d->in->pin));
	return ll.len;
}
