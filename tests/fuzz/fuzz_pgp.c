/*
 * fuzz_pgp.c: libFuzzer target for the OpenPGP readers (lib/pgp*.c):
 * pgp_key_parse (binary or armored), then on a parsed key the accessors,
 * the public and signing EVP_PKEYs, and pgp_key_minimal_at for each user
 * ID's mailbox, whose output must parse again.  NOW is fixed so runs
 * repeat.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/pgp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	1700000000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_key *k, *k2;
	EVP_PKEY *pk;
	unsigned char *min = NULL;
	const char *mbox;
	char err[256];
	size_t i, n, ulen, minlen = 0;

	if ((k = pgp_key_parse(data, size, err, sizeof(err))) == NULL)
		return 0;
	(void)strlen(pgp_key_fingerprint_hex(k));
	(void)pgp_key_created(k);
	if ((pk = pgp_key_pkey(k, err, sizeof(err))) != NULL)
		EVP_PKEY_free(pk);
	if ((pk = pgp_key_signing_pkey(k, FUZZ_NOW, NULL, err,
	    sizeof(err))) != NULL)
		EVP_PKEY_free(pk);
	n = pgp_key_uid_count(k);
	for (i = 0; i < n && i < 8; i++) {
		(void)pgp_key_uid(k, i, &ulen);
		if ((mbox = pgp_key_uid_mbox(k, i)) == NULL)
			continue;
		if (pgp_key_minimal_at(k, mbox, FUZZ_NOW, &min, &minlen, err,
		    sizeof(err)) == -1)
			continue;
		/* What we would publish is a key we can read back. */
		if ((k2 = pgp_key_parse(min, minlen, err, sizeof(err))) ==
		    NULL)
			abort();
		pgp_key_free(k2);
		free(min);
		min = NULL;
	}
	pgp_key_free(k);
	return 0;
}
