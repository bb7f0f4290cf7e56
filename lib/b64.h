/*
 * b64: strict base64 (RFC 4648, with padding) on top of OpenSSL's
 * EVP_EncodeBlock/EVP_DecodeBlock, which are lenient about padding and
 * length on their own.  Pure: no I/O.
 */
#ifndef SK_B64_H
#define SK_B64_H

#include <stddef.h>

/*
 * b64_decode: decode TEXT (NUL-terminated; SP, HTAB, CR and LF are
 * skipped).  The rest must be whole 4-character groups with '=' only as
 * padding at the end.  Empty text decodes to zero octets.  On success
 * returns 0 and a malloc'd buffer in *OUT (never NULL) with *OUTLEN set.
 * Returns -1 on bad input or allocation failure.
 */
int	 b64_decode(const char *text, unsigned char **out, size_t *outlen);

/*
 * b64_decode_buf: b64_decode of the LEN octets at TEXT into the caller's
 * OUT (OUTSZ octets), without allocating.  Returns 0 with *OUTLEN set, or
 * -1 on bad input or when the result would not fit in OUTSZ (OUT may then
 * hold part of it).
 */
int	 b64_decode_buf(const char *text, size_t len, unsigned char *out,
	    size_t outsz, size_t *outlen);

/* b64_encode: LEN octets at IN as base64 text, malloc'd; NULL on ENOMEM. */
char	*b64_encode(const unsigned char *in, size_t len);

/*
 * b64_encode_buf: b64_encode into the caller's OUT (OUTSZ octets), without
 * allocating: the text and a NUL.  Returns 0 with *OUTLEN set to the
 * text's length, or -1 when it would not fit (OUT is then untouched).
 */
int	 b64_encode_buf(const unsigned char *in, size_t len, char *out,
	    size_t outsz, size_t *outlen);

#endif
