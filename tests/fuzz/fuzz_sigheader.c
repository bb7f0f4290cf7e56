/*
 * fuzz_sigheader.c: libFuzzer target for lib/sigheader.c: the input is a
 * field value (after the colon, folding included), parsed as a
 * Sender-Key-Signature and as a DKIM-Signature; then sigheader_strip_b on
 * the whole field "Sender-Key-Signature:" VALUE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sigheader.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
parse_as(enum sigheader_kind kind, const char *v, size_t len)
{
	struct sigheader *h;
	const struct sigheader_fields *f;
	enum sigheader_err err;
	size_t i;

	if ((h = sigheader_parse(kind, v, len, &err)) == NULL) {
		(void)strlen(sigheader_errname(err));
		return;
	}
	f = sigheader_get(h);
	if (f->kind != kind || f->nh > SIGHEADER_MAX_H)
		abort();
	(void)strlen(sigheader_alg_name(f->alg));
	for (i = 0; i < f->nh; i++)
		(void)strlen(f->h[i]);
	if (kind == SIGHEADER_DKIM) {
		if (f->domain == NULL || f->selector == NULL)
			abort();	/* d= and s= are required */
		(void)strlen(f->domain);
		(void)strlen(f->selector);
	} else if (f->sender == NULL)
		abort();		/* s= is required */
	sigheader_free(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = SIGHEADER_NAME ":";
	char *field, *s;
	size_t flen, slen;

	parse_as(SIGHEADER_SKS, (const char *)data, size);
	parse_as(SIGHEADER_DKIM, (const char *)data, size);
	flen = sizeof(name) - 1 + size;
	if ((field = malloc(flen)) == NULL)
		return 0;
	memcpy(field, name, sizeof(name) - 1);
	memcpy(field + sizeof(name) - 1, data, size);
	if ((s = sigheader_strip_b(field, flen, &slen)) != NULL) {
		if (slen > flen)
			abort();	/* stripping never adds octets */
		free(s);
	}
	free(field);
	return 0;
}
