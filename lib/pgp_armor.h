/*
 * pgp_armor: decode OpenPGP ASCII armor (RFC 4880 section 6) holding a
 * public key block: the BEGIN/END lines, armor headers, base64 body and
 * the mandatory "=XXXX" CRC-24 line, which must match.  Pure: no I/O.
 * Not for signed messages or other block types.
 */
#ifndef SK_PGP_ARMOR_H
#define SK_PGP_ARMOR_H

#include <stddef.h>
#include <stdint.h>

#define PGP_ARMOR_MAX	(1024 * 1024)	/* the largest armored text read */

/*
 * pgp_armor_is_armor: non-zero when the LEN octets at BUF look like armor
 * (the first octet is not a packet tag, i.e. has bit 7 clear).
 */
int		 pgp_armor_is_armor(const unsigned char *buf, size_t len);

/*
 * pgp_armor_decode: decode the "PGP PUBLIC KEY BLOCK" in the LEN octets at
 * TEXT (need not be NUL-terminated).  Text before the BEGIN line is
 * skipped; after the END line only white space may follow.  On success
 * returns 0 with a malloc'd buffer in *OUT (caller frees) and *OUTLEN set.
 * On failure returns -1, nothing allocated, with a one-line reason
 * ("line 7: CRC-24 is 1a2b3c, the data has 4d5e6f") in ERR (ERRSZ bytes).
 */
int		 pgp_armor_decode(const char *text, size_t len,
		    unsigned char **out, size_t *outlen, char *err,
		    size_t errsz);

/* pgp_armor_crc24: the RFC 4880 section 6.1 CRC-24 of LEN octets at P. */
uint32_t	 pgp_armor_crc24(const unsigned char *p, size_t len);

#endif
