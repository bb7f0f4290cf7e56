/*
 * fuzz_policyrec.c: libFuzzer target for lib/policyrec.c: policyrec_parse
 * on the raw octets; a parsed policy's encoding must parse to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/policyrec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum policyrec_policy p, p2;
	enum policyrec_err err;
	size_t pos = 0;
	const char *enc;

	if (policyrec_parse((const char *)data, size, &p, &err, &pos) == -1) {
		(void)strlen(policyrec_errname(err));
		if (pos > size)
			abort();	/* the error position is in the input */
		return 0;
	}
	(void)strlen(policyrec_name(p));
	enc = policyrec_encode(p);
	if (policyrec_parse(enc, strlen(enc), &p2, &err, &pos) == -1 ||
	    p2 != p)
		abort();
	return 0;
}
