/*
 * spki: an RSA SubjectPublicKeyInfo read without OpenSSL's decoders.
 * d2i_PUBKEY builds an OSSL_DECODER_CTX on every call, which enumerates
 * the decoders of every provider (~260 us a key here); a LOOKUP reply
 * and a pinned AUTHZ read each RSA key of the answer again.  Only the one
 * form that DER allows for an RSA key is read here; anything else is left
 * to d2i_PUBKEY by the caller (key.c), so what is accepted does not
 * change.
 */
#ifndef SK_SPKI_H
#define SK_SPKI_H

#include <stddef.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

/*
 * spki_rsa_parse: the RSA public key of DER (LEN octets) when DER is
 * exactly SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING {
 * 0 unused bits, SEQUENCE { INTEGER n, INTEGER e } } } in minimal DER
 * (lengths and INTEGERs in their shortest form, n and e positive, no
 * octet after it); a new EVP_PKEY owned by the caller.  NULL otherwise,
 * or when out of memory: the caller then tries d2i_PUBKEY.  The key is
 * not checked beyond that (key.c's check_key does).
 */
EVP_PKEY	*spki_rsa_parse(const unsigned char *der, size_t len);

/*
 * spki_rsa_from_ne: a new RSA public key (owned by the caller) of the
 * modulus N and exponent E, which stay the caller's; NULL when OpenSSL
 * refuses them or memory is short.  Also key_ssh.c's, for ssh-rsa.
 */
EVP_PKEY	*spki_rsa_from_ne(const BIGNUM *n, const BIGNUM *e);

#endif
