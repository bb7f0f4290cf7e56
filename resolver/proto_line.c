/*
 * proto_line.c: the line protocol of specs/protocol.md section 3: one
 * request line into a struct proto_line_request (tokens, quoted local
 * parts, AUTHZ arguments), and reply lines out.  Pure: no I/O, no
 * allocation; the connection layer frames lines and writes replies.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "key.h"
#include "proto_line.h"

static const char *const err_names[] = {
	"ok", "line-too-long", "bad-syntax", "bad-command", "bad-argument",
	"missing-argument", "bad-address", "not-permitted", "internal",
};

static const char *const cmd_names[] = { "AUTHZ", "LOOKUP", "STATS",
	"PING" };

const char *
proto_line_errname(enum proto_line_err e)
{
	if ((size_t)e >= sizeof(err_names) / sizeof(err_names[0]) ||
	    e == PLE_OK)
		return "?";
	return err_names[e];
}

int
proto_line_err_closes(enum proto_line_err e)
{
	return e == PLE_LINE_TOO_LONG;
}

const char *
proto_line_cmdname(enum proto_line_cmd c)
{
	if ((size_t)c >= sizeof(cmd_names) / sizeof(cmd_names[0]))
		return "?";
	return cmd_names[c];
}

static int
fail(enum proto_line_err *err, enum proto_line_err e)
{
	if (err != NULL)
		*err = e;
	return -1;
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * tokenize: split BUF (N octets, no control octets) at SP outside double
 * quotes, NUL-terminating each token in place.  Returns the number of
 * tokens, or -1 for an unclosed quote or more than TOKENS_MAX tokens.
 */
static int
tokenize(char *buf, size_t n, char **tok)
{
	size_t i = 0;
	int ntok = 0, inq;

	while (i < n) {
		if (buf[i] == ' ') {
			buf[i++] = '\0';
			continue;
		}
		if (ntok == PROTO_LINE_TOKENS_MAX)
			return -1;
		tok[ntok++] = buf + i;
		for (inq = 0; i < n && (inq || buf[i] != ' '); i++) {
			if (inq && buf[i] == '\\') {
				if (++i == n)
					return -1;
			} else if (buf[i] == '"')
				inq = !inq;
		}
		if (inq)
			return -1;
	}
	buf[n] = '\0';
	return ntok;
}

static int
queue_id_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > PROTO_LINE_QUEUE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
parse_authz(struct proto_line_request *rq, char **tok, int ntok,
    enum proto_line_err *err)
{
	int i, have_sig = 0;
	char *eq, *v;

	for (i = 1; i < ntok; i++) {
		if ((eq = strchr(tok[i], '=')) == NULL)
			return fail(err, PLE_BAD_ARGUMENT);
		*eq = '\0';
		v = eq + 1;
		if (strcmp(tok[i], "sender") == 0 && rq->sender == NULL) {
			rq->sender = v;
			rq->sender_null = v[0] == '\0' ||
			    strcmp(v, "<>") == 0;
		} else if (strcmp(tok[i], "recipient") == 0 &&
		    rq->recipient == NULL)
			rq->recipient = v;
		else if (strcmp(tok[i], "sig") == 0 && !have_sig) {
			if (verdict_sig_from_name(v, &rq->sig) == -1 ||
			    rq->sig == VSIG_UNKNOWN)
				return fail(err, PLE_BAD_ARGUMENT);
			have_sig = 1;
		} else if (strcmp(tok[i], "key") == 0 && !rq->have_key) {
			if (key_fingerprint_parse(v, rq->key) == -1)
				return fail(err, PLE_BAD_ARGUMENT);
			rq->have_key = 1;
		} else if (strcmp(tok[i], "queue_id") == 0 &&
		    rq->queue_id == NULL) {
			if (!queue_id_ok(v))
				return fail(err, PLE_BAD_ARGUMENT);
			rq->queue_id = v;
		} else
			return fail(err, PLE_BAD_ARGUMENT);
	}
	if (rq->have_key && rq->sig != VSIG_PASS)
		return fail(err, PLE_BAD_ARGUMENT);
	if (rq->sender == NULL || rq->recipient == NULL ||
	    rq->recipient[0] == '\0' ||
	    (rq->sig == VSIG_PASS && !rq->have_key))
		return fail(err, PLE_MISSING_ARGUMENT);
	return 0;
}

int
proto_line_parse(const char *line, size_t len, struct proto_line_request *rq,
    enum proto_line_err *err)
{
	char *tok[PROTO_LINE_TOKENS_MAX];
	struct addr *a;
	size_t n = len, i;
	int ntok;

