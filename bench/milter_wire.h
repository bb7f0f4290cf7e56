/*
 * milter_wire.h: the MTA side of the Sendmail milter wire format, as
 * bench/milter_load speaks it (written from the protocol's description:
 * every packet is a 4-octet length in network order counting the command
 * octet and the data, the command octet, then the data).  Pure: no I/O;
 * it encodes commands into a growing buffer, frames and classifies the
 * milter's replies from a buffer, and says which commands a negotiated
 * protocol mask leaves out or answers without a reply.  Also the split
 * of a message into its header fields and body.  Header-only, like
 * bench/store_names.h, so the load generator and its unit test
 * (tests/unit/test_milter_wire.c) compile the same code.
 */
#ifndef SK_BENCH_MILTER_WIRE_H
#define SK_BENCH_MILTER_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MW_VERSION	6		/* the protocol version we offer */
#define MW_CHUNK	65535		/* body octets per BODY command */
#define MW_MAX_DATA	(1024 * 1024)	/* larger replies are refused */

/* SMFIF_*: the actions we offer (all of version 6). */
#define MW_ACTIONS_ALL	0x1ffu
/* SMFIP_*: the protocol bits the milter may ask for. */
#define MW_P_NOCONNECT	0x1u
#define MW_P_NOHELO	0x2u
#define MW_P_NOMAIL	0x4u
#define MW_P_NORCPT	0x8u
#define MW_P_NOBODY	0x10u
#define MW_P_NOHDRS	0x20u
#define MW_P_NOEOH	0x40u
#define MW_P_NR_HDR	0x80u
#define MW_P_NOUNKNOWN	0x100u
#define MW_P_NODATA	0x200u
#define MW_P_SKIP	0x400u
#define MW_P_RCPT_REJ	0x800u
#define MW_P_NR_CONN	0x1000u
#define MW_P_NR_HELO	0x2000u
#define MW_P_NR_MAIL	0x4000u
#define MW_P_NR_RCPT	0x8000u
#define MW_P_NR_DATA	0x10000u
#define MW_P_NR_UNKN	0x20000u
#define MW_P_NR_EOH	0x40000u
#define MW_P_NR_BODY	0x80000u
#define MW_P_HDR_LEADSPC 0x100000u
#define MW_P_OFFER	0x1fffffu	/* every bit up to HDR_LEADSPC */

/* What a reply means to the MTA. */
enum mw_kind {
	MW_K_BAD,	/* unknown command octet or malformed data */
	MW_K_CONTINUE,	/* 'c' */
	MW_K_ACCEPT,	/* 'a' */
	MW_K_REJECT,	/* 'r', or 'y' with a 5xx code */
	MW_K_TEMPFAIL,	/* 't', or 'y' with a 4xx code */
	MW_K_DISCARD,	/* 'd' */
	MW_K_SKIP,	/* 's': send no more body */
	MW_K_PROGRESS,	/* 'p': keep waiting */
	MW_K_MODIFY,	/* a change at end of message (h i m b + - 2 e q) */
	MW_K_OPTNEG,	/* 'O': the answer to OPTNEG */
	MW_K_FAIL,	/* 'f' (connection failure), '4' (shutdown) */
};

struct mw_buf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

/* One framed reply: the command octet and its data (into the buffer). */
struct mw_reply {
	char			 cmd;
	const unsigned char	*data;
	size_t			 len;
};

