/*
 * fuzz_key.c: libFuzzer target for lib/key.c's text readers:
 * key_public_from_text and key_private_from_text on the same octets
 * (PEM, OpenSSH, raw base64 forms), then the record bytes and the
 * fingerprint of what loaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/key.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* use_key: exercise what callers do with a loaded key, then free it. */
static void
use_key(EVP_PKEY *k)
{
	char fp[KEY_FP_SIZE];

	(void)key_bits(k);
	(void)key_type_name(k);
	(void)key_fingerprint(k, fp, sizeof(fp));
	EVP_PKEY_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY *k;
	char err[256];

	if (size > KEY_FILE_MAX)
		return 0;
	if ((k = key_public_from_text((const char *)data, size, err,
	    sizeof(err))) != NULL)
		use_key(k);
	if ((k = key_private_from_text((const char *)data, size, err,
	    sizeof(err))) != NULL)
		use_key(k);
	return 0;
}
