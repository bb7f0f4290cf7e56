/*
 * fuzz_lookup.c: libFuzzer target for lookup_classify (core/lookup.c),
 * the pure function that turns a DNS answer into a lookup state.  The
 * first octet sets the flags (bit 0 secure, bit 1 bogus, bit 2 policy
 * lookup, bits 3-4 the rcode: NOERROR, NXDOMAIN, SERVFAIL, REFUSED; bit 6
 * a DKIM key record lookup, before bit 2); the
 * rest is TXT texts separated by LF (NULs kept).  The checks are the
 * security ones: trusted only when secure, SECURE_KEY only for a secure,
 * non-bogus NOERROR answer, bogus always BOGUS, every key usable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lookup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	1700000000
#define TXT_MAX		40

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int rcodes[] = { 0, 3, 2, 5 };
	struct lookup_txt txt[TXT_MAX];
	struct lookup_input in;
	struct lookup_answer *a;
	const char *b, *end, *nl;
	size_t i;

	if (size < 1)
		return 0;
	memset(&in, 0, sizeof(in));
	in.secure = data[0] & 1;
	in.bogus = (data[0] >> 1) & 1;
	in.kind = (data[0] & 0x40) ? LOOKUP_DKIM : (data[0] & 4) ?
	    LOOKUP_POLICY : LOOKUP_KEY;
	in.rcode = rcodes[(data[0] >> 3) & 3];
	in.why_bogus = (data[0] & 0x20) ? "fuzz: signature expired" : NULL;
	in.ttl = 300;
	in.now = FUZZ_NOW;
	b = (const char *)data + 1;
	end = (const char *)data + size;
	while (b < end && in.ntxt < TXT_MAX) {
		nl = memchr(b, '\n', (size_t)(end - b));
		if (nl == NULL)
			nl = end;
		txt[in.ntxt].text = b;
		txt[in.ntxt].len = (size_t)(nl - b);
		in.ntxt++;
		b = nl + 1;
	}
	in.txt = txt;
	if ((a = lookup_classify(&in)) == NULL)
		return 0;
	if (a->trusted && !in.secure)
		abort();
	if (in.bogus && a->state != LOOKUP_BOGUS)
		abort();
	if (a->state == LOOKUP_SECURE_KEY &&
	    (!in.secure || in.bogus || in.rcode != 0))
		abort();
	if (!in.secure && (a->state == LOOKUP_SECURE_KEY ||
	    a->state == LOOKUP_SECURE_NOKEY || a->state == LOOKUP_PERMERROR))
		abort();
	if (a->nkeys > LOOKUP_MAX_KEY_RECORDS)
		abort();
	for (i = 0; i < a->nkeys; i++)
		if (!keyrec_usable(a->keys[i], FUZZ_NOW))
			abort();
	if (a->reason != NULL)
		(void)strlen(a->reason);
	lookup_answer_free(a);
	return 0;
}
