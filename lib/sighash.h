/*
 * sighash: the two hashes a Sender-Key-Signature covers (specs/signature.md
 * section 4): the SHA-256 of the canonical body and the SHA-256 of the
 * header hash input of section 4.3.  Shared by signing and verification
 * (sig.c).  Pure: no I/O.  Not here: tags, keys, results.
 */
#ifndef SK_SIGHASH_H
#define SK_SIGHASH_H

#include <stddef.h>

#include <openssl/evp.h>

#include "canon.h"
#include "msg.h"

#define SIGHASH_LEN	32	/* SHA-256 */

/*
 * sighash_body: SHA-256 (SHA256, fetched by the caller) of M's body
 * canonicalised with ALG into OUT.  Returns 0, or -1 (out of memory,
 * OpenSSL failure).
 */
int	 sighash_body(const EVP_MD *sha256, const struct msg *m,
	    enum canon_alg alg, unsigned char out[SIGHASH_LEN]);

/*
 * sighash_header: the SHA-256 of the hash input of section 4.3, computed
 * with the caller's MD (any state; initialised here with SHA256): the
 * fields of M that the NH names of H (lowercase) select, lowest unused
 * instance first, canonicalised with ALG and each followed by CRLF; then
 * the signature field SIGFIELD (SIGLEN octets) with octets [CUT, RESUME)
 * left out (the value of b=; CUT == RESUME leaves it whole), without its
 * CRLF.  Returns 0, or -1 (out of memory, OpenSSL failure, a field
 * without a colon).
 */
int	 sighash_header(EVP_MD_CTX *md, const EVP_MD *sha256,
	    const struct msg *m, char *const *h, size_t nh, enum canon_alg alg,
	    const char *sigfield, size_t siglen, size_t cut, size_t resume,
	    unsigned char out[SIGHASH_LEN]);

#endif
