/*
 * test_milter_wire: bench/milter_load's milter codec (bench/milter_wire.h),
 * against packets written out by hand from the protocol's description:
 * a 4-octet length in network order counting the command octet and the
 * data, the command octet, the data.  Encoding (OPTNEG, CONNECT, HEADER,
 * MACRO, the 65535-octet limit of a body chunk), framing replies (whole,
 * partial, back to back, zero or huge lengths), what each reply means,
 * the header of an add/insert reply, which commands the negotiated bits
 * leave out or leave unanswered, and the split of a message into fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

#include "bench/milter_wire.h"

/* same: B holds exactly the LEN octets at WANT. */
static int
same(const struct mw_buf *b, const void *want, size_t len)
{
	return b->len == len && memcmp(b->p, want, len) == 0;
}

static void
encode(void)
{
	struct mw_buf b = { 0 };
	static const unsigned char optneg[] = { 0, 0, 0, 13, 'O',
	    0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff };
	static const unsigned char conn[] = { 0, 0, 0, 16, 'C', 'h', 0, '4',
	    0x61, 0xc1, '1', '9', '2', '.', '0', '.', '2', '.', '1', 0 };
	static const unsigned char connu[] = { 0, 0, 0, 4, 'C', 'h', 0, 'U' };
	static const unsigned char hdr[] = { 0, 0, 0, 12, 'L',
	    'S', 'u', 'b', 'j', 'e', 'c', 't', 0, 'h', 'i', 0 };
	static const unsigned char mac[] = { 0, 0, 0, 7, 'D', 'C',
	    'j', 0, 'm', 'x', 0 };
	static const unsigned char eom[] = { 0, 0, 0, 1, 'E' };
	const char *h[] = { "Subject", "hi" }, *kv[] = { "j", "mx" };
	char *big;

	T_OK(mw_optneg(&b, MW_VERSION, MW_ACTIONS_ALL, MW_P_OFFER) == 0 &&
	    same(&b, optneg, sizeof(optneg)),
	    "OPTNEG: version 6, actions 0x1ff, protocol 0x1fffff");
	b.len = 0;
	T_OK(mw_connect(&b, "h", "192.0.2.1", 25025) == 0 &&
	    same(&b, conn, sizeof(conn)),
	    "CONNECT: host, family 4, port in network order, address");
	b.len = 0;
	T_OK(mw_connect(&b, "h", NULL, 0) == 0 &&
	    same(&b, connu, sizeof(connu)),
	    "CONNECT without an address: family U and nothing after it");
	b.len = 0;
	T_OK(mw_strs(&b, 'L', h, 2) == 0 && same(&b, hdr, sizeof(hdr)),
	    "HEADER: name and value, each NUL-terminated");
	b.len = 0;
	T_OK(mw_macros(&b, 'C', kv, 1) == 0 && same(&b, mac, sizeof(mac)),
	    "MACRO: the command it is for, then name/value pairs");
	b.len = 0;
	T_OK(mw_cmd(&b, 'E', NULL, 0) == 0 && same(&b, eom, sizeof(eom)),
	    "end of message: length 1, no data");

	if ((big = calloc(1, MW_CHUNK + 1)) == NULL)
		exit(1);
	b.len = 0;
	T_OK(mw_cmd(&b, 'B', big, MW_CHUNK) == 0 && b.len == MW_CHUNK + 5 &&
	    mw_get32(b.p) == MW_CHUNK + 1,
	    "BODY of 65535 octets: length 65536");
	b.len = 3;
	T_OK(mw_cmd(&b, 'B', big, MW_CHUNK + 1) == -1 && b.len == 3,
	    "BODY of 65536 octets refused, the buffer as it was");
	free(big);
	mw_buf_free(&b);
	T_OK(b.p == NULL && b.len == 0, "mw_buf_free empties the buffer");
}

