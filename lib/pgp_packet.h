/*
 * pgp_packet: OpenPGP packet framing (RFC 4880 section 4.2) for pgp.c:
 * one packet header at a time, old or new format; partial and
 * indeterminate lengths are refused (a key never needs them).  Pure: no
 * I/O.
 */
#ifndef SK_PGP_PACKET_H
#define SK_PGP_PACKET_H

#include <stddef.h>
#include <stdint.h>

/*
 * pgp_packet_header: the header of packet NO (1-based, for messages) at
 * BUF[*POS] (BUFLEN octets in all): sets *TAG, *BODY (the body's offset)
 * and *LEN, and advances *POS past the body.  Returns 0, or -1 with the
 * reason in ERR (ERRSZ bytes): not a header, truncated, a partial or
 * indeterminate length, a body past the end.
 */
int		 pgp_packet_header(const unsigned char *buf, size_t buflen,
		    size_t *pos, size_t no, uint8_t *tag, size_t *body,
		    size_t *len, char *err, size_t errsz);

/* pgp_packet_tag_name: "public key", "user ID"...; "unknown" else. */
const char	*pgp_packet_tag_name(uint8_t tag);

#endif
