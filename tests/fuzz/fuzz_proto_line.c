/*
 * fuzz_proto_line.c: libFuzzer target for core/proto_line.c: each LF
 * terminated line of the input (and a tail without LF) goes to
 * proto_line_parse as conn.c passes it (at most PROTO_LINE_MAX + 1
 * octets), then what callers read of the request, then the request
 * built back by proto_line_req_build must parse to the same values (the
 * builder refuses only a line the canonical key= makes too long).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"
#include "core/proto_line_req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	out[PROTO_LINE_MAX + 1];

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* rebuild: RQ built and parsed again into R2 gives the same values. */
static void
rebuild(const struct proto_line_request *rq, struct proto_line_request *r2)
{
	enum proto_line_err e;
	int n;

	if ((n = proto_line_req_build(out, sizeof(out), rq, &e)) == -1) {
		/* A LOOKUP or DKIMKEY address is parsed by the daemon,
		 * not by proto_line_parse: the builder refuses what the
		 * daemon would answer bad-address. */
		if (e == PLE_BAD_ADDRESS && (rq->cmd == PLC_LOOKUP ||
		    rq->cmd == PLC_DKIMKEY))
			return;
		if (e != PLE_LINE_TOO_LONG || !rq->have_key)
			abort();	/* it parsed, so it can be sent */
		return;
	}
	if (proto_line_parse(out, (size_t)n, r2, &e) == -1 ||
	    r2->cmd != rq->cmd || !same(r2->sender, rq->sender) ||
	    r2->sender_null != rq->sender_null ||
	    !same(r2->recipient, rq->recipient) || r2->sig != rq->sig ||
	    r2->have_key != rq->have_key ||
	    memcmp(r2->key, rq->key, sizeof(rq->key)) != 0 ||
	    !same(r2->queue_id, rq->queue_id) ||
	    !same(r2->address, rq->address))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_line_request *rq, *r2;
	enum proto_line_err e;
	const char *b = (const char *)data, *end = b + size, *nl;
	size_t len;

	if ((rq = malloc(sizeof(*rq))) == NULL)
		return 0;
	if ((r2 = malloc(sizeof(*r2))) == NULL) {
		free(rq);
		return 0;
	}
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
			} else if (rq->cmd == PLC_LOOKUP ||
			    rq->cmd == PLC_DKIMKEY) {
				if (rq->address == NULL)
					abort();
				(void)strlen(rq->address);
			}
			rebuild(rq, r2);
		} else {
			(void)strlen(proto_line_errname(e));
			(void)proto_line_err_closes(e);
		}
		if (nl == NULL)
			break;
		b = nl + 1;
	}
	free(r2);
	free(rq);
	return 0;
}