/* mw_buf_free: releases B's memory; B may be reused after it. */
static inline void
mw_buf_free(struct mw_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static inline int
mw_buf_room(struct mw_buf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (more > SIZE_MAX / 2 - b->len)
		return -1;
	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static inline void
mw_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t
mw_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * mw_begin: starts command CMD in B; the data follows with mw_add and
 * mw_add_str, and mw_end fills in the length.  Returns the offset of the
 * packet (for mw_end), or (size_t)-1 when out of memory.
 */
static inline size_t
mw_begin(struct mw_buf *b, char cmd)
{
	size_t at = b->len;

	if (mw_buf_room(b, 5) == -1)
		return (size_t)-1;
	b->p[at + 4] = (unsigned char)cmd;
	b->len += 5;
	return at;
}

static inline int
mw_add(struct mw_buf *b, const void *data, size_t len)
{
	if (mw_buf_room(b, len) == -1)
		return -1;
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

/* mw_add_str: S and its terminating NUL. */
static inline int
mw_add_str(struct mw_buf *b, const char *s)
{
	return mw_add(b, s, strlen(s) + 1);
}

/*
 * mw_end: closes the packet opened at AT.  Returns 0, or -1 (the packet
 * is taken back out) when its data is larger than MW_CHUNK: no command
 * we send may be (version 6 without the MDS bits).
 */
static inline int
mw_end(struct mw_buf *b, size_t at)
{
	size_t n;

	if (at == (size_t)-1 || at + 5 > b->len)
		return -1;
	n = b->len - at - 4;
	if (n - 1 > MW_CHUNK) {
		b->len = at;
		return -1;
	}
	mw_put32(b->p + at, (uint32_t)n);
	return 0;
}

/* mw_cmd: one whole command CMD with LEN octets of DATA.  0 or -1. */
static inline int
mw_cmd(struct mw_buf *b, char cmd, const void *data, size_t len)
{
	size_t at = mw_begin(b, cmd);

	if (at == (size_t)-1 || mw_add(b, data, len) == -1) {
		if (at != (size_t)-1)
			b->len = at;
		return -1;
	}
	return mw_end(b, at);
}

/* mw_optneg: OPTNEG offering VERSION, ACTIONS and PROTO.  0 or -1. */
static inline int
mw_optneg(struct mw_buf *b, uint32_t version, uint32_t actions,
    uint32_t proto)
{
	unsigned char d[12];

	mw_put32(d, version);
	mw_put32(d + 4, actions);
	mw_put32(d + 8, proto);
	return mw_cmd(b, 'O', d, sizeof(d));
}

/*
 * mw_connect: CONNECT for HOST at an IPv4 ADDR and PORT (family '4'), or
 * with family 'U' (unknown: no port, no address) when ADDR is NULL.
 */
static inline int
mw_connect(struct mw_buf *b, const char *host, const char *addr,
    uint16_t port)
{
	size_t at = mw_begin(b, 'C');
	unsigned char pb[2] = { (unsigned char)(port >> 8),
	    (unsigned char)port };

	if (at == (size_t)-1 || mw_add_str(b, host) == -1 ||
	    mw_add(b, addr != NULL ? "4" : "U", 1) == -1 ||
	    (addr != NULL && (mw_add(b, pb, 2) == -1 ||
	    mw_add_str(b, addr) == -1)))
		goto fail;
	return mw_end(b, at);
fail:
	if (at != (size_t)-1)
		b->len = at;
	return -1;
}

/*
 * mw_strs: command CMD whose data is N NUL-terminated strings (HELO,
 * MAIL, RCPT: the address and its ESMTP arguments; HEADER: name, value).
 */
static inline int
mw_strs(struct mw_buf *b, char cmd, const char *const *v, size_t n)
{
	size_t at = mw_begin(b, cmd), i;

	if (at == (size_t)-1)
		return -1;
	for (i = 0; i < n; i++)
		if (mw_add_str(b, v[i]) == -1) {
			b->len = at;
			return -1;
		}
	return mw_end(b, at);
}

/*
 * mw_macros: MACRO for the command FOR: N name/value pairs in KV
 * (name, value, name, value...).
 */
static inline int
mw_macros(struct mw_buf *b, char for_cmd, const char *const *kv, size_t n)
{
	size_t at = mw_begin(b, 'D'), i;

	if (at == (size_t)-1)
		return -1;
	if (mw_add(b, &for_cmd, 1) == -1)
		goto fail;
	for (i = 0; i < 2 * n; i++)
		if (mw_add_str(b, kv[i]) == -1)
			goto fail;
	return mw_end(b, at);
fail:
	b->len = at;
	return -1;
}

/*
 * mw_frame: one reply from the LEN octets at BUF.  Returns the octets
 * it takes (R set, R->data points into BUF), 0 when the buffer does not
 * hold a whole reply yet, -1 when the length is 0 (no command octet) or
 * over MW_MAX_DATA: the stream cannot be framed any more.
 */
static inline long
mw_frame(const unsigned char *buf, size_t len, struct mw_reply *r)
{
	uint32_t n;

	if (len < 4)
		return 0;
	n = mw_get32(buf);
	if (n == 0 || n - 1 > MW_MAX_DATA)
		return -1;
	if (len - 4 < n)
		return 0;
	r->cmd = (char)buf[4];
	r->data = buf + 5;
	r->len = n - 1;
	return (long)n + 4;
}

/*
 * mw_kind: what reply R means.  'y' is classified by its SMTP code
 * (three digits, then a space, a hyphen or the end): 4xx tempfail, 5xx
 * reject, anything else bad.
 */
static inline enum mw_kind
mw_kind(const struct mw_reply *r)
{
	const unsigned char *d = r->data;

	switch (r->cmd) {
	case 'c': return MW_K_CONTINUE;
	case 'a': return MW_K_ACCEPT;
	case 'r': return MW_K_REJECT;
	case 't': return MW_K_TEMPFAIL;
	case 'd': return MW_K_DISCARD;
	case 's': return MW_K_SKIP;
	case 'p': return MW_K_PROGRESS;
	case 'f': case '4': return MW_K_FAIL;
	case 'h': case 'i': case 'm': case 'b': case '+': case '-':
	case '2': case 'e': case 'q':
		return MW_K_MODIFY;
	case 'O':
		return r->len >= 12 ? MW_K_OPTNEG : MW_K_BAD;
	case 'y':
		if (r->len < 3 || d[1] < '0' || d[1] > '9' || d[2] < '0' ||
		    d[2] > '9' || (r->len > 3 && d[3] != ' ' && d[3] != '-' &&
		    d[3] != '\0'))
			return MW_K_BAD;
		if (d[0] == '4')
			return MW_K_TEMPFAIL;
		if (d[0] == '5')
			return MW_K_REJECT;
		return MW_K_BAD;
	default:
		return MW_K_BAD;
	}
}

/* mw_optneg_parse: the milter's version, actions and protocol bits. */
static inline int
mw_optneg_parse(const struct mw_reply *r, uint32_t *ver, uint32_t *act,
    uint32_t *proto)
{
	if (r->cmd != 'O' || r->len < 12)
		return -1;
	*ver = mw_get32(r->data);
	*act = mw_get32(r->data + 4);
	*proto = mw_get32(r->data + 8);
	return 0;
}

/*
 * mw_header_parse: the field of an add ('h'), insert ('i') or change
 * ('m') reply: NAME and VALUE point into R's data (both NUL-terminated
 * there); the index that 'i' and 'm' carry first is skipped.  -1 when R
 * is not one of those or its data is not two strings.
 */
static inline int
mw_header_parse(const struct mw_reply *r, const char **name,
    const char **value)
{
	const unsigned char *d = r->data, *e = r->data + r->len, *z;

	if (r->cmd == 'i' || r->cmd == 'm') {
		if (r->len < 4)
			return -1;
		d += 4;
	} else if (r->cmd != 'h')
		return -1;
	if ((z = memchr(d, '\0', (size_t)(e - d))) == NULL || z == d)
		return -1;
	*name = (const char *)d;
	d = z + 1;
	if (d >= e || memchr(d, '\0', (size_t)(e - d)) == NULL)
		return -1;
	*value = (const char *)d;
	return 0;
}

/*
 * mw_sent: whether a command is sent at all under the negotiated PROTO
 * (the NO* bits); mw_answered: whether the milter answers it (NR_* bits;
 * MACRO and QUIT are never answered, EOM always).
 */
static inline int
mw_sent(char cmd, uint32_t proto)
{
	switch (cmd) {
	case 'C': return !(proto & MW_P_NOCONNECT);
	case 'H': return !(proto & MW_P_NOHELO);
	case 'M': return !(proto & MW_P_NOMAIL);
	case 'R': return !(proto & MW_P_NORCPT);
	case 'T': return !(proto & MW_P_NODATA);
	case 'L': return !(proto & MW_P_NOHDRS);
	case 'N': return !(proto & MW_P_NOEOH);
	case 'B': return !(proto & MW_P_NOBODY);
	default: return 1;
	}
}

static inline int
mw_answered(char cmd, uint32_t proto)
{
	switch (cmd) {
	case 'C': return !(proto & MW_P_NR_CONN);
	case 'H': return !(proto & MW_P_NR_HELO);
	case 'M': return !(proto & MW_P_NR_MAIL);
	case 'R': return !(proto & MW_P_NR_RCPT);
	case 'T': return !(proto & MW_P_NR_DATA);
	case 'L': return !(proto & MW_P_NR_HDR);
	case 'N': return !(proto & MW_P_NR_EOH);
	case 'B': return !(proto & MW_P_NR_BODY);
	case 'D': case 'Q': case 'K': case 'A': return 0;
	default: return 1;
	}
}

/*
 * mw_field: the next header field of the message header at *POS (LEN
 * octets of M in all).  Sets NAME/NAMELEN and the value as the MTA hands
 * it over: VAL/VALLEN from after the colon to the end of the field, line
 * breaks inside it included (the caller turns CRLF into LF, as Postfix
 * does); *POS moves past the field.  Returns 1 for a field, 0 at the
 * empty line that ends the header (*POS then at the body), -1 for a line
 * that is not a field (no colon, a continuation first).
 */
static inline int
mw_field(const char *m, size_t len, size_t *pos, const char **name,
    size_t *namelen, const char **val, size_t *vallen)
{
	size_t p = *pos, s = p, c, e;

	if (p < len && m[p] == '\n') {
		*pos = p + 1;
		return 0;
	}
	if (p + 1 < len && m[p] == '\r' && m[p + 1] == '\n') {
		*pos = p + 2;
		return 0;
	}
	if (p >= len)
		return 0;	/* no body */
	if (m[p] == ' ' || m[p] == '\t')
		return -1;
	for (c = p; c < len && m[c] != ':' && m[c] != '\n'; c++)
		;
	if (c >= len || m[c] != ':' || c == s)
		return -1;
	/* the field ends at a line end not followed by a blank */
	for (e = c + 1; e < len; e++)
		if (m[e] == '\n' && (e + 1 >= len ||
		    (m[e + 1] != ' ' && m[e + 1] != '\t')))
			break;
	*name = m + s;
	*namelen = c - s;
	while (*namelen > 0 && (m[s + *namelen - 1] == ' ' ||
	    m[s + *namelen - 1] == '\t'))
		(*namelen)--;
	*val = m + c + 1;
	*vallen = (e < len ? e : len) - (c + 1);
	if (*vallen > 0 && (*val)[*vallen - 1] == '\r')
		(*vallen)--;
	*pos = e < len ? e + 1 : len;
	return 1;
}

#endif
