/*
 * fuzz_txt.c: libFuzzer target for what senderkeyd does with libunbound's
 * answers: TXT rdata joined (rdata_join in core/lookup.c, txt_join in
 * lib/txt.c) and classified (lookup_result_answer), and the packet path
 * of core/lookup_packet.c (lookup_packet_done: the answer packet
 * parsed by ldns, the DNSSEC state, the TXT classification), each fed a
 * struct ub_result built from the input as libunbound builds one.
 * Layout: [0] flags (bit 0 secure, bit 1 bogus, bit 2 policy lookup, bits
 * 3-4 the rcode NOERROR/NXDOMAIN/SERVFAIL/REFUSED, bit 5 why_bogus, bit 6
 * havedata, bit 7 the packet query is not TXT); then records, each a
 * 2-octet big-endian length and that many octets: the first is the answer
 * packet, the others the rdata.
 * Checks: an answer is trusted only when secure, bogus is always BOGUS,
 * the packet's DNSSEC state follows the flags alone; every well-formed
 * rdata (character-strings covering it exactly) joins to the strings
 * one after the other, and txt_rr_new splits that text back into an
 * rdata that joins to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "lib/txt.h"
#include "core/lookup.h"
#include "core/lookup_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RR	32

/*
 * oracle_join: the strings of RDATA (LEN octets) one after the other into
 * OUT (room for LEN), or -1 when they do not cover it exactly.
 */
static int
oracle_join(const uint8_t *rd, size_t len, char *out, size_t *outlen)
{
	size_t p = 0, o = 0;

	while (p < len) {
		if (p + 1 + rd[p] > len)
			return -1;
		memcpy(out + o, rd + p + 1, rd[p]);
		o += rd[p];
		p += 1 + (size_t)rd[p];
	}
	*outlen = o;
	return 0;
}

/* check_roundtrip: TEXT split by txt_rr_new joins back by txt_join. */
static void
check_roundtrip(const char *text, size_t len)
{
	ldns_rr *rr;
	size_t n;
	char *j;

	if ((rr = txt_rr_new("x.example.test.", 300, text, len)) == NULL)
		return;
	if ((j = txt_join(rr, &n)) == NULL) {
		ldns_rr_free(rr);
		return;		/* out of memory only */
	}
	if (n != len || memcmp(j, text, len) != 0)
		abort();
	free(j);
	ldns_rr_free(rr);
}

static void
check_answer(const struct lookup_answer *a, const struct ub_result *r)
{
	if (a == NULL)
		return;
	if (a->trusted && (!r->secure || r->bogus))
		abort();
	if (r->bogus && a->state != LOOKUP_BOGUS)
		abort();
	if (a->state == LOOKUP_SECURE_KEY && (!r->secure || r->rcode != 0))
		abort();
}

/* result: a ub_result from the input, allocated as libunbound does. */
static struct ub_result *
result(const uint8_t *data, size_t size, int qtype)
{
	static const int rcodes[] = { 0, 3, 2, 5 };
	struct ub_result *r;
	size_t p = 1, n, nrr = 0;
	int first = 1;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->qname = strdup("x._senderkey.example.test.");
	r->qtype = qtype;
	r->qclass = 1;
	r->secure = data[0] & 1;
	r->bogus = (data[0] >> 1) & 1;
	r->rcode = rcodes[(data[0] >> 3) & 3];
	r->nxdomain = r->rcode == 3;
	r->havedata = (data[0] >> 6) & 1;
	r->ttl = 300;
	if (data[0] & 0x20)
		r->why_bogus = strdup("fuzz: signature expired");
	r->data = calloc(MAX_RR + 1, sizeof(*r->data));
	r->len = calloc(MAX_RR + 1, sizeof(*r->len));
	if (r->qname == NULL || r->data == NULL || r->len == NULL)
		goto fail;
	while (p + 2 <= size && nrr < MAX_RR) {
		n = (size_t)data[p] << 8 | data[p + 1];
		p += 2;
		if (n > size - p)
			n = size - p;
		if (first) {
			first = 0;
			if (n > 0 && (r->answer_packet = malloc(n)) != NULL) {
				memcpy(r->answer_packet, data + p, n);
				r->answer_len = (int)n;
			}
		} else {
			if ((r->data[nrr] = malloc(n + 1)) == NULL)
				goto fail;
			memcpy(r->data[nrr], data + p, n);
			r->len[nrr++] = (int)n;
		}
		p += n;
	}
	return r;
fail:
	ub_resolve_free(r);
	return NULL;
}

static struct lookup_packet *got;

static void
on_packet(void *arg, int id, struct lookup_packet *p)
{
	(void)arg;
	(void)id;
	got = p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lookup lk;
	struct lk_query *q;
	struct ub_result *r;
	struct lookup_answer *a;
	enum lookup_kind kind;
	char *buf;
	size_t i, n;
	int qtype, secure, bogus, rcode;

	if (size < 1)
		return 0;
	kind = (data[0] & 4) ? LOOKUP_POLICY : LOOKUP_KEY;
	qtype = (data[0] & 0x80) ? LDNS_RR_TYPE_OPENPGPKEY : LDNS_RR_TYPE_TXT;

	/* the TXT path of lookup.c */
	if ((r = result(data, size, LDNS_RR_TYPE_TXT)) == NULL)
		return 0;
	for (i = 0; r->data[i] != NULL; i++) {
		if ((buf = malloc((size_t)r->len[i] + 1)) == NULL)
			continue;
		if (oracle_join((const uint8_t *)r->data[i],
		    (size_t)r->len[i], buf, &n) == 0)
			check_roundtrip(buf, n);
		free(buf);
	}
	a = lookup_result_answer(kind, 0, r);
	check_answer(a, r);
	lookup_answer_free(a);
	ub_resolve_free(r);

	/* the packet path of lookup_packet.c */
	if ((r = result(data, size, qtype)) == NULL)
		return 0;
	secure = r->secure;
	bogus = r->bogus;
	rcode = r->rcode;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		ub_resolve_free(r);
		return 0;
	}
	memset(&lk, 0, sizeof(lk));
	q->lk = &lk;
	q->kind = kind;
	q->pcb = on_packet;
	q->rrtype = qtype;
	lk.pending = q;
	lk.npending = 1;
	got = NULL;
	lookup_packet_done(q, 0, r);	/* frees R and Q */
	if (lk.npending != 0 || lk.pending != NULL)
		abort();
	if (got != NULL) {
		if (bogus && got->dnssec != LOOKUP_DNSSEC_BOGUS)
			abort();
		if (!bogus && got->dnssec != (secure ? LOOKUP_DNSSEC_SECURE :
		    LOOKUP_DNSSEC_INSECURE))
			abort();
		if (got->rcode != rcode)
			abort();
		if ((qtype == LDNS_RR_TYPE_TXT) != (got->answer != NULL))
			abort();
		if (got->answer != NULL && got->answer->trusted &&
		    (!secure || bogus))
			abort();
		(void)strlen(lookup_packet_dnssec_name(got->dnssec));
		lookup_packet_free(got);
	}
	return 0;
}