static void
frame(void)
{
	struct mw_reply r;
	static const unsigned char two[] = { 0, 0, 0, 1, 'c',
	    0, 0, 0, 5, 'h', 'A', 0, 'b', 0 };
	static const unsigned char zero[] = { 0, 0, 0, 0, 'c' };
	static const unsigned char huge[] = { 0x7f, 0, 0, 0, 'b' };
	long n;

	T_INTEQ(mw_frame(two, 3, &r), 0, "3 octets: not a whole length yet");
	T_INTEQ(mw_frame(two + 5, 8, &r), 0, "length 5, 4 octets there: wait");
	n = mw_frame(two, sizeof(two), &r);
	T_OK(n == 5 && r.cmd == 'c' && r.len == 0,
	    "CONTINUE framed: 5 octets taken, no data");
	n = mw_frame(two + 5, sizeof(two) - 5, &r);
	T_OK(n == 9 && r.cmd == 'h' && r.len == 4 &&
	    memcmp(r.data, "A\0b\0", 4) == 0,
	    "the next reply framed from where the first ended");
	T_INTEQ(mw_frame(zero, sizeof(zero), &r), -1,
	    "length 0 (no command octet): cannot frame");
	T_INTEQ(mw_frame(huge, sizeof(huge), &r), -1,
	    "length over the limit: cannot frame");
}

static void
kinds(void)
{
	static const struct {
		char		 cmd;
		const char	*data;
		size_t		 len;
		enum mw_kind	 want;
		const char	*what;
	} v[] = {
		{ 'c', "", 0, MW_K_CONTINUE, "c continue" },
		{ 'a', "", 0, MW_K_ACCEPT, "a accept" },
		{ 'r', "", 0, MW_K_REJECT, "r reject" },
		{ 't', "", 0, MW_K_TEMPFAIL, "t tempfail" },
		{ 'd', "", 0, MW_K_DISCARD, "d discard" },
		{ 's', "", 0, MW_K_SKIP, "s skip" },
		{ 'p', "", 0, MW_K_PROGRESS, "p progress" },
		{ 'h', "A\0b", 4, MW_K_MODIFY, "h add header" },
		{ 'i', "\0\0\0\0A\0b", 8, MW_K_MODIFY, "i insert header" },
		{ 'm', "\0\0\0\1A\0", 7, MW_K_MODIFY, "m change header" },
		{ 'q', "why", 4, MW_K_MODIFY, "q quarantine" },
		{ 'f', "", 0, MW_K_FAIL, "f connection failure" },
		{ '4', "", 0, MW_K_FAIL, "4 shutdown" },
		{ 'y', "550 5.7.1 no", 13, MW_K_REJECT, "y 550: reject" },
		{ 'y', "451 4.7.0 later", 16, MW_K_TEMPFAIL, "y 451: tempfail" },
		{ 'y', "554", 4, MW_K_REJECT, "y 554 alone: reject" },
		{ 'y', "250 ok", 7, MW_K_BAD, "y 250: not a refusal, bad" },
		{ 'y', "55", 3, MW_K_BAD, "y with two digits: bad" },
		{ 'y', "5x0 no", 7, MW_K_BAD, "y 5x0: bad" },
		{ 'O', "\0\0\0\6\0\0\0\1", 8, MW_K_BAD, "O shorter than 12: bad" },
		{ 'z', "", 0, MW_K_BAD, "z unknown: bad" },
	};
	struct mw_reply r;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r.cmd = v[i].cmd;
		r.data = (const unsigned char *)v[i].data;
		r.len = v[i].len;
		T_INTEQ(mw_kind(&r), v[i].want, "reply %s", v[i].what);
	}
}

