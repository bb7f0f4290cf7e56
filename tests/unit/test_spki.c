/*
 * test_spki: spki_rsa_parse reads the RSA keys i2d_PUBKEY writes (the
 * same key back), refuses every other input (truncated, extended,
 * non-minimal, negative, another algorithm), and never reads an input
 * differently from d2i_PUBKEY: for every single-octet change of a valid
 * key it accepts, d2i_PUBKEY reads the same key.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/spki.h"
#include "t.h"

/* same_as_d2i: spki_rsa_parse of DER is NULL, or d2i_PUBKEY's key. */
static int
same_as_d2i(const unsigned char *der, size_t len)
{
	const unsigned char *q = der;
	EVP_PKEY *a, *b;
	int ok;

	if ((a = spki_rsa_parse(der, len)) == NULL)
		return 1;
	b = d2i_PUBKEY(NULL, &q, (long)len);
	ok = b != NULL && q == der + len && EVP_PKEY_is_a(b, "RSA") &&
	    EVP_PKEY_eq(a, b) == 1;
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok;
}

static void
test_keys(void)
{
	static const size_t bits[] = { 1024, 1025, 2048 };
	unsigned char *der, *m;
	EVP_PKEY *pk, *back;
	size_t i, j, len, bad_trunc, bad_mut;
	int n, v;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits[i]);
		der = NULL;
		n = pk != NULL ? i2d_PUBKEY(pk, &der) : -1;
		T_OK(n > 0, "RSA-%zu: a key to read", bits[i]);
		if (n <= 0) {
			EVP_PKEY_free(pk);
			continue;
		}
		len = (size_t)n;
		back = spki_rsa_parse(der, len);
		T_OK(back != NULL && EVP_PKEY_eq(pk, back) == 1,
		    "RSA-%zu: the same key back", bits[i]);
		EVP_PKEY_free(back);
		/* every truncation refused, one octet more refused */
		bad_trunc = 0;
		for (j = 0; j < len; j++)
			if ((back = spki_rsa_parse(der, j)) != NULL) {
				bad_trunc++;
				EVP_PKEY_free(back);
			}
		T_OK(bad_trunc == 0, "RSA-%zu: no truncation read", bits[i]);
		m = malloc(len + 1);
		if (m != NULL) {
			memcpy(m, der, len);
			m[len] = 0x00;
			back = spki_rsa_parse(m, len + 1);
			T_OK(back == NULL, "RSA-%zu: a trailing octet refused",
			    bits[i]);
			EVP_PKEY_free(back);
			/* each octet of the first 40 and the last 8 changed in
			   three ways: read as d2i_PUBKEY reads it, or not */
			bad_mut = 0;
			for (j = 0; j < len; j++) {
				if (j >= 40 && j + 8 < len)
					continue;
				for (v = 0; v < 3; v++) {
					memcpy(m, der, len);
					m[j] = v == 0 ? (unsigned char)(m[j] ^
					    0x80) : v == 1 ? (unsigned char)(m[j] +
					    1) : 0x00;
					if (!same_as_d2i(m, len))
						bad_mut++;
				}
			}
			T_OK(bad_mut == 0, "RSA-%zu: every changed octet read "
			    "as d2i_PUBKEY reads it, or refused (%zu not)",
			    bits[i], bad_mut);
			free(m);
		}
		OPENSSL_free(der);
		EVP_PKEY_free(pk);
	}
}

static void
test_forms(void)
{
	/* n = 0x00c5 (positive with its leading zero), e = 3 */
	static const unsigned char ok[] = {
		0x30, 0x1c, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
		0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x0b, 0x00,
		0x30, 0x08, 0x02, 0x02, 0x00, 0xc5, 0x02, 0x02, 0x00, 0x03
	};
	unsigned char m[sizeof(ok) + 1];
	EVP_PKEY *pk, *ed;
	unsigned char *der = NULL;
	int n;

	/* the last INTEGER (e = 0x0003) is not minimal: refused */
	T_OK((pk = spki_rsa_parse(ok, sizeof(ok))) == NULL,
	    "an INTEGER with a needless leading zero refused");
	EVP_PKEY_free(pk);
	memcpy(m, ok, sizeof(ok));
	/* e = 0x03 in one octet: the lengths shrink by one */
	m[1] = 0x1b;
	m[18] = 0x0a;
	m[21] = 0x07;
	m[27] = 0x01;
	m[28] = 0x03;
	pk = spki_rsa_parse(m, sizeof(ok) - 1);
	T_OK(pk != NULL, "minimal n = 197, e = 3 read");
	EVP_PKEY_free(pk);
	/* n = 0x85 alone is negative (0x00 0x85 is not): refused */
	m[22] = 0x01;
	m[23] = 0x85;
	T_OK(spki_rsa_parse(m, sizeof(ok) - 1) == NULL, "malformed refused");
	/* a length in the long form where the short one fits */
	memcpy(m, ok, sizeof(ok));
	m[0] = 0x30;
	memmove(m + 3, m + 2, sizeof(ok) - 2);
	m[1] = 0x81;
	m[2] = 0x1c;
	T_OK(spki_rsa_parse(m, sizeof(ok) + 1) == NULL,
	    "a long-form length that fits the short form refused");
	T_OK(spki_rsa_parse(NULL, 0) == NULL && spki_rsa_parse(ok, 0) == NULL,
	    "nothing refused");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	n = ed != NULL ? i2d_PUBKEY(ed, &der) : -1;
	T_OK(n > 0 && spki_rsa_parse(der, (size_t)n) == NULL,
	    "an Ed25519 SPKI refused");
	OPENSSL_free(der);
	EVP_PKEY_free(ed);
}

int
main(void)
{
	test_keys();
	test_forms();
	return t_done();
}
