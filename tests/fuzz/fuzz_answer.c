/*
 * fuzz_answer.c: libFuzzer target for milter/answer.c, the milter's
 * parsers of senderkeyd's replies.  Each LF-separated line of the input
 * (NUL-terminated, as daemon.c hands it over) is parsed as an AUTHZ reply
 * and as a LOOKUP reply.  Built with milter/answer.c compiled in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