static void
replies(void)
{
	struct mw_reply r;
	const char *n = NULL, *val = NULL;
	uint32_t ver, act, proto;
	static const unsigned char neg[] = { 0, 0, 0, 6, 0, 0, 0, 0x11,
	    0, 0x08, 0x10, 0x80 };

	r.cmd = 'O';
	r.data = neg;
	r.len = sizeof(neg);
	T_OK(mw_kind(&r) == MW_K_OPTNEG &&
	    mw_optneg_parse(&r, &ver, &act, &proto) == 0 && ver == 6 &&
	    act == 0x11 && proto == 0x81080, "OPTNEG reply read");

	r.cmd = 'h';
	r.data = (const unsigned char *)"Authentication-Results\0mx; x=pass\0";
	r.len = 34;
	T_OK(mw_header_parse(&r, &n, &val) == 0 &&
	    strcmp(n, "Authentication-Results") == 0 &&
	    strcmp(val, "mx; x=pass") == 0, "add header: name and value");
	r.cmd = 'i';
	r.data = (const unsigned char *)"\0\0\0\1Sender-Key-Trust\0t\0";
	r.len = 23;
	T_OK(mw_header_parse(&r, &n, &val) == 0 &&
	    strcmp(n, "Sender-Key-Trust") == 0 && strcmp(val, "t") == 0,
	    "insert header: the index skipped");
	r.len = 3;
	T_INTEQ(mw_header_parse(&r, &n, &val), -1,
	    "insert header shorter than its index: refused");
	r.cmd = 'h';
	r.data = (const unsigned char *)"A\0b";
	r.len = 3;
	T_INTEQ(mw_header_parse(&r, &n, &val), -1,
	    "add header whose value has no NUL: refused");
	r.data = (const unsigned char *)"\0b\0";
	T_INTEQ(mw_header_parse(&r, &n, &val), -1,
	    "add header with an empty name: refused");
	r.cmd = 'c';
	T_INTEQ(mw_header_parse(&r, &n, &val), -1,
	    "CONTINUE is not a header reply");
}

static void
bits(void)
{
	uint32_t p = MW_P_NOHELO | MW_P_NR_HDR | MW_P_NR_CONN | MW_P_NOBODY;

	T_OK(mw_sent('C', p) && !mw_sent('H', p) && mw_sent('L', p) &&
	    !mw_sent('B', p) && mw_sent('E', p),
	    "NOHELO and NOBODY leave HELO and BODY out, EOM always sent");
	T_OK(!mw_answered('C', p) && !mw_answered('L', p) &&
	    mw_answered('M', p) && mw_answered('N', p) && mw_answered('E', 0),
	    "NR_CONN and NR_HDR: no reply to CONNECT, HEADER; EOM answered");
	T_OK(!mw_answered('D', 0) && !mw_answered('Q', 0),
	    "MACRO and QUIT are never answered");
	T_OK(mw_answered('B', 0) && !mw_answered('B', MW_P_NR_BODY),
	    "NR_BODY: body chunks unanswered");
}

static void
fields(void)
{
	static const char m[] = "From: A <a@x>\r\n\tfolded\r\n"
	    "Subject:hi\r\n\r\nbody\r\n";
	const char *n, *v;
	size_t pos = 0, nl, vl;

	T_OK(mw_field(m, sizeof(m) - 1, &pos, &n, &nl, &v, &vl) == 1 &&
	    nl == 4 && memcmp(n, "From", 4) == 0 && vl == 17 &&
	    memcmp(v, " A <a@x>\r\n\tfolded", vl) == 0,
	    "a folded field: the value up to its last line end");
	T_OK(mw_field(m, sizeof(m) - 1, &pos, &n, &nl, &v, &vl) == 1 &&
	    nl == 7 && vl == 2 && memcmp(v, "hi", 2) == 0,
	    "a field without a blank after the colon");
	T_OK(mw_field(m, sizeof(m) - 1, &pos, &n, &nl, &v, &vl) == 0 &&
	    strcmp(m + pos, "body\r\n") == 0,
	    "the empty line ends the header; the body follows");
	pos = 0;
	T_INTEQ(mw_field(" x: y\r\n\r\n", 9, &pos, &n, &nl, &v, &vl), -1,
	    "a continuation line first: refused");
	pos = 0;
	T_INTEQ(mw_field("no colon\r\n\r\n", 12, &pos, &n, &nl, &v, &vl), -1,
	    "a line without a colon: refused");
}

int
main(void)
{
	encode();
	frame();
	kinds();
	replies();
	bits();
	fields();
	return t_done();
}
