/*
 * sig_int.h: what sig.c (signing, keys) shares with sig_verify.c (the
 * verification steps): the context and the key operations.  Internal to
 * those two files; the public interface is sig.h.
 */
#ifndef SK_SIG_INT_H
#define SK_SIG_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "sig.h"
#include "sighash.h"
#include "sigheader.h"

struct sig_ctx {
	EVP_MD	*sha256;
};

/* sig_pkey_alg: the signature algorithm KEY can make, or 0. */
enum sigheader_alg sig_pkey_alg(const EVP_PKEY *key);

/* sig_pkey_verify: 1 when SIG is KEY's ALG signature of D, else 0. */
int	sig_pkey_verify(struct sig_ctx *c, EVP_PKEY *key,
	    enum sigheader_alg alg, const unsigned char d[SIGHASH_LEN],
	    const unsigned char *sig, size_t siglen);

/* sig_key_verify: sig_pkey_verify with the prepared K's ready context. */
int	sig_key_verify(const struct sig_key *k,
	    const unsigned char d[SIGHASH_LEN], const unsigned char *sig,
	    size_t siglen);

#endif
