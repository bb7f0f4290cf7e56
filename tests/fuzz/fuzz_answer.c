/*
 * fuzz_answer.c: libFuzzer target for the decoders of senderkeyd's
 * replies: milter/answer.c and the codec under it (core/proto_line.c).
 * Each LF-separated line of the input (NUL-terminated, as daemon.c hands
 * it over) is parsed as an AUTHZ reply and as a LOOKUP reply; whatever
 * decodes must survive a round trip (encode, decode: the same values).
 * Built with milter/answer.c compiled in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"
#include "milter/answer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	enc[PROTO_LINE_REPLY_MAX];

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
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer_authz az;
	struct answer_lookup lk;
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
		free(line);
		if (nl == NULL)
			break;
		b = nl + 1;
	}
	return 0;
}
