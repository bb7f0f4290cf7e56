/*
 * pgp_sig: parse an OpenPGP version 4 signature packet body (RFC 4880
 * section 5.2.3) far enough to choose self-signatures as GnuPG 2.2 does:
 * type, creation and expiration times, issuer, key flags, the exportable,
 * revocable and sensitive revocation-key markers.  No verification.
 * Pure: no I/O.
 */
#ifndef SK_PGP_SIG_H
#define SK_PGP_SIG_H

#include <stddef.h>
#include <stdint.h>

/* What pgp_sig_parse found; only hashed subpackets count, except the
   issuer (16, 33) and embedded signature (32), taken from either area. */
struct pgp_sig {
	uint8_t		 type;
	uint8_t		 pkalg;
	uint32_t	 created;
	uint32_t	 sig_expire;	/* seconds after created; 0: never */
	uint32_t	 key_expire;	/* seconds after key creation */
	uint8_t		 issuer[8];
	uint8_t		 keyflags;
	unsigned	 has_created:1, has_issuer:1, has_keyflags:1,
			 has_key_expire:1, has_backsig:1, nonexportable:1,
			 nonrevocable:1, sensitive:1, bad_critical:1;
};

/*
 * pgp_sig_parse: parse the LEN-octet signature packet body B into *S.
 * Returns 0, or -1 with a one-line reason in ERR (ERRSZ bytes): not
 * version 4, a length that runs past the packet, a short subpacket.
 * A critical subpacket GnuPG does not know sets S->bad_critical, a
 * missing creation time leaves S->has_created 0: such signatures parse
 * but are never chosen.
 */
int	 pgp_sig_parse(const unsigned char *b, size_t len, struct pgp_sig *s,
	    char *err, size_t errsz);

/*
 * pgp_sig_be32: the big-endian 32-bit number at P (4 octets): OpenPGP's
 * times and five-octet lengths, for pgp_sig.c and pgp.c alike.
 */
uint32_t pgp_sig_be32(const unsigned char *p);

#endif
