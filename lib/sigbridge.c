/*
 * sigbridge.c: which DKIM-Signature fields are bridge signatures for the
 * From: address, and the DKIM key record's fingerprints (see sigbridge.h
 * and specs/signature.md section 11.2).  Every comparison is exact
 * except where DNS names are compared (d=, s=): those ignore the case of
 * ASCII letters only.
 */
#include <string.h>

#include "addr.h"
#include "key.h"
#include "owner.h"
#include "sigbridge.h"
#include "sigheader.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* caseeq: A and B are equal but for the case of ASCII letters. */
static int
caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int
sigbridge_counts(const struct sigheader_fields *f, const struct addr *from,
    char sel[OWNER_DKIM_SEL_LEN + 1])
{
	const char *local = addr_canon_local(from);

	owner_dkim_selector(local, strlen(local), sel);
	if (f->kind != SIGHEADER_DKIM_BRIDGE || f->ident == NULL ||
	    f->domain == NULL || f->selector == NULL)
		return 0;
	return caseeq(f->domain, addr_domain(from)) &&
	    caseeq(f->selector, sel) &&
	    strcmp(addr_canon(f->ident), addr_canon(from)) == 0;
}

int
sigbridge_fp_in(const unsigned char fp[KEY_SHA256_LEN],
    const char (*fps)[KEY_FP_SIZE], size_t n)
{
	unsigned char b[KEY_SHA256_LEN];
	size_t i;

	/* compared as octets: either case, with or without colons */
	for (i = 0; i < n; i++)
		if (key_fingerprint_parse(fps[i], b) == 0 &&
		    memcmp(b, fp, sizeof(b)) == 0)
			return 1;
	return 0;
}
