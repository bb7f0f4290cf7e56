/*
 * test_msg: lib/msg: header/body split for CRLF and LF input, folding,
 * field names with whitespace before the colon, unfolding, the errors
 * with their line numbers, limits, and the From: mailbox reader on
 * display names, quotes, comments, groups, lists and obsolete syntax.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/msg.h"
#include "t.h"

static void
split(void)
{
	const char *crlf = "From: a@example.com\r\nSubject: one\r\n two\r\n"
	    "X-A : b\r\n\r\nbody\r\n";
	const char *lf = "From: a@example.com\nSubject: x\n\nline\n";
	const struct msg_field *f;
	struct msg *m;
	size_t len;
	char *u;

	m = msg_parse(crlf, strlen(crlf), NULL, NULL);
	T_OK(m != NULL, "CRLF message parses");
	T_INTEQ(msg_nfields(m), 3, "three fields (folding joins lines)");
	T_OK(msg_text(m, &len) == crlf && !msg_had_lf(m),
	    "CRLF input is borrowed, not copied");
	f = msg_field(m, 1);
	T_OK(f->rawlen == strlen("Subject: one\r\n two\r\n"),
	    "raw field covers its continuation and CRLF");
	u = msg_unfold(f, &len);
	T_STREQ(u, " one two", "unfolded value");
	free(u);
	f = msg_field(m, 2);
	T_OK(msg_field_is(f, "x-a") && f->namelen == 3,
	    "whitespace before the colon is not part of the name");
	T_STREQ(msg_body(m, &len), "body\r\n", "body after the empty line");
	T_INTEQ(msg_count(m, "FROM"), 1, "msg_count ignores case");
	msg_free(m);

	m = msg_parse(lf, strlen(lf), NULL, NULL);
	T_OK(m != NULL && msg_had_lf(m), "LF message parses, copied");
	T_STREQ(msg_body(m, &len), "line\r\n", "LF body becomes CRLF");
	T_STREQ(msg_text(m, &len), "From: a@example.com\r\nSubject: x\r\n\r\n"
	    "line\r\n", "every bare LF becomes CRLF");
	msg_free(m);

	m = msg_parse("A: b\r\n", 6, NULL, NULL);
	T_OK(m != NULL && msg_body(m, &len) != NULL && len == 0,
	    "no empty line: all header, empty body");
	msg_free(m);
}

static void
errors(void)
{
	static const struct {
		const char *in;
		enum msg_err err;
		size_t line;
		const char *what;
	} t[] = {
		{ "From a@b\r\n\r\n", MSG_ESYNTAX, 1, "mbox From_ line" },
		{ "A: b\r\nno colon\r\n\r\n", MSG_ESYNTAX, 2, "line without colon" },
		{ ": b\r\n\r\n", MSG_ESYNTAX, 1, "empty name" },
		{ " cont\r\nA: b\r\n\r\n", MSG_ECONT, 1, "continuation first" },
		{ "A: b\r\nB: c", MSG_EUNTERMINATED, 2, "header without line end" },
	};
	enum msg_err e;
	size_t i, line;
	struct msg *m;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = MSG_OK;
		line = 0;
		m = msg_parse(t[i].in, strlen(t[i].in), &e, &line);
		T_OK(m == NULL && e == t[i].err && line == t[i].line,
		    "%s: %s at line %zu", t[i].what, msg_errname(t[i].err),
		    t[i].line);
		msg_free(m);
	}
}

static void
limits(void)
{
	size_t n = (MSG_MAX_FIELDS + 1) * 6 + 2, i;
	char *buf = malloc(n + MSG_MAX_FIELD + 16);
	enum msg_err e = MSG_OK;
	struct msg *m;

	for (i = 0; i <= MSG_MAX_FIELDS; i++)
		memcpy(buf + i * 6, "A: b\r\n", 6);
	memcpy(buf + (MSG_MAX_FIELDS + 1) * 6, "\r\n", 2);
	m = msg_parse(buf, n, &e, NULL);
	T_OK(m == NULL && e == MSG_ETOOMANY, "more than %d fields refused",
	    MSG_MAX_FIELDS);
	memcpy(buf, "A: ", 3);
	memset(buf + 3, 'x', MSG_MAX_FIELD);
	memcpy(buf + 3 + MSG_MAX_FIELD, "\r\n\r\n", 4);
	m = msg_parse(buf, MSG_MAX_FIELD + 7, &e, NULL);
	T_OK(m == NULL && e == MSG_EFIELDLONG, "a field over %d octets refused",
	    MSG_MAX_FIELD);
	m = msg_parse(buf, (size_t)MSG_MAX_SIZE + 1, &e, NULL);
	T_OK(m == NULL && e == MSG_ETOOBIG, "a message over the size limit "
	    "refused before reading it");
	/* NUL octets and 8-bit octets in values do not crash */
	memcpy(buf, "A: \0\xff\r\n\r\n\0", 10);
	m = msg_parse(buf, 10, &e, NULL);
	T_OK(m != NULL, "NUL and 8-bit octets in a value are data");
	msg_free(m);
	free(buf);
}

