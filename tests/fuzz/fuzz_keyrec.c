/*
 * fuzz_keyrec.c: libFuzzer target for lib/keyrec.c: keyrec_parse on the
 * raw octets (NULs and all, as joined TXT strings arrive), then the
 * accessors and keyrec_encode of what parsed, which must parse again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/keyrec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyrec *k, *k2;
	enum keyrec_err err;
	size_t pos = 0;
	char *enc;

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
