/*
 * fuzz_proto_line.c: libFuzzer target for core/proto_line.c: each LF
 * terminated line of the input (and a tail without LF) goes to
 * proto_line_parse as conn.c passes it (at most PROTO_LINE_MAX + 1
 * octets), then what callers read of the request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_line_request *rq;
	enum proto_line_err e;
	const char *b = (const char *)data, *end = b + size, *nl;
	size_t len;

	if ((rq = malloc(sizeof(*rq))) == NULL)
		return 0;
	while (b < end) {
		nl = memchr(b, '\n', (size_t)(end - b));
		len = nl != NULL ? (size_t)(nl - b) + 1 : (size_t)(end - b);
		if (len > PROTO_LINE_MAX + 1)
			len = PROTO_LINE_MAX + 1;
		if (proto_line_parse(b, len, rq, &e) == 0) {
			(void)strlen(proto_line_cmdname(rq->cmd));
			if (rq->cmd == PLC_AUTHZ) {
				if (rq->sender == NULL ||
				    rq->recipient == NULL ||
				    *rq->recipient == '\0')
					abort();
				(void)strlen(rq->sender);
				if (rq->queue_id != NULL &&
				    strlen(rq->queue_id) >
				    PROTO_LINE_QUEUE_ID_MAX)
					abort();
			} else if (rq->cmd == PLC_LOOKUP) {
				if (rq->address == NULL)
					abort();
				(void)strlen(rq->address);
			}
		} else {
			(void)strlen(proto_line_errname(e));
			(void)proto_line_err_closes(e);
		}
		if (nl == NULL)
			break;
		b = nl + 1;
	}
	free(rq);
	return 0;
}
