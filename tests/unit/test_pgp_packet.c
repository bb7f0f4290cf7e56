/*
 * test_pgp_packet: OpenPGP packet headers (lib/pgp_packet.c): the new
 * format's one-, two- and five-octet lengths, the old format's one-, two-
 * and four-octet lengths, and each refusal: bit 7 clear, partial and
 * indeterminate lengths, a truncated header, a body past the end.
 */
#include <string.h>

#include "lib/pgp_packet.h"
#include "t.h"

/* hdr: parse BUF (LEN octets) at 0; checks tag, body offset and length. */
static void
hdr(const char *what, const unsigned char *buf, size_t len, int tag,
    size_t body, size_t blen)
{
	char err[256] = "";
	size_t pos = 0, b = 0, l = 0;
	uint8_t t = 0;
	int rc = pgp_packet_header(buf, len, &pos, 1, &t, &b, &l, err,
	    sizeof(err));

	T_OK(rc == 0 && t == tag && b == body && l == blen &&
	    pos == body + blen, "%s (%s)", what, rc == 0 ? "ok" : err);
}

/* bad: BUF is refused with a message holding WANT. */
static void
bad(const char *what, const unsigned char *buf, size_t len,
    const char *want)
{
	char err[256] = "";
	size_t pos = 0, b, l;
	uint8_t t;

	T_OK(pgp_packet_header(buf, len, &pos, 1, &t, &b, &l, err,
	    sizeof(err)) == -1 && strstr(err, want) != NULL,
	    "%s: refused (%s)", what, err);
}

int
main(void)
{
	static unsigned char big[300];
	static const unsigned char n1[] = { 0xC0 | 13, 2, 'h', 'i' };
	static const unsigned char n5[] = { 0xC0 | 2, 255, 0, 0, 0, 1, 'x' };
	static const unsigned char o1[] = { 0x80 | 6 << 2, 1, 'k' };
	static const unsigned char o4[] = { 0x80 | 14 << 2 | 2, 0, 0, 0, 1,
		's' };

	hdr("new format, one-octet length", n1, sizeof(n1), 13, 2, 2);
	big[0] = 0xC0 | 6;
	big[1] = 192;		/* (192 - 192) << 8 + 40 + 192 = 232 */
	big[2] = 40;
	hdr("new format, two-octet length", big, 3 + 232, 6, 3, 232);
	hdr("new format, five-octet length", n5, sizeof(n5), 2, 6, 1);
	hdr("old format, one-octet length", o1, sizeof(o1), 6, 2, 1);
	hdr("old format, four-octet length", o4, sizeof(o4), 14, 5, 1);

	bad("bit 7 clear", (const unsigned char *)"\x46\x01x", 3,
	    "not a packet header");
	bad("a partial length", (const unsigned char *)"\xCB\xE0x", 3,
	    "partial");
	bad("an indeterminate length", (const unsigned char *)"\x8Bx", 2,
	    "indeterminate");
	bad("a truncated header", n5, 4, "truncated header");
	bad("a body past the end", n1, 3, "exceeds the remaining 1");

	T_STREQ(pgp_packet_tag_name(13), "user ID", "tag 13");
	T_STREQ(pgp_packet_tag_name(99), "unknown", "tag 99");
	return t_done();
}