	memset(rq, 0, offsetof(struct proto_line_request, buf));
	rq->buf[0] = '\0';
	if (err != NULL)
		*err = PLE_OK;
	if (len > PROTO_LINE_MAX)
		return fail(err, PLE_LINE_TOO_LONG);
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (is_ctl((unsigned char)line[i]))
			return fail(err, PLE_BAD_SYNTAX);
	memcpy(rq->buf, line, n);
	rq->buf[n] = '\0';
	if ((ntok = tokenize(rq->buf, n, tok)) == -1)
		return fail(err, PLE_BAD_SYNTAX);
	if (ntok == 0 || tok[0] != rq->buf)	/* empty, or leading SP */
		return fail(err, PLE_BAD_COMMAND);
	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (strcmp(tok[0], cmd_names[i]) == 0)
			break;
	if (i == sizeof(cmd_names) / sizeof(cmd_names[0]))
		return fail(err, PLE_BAD_COMMAND);
	rq->cmd = (enum proto_line_cmd)i;
	switch (rq->cmd) {
	case PLC_STATS:
	case PLC_PING:
		if (ntok != 1)
			return fail(err, PLE_BAD_COMMAND);
		return 0;
	case PLC_LOOKUP:
		if (ntok < 2)
			return fail(err, PLE_MISSING_ARGUMENT);
		if (ntok > 2)
			return fail(err, PLE_BAD_ARGUMENT);
		if ((a = addr_parse(tok[1], NULL, NULL)) == NULL)
			return fail(err, PLE_BAD_ADDRESS);
		addr_free(a);
		rq->address = tok[1];
		return 0;
	case PLC_AUTHZ:
		return parse_authz(rq, tok, ntok, err);
	}
	return fail(err, PLE_BAD_COMMAND);
}

/* ---- replies ---- */

void
proto_line_out_init(struct proto_line_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->bad = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
put(struct proto_line_out *o, const char *s, size_t n)
{
	/* Room for the final LF and NUL is kept. */
	if (o->bad || o->cap < 2 || n > o->cap - 2 - o->len ||
	    o->len + n + 1 > PROTO_LINE_REPLY_MAX - 0) {
		o->bad = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static int
tchar(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

static void
sep(struct proto_line_out *o)
{
	if (o->len > 0)
		put(o, " ", 1);
}

void
proto_line_out_word(struct proto_line_out *o, const char *word)
{
	size_t i, n = word != NULL ? strlen(word) : 0;

	for (i = 0; i < n; i++)
		if (!tchar((unsigned char)word[i]))
			o->bad = 1;
	if (n == 0)
		o->bad = 1;
	sep(o);
	put(o, word != NULL ? word : "", n);
}

static void
attr_name(struct proto_line_out *o, const char *name)
{
	size_t i, n = name != NULL ? strlen(name) : 0;

	if (n == 0)
		o->bad = 1;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'))
			o->bad = 1;
	sep(o);
	put(o, name != NULL ? name : "", n);
	put(o, "=", 1);
}

void
proto_line_out_attr(struct proto_line_out *o, const char *name,
    const char *value)
{
	size_t i, n = value != NULL ? strlen(value) : 0;

	attr_name(o, name);
	for (i = 0; i < n; i++)
		if (!tchar((unsigned char)value[i]))
			o->bad = 1;
	if (n > 0)
		put(o, value, n);
}

void
proto_line_out_attr_pct(struct proto_line_out *o, const char *name,
    const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i;
	unsigned char c;

	attr_name(o, name);
	for (i = 0; value != NULL && i < len; i++) {
		c = (unsigned char)value[i];
		if (c <= 0x20 || c == '%' || c == '"' || c >= 0x7f) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 0xf];
			put(o, e, 3);
		} else
			put(o, (const char *)&value[i], 1);
	}
}

void
proto_line_out_attr_u64(struct proto_line_out *o, const char *name,
    uint64_t n)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, n);
	proto_line_out_attr(o, name, num);
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

int
proto_line_verdict(char *buf, size_t bufsz, const struct verdict_output *v,
    const char *lookup, const char *policy, const char *class_id)
{
	struct proto_line_out o;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, verdict_name(v->verdict));
	proto_line_out_word(&o, verdict_reason_name(v->reason));
	proto_line_out_attr(&o, "tag", verdict_tag_name(v->tag));
	proto_line_out_attr(&o, "lookup", lookup != NULL ? lookup : "-");
	proto_line_out_attr(&o, "policy", policy != NULL ? policy : "-");
	proto_line_out_attr(&o, "class", class_id != NULL &&
	    class_id[0] != '\0' ? class_id : "-");
	return proto_line_out_end(&o);
}

int
proto_line_error(char *buf, size_t bufsz, enum proto_line_err e)
{
	struct proto_line_out o;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, "error");
	proto_line_out_word(&o, e == PLE_OK ? "?" : proto_line_errname(e));
	if (e == PLE_OK)
		o.bad = 1;
	return proto_line_out_end(&o);
}

int
proto_line_pong(char *buf, size_t bufsz, const char *version)
{
	struct proto_line_out o;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, "ok");
	proto_line_out_word(&o, "pong");
	proto_line_out_attr_u64(&o, "proto", PROTO_LINE_VERSION);
	proto_line_out_attr(&o, "version", version);
	return proto_line_out_end(&o);
}
