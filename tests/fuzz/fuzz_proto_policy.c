/*
 * fuzz_proto_policy.c: libFuzzer target for resolver/proto_policy.c, the
 * Postfix policy delegation parser.  The input is a connection's byte
 * stream.  It is framed as resolver/conn.c frames it (blocks ending in an
 * empty line; a line over PROTO_POLICY_LINE_MAX octets, or a block over
 * PROTO_POLICY_REQ_MAX octets or PROTO_POLICY_ATTR_MAX lines, ends the
 * connection) and each block is fed line by line as dispatch.c does; a
 * tail without LF is fed as the truncated last line.  Every request that
 * parses goes through proto_policy_txn_step, one transaction state per
 * stream, the verdict taken from the request's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/verdict.h"
#include "resolver/proto_policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_request: what callers read of a parsed request. */
static void
check_request(const struct proto_policy_request *rq,
    struct proto_policy_txn *t)
{
	const char *s[] = { rq->protocol_state, rq->sender, rq->recipient,
	    rq->instance, rq->queue_id, rq->client_address, rq->client_name,
	    rq->sasl_username, rq->ccert_pubkey_fingerprint };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i] != NULL)
			(void)strlen(s[i]);
	if (rq->state == PPST_RCPT &&
	    (rq->recipient == NULL || *rq->recipient == '\0'))
		abort();	/* RCPT always names its recipient */
	if (rq->nattrs > PROTO_POLICY_ATTR_MAX ||
	    rq->size > PROTO_POLICY_REQ_MAX)
		abort();
	(void)proto_policy_txn_step(t, rq->state, rq->instance,
	    (enum verdict)(rq->size % VERDICT_COUNT), "c1", "OK", 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_policy_parser *p;
	struct proto_policy_txn t;
	enum proto_policy_status st;
	enum proto_policy_err e;
	const char *b = (const char *)data, *end = b + size, *q, *nl;
	size_t linelen, nlines, blen;

	if ((p = proto_policy_parser_new()) == NULL)
		return 0;
	proto_policy_txn_init(&t);
	while (b < end) {
		/* frame one block as conn.c does */
		q = b;
		nlines = 0;
		for (;;) {
			nl = memchr(q, '\n', (size_t)(end - q));
			if (nl == NULL)
				break;
			linelen = (size_t)(nl - q) + 1;
			if (linelen > PROTO_POLICY_LINE_MAX)
				goto out;
			if (linelen == 1 || (linelen == 2 && *q == '\r'))
				break;
			if (++nlines > PROTO_POLICY_ATTR_MAX)
				goto out;
			q = nl + 1;
		}
		if (nl == NULL) {
			/* EOF inside a block: feed what there is, the last
			 * line without its LF (truncated) */
			blen = (size_t)(end - b);
		} else {
			blen = (size_t)(q - b);
			if (blen + (size_t)(nl - q) + 1 >
			    PROTO_POLICY_REQ_MAX)
				goto out;
		}
		proto_policy_reset(p);
		st = PPS_MORE;
		for (q = b; st == PPS_MORE && q < b + blen; q = nl + 1) {
			nl = memchr(q, '\n', (size_t)(b + blen - q));
			if (nl == NULL) {
				linelen = (size_t)(b + blen - q);
				if (linelen > PROTO_POLICY_LINE_MAX)
					linelen = PROTO_POLICY_LINE_MAX;
				st = proto_policy_feed(p, q, linelen, &e);
				break;
			}
			st = proto_policy_feed(p, q, (size_t)(nl - q) + 1,
			    &e);
		}
		if (st == PPS_MORE)
			st = proto_policy_feed(p, "\n", 1, &e);
		if (st == PPS_DONE) {
			if (proto_policy_request(p) == NULL)
				abort();
			check_request(proto_policy_request(p), &t);
		} else if (st == PPS_ERROR)
			(void)strlen(proto_policy_errname(e));
		if (b + blen >= end)
			break;
		/* past the block and its empty line */
		nl = memchr(b + blen, '\n', (size_t)(end - (b + blen)));
		b = nl + 1;
	}
out:
	proto_policy_parser_free(p);
	return 0;
}
