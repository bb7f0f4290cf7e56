/*
 * pgp_pkey.c: from the algorithm-specific fields of an OpenPGP v4 key
 * packet (RFC 4880 section 5.5.2, RFC 6637 / draft-koch-eddsa for EdDSA)
 * to an OpenSSL key.  MPIs must be canonical (the bit count is the
 * value's); nothing may follow the last field.  Packet framing is pgp.c's.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "errstr.h"
#include "pgp_pkey.h"

#define ALG_RSA		1
#define ALG_RSA_S	3
#define ALG_EDDSA	22
#define ED25519_LEN	32

static const unsigned char ed25519_oid[] = {
	0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01
};

/*
 * mpi: read one MPI at *P (*LEFT octets); V and VLEN get its value octets.
 * Returns 0, or -1 with ERR set.
 */
static int
mpi(const unsigned char **p, size_t *left, const unsigned char **v,
    size_t *vlen, const char *what, char *err, size_t errsz)
{
	size_t bits, n;
	unsigned top;

	if (*left < 2) {
		errstr_set(err, errsz, "key packet: truncated MPI %s", what);
		return -1;
	}
	bits = (size_t)(*p)[0] << 8 | (*p)[1];
	n = (bits + 7) / 8;
	if (n > *left - 2) {
		errstr_set(err, errsz,
		    "key packet: MPI %s of %zu bits exceeds the "
		    "remaining %zu octets", what, bits, *left - 2);
		return -1;
	}
	if (n == 0) {
		errstr_set(err, errsz, "key packet: MPI %s is zero", what);
		return -1;
	}
	top = (*p)[2];
	if (top == 0 || (size_t)(32 - __builtin_clz(top)) + 8 * (n - 1) !=
	    bits) {
		errstr_set(err, errsz,
		    "key packet: MPI %s is not canonical (its "
		    "bit count is not the value's)", what);
		return -1;
	}
	*v = *p + 2;
	*vlen = n;
	*p += 2 + n;
	*left -= 2 + n;
	return 0;
}

static EVP_PKEY *
rsa_key(const unsigned char *nb, size_t nlen, const unsigned char *eb,
    size_t elen, char *err, size_t errsz)
{
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if ((n = BN_bin2bn(nb, (int)nlen, NULL)) == NULL ||
	    (e = BN_bin2bn(eb, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		errstr_set(err, errsz,
		    "key packet: OpenSSL refused the RSA key");
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

EVP_PKEY *
pgp_pkey_from_body(const unsigned char *body, size_t len, char *err,
    size_t errsz)
{
	const unsigned char *p, *a, *b;
	size_t left, alen, blen, oidlen;
	EVP_PKEY *pk;

	if (len < 6 || body[0] != 4) {
		errstr_set(err, errsz, "key packet: not a version 4 key");
		return NULL;
	}
	p = body + 6;
	left = len - 6;
	switch (body[5]) {
	case ALG_RSA:
	case ALG_RSA_S:
		if (mpi(&p, &left, &a, &alen, "n", err, errsz) == -1 ||
		    mpi(&p, &left, &b, &blen, "e", err, errsz) == -1)
			return NULL;
		if (left != 0)
			goto trailing;
		return rsa_key(a, alen, b, blen, err, errsz);
	case ALG_EDDSA:
		if (left < 1 || (oidlen = p[0]) == 0 || oidlen == 0xFF ||
		    oidlen > left - 1) {
			errstr_set(err, errsz, "key packet: bad curve OID");
			return NULL;
		}
		if (oidlen != sizeof(ed25519_oid) ||
		    memcmp(p + 1, ed25519_oid, oidlen) != 0) {
			errstr_set(err, errsz,
			    "key packet: EdDSA on a curve other "
			    "than Ed25519 is not supported");
			return NULL;
		}
		p += 1 + oidlen;
		left -= 1 + oidlen;
		if (mpi(&p, &left, &a, &alen, "point", err, errsz) == -1)
			return NULL;
		if (left != 0)
			goto trailing;
		if (alen != 1 + ED25519_LEN || a[0] != 0x40) {
			errstr_set(err, errsz,
			    "key packet: the Ed25519 point is not "
			    "0x40 and 32 octets");
			return NULL;
		}
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a + 1,
		    ED25519_LEN);
		if (pk == NULL)
			errstr_set(err, errsz,
			    "key packet: OpenSSL refused the "
			    "Ed25519 key");
		return pk;
	default:
		errstr_set(err, errsz,
		    "public key algorithm %u is not supported: "
		    "use Ed25519 (22) or RSA (1)", body[5]);
		return NULL;
	}
trailing:
	errstr_set(err, errsz, "key packet: %zu octets after the key material",
	    left);
	return NULL;
}
