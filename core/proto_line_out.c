/*
 * proto_line_out.c: one reply line of the line protocol built in a
 * caller's buffer (proto_line_out.h): words, NAME=VALUE attributes plain
 * or percent-encoded (specs/protocol.md 3.3), one bound checked per copy
 * and the octet classes looked up in a table, because every AUTHZ reply
 * goes through here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "proto_line.h"

void
proto_line_out_init(struct proto_line_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->bad = cap < 2;
	/* room for the final LF and NUL is kept (and the LF within
	   PROTO_LINE_REPLY_MAX) */
	o->lim = cap < 2 ? 0 : cap - 2 < PROTO_LINE_REPLY_MAX - 1 ?
	    cap - 2 : PROTO_LINE_REPLY_MAX - 1;
	if (cap > 0)
		buf[0] = '\0';
}

/*
 * The octet classes of 3.3, one load an octet: OC_T a tchar (may go in a
 * word or a plain value), OC_PCT percent-encoded in a pct value.
 */
#define OC_T	1
#define OC_PCT	2
static const unsigned char oclass[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x00 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x10 */
	2, 1, 2, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2,	/* 0x70 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x80 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x90 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xa0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xb0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xc0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xd0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xe0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xf0 */
};

/* The buffer is NUL-terminated by proto_line_out_end only. */
static void
put(struct proto_line_out *o, const char *s, size_t n)
{
	if (o->bad || n > o->lim - o->len) {
		o->bad = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* tchars: whether the N octets at S are all tchar. */
static int
tchars(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	for (; p < e; p++)
		if (!(oclass[*p] & OC_T))
			return 0;
	return 1;
}

void
proto_line_out_word(struct proto_line_out *o, const char *word)
{
	size_t n = word != NULL ? strlen(word) : 0;

	if (n == 0 || !tchars(word, n))
		o->bad = 1;
	if (o->len > 0)
		put(o, " ", 1);
	if (n > 0)
		put(o, word, n);
}

/* attr_name: " NAME=" (no SP first in the line), NAME [a-z_]+. */
static void
attr_name(struct proto_line_out *o, const char *name)
{
	size_t i, n = name != NULL ? strlen(name) : 0;
	size_t need = n + 1 + (o->len > 0);
	char *p;

	if (n == 0)
		o->bad = 1;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'))
			o->bad = 1;
	if (o->bad || need > o->lim - o->len) {
		o->bad = 1;
		return;
	}
	p = o->buf + o->len;
	if (o->len > 0)
		*p++ = ' ';
	memcpy(p, name, n);
	p[n] = '=';
	o->len = (size_t)(p + n + 1 - o->buf);
}

void
proto_line_out_attr(struct proto_line_out *o, const char *name,
    const char *value)
{
	size_t n = value != NULL ? strlen(value) : 0;

	attr_name(o, name);
	if (n > 0) {
		if (!tchars(value, n))
			o->bad = 1;
		put(o, value, n);
	}
}

void
proto_line_out_attr_pct(struct proto_line_out *o, const char *name,
    const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i, run;
	unsigned char c;

	attr_name(o, name);
	/* octets that stay as they are go out a run at a time (one put
	   each run, not each octet: the trust field of every AUTHZ reply) */
	for (i = 0, run = 0; value != NULL && i < len; i++) {
		c = (unsigned char)value[i];
		if (oclass[c] & OC_PCT) {
			if (i > run)
				put(o, value + run, i - run);
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 0xf];
			put(o, e, 3);
			run = i + 1;
		}
	}
	if (value != NULL && len > run)
		put(o, value + run, len - run);
}

void
proto_line_out_attr_u64(struct proto_line_out *o, const char *name,
    uint64_t n)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, n);
	proto_line_out_attr(o, name, num);
}

const char *
proto_line_out_known(struct proto_line_out *o, const char *name)
{
	if (name == NULL || strcmp(name, "?") == 0)
		o->bad = 1;
	return name;
}

int
proto_line_out_end(struct proto_line_out *o)
{
	if (!o->bad && o->len + 2 <= o->cap) {
		o->buf[o->len++] = '\n';
		o->buf[o->len] = '\0';
		return (int)o->len;
	}
	if (o->cap > 0)
		snprintf(o->buf, o->cap, "%s",
		    o->cap > strlen("error internal\n") ?
		    "error internal\n" : "");
	return -1;
}

