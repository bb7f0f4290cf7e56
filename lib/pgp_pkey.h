/*
 * pgp_pkey: the public key material of an OpenPGP v4 key packet as an
 * OpenSSL EVP_PKEY: Ed25519 (algorithm 22 on 1.3.6.1.4.1.11591.15.1, the
 * 0x40-prefixed point) and RSA (algorithms 1 and 3).  Pure: no I/O.
 */
#ifndef SK_PGP_PKEY_H
#define SK_PGP_PKEY_H

#include <stddef.h>

#include <openssl/evp.h>

/*
 * pgp_pkey_from_body: BODY is the LEN-octet body of a version 4 public key
 * or subkey packet.  Returns a new public EVP_PKEY (caller frees), or NULL
 * with a one-line reason in ERR (ERRSZ bytes): another algorithm or curve,
 * a non-canonical MPI, trailing octets, a truncated packet.
 */
EVP_PKEY	*pgp_pkey_from_body(const unsigned char *body, size_t len,
		    char *err, size_t errsz);

#endif
