/*
 * proto_line_stats.c: the STATS reply's codec (proto_line_stats.h): the
 * counter names of specs/protocol.md section 6 in one table, encoded
 * through proto_line_out, decoded word by word.  Pure: no I/O, no
 * allocation.
 */
#include <string.h>

#include "proto_line_stats.h"

/* words in a reply the decoder reads: room for counters it does not know */
#define PROTO_LINE_STATS_WORDS	256

static const char *const names[PLS_COUNT] = {
	"uptime", "requests", "requests_authz", "requests_lookup",
	"requests_dkimkey", "requests_ping", "requests_stats",
	"requests_policy", "errors",
	"verdict_authorized", "verdict_unauthorized", "verdict_untrusted",
	"verdict_tempfail", "dnssec_secure_key", "dnssec_secure_nokey",
	"dnssec_insecure", "dnssec_bogus", "dnssec_tempfail",
	"dnssec_permerror", "cache_hits", "cache_misses", "cache_coalesced",
	"cache_evictions", "cache_entries", "cache_bytes", "lookups_inflight",
	"lookup_failures", "timeouts", "connections", "connections_total",
	"connections_refused", "latency_median_us", "latency_tail_us",
	"latency_max_us", "store_age", "store_updates", "store_reloads",
	"store_unread", "store_unread_tempfails",
};

const char *
proto_line_stats_name(enum proto_line_stat s)
{
	if ((size_t)s >= PLS_COUNT)
		return "?";
	return names[s];
}

/* find: the counter named by the N octets at NAME, or -1. */
static int
find(const char *name, size_t n)
{
	int i;

	for (i = 0; i < PLS_COUNT; i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return i;
	return -1;
}

int
proto_line_stats_set(struct proto_line_stats *st, const char *name,
    uint64_t v)
{
	int i;

	if (name == NULL || (i = find(name, strlen(name))) == -1)
		return -1;
	st->v[i] = v;
	st->have[i] = 1;
	return 0;
}

int
proto_line_stats_encode(char *buf, size_t bufsz,
    const struct proto_line_stats *st)
{
	struct proto_line_out o;
	int i;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, "ok");
	for (i = 0; i < PLS_COUNT; i++) {
		if (!st->have[i])
			o.bad = 1;
		proto_line_out_attr_u64(&o, names[i], st->v[i]);
	}
	return proto_line_out_end(&o);
}

int
proto_line_stats_decode(const char *line, size_t len,
    struct proto_line_stats *st)
{
	size_t w[PROTO_LINE_STATS_WORDS][2];
	const char *a, *eq;
	int i, k, n;

	memset(st, 0, sizeof(*st));
	if ((n = proto_line_words(line, len, w,
	    PROTO_LINE_STATS_WORDS)) < 1 ||
	    w[0][1] - w[0][0] != 2 || memcmp(line + w[0][0], "ok", 2) != 0)
		goto fail;
	for (i = 1; i < n; i++) {
		a = line + w[i][0];
		if ((eq = memchr(a, '=', w[i][1] - w[i][0])) == NULL ||
		    (k = find(a, (size_t)(eq - a))) == -1)
			continue;	/* not a counter we know: ignored */
		if (st->have[k] || proto_line_number(eq + 1,
		    (size_t)(line + w[i][1] - eq - 1), &st->v[k]) == -1)
			goto fail;
		st->have[k] = 1;
	}
	return 0;
fail:
	memset(st, 0, sizeof(*st));
	return -1;
}