static void
mailbox(void)
{
	static const struct {
		const char *in, *want;
		enum msg_from_err err;
	} t[] = {
		{ "alice@example.com", "alice@example.com", 0 },
		{ " Alice@Example.COM ", "alice@example.com", 0 },
		{ "Alice Example <alice@example.com>", "alice@example.com", 0 },
		{ "\"Example, Alice\" <alice@example.com>", "alice@example.com", 0 },
		{ "\"A <b@c.d>\" <alice@example.com>", "alice@example.com", 0 },
		{ "(comment) Alice (x) <alice@example.com> (trailing)",
		  "alice@example.com", 0 },
		{ "alice@example.com (Alice (nested) Example)",
		  "alice@example.com", 0 },
		{ "J. Doe <j@example.com>", "j@example.com", 0 },
		{ "<\"john doe\"@example.test>", "\"john doe\"@example.test", 0 },
		{ "J\xc3\xb6rg <j\xc3\xb6rg@m\xc3\xbcnchen.example>",
		  "j\xc3\xb6rg@xn--mnchen-3ya.example", 0 },
		{ "<\"a>b\"@example.com>", "\"a>b\"@example.com", 0 },
		{ "", NULL, MSG_FROM_EMPTY },
		{ "  (only a comment) ", NULL, MSG_FROM_EMPTY },
		{ "Alice <>", NULL, MSG_FROM_EMPTY },
		{ "a@example.com, b@example.com", NULL, MSG_FROM_LIST },
		{ "A <a@example.com>, B <b@example.com>", NULL, MSG_FROM_LIST },
		{ "friends: a@example.com;", NULL, MSG_FROM_GROUP },
		{ "undisclosed-recipients:;", NULL, MSG_FROM_GROUP },
		{ "<@route.example:a@example.com>", NULL, MSG_FROM_SYNTAX },
		{ "<@route.example,@b.example:a@example.com>", NULL,
		  MSG_FROM_SYNTAX },
		{ "alice @example.com", NULL, MSG_FROM_SYNTAX },
		{ "alice(c)@example.com", NULL, MSG_FROM_SYNTAX },
		{ "Alice <alice@example.com", NULL, MSG_FROM_SYNTAX },
		{ "Alice <a@example.com> <b@example.com>", NULL, MSG_FROM_SYNTAX },
		{ "Alice <a@example.com> Bob", NULL, MSG_FROM_SYNTAX },
		{ "a@b <a@example.com>", NULL, MSG_FROM_SYNTAX },
		{ "<a (c) @example.com>", NULL, MSG_FROM_SYNTAX },
		{ "\"unterminated <a@example.com>", NULL, MSG_FROM_SYNTAX },
		{ "(unterminated <a@example.com>", NULL, MSG_FROM_SYNTAX },
		{ "alice@[192.0.2.1]", NULL, MSG_FROM_ADDR },
		{ "root@localhost", NULL, MSG_FROM_ADDR },
		{ "Alice <alice>", NULL, MSG_FROM_ADDR },
	};
	enum msg_from_err e;
	struct addr *a;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = MSG_FROM_OK;
		a = msg_mailbox(t[i].in, strlen(t[i].in), &e);
		if (t[i].want != NULL)
			T_STREQ(a != NULL ? addr_canon(a) : msg_from_errname(e),
			    t[i].want, "mailbox '%s'", t[i].in);
		else
			T_OK(a == NULL && e == t[i].err, "mailbox '%s': %s "
			    "(got %s)", t[i].in, msg_from_errname(t[i].err),
			    msg_from_errname(e));
		addr_free(a);
	}
}

static void
from(void)
{
	static const struct {
		const char *in;
		enum msg_from_err err;
	} t[] = {
		{ "To: a@example.com\r\n\r\n", MSG_FROM_NONE },
		{ "From: a@example.com\r\nfrom: a@example.com\r\n\r\n",
		  MSG_FROM_MULTIPLE },
		{ "From: Alice\r\n <alice@example.com>\r\n\r\n", MSG_FROM_OK },
	};
	enum msg_from_err e;
	struct addr *a;
	struct msg *m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		m = msg_parse(t[i].in, strlen(t[i].in), NULL, NULL);
		e = MSG_FROM_OK;
		a = m != NULL ? msg_from(m, &e) : NULL;
		T_OK(e == t[i].err && (e != MSG_FROM_OK || a != NULL),
		    "From: case %zu: %s", i, msg_from_errname(t[i].err));
		addr_free(a);
		msg_free(m);
	}
}

/*
 * long_lf: a 600-octet CRLF message is borrowed as it is; with one bare
 * LF at any offset of its body it is copied, that LF made CRLF (the
 * 16-octet scan must see an LF at every position of its steps).
 */
static void
long_lf(void)
{
	static const char hdr[] = "From: a@example.com\r\n\r\n";
	char buf[700];
	const char *t;
	struct msg *m;
	size_t i, at, len, tl, hl = sizeof(hdr) - 1, bad = 0;

	memcpy(buf, hdr, hl);
	for (i = hl; i < 600; i++)
		buf[i] = (i % 40 == 39) ? '\n' : (i % 40 == 38) ? '\r' : 'x';
	m = msg_parse(buf, 600, NULL, NULL);
	T_OK(m != NULL && !msg_had_lf(m) && msg_text(m, &tl) == buf,
	    "a long CRLF message is borrowed, not copied");
	msg_free(m);
	for (at = hl; at < 600; at++) {
		if (buf[at] != 'x')
			continue;
		buf[at] = '\n';
		len = 600;
		m = msg_parse(buf, len, NULL, NULL);
		t = m != NULL ? msg_text(m, &tl) : NULL;
		if (t == NULL || !msg_had_lf(m) || tl != len + 1 ||
		    t[at] != '\r' || t[at + 1] != '\n')
			bad++;
		msg_free(m);
		buf[at] = 'x';
	}
	T_OK(bad == 0, "one bare LF anywhere in a long body is found and made "
	    "CRLF (%zu missed)", bad);
}

int
main(void)
{
	split();
	errors();
	limits();
	mailbox();
	from();
	long_lf();
	return t_done();
}
