/*
 * pgp_armor.c: strict ASCII armor decoding for OpenPGP public key blocks.
 * Splits the text into lines, checks the BEGIN/END lines and the header
 * syntax, joins the base64 body for lib/b64 (OpenSSL) and checks the
 * CRC-24.  It does not look inside the packets: that is pgp.c's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "errstr.h"
#include "pgp_armor.h"

#define BEGIN_LINE	"-----BEGIN PGP PUBLIC KEY BLOCK-----"
#define END_LINE	"-----END PGP PUBLIC KEY BLOCK-----"
#define CRC24_INIT	0xB704CEu
#define CRC24_POLY	0x1864CFBu

uint32_t
pgp_armor_crc24(const unsigned char *p, size_t len)
{
	uint32_t crc = CRC24_INIT;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (uint32_t)p[i] << 16;
		for (b = 0; b < 8; b++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= CRC24_POLY;
		}
	}
	return crc & 0xFFFFFFu;
}

int
pgp_armor_is_armor(const unsigned char *buf, size_t len)
{
	return len > 0 && (buf[0] & 0x80) == 0;
}

/* A line without its end of line and trailing white space. */
struct line {
	const char	*p;
	size_t		 len;
	size_t		 no;
};

/* next_line: the line at *POS in TEXT; returns 0 at the end. */
static int
next_line(const char *text, size_t len, size_t *pos, size_t *no,
    struct line *l)
{
	size_t s = *pos, e;

	if (s >= len)
		return 0;
	for (e = s; e < len && text[e] != '\n'; e++)
		;
	*pos = e < len ? e + 1 : e;
	(*no)++;
	l->p = text + s;
	l->no = *no;
	while (e > s && (text[e - 1] == '\r' || text[e - 1] == ' ' ||
	    text[e - 1] == '\t'))
		e--;
	l->len = e - s;
	return 1;
}

static int
line_is(const struct line *l, const char *s)
{
	return l->len == strlen(s) && memcmp(l->p, s, l->len) == 0;
}

/* is_header: L is an armor header line, "Name: value". */
static int
is_header(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->len && l->p[i] != ':'; i++)
		if (l->p[i] == ' ')
			break;
	return i > 0 && i + 1 < l->len && l->p[i] == ':' &&
	    l->p[i + 1] == ' ';
}

/*
 * crc_line: the checksum line L ("=" and 4 base64 characters) decoded
 * into *CRC (3 octets, malloc'd); 0, or -1 with the reason in ERR.
 */
static int
crc_line(const struct line *l, unsigned char **crc, char *err, size_t errsz)
{
	char c[5];
	size_t n = 0;

	if (l->len != 5)
		return errstr_set(err, errsz, "line %zu: the checksum line "
		    "must be '=' and 4 base64 characters", l->no);
	memcpy(c, l->p + 1, 4);
	c[4] = '\0';
	if (b64_decode(c, crc, &n) == -1 || n != 3)
		return errstr_set(err, errsz, "line %zu: the checksum is not "
		    "3 octets of base64", l->no);
	return 0;
}

/*
 * ended: 1 when the armor ended as it must (STATE 3: after its END line,
 * with a checksum line), else 0 with the reason in ERR (NO: the lines).
 */
static int
ended(int state, int have_crc, size_t no, char *err, size_t errsz)
{
	if (state == 0)
		errstr_set(err, errsz, "no \"%s\" line", BEGIN_LINE);
	else if (state != 3)
		errstr_set(err, errsz, "line %zu: the armor ends without "
		    "\"%s\"", no, END_LINE);
	else if (!have_crc)
		errstr_set(err, errsz, "the armor has no \"=XXXX\" CRC-24 "
		    "line");
	else
		return 1;
	return 0;
}

int
pgp_armor_decode(const char *text, size_t len, unsigned char **out,
    size_t *outlen, char *err, size_t errsz)
{
	struct line l;
	size_t pos = 0, no = 0, i, n = 0;
	char *b64 = NULL;
	unsigned char *bin = NULL, *crcbin = NULL;
	size_t binlen = 0;
	int state = 0;	/* 0 before BEGIN, 1 headers, 2 body, 3 after END */
	int have_crc = 0;
	uint32_t want, got;

	*out = NULL;
	*outlen = 0;
	if (len > PGP_ARMOR_MAX) {
		errstr_set(err, errsz, "armored text of %zu octets exceeds the "
		    "limit of %d", len, PGP_ARMOR_MAX);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		errstr_set(err, errsz, "armored text contains a NUL octet");
		return -1;
	}
	if ((b64 = malloc(len + 1)) == NULL) {
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	while (next_line(text, len, &pos, &no, &l)) {
		switch (state) {
		case 0:
			if (line_is(&l, BEGIN_LINE))
				state = 1;
			else if (l.len > 15 && memcmp(l.p, "-----BEGIN PGP ",
			    15) == 0) {
				errstr_set(err, errsz,
				    "line %zu: not a public key "
				    "block (expected \"%s\")", l.no,
				    BEGIN_LINE);
				goto fail;
			}
			break;
		case 1:
			if (l.len == 0) {
				state = 2;
				break;
			}
			if (!is_header(&l)) {
				errstr_set(err, errsz,
				    "line %zu: expected an armor "
				    "header \"Name: value\" or an empty line",
				    l.no);
				goto fail;
			}
			break;
		case 2:
			if (line_is(&l, END_LINE)) {
				state = 3;
				break;
			}
			if (have_crc) {
				errstr_set(err, errsz,
				    "line %zu: expected \"%s\" "
				    "after the checksum line", l.no, END_LINE);
				goto fail;
			}
			if (l.len > 0 && l.p[0] == '=') {
				if (crc_line(&l, &crcbin, err, errsz) == -1)
					goto fail;
				have_crc = 1;
				break;
			}
			for (i = 0; i < l.len; i++) {
				if (l.p[i] == ' ' || l.p[i] == '\t') {
					errstr_set(err, errsz,
					    "line %zu: white "
					    "space inside base64", l.no);
					goto fail;
				}
				b64[n++] = l.p[i];
			}
			break;
		default:
			if (l.len != 0) {
				errstr_set(err, errsz,
				    "line %zu: text after \"%s\"",
				    l.no, END_LINE);
				goto fail;
			}
			break;
		}
	}
	b64[n] = '\0';
	if (!ended(state, have_crc, no, err, errsz))
		goto fail;
	if (b64_decode(b64, &bin, &binlen) == -1) {
		errstr_set(err, errsz, "the armor body is not valid base64");
		goto fail;
	}
	if (binlen == 0) {
		errstr_set(err, errsz, "the armor body is empty");
		goto fail;
	}
	want = (uint32_t)crcbin[0] << 16 | (uint32_t)crcbin[1] << 8 |
	    crcbin[2];
	got = pgp_armor_crc24(bin, binlen);
	if (want != got) {
		errstr_set(err, errsz,
		    "armor CRC-24 is %06x but the data has %06x",
		    (unsigned)want, (unsigned)got);
		goto fail;
	}
	free(b64);
	free(crcbin);
	*out = bin;
	*outlen = binlen;
	return 0;
fail:
	free(b64);
	free(crcbin);
	free(bin);
	return -1;
}
