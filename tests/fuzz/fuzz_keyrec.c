/*
 * fuzz_keyrec.c: libFuzzer target for lib/keyrec.c: keyrec_parse on the
 * raw octets (NULs and all, as joined TXT strings arrive), then the
 * accessors and keyrec_encode of what parsed, which must parse again;
 * and the same for the DKIM key record (keyrec_dkim_parse, whose bridge
 * encoding must read back as the same key).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/keyrec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dkim: the DKIM key record reader on the same octets. */
static void
dkim(const uint8_t *data, size_t size)
{
	const struct keyrec_fields *f, *g;
	struct keyrec *k, *k2;
	enum keyrec_err err;
	size_t pos = 0;
	char *enc;

	if ((k = keyrec_dkim_parse((const char *)data, size, &err,
	    &pos)) == NULL) {
		(void)strlen(keyrec_errname(err));
		if (pos > size)
			abort();
		return;
	}
	f = keyrec_get(k);
	if (f->not_after != 0 || f->notes != NULL)
		abort();	/* DKIM has no x=, and n= is never kept */
	if ((enc = keyrec_dkim_encode(f, NULL)) != NULL) {
		if ((k2 = keyrec_dkim_parse(enc, strlen(enc), &err,
		    &pos)) == NULL)
			abort();
		g = keyrec_get(k2);
		if (g->alg != f->alg || g->keylen != f->keylen ||
		    g->testing != f->testing ||
		    (f->keylen > 0 && memcmp(g->key, f->key, f->keylen) != 0))
			abort();	/* the same key reads back */
		keyrec_free(k2);
		free(enc);
	}
	keyrec_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyrec *k, *k2;
	enum keyrec_err err;
	size_t pos = 0;
	char *enc;

	dkim(data, size);
	k = keyrec_parse((const char *)data, size, &err, &pos);
	if (k == NULL) {
		(void)strlen(keyrec_errname(err));
		(void)strlen(keyrec_strerror(err));
		if (pos > size)
			abort();	/* the error position is in the input */
		return 0;
	}
	(void)keyrec_bits(k);
	(void)keyrec_usable(k, 1700000000);
	(void)strlen(keyrec_alg_name(keyrec_get(k)->alg));
	if ((enc = keyrec_encode(keyrec_get(k), NULL)) != NULL) {
		/* The canonical encoding of a parsed record parses. */
		if ((k2 = keyrec_parse(enc, strlen(enc), &err, &pos)) == NULL)
			abort();
		keyrec_free(k2);
		free(enc);
	}
	keyrec_free(k);
	return 0;
}
