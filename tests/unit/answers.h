/*
 * answers.h: DNS answers for the daemon's unit tests, made the way the
 * real resolver makes them (lookup_classify on plain values), and the
 * key records they use.  Header-only, like t.h.
 */
#ifndef SK_TEST_ANSWERS_H
#define SK_TEST_ANSWERS_H

#include <string.h>
#include <time.h>

#include "core/lookup.h"

/* Two Ed25519 key records (as tests/unit/test_lookup.c's). */
#define ANS_ALICE \
	"v=SK1; k=ed25519; p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
#define ANS_BOB \
	"v=SK1; k=ed25519; p=ha6+UoEd1A/J2bLLedpZ9jIlw1W+iKt8CZGEPnqblc8="
#define ANS_REVOKED	"v=SK1; k=ed25519; p="

/* What an answer is like. */
enum ans_kind {
	ANS_SECURE,		/* validated; the records (maybe none) */
	ANS_NXDOMAIN,		/* validated NXDOMAIN */
	ANS_INSECURE,		/* unsigned zone; the records */
	ANS_BOGUS,		/* validation failed: "signature expired" */
	ANS_SERVFAIL,		/* rcode 2 */
};

/*
 * ans_make: the answer of KIND for a lookup of WHAT, TXT the NTXT
 * records, TTL seconds.  NULL when out of memory.  Unused in some tests.
 */
static inline struct lookup_answer *
ans_make(enum lookup_kind what, enum ans_kind kind, const char *const *txt,
    size_t ntxt, uint32_t ttl)
{
	struct lookup_txt t[8];
	struct lookup_input in;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.kind = what;
	in.ttl = ttl;
	in.now = (int64_t)time(NULL);
	for (i = 0; i < ntxt && i < 8; i++) {
		t[i].text = txt[i];
		t[i].len = strlen(txt[i]);
	}
	switch (kind) {
	case ANS_SECURE:
		in.secure = 1;
		in.txt = t;
		in.ntxt = i;
		break;
	case ANS_NXDOMAIN:
		in.secure = 1;
		in.rcode = 3;
		break;
	case ANS_INSECURE:
		in.txt = t;
		in.ntxt = i;
		break;
	case ANS_BOGUS:
		in.bogus = 1;
		in.why_bogus = "signature expired";
		in.rcode = 2;
		break;
	case ANS_SERVFAIL:
		in.rcode = 2;
		break;
	}
	return lookup_classify(&in);
}

#endif
