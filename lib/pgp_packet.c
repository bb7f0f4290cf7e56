/*
 * pgp_packet.c: OpenPGP packet framing (RFC 4880 section 4.2): the old
 * and new header formats, their lengths, and the names of packet tags
 * for messages.  What a packet holds is pgp.c's and pgp_sig.c's job.
 */
#include <stdint.h>
#include <stdio.h>

#include "errstr.h"
#include "pgp_packet.h"
#include "pgp_sig.h"

const char *
pgp_packet_tag_name(uint8_t tag)
{
	switch (tag) {
	case 1: return "public-key encrypted session key";
	case 2: return "signature";
	case 3: return "symmetric-key encrypted session key";
	case 4: return "one-pass signature";
	case 5: return "secret key";
	case 6: return "public key";
	case 7: return "secret subkey";
	case 8: return "compressed data";
	case 9: return "symmetrically encrypted data";
	case 10: return "marker";
	case 11: return "literal data";
	case 12: return "trust";
	case 13: return "user ID";
	case 14: return "public subkey";
	case 17: return "user attribute";
	case 18: return "encrypted and integrity protected data";
	case 19: return "modification detection code";
	case 20: return "AEAD encrypted data";
	case 21: return "padding";
	default: return "unknown";
	}
}

int
pgp_packet_header(const unsigned char *buf, size_t buflen, size_t *pos,
    size_t no, uint8_t *tag, size_t *body, size_t *len, char *err,
    size_t errsz)
{
	size_t p = *pos, left, hl, n = 0, i;
	unsigned c = buf[p];

	if (!(c & 0x80)) {
		errstr_set(err, errsz,
		    "packet %zu at offset %zu: octet 0x%02x is "
		    "not a packet header (bit 7 clear)", no, p, c);
		return -1;
	}
	left = buflen - p - 1;
	if (c & 0x40) {
		*tag = c & 0x3F;
		if (left < 1)
			goto trunc;
		c = buf[p + 1];
		if (c < 192) {
			hl = 2;
			n = c;
		} else if (c < 224) {
			if (left < 2)
				goto trunc;
			hl = 3;
			n = ((size_t)(c - 192) << 8) + buf[p + 2] + 192;
		} else if (c == 255) {
			if (left < 5)
				goto trunc;
			hl = 6;
			n = pgp_sig_be32(buf + p + 2);
		} else {
			errstr_set(err, errsz,
			    "packet %zu at offset %zu: partial "
			    "body lengths are not allowed in a key", no, p);
			return -1;
		}
	} else {
		*tag = (c >> 2) & 0x0F;
		switch (c & 3) {
		case 0: hl = 2; break;
		case 1: hl = 3; break;
		case 2: hl = 5; break;
		default:
			errstr_set(err, errsz, "packet %zu at offset %zu: "
			    "indeterminate length is not allowed in a key",
			    no, p);
			return -1;
		}
		if (left < hl - 1)
			goto trunc;
		for (i = 1; i < hl; i++)
			n = n << 8 | buf[p + i];
	}
	if (n > buflen - p - hl) {
		errstr_set(err, errsz, "packet %zu at offset %zu: length %zu "
		    "exceeds the remaining %zu octets", no, p, n,
		    buflen - p - hl);
		return -1;
	}
	*body = p + hl;
	*len = n;
	*pos = p + hl + n;
	return 0;
trunc:
	errstr_set(err, errsz, "packet %zu at offset %zu: truncated header", no,
	    p);
	return -1;
}
