/*
 * test_key_fp: key_record_fingerprint, the fingerprint of a record's p=
 * octets that "senderkey query" prints.  For the fixtures of
 * tests/data/key/ it must be the fingerprint the openssl command line
 * computed (fingerprints.txt); for any other octets it must be exactly
 * what key_fingerprint(key_from_record_bytes(...)) gives, including
 * refusing what key_from_record_bytes refuses.  The Ed25519 path hashes
 * with nettle and never builds an EVP_PKEY, so these are the tests that
 * it and OpenSSL's agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/key.h"
#include "lib/keyrec.h"
#include "t.h"

#define DIR	"tests/data/key/"

/* want_fp: NAME's line in fingerprints.txt, in FP; 0 or -1. */
static int
want_fp(const char *name, char fp[KEY_FP_SIZE])
{
	FILE *f = fopen(DIR "fingerprints.txt", "r");
	char line[256], n[64], p[KEY_FP_SIZE];
	int rc = -1;

	if (f == NULL)
		return -1;
	while (rc == -1 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %95s", n, p) == 2 &&
		    strcmp(n, name) == 0) {
			memcpy(fp, p, KEY_FP_SIZE);
			rc = 0;
		}
	fclose(f);
	return rc;
}

/* via_openssl: key_fingerprint of key_from_record_bytes; 0 or -1. */
static int
via_openssl(int alg, const unsigned char *p, size_t len,
    char fp[KEY_FP_SIZE])
{
	EVP_PKEY *pk = key_from_record_bytes(alg, p, len);
	int rc = pk != NULL ? key_fingerprint(pk, fp, KEY_FP_SIZE) : -1;

	EVP_PKEY_free(pk);
	return rc;
}

/* fixtures: each fixture's record octets print openssl's fingerprint. */
static void
fixtures(void)
{
	static const char *names[] = { "ed25519.spki.pem", "rsa2048.pub",
	    "rsa1024.spki.pem" };
	char path[256], err[256], fp[KEY_FP_SIZE], want[KEY_FP_SIZE];
	unsigned char *out;
	EVP_PKEY *pk;
	size_t i, len;
	int alg;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), DIR "%s", names[i]);
		out = NULL;
		len = 0;
		alg = -1;
		pk = key_load_public(path, err, sizeof(err));
		T_OK(pk != NULL && key_record_bytes(pk, &alg, &out, &len) == 0,
		    "%s: record octets", names[i]);
		T_OK(want_fp(names[i], want) == 0, "%s: in fingerprints.txt",
		    names[i]);
		strcpy(fp, "(none)");
		if (out != NULL &&
		    key_record_fingerprint(alg, out, len, fp, sizeof(fp)) != 0)
			strcpy(fp, "(failed)");
		T_STREQ(fp, want, "%s: record fingerprint is openssl's",
		    names[i]);
		T_OK(out == NULL || key_record_fingerprint(alg, out, len, fp,
		    KEY_FP_SIZE - 1) == -1, "%s: a short buffer fails",
		    names[i]);
		free(out);
		EVP_PKEY_free(pk);
	}
}

/* same: any octets give key_fingerprint's text, or both refuse them. */
static void
same(int alg, const unsigned char *p, size_t len, const char *what)
{
	char a[KEY_FP_SIZE] = "", b[KEY_FP_SIZE] = "";
	int ra = key_record_fingerprint(alg, p, len, a, sizeof(a));
	int rb = via_openssl(alg, p, len, b);

	T_INTEQ(ra, rb, "%s: accepted alike (%d, %d)", what, ra, rb);
	if (ra == 0 && rb == 0)
		T_STREQ(a, b, "%s: the same fingerprint", what);
}

int
main(void)
{
	unsigned char k[64];
	char what[64];
	size_t i, j;

	fixtures();
	for (i = 0; i < 40; i++) {
		for (j = 0; j < sizeof(k); j++)
			k[j] = i == 0 ? 0 : i == 1 ? 0xff :
			    (unsigned char)(i * 131 + j * 29 + (j >> 3));
		snprintf(what, sizeof(what), "ed25519 pattern %zu", i);
		same(KEYREC_ED25519, k, 32, what);
	}
	same(KEYREC_ED25519, k, 31, "31-octet ed25519");
	same(KEYREC_ED25519, k, 33, "33-octet ed25519");
	same(KEYREC_ED25519, k, 0, "empty ed25519");
	same(KEYREC_RSA, k, 32, "32 octets as rsa");
	same(KEYREC_RSA, k, 0, "empty rsa");
	same(99, k, 32, "unknown alg");
	return t_done();
}
