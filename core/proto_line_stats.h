/*
 * proto_line_stats: the STATS reply of specs/protocol.md section 6 as
 * values, and its codec: senderkeyd encodes it, `senderkey stats`
 * decodes it.  The counters' names are this module's table, in the order
 * the spec lists them (and the daemon writes them).  Pure: no I/O, no
 * allocation.  Not here: counting (resolver/), the Prometheus file.
 */
#ifndef SK_PROTO_LINE_STATS_H
#define SK_PROTO_LINE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "proto_line.h"

enum proto_line_stat {
	PLS_UPTIME,
	PLS_REQUESTS,
	PLS_REQUESTS_AUTHZ,
	PLS_REQUESTS_LOOKUP,
	PLS_REQUESTS_DKIMKEY,
	PLS_REQUESTS_PING,
	PLS_REQUESTS_STATS,
	PLS_REQUESTS_POLICY,
	PLS_ERRORS,
	PLS_VERDICT_AUTHORIZED,
	PLS_VERDICT_UNAUTHORIZED,
	PLS_VERDICT_UNTRUSTED,
	PLS_VERDICT_TEMPFAIL,
	PLS_DNSSEC_SECURE_KEY,
	PLS_DNSSEC_SECURE_NOKEY,
	PLS_DNSSEC_INSECURE,
	PLS_DNSSEC_BOGUS,
	PLS_DNSSEC_TEMPFAIL,
	PLS_DNSSEC_PERMERROR,
	PLS_CACHE_HITS,
	PLS_CACHE_MISSES,
	PLS_CACHE_COALESCED,
	PLS_CACHE_EVICTIONS,
	PLS_CACHE_ENTRIES,
	PLS_CACHE_BYTES,
	PLS_LOOKUPS_INFLIGHT,
	PLS_LOOKUP_FAILURES,
	PLS_TIMEOUTS,
	PLS_CONNECTIONS,
	PLS_CONNECTIONS_TOTAL,
	PLS_CONNECTIONS_REFUSED,
	PLS_LATENCY_MEDIAN_US,
	PLS_LATENCY_TAIL_US,
	PLS_LATENCY_MAX_US,
	PLS_STORE_AGE,
	PLS_STORE_UPDATES,
	PLS_STORE_RELOADS,
	PLS_STORE_UNREAD,
	PLS_STORE_UNREAD_TEMPFAILS,
	PLS_COUNT
};

/* The counters of one STATS reply; have[i] says counter i is there. */
struct proto_line_stats {
	uint64_t	 v[PLS_COUNT];
	unsigned char	 have[PLS_COUNT];
};

/* proto_line_stats_name: the wire name of S ("cache_hits"; "?" if none). */
const char	*proto_line_stats_name(enum proto_line_stat s);

/*
 * proto_line_stats_set: counter NAME of *ST to V (and have).  Returns 0,
 * or -1 when NAME is not a counter of section 6.
 */
int		 proto_line_stats_set(struct proto_line_stats *st,
		    const char *name, uint64_t v);

/*
 * proto_line_stats_encode: ST as "ok NAME=V ..." LF into BUF, every
 * counter in the table's order.  Returns the length, or -1 when a counter
 * is missing (have 0) or BUF is too small.
 */
int		 proto_line_stats_encode(char *buf, size_t bufsz,
		    const struct proto_line_stats *st);

/*
 * proto_line_stats_decode: one STATS reply LINE (LEN octets, a final LF
 * allowed) into *ST: "ok" then attributes; each known counter must be a
 * decimal number and appear once; unknown attributes are ignored, and a
 * counter not sent has have 0.  Returns 0, or -1 (an "error" reply
 * included).
 */
int		 proto_line_stats_decode(const char *line, size_t len,
		    struct proto_line_stats *st);

#endif
