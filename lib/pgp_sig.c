/*
 * pgp_sig.c: the subpacket walk of OpenPGP v4 signatures.  Every length
 * is checked against what is left of its area; unknown subpackets are
 * skipped, unknown critical ones mark the signature unusable (RFC 4880
 * section 5.2.3.1).  Signature MPIs are not read: nothing is verified.
 */
#include <stdio.h>
#include <string.h>

#include "errstr.h"
#include "pgp_sig.h"

uint32_t
pgp_sig_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Subpacket types GnuPG 2.2 honours when marked critical. */
static int
known_critical(unsigned t)
{
	switch (t) {
	case 2: case 3: case 4: case 5: case 7: case 9: case 11: case 12:
	case 16: case 21: case 22: case 23: case 25: case 27: case 30:
	case 33: case 34:
		return 1;
	default:
		return 0;
	}
}

static int
parse_subpackets(const unsigned char *p, size_t len, int hashed,
    struct pgp_sig *s, char *err, size_t errsz)
{
	size_t n, hl;
	unsigned t;
	const unsigned char *d;

	while (len > 0) {
		if (p[0] < 192) {
			hl = 1;
			n = p[0];
		} else if (p[0] < 255) {
			if (len < 2)
				goto trunc;
			hl = 2;
			n = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
		} else {
			if (len < 5)
				goto trunc;
			hl = 5;
			n = pgp_sig_be32(p + 1);
		}
		if (n == 0 || n > len - hl) {
			errstr_set(err, errsz, "signature subpacket "
			    "length %zu exceeds the remaining %zu octets",
			    n, len - hl);
			return -1;
		}
		t = p[hl] & 0x7F;
		d = p + hl + 1;
		n--;		/* the data, after the type octet */
#define NEED(k)	do { if (n < (k)) goto shortsub; } while (0)
		if (t == 16) {
			NEED(8);
			memcpy(s->issuer, d, 8);
			s->has_issuer = 1;
		} else if (t == 33) {
			NEED(21);
			if (d[0] == 4 && n == 21 && !s->has_issuer) {
				memcpy(s->issuer, d + 13, 8);
				s->has_issuer = 1;
			}
		} else if (t == 32)
			s->has_backsig = 1;
		else if (hashed) {
			switch (t) {
			case 2:
				NEED(4);
				s->created = pgp_sig_be32(d);
				s->has_created = 1;
				break;
			case 3:
				NEED(4);
				s->sig_expire = pgp_sig_be32(d);
				break;
			case 4:
				NEED(1);
				s->nonexportable = d[0] == 0;
				break;
			case 7:
				NEED(1);
				s->nonrevocable = d[0] == 0;
				break;
			case 9:
				NEED(4);
				s->key_expire = pgp_sig_be32(d);
				s->has_key_expire = 1;
				break;
			case 12:
				NEED(1);
				if (d[0] & 0x40)
					s->sensitive = 1;
				break;
			case 27:
				if (n > 0) {
					s->keyflags = d[0];
					s->has_keyflags = 1;
				}
				break;
			default:
				if ((p[hl] & 0x80) && !known_critical(t))
					s->bad_critical = 1;
				break;
			}
		}
#undef NEED
		p += hl + 1 + n;
		len -= hl + 1 + n;
	}
	return 0;
shortsub:
	errstr_set(err, errsz, "signature subpacket %u is too short",
	    t);
	return -1;
trunc:
	errstr_set(err, errsz, "truncated signature subpacket header");
	return -1;
}

int
pgp_sig_parse(const unsigned char *b, size_t len, struct pgp_sig *s,
    char *err, size_t errsz)
{
	size_t hl, ul;

	memset(s, 0, sizeof(*s));
	if (len < 1) {
		errstr_set(err, errsz, "empty signature packet");
		return -1;
	}
	if (b[0] != 4) {
		errstr_set(err, errsz, "version %u signature (only "
		    "version 4 is supported)", b[0]);
		return -1;
	}
	if (len < 6)
		goto trunc;
	s->type = b[1];
	s->pkalg = b[2];
	hl = (size_t)b[4] << 8 | b[5];
	if (hl > len - 6)
		goto trunc;
	if (parse_subpackets(b + 6, hl, 1, s, err, errsz) == -1)
		return -1;
	if (len - 6 - hl < 2)
		goto trunc;
	ul = (size_t)b[6 + hl] << 8 | b[7 + hl];
	if (ul > len - 8 - hl)
		goto trunc;
	if (parse_subpackets(b + 8 + hl, ul, 0, s, err, errsz) == -1)
		return -1;
	if (len - 8 - hl - ul < 2 + 2)	/* hash prefix, one MPI header */
		goto trunc;
	return 0;
trunc:
	errstr_set(err, errsz, "truncated signature packet");
	return -1;
}
