/*
 * fuzz_answer.c: libFuzzer target for the decoders of senderkeyd's
 * replies: milter/answer.c and the codec under it (core/proto_line.c).
 * Each LF-separated line of the input (NUL-terminated, as daemon.c hands
 * it over) is parsed as an AUTHZ, LOOKUP, STATS and PING reply; whatever
 * decodes must survive a round trip (encode, decode: the same values).
 * Built with milter/answer.c compiled in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "core/proto_line_stats.h"
#include "milter/answer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	enc[PROTO_LINE_REPLY_MAX];

/* round_trip_small: the same for the STATS and PING replies. */
static void
round_trip_small(const char *line)
{
	struct proto_line_stats st, su;
	uint64_t proto, p2;
	char ver[64], v2[64];
	int i, n;

	if (proto_line_stats_decode(line, strlen(line), &st) == 0) {
		for (i = 0; i < PLS_COUNT; i++)
			st.have[i] = 1;	/* encode wants every counter */
		if ((n = proto_line_stats_encode(enc, sizeof(enc), &st)) < 0 ||
		    proto_line_stats_decode(enc, (size_t)n, &su) != 0 ||
		    memcmp(st.v, su.v, sizeof(st.v)) != 0)
			abort();
	}
	if (proto_line_pong_decode(line, strlen(line), &proto, ver,
	    sizeof(ver)) == 0) {
		/* PING's encoder writes this version's proto=1 only */
		if ((n = proto_line_pong(enc, sizeof(enc), ver)) < 0 ||
		    proto_line_pong_decode(enc, (size_t)n, &p2, v2,
		    sizeof(v2)) != 0 || strcmp(ver, v2) != 0 ||
		    p2 != PROTO_LINE_VERSION)
			abort();
	}
}

/* round_trip: LINE's decoded values, encoded and decoded, are the same. */
static void
round_trip(const char *line)
{
	struct proto_line_authz a, b;
	struct proto_line_lookup l, m;
	char *copy;
	size_t i;
	int n;

	if (proto_line_authz_decode(line, strlen(line), &a) == 0) {
		if ((n = proto_line_authz_encode(enc, sizeof(enc), &a)) < 0 ||
		    proto_line_authz_decode(enc, (size_t)n, &b) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0)
			abort();	/* whatever decodes re-encodes */
	}
	if ((copy = strdup(line)) == NULL)
		return;
	if (proto_line_lookup_decode(copy, &l) == 0 &&
	    proto_line_lookup_encode(enc, sizeof(enc), &l) > 0) {
		if (proto_line_lookup_decode(enc, &m) != 0 ||
		    l.state != m.state || l.nokey != m.nokey ||
		    l.policy != m.policy || l.nkeys != m.nkeys ||
		    l.ttl != m.ttl || l.malformed != m.malformed ||
		    (l.why == NULL) != (m.why == NULL) ||
		    (l.why != NULL && (l.whylen != m.whylen ||
		    memcmp(l.why, m.why, l.whylen) != 0)))
			abort();
		for (i = 0; i < l.nkeys; i++)
			if (strcmp(l.keys[i], m.keys[i]) != 0)
				abort();
	}
	free(copy);
	round_trip_small(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer_authz az;
	struct answer_lookup lk;
	struct answer_dkimkey dk;
	const char *b = (const char *)data, *end = b + size, *nl;
	char *line;
	size_t len, i;

	while (b < end) {
		nl = memchr(b, '\n', (size_t)(end - b));
		len = nl != NULL ? (size_t)(nl - b) : (size_t)(end - b);
		if ((line = malloc(len + 1)) == NULL)
			return 0;
		memcpy(line, b, len);
		line[len] = '\0';
		if (answer_authz_parse(line, &az) == 0) {
			if (strnlen(az.reason, sizeof(az.reason)) ==
			    sizeof(az.reason) ||
			    strnlen(az.class_id, sizeof(az.class_id)) ==
			    sizeof(az.class_id))
				abort();	/* terminated in place */
		}
		round_trip(line);
		memset(&lk, 0, sizeof(lk));
		if (answer_lookup_parse(line, &lk) == 0) {
			if (lk.nkeys > ANSWER_MAX_KEYS)
				abort();
			for (i = 0; i < lk.nkeys; i++)
				if (lk.keys[i].pkey == NULL)
					abort();
			answer_lookup_free(&lk);
		} else if (lk.nkeys != 0)
			abort();	/* -1 leaves *OUT empty */
		if (answer_dkimkey_parse(line, &dk) == 0) {
			if (dk.nfps > ANSWER_MAX_KEYS ||
			    (dk.nfps > 0 && dk.state != SIG_KEYS_FOUND))
				abort();
			for (i = 0; i < dk.nfps; i++)
				if (strnlen(dk.fps[i], KEY_FP_SIZE) !=
				    KEY_FP_LEN)
					abort();	/* whole, terminated */
		} else if (dk.nfps != 0)
			abort();
		free(line);
		if (nl == NULL)
			break;
		b = nl + 1;
	}
	return 0;
}
