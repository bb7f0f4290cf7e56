/*
 * spki.c: the strict reader of an RSA SubjectPublicKeyInfo (RFC 5280
 * 4.1.2.7, RFC 8017 A.1.1, minimal DER) behind key_from_record_bytes;
 * the key is built from n and e with EVP_PKEY_fromdata.  See spki.h.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "spki.h"

/* The content of the AlgorithmIdentifier: rsaEncryption, NULL. */
static const unsigned char rsa_alg[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
	0x05, 0x00
};

/*
 * tlv: the element of [*P, END) with tag T, its length in minimal DER
 * (at most two length octets); its content in *C and *CLEN, *P moved
 * past it.  0, or -1 for anything else.
 */
static int
tlv(const unsigned char **p, const unsigned char *end, unsigned char t,
    const unsigned char **c, size_t *clen)
{
	const unsigned char *q = *p;
	size_t n, k;

	if (end - q < 2 || q[0] != t)
		return -1;
	n = q[1];
	q += 2;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k < 1 || k > 2 || (size_t)(end - q) < k)
			return -1;
		n = k == 1 ? q[0] : ((size_t)q[0] << 8) | q[1];
		q += k;
		/* the shortest form only */
		if (n < 0x80 || (k == 2 && n < 0x100))
			return -1;
	}
	if ((size_t)(end - q) < n)
		return -1;
	*c = q;
	*clen = n;
	*p = q + n;
	return 0;
}

/* der_uint: the positive INTEGER of [*P, END) in minimal form, as a BIGNUM. */
static BIGNUM *
der_uint(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *c;
	size_t n;

	if (tlv(p, end, 0x02, &c, &n) == -1 || n == 0 || n > 2048 ||
	    (c[0] & 0x80) != 0 ||			/* negative */
	    (c[0] == 0 && (n == 1 || (c[1] & 0x80) == 0)))	/* 0, or long */
		return NULL;
	return BN_bin2bn(c, (int)n, NULL);
}

EVP_PKEY *
spki_rsa_from_ne(const BIGNUM *n, const BIGNUM *e)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

EVP_PKEY *
spki_rsa_parse(const unsigned char *der, size_t len)
{
	const unsigned char *p = der, *end = der + len, *c, *alg, *bits;
	const unsigned char *rpk;
	size_t n, alglen, bitslen, rpklen;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	EVP_PKEY *pk = NULL;

	if (der == NULL || tlv(&p, end, 0x30, &c, &n) == -1 || p != end)
		return NULL;
	p = c;
	end = c + n;
	if (tlv(&p, end, 0x30, &alg, &alglen) == -1 ||
	    alglen != sizeof(rsa_alg) || memcmp(alg, rsa_alg, alglen) != 0 ||
	    tlv(&p, end, 0x03, &bits, &bitslen) == -1 || p != end ||
	    bitslen < 1 || bits[0] != 0x00)
		return NULL;
	p = bits + 1;
	end = bits + bitslen;
	if (tlv(&p, end, 0x30, &rpk, &rpklen) == -1 || p != end)
		return NULL;
	p = rpk;
	end = rpk + rpklen;
	if ((bn_n = der_uint(&p, end)) != NULL &&
	    (bn_e = der_uint(&p, end)) != NULL && p == end)
		pk = spki_rsa_from_ne(bn_n, bn_e);
	BN_free(bn_n);
	BN_free(bn_e);
	return pk;
}
