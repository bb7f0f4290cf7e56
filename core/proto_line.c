/*
 * proto_line.c: the line protocol of specs/protocol.md section 3: one
 * request line into a struct proto_line_request (tokens, quoted local
 * parts, AUTHZ arguments), reply lines out, and the codec of the AUTHZ,
 * PING and error replies (encoded by senderkeyd, decoded by its
 * clients).  The LOOKUP and STATS replies are proto_line_lookup.c and
 * proto_line_stats.c, requests are built by proto_line_req.c.  Pure: no
 * I/O, no allocation; the connection layer frames lines and writes
 * replies.
 */
#include <ctype.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/hex.h"
#include "lib/key.h"
#include "proto_line.h"

static const char *const err_names[] = {
	"ok", "line-too-long", "bad-syntax", "bad-command", "bad-argument",
	"missing-argument", "bad-address", "not-permitted", "internal",
};

static const char *const cmd_names[] = { "AUTHZ", "LOOKUP", "STATS",
	"PING", "LEARN", "MOVE", "DKIMKEY" };

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
 * The octet classes of a request line, one load an octet: LC_CTL a
 * control octet (never allowed), LC_SP the separator, LC_QUOTE and
 * LC_BSL what quoting uses; 0 an ordinary octet.
 */
#define LC_CTL		1
#define LC_SP		2
#define LC_QUOTE	4
#define LC_BSL		8
static const unsigned char lclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x10 */
	2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0,	/* 0x50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xf0 */
};

/*
 * tokenize: split BUF (N octets) at SP outside double quotes,
 * NUL-terminating each token in place (a backslash inside quotes takes
 * the next octet as it is).  Returns the number of tokens, or -1 for a
 * control octet anywhere, an unclosed quote or more than TOKENS_MAX
 * tokens.  One pass: ordinary octets cost one table load each.
 */
static int
tokenize(char *buf, size_t n, char **tok)
{
	unsigned char *p = (unsigned char *)buf, *e = p + n, k = 0;
	int ntok = 0;

	while (p < e) {
		if (*p == ' ') {
			*p++ = '\0';
			continue;
		}
		if (ntok == PROTO_LINE_TOKENS_MAX)
			return -1;
		tok[ntok++] = (char *)p;
		for (;;) {
			while (p < e && (k = lclass[*p]) == 0)
				p++;
			if (p == e || (k & LC_SP))
				break;
			if (k & LC_CTL)
				return -1;
			if (k & LC_QUOTE) {
				/* to the closing quote */
				for (p++;; p++) {
					if (p == e)
						return -1;
					k = lclass[*p];
					if (k & LC_BSL) {
						if (++p == e)
							return -1;
						k = lclass[*p] & LC_CTL;
					}
					if (k & LC_CTL)
						return -1;
					if (k & LC_QUOTE)
						break;
				}
			}
			p++;	/* past the quote, or a backslash outside quotes */
		}
	}
	*e = '\0';
	return ntok;
}

int
proto_line_queue_id_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > PROTO_LINE_QUEUE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* name_is: whether the N octets at ARG are NAME. */
static int
name_is(const char *arg, size_t n, const char *name)
{
	return n == strlen(name) && memcmp(arg, name, n) == 0;
}

int
proto_line_authz_arg(struct proto_line_request *rq, const char *arg,
    enum proto_line_err *err)
{
	const char *eq, *v;
	size_t n;

	if ((eq = strchr(arg, '=')) == NULL)
		return fail(err, PLE_BAD_ARGUMENT);
	n = (size_t)(eq - arg);
	v = eq + 1;
	if (name_is(arg, n, "sender") && rq->sender == NULL) {
		rq->sender = v;
		rq->sender_null = v[0] == '\0' || strcmp(v, "<>") == 0;
	} else if (name_is(arg, n, "recipient") && rq->recipient == NULL)
		rq->recipient = v;
	else if (name_is(arg, n, "sig") && rq->sig == VSIG_UNKNOWN) {
		/* sig=unknown cannot be sent, so UNKNOWN means "not yet" */
		if (verdict_sig_from_name(v, &rq->sig) == -1 ||
		    rq->sig == VSIG_UNKNOWN)
			return fail(err, PLE_BAD_ARGUMENT);
	} else if (name_is(arg, n, "key") && !rq->have_key) {
		if (key_fingerprint_parse(v, rq->key) == -1)
			return fail(err, PLE_BAD_ARGUMENT);
		rq->have_key = 1;
	} else if (name_is(arg, n, "queue_id") && rq->queue_id == NULL) {
		if (!proto_line_queue_id_ok(v))
			return fail(err, PLE_BAD_ARGUMENT);
		rq->queue_id = v;
	} else
		return fail(err, PLE_BAD_ARGUMENT);
	return 0;
}

int
proto_line_authz_check(const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (rq->have_key && rq->sig != VSIG_PASS)
		return fail(err, PLE_BAD_ARGUMENT);
	if (rq->sender == NULL || rq->recipient == NULL ||
	    rq->recipient[0] == '\0' ||
	    (rq->sig == VSIG_PASS && !rq->have_key))
		return fail(err, PLE_MISSING_ARGUMENT);
	return 0;
}

static int
parse_authz(struct proto_line_request *rq, char **tok, int ntok,
    enum proto_line_err *err)
{
	int i;

	for (i = 1; i < ntok; i++)
		if (proto_line_authz_arg(rq, tok[i], err) == -1)
			return -1;
	return proto_line_authz_check(rq, err);
}

int
proto_line_learn_check(const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (rq->user == NULL || rq->user[0] == '\0' || rq->sender == NULL ||
	    rq->recipient == NULL || rq->recipient[0] == '\0')
		return fail(err, PLE_MISSING_ARGUMENT);
	return 0;
}

/* parse_learn: LEARN's arguments (3.2), each once, in any order. */
static int
parse_learn(struct proto_line_request *rq, char **tok, int ntok,
    enum proto_line_err *err)
{
	const char *eq, *v;
	size_t n;
	int i;

	for (i = 1; i < ntok; i++) {
		if ((eq = strchr(tok[i], '=')) == NULL)
			return fail(err, PLE_BAD_ARGUMENT);
		n = (size_t)(eq - tok[i]);
		v = eq + 1;
		if (name_is(tok[i], n, "user") && rq->user == NULL)
			rq->user = v;
		else if (name_is(tok[i], n, "sender") && rq->sender == NULL) {
			rq->sender = v;
			rq->sender_null = v[0] == '\0' || strcmp(v, "<>") == 0;
		} else if (name_is(tok[i], n, "recipient") &&
		    rq->recipient == NULL)
			rq->recipient = v;
		else
			return fail(err, PLE_BAD_ARGUMENT);
	}
	return proto_line_learn_check(rq, err);
}

/* parse_move: MOVE's arguments (3.2), proto_line_move.c's. */
static int
parse_move(struct proto_line_request *rq, char **tok, int ntok,
    enum proto_line_err *err)
{
	int i;

	for (i = 1; i < ntok; i++)
		if (proto_line_move_arg(rq, tok[i], err) == -1)
			return -1;
	return proto_line_move_check(rq, err);
}

int
proto_line_parse(const char *line, size_t len, struct proto_line_request *rq,
    enum proto_line_err *err)
{
	char *tok[PROTO_LINE_TOKENS_MAX];
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
	memcpy(rq->buf, line, n);
	/* control octets, quoting and too many tokens: one pass */
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
	case PLC_DKIMKEY:
		if (ntok < 2)
			return fail(err, PLE_MISSING_ARGUMENT);
		if (ntok > 2)
			return fail(err, PLE_BAD_ARGUMENT);
		rq->address = tok[1];	/* parsed once, by who acts on it */
		return 0;
	case PLC_AUTHZ:
		return parse_authz(rq, tok, ntok, err);
	case PLC_LEARN:
		return parse_learn(rq, tok, ntok, err);
	case PLC_MOVE:
		return parse_move(rq, tok, ntok, err);
	}
	return fail(err, PLE_BAD_COMMAND);
}

/* ---- the AUTHZ reply: one codec (LOOKUP: proto_line_lookup.c) ---- */

/* tag_fits: whether tag T may go with verdict V (verdicts.md 6.4 rule 6). */
static int
tag_fits(enum verdict v, enum verdict_tag t)
{
	switch (v) {
	case VERDICT_TEMPFAIL:
		return t == VT_NONE;
	case VERDICT_UNAUTHORIZED:
		return t == VT_UNAUTHORIZED;
	case VERDICT_UNTRUSTED:
		return t == VT_UNTRUSTED;
	case VERDICT_AUTHORIZED:
		return t == VT_AUTHORIZED || t == VT_TRUSTED;
	}
	return 0;
}

/* class_ok: "" or 16 lowercase hex digits. */
static int
class_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0)
		return 1;
	if (n != VERDICT_CLASS_IDSIZE - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

/* text_ok: whether S is a refusal text: printable ASCII, not too long. */
static int
text_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= REFUSAL_TEXT_MAX || s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

int
proto_line_authz_encode(char *buf, size_t bufsz,
    const struct proto_line_authz *a)
{
	struct proto_line_out o;

	proto_line_out_init(&o, buf, bufsz);
	if (!tag_fits(a->verdict, a->tag))
		o.bad = 1;
	proto_line_out_word(&o, proto_line_out_known(&o,
	    verdict_name(a->verdict)));
	proto_line_out_word(&o, proto_line_out_known(&o,
	    verdict_reason_name(a->reason)));
	proto_line_out_attr(&o, "tag", proto_line_out_known(&o,
	    verdict_tag_name(a->tag)));
	proto_line_out_attr(&o, "lookup", a->has_lookup ?
	    proto_line_out_known(&o, lookup_state_name(a->lookup)) : "-");
	proto_line_out_attr(&o, "policy", a->has_policy ?
	    proto_line_out_known(&o, verdict_policy_name(a->policy)) : "-");
	if (memchr(a->trust, '\0', sizeof(a->trust)) == NULL)
		o.bad = 1;
	else if (a->trust[0] != '\0')
		proto_line_out_attr_pct(&o, "trust", a->trust,
		    strlen(a->trust));
	if (memchr(a->class_id, '\0', sizeof(a->class_id)) == NULL ||
	    !class_ok(a->class_id))
		o.bad = 1;
	else
		proto_line_out_attr(&o, "class", a->class_id[0] != '\0' ?
		    a->class_id : "-");
	if (memchr(a->text, '\0', sizeof(a->text)) == NULL)
		o.bad = 1;
	else if (a->text[0] != '\0') {
		if (a->verdict != VERDICT_UNAUTHORIZED || !text_ok(a->text))
			o.bad = 1;
		proto_line_out_attr_pct(&o, "text", a->text, strlen(a->text));
	}
	return proto_line_out_end(&o);
}

int
proto_line_verdict(char *buf, size_t bufsz, const struct verdict_output *v,
    const char *lookup, const char *policy, const char *class_id)
{
	struct proto_line_authz a;
	struct proto_line_out o;

	memset(&a, 0, sizeof(a));
	a.verdict = v->verdict;
	a.reason = v->reason;
	a.tag = v->tag;
	if (lookup != NULL && strcmp(lookup, "-") != 0) {
		if (verdict_lookup_from_name(lookup, &a.lookup) == -1)
			goto bad;
		a.has_lookup = 1;
	}
	if (policy != NULL && strcmp(policy, "-") != 0) {
		if (verdict_policy_from_name(policy, &a.policy) == -1)
			goto bad;
		a.has_policy = 1;
	}
	if (class_id != NULL && strcmp(class_id, "-") != 0) {
		if (strlen(class_id) >= sizeof(a.class_id))
			goto bad;
		strcpy(a.class_id, class_id);
	}
	return proto_line_authz_encode(buf, bufsz, &a);
bad:
	proto_line_out_init(&o, buf, bufsz);
	o.bad = 1;
	return proto_line_out_end(&o);	/* "error internal", -1 */
}

int
proto_line_words(const char *line, size_t len, size_t (*w)[2], int max)
{
	size_t i, start = 0;
	int n = 0;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == 0)
		return -1;
	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ') {
			if (is_ctl((unsigned char)line[i]))
				return -1;
			continue;
		}
		if (i == start || n == max)
			return -1;
		w[n][0] = start;
		w[n++][1] = i;
		start = i + 1;
	}
	return n;
}

/* word_is: whether LINE[w[0], w[1]) is exactly S. */
static int
word_is(const char *line, const size_t w[2], const char *s)
{
	size_t n = strlen(s);

	return w[1] - w[0] == n && memcmp(line + w[0], s, n) == 0;
}

/* word_copy: LINE[w[0], w[1]) into BUF as a string; -1 if it is too long. */
static int
word_copy(const char *line, const size_t w[2], char *buf, size_t bufsz)
{
	size_t n = w[1] - w[0];

	if (n >= bufsz)
		return -1;
	memcpy(buf, line + w[0], n);
	buf[n] = '\0';
	return 0;
}

int
proto_line_authz_decode(const char *line, size_t len,
    struct proto_line_authz *out)
{
	static const char *const known[] = { "tag", "lookup", "policy",
	    "trust", "class", "text" };
	size_t w[PROTO_LINE_TOKENS_MAX][2];
	char name[16], val[64];
	unsigned seen = 0;
	int i, k, n, have_tag = 0;

	memset(out, 0, sizeof(*out));
	if ((n = proto_line_words(line, len, w, PROTO_LINE_TOKENS_MAX)) < 3 ||
	    word_copy(line, w[0], val, sizeof(val)) == -1 ||
	    verdict_from_name(val, &out->verdict) == -1 ||
	    word_copy(line, w[1], val, sizeof(val)) == -1 ||
	    verdict_reason_from_name(val, &out->reason) == -1)
		goto fail;
	for (i = 2; i < n; i++) {
		const char *eq = memchr(line + w[i][0], '=', w[i][1] - w[i][0]);
		size_t nv[2];

		if (eq == NULL)
			continue;	/* not an attribute: ignored */
		nv[0] = w[i][0];
		nv[1] = (size_t)(eq - line);
		if (word_copy(line, nv, name, sizeof(name)) == -1)
			continue;	/* a name we do not know */
		for (k = 0; k < (int)(sizeof(known) / sizeof(known[0])); k++)
			if (strcmp(name, known[k]) == 0) {
				if (seen & 1u << k)
					goto fail;	/* twice: which one? */
				seen |= 1u << k;
			}
		nv[0] = nv[1] + 1;
		nv[1] = w[i][1];
		if (strcmp(name, "trust") == 0) {
			if (proto_line_pct_decode(line + nv[0], nv[1] - nv[0],
			    out->trust, sizeof(out->trust)) <= 0)
				goto fail;
			continue;
		}
		if (strcmp(name, "text") == 0) {
			/* percent-decoded, and a refusal text (text_ok) */
			memset(out->text, 0, sizeof(out->text));
			if (proto_line_pct_decode(line + nv[0], nv[1] - nv[0],
			    out->text, sizeof(out->text)) == -1 ||
			    !text_ok(out->text))
				goto fail;
			continue;
		}
		if (word_copy(line, nv, val, sizeof(val)) == -1)
			goto fail;
		if (strcmp(name, "tag") == 0) {
			if (have_tag++ ||
			    verdict_tag_from_name(val, &out->tag) == -1)
				goto fail;
		} else if (strcmp(name, "lookup") == 0) {
			if (strcmp(val, "-") == 0)
				out->has_lookup = 0;
			else if (verdict_lookup_from_name(val,
			    &out->lookup) == -1)
				goto fail;
			else
				out->has_lookup = 1;
		} else if (strcmp(name, "policy") == 0) {
			if (strcmp(val, "-") == 0)
				out->has_policy = 0;
			else if (verdict_policy_from_name(val,
			    &out->policy) == -1)
				goto fail;
			else
				out->has_policy = 1;
		} else if (strcmp(name, "class") == 0) {
			if (strcmp(val, "-") == 0)
				val[0] = '\0';
			if (!class_ok(val))
				goto fail;
			strcpy(out->class_id, val);
		}
	}
	if (!have_tag || !tag_fits(out->verdict, out->tag))
		goto fail;
	if (out->verdict != VERDICT_UNAUTHORIZED)
		memset(out->text, 0, sizeof(out->text));
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

int
proto_line_number(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
proto_line_pct_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (o + 1 >= outsz)
			return -1;
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -1;
		if ((hi = hex_digit(s[i + 1])) < 0 ||
		    (lo = hex_digit(s[i + 2])) < 0 || (hi | lo) == 0)
			return -1;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int
proto_line_error_decode(const char *line, size_t len, enum proto_line_err *e)
{
	size_t w[2][2], i;
	char code[32];

	if (proto_line_words(line, len, w, 2) != 2 || !word_is(line, w[0], "error") ||
	    word_copy(line, w[1], code, sizeof(code)) == -1)
		return -1;
	*e = PLE_INTERNAL;
	for (i = 1; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (strcmp(code, err_names[i]) == 0)
			*e = (enum proto_line_err)i;
	return 0;
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

int
proto_line_pong_decode(const char *line, size_t len, uint64_t *proto,
    char *version, size_t versionsz)
{
	size_t w[PROTO_LINE_TOKENS_MAX][2], vl;
	const char *a, *eq;
	int i, n, have = 0;

	if ((n = proto_line_words(line, len, w, PROTO_LINE_TOKENS_MAX)) < 2 ||
	    !word_is(line, w[0], "ok") || !word_is(line, w[1], "pong"))
		return -1;
	for (i = 2; i < n; i++) {
		a = line + w[i][0];
		if ((eq = memchr(a, '=', w[i][1] - w[i][0])) == NULL)
			continue;
		vl = w[i][1] - (size_t)(eq + 1 - line);
		if (eq - a == 5 && memcmp(a, "proto", 5) == 0) {
			if ((have & 1) || proto_line_number(eq + 1, vl,
			    proto) == -1)
				return -1;
			have |= 1;
		} else if (eq - a == 7 && memcmp(a, "version", 7) == 0) {
			if ((have & 2) || vl == 0 || vl >= versionsz)
				return -1;
			memcpy(version, eq + 1, vl);
			version[vl] = '\0';
			have |= 2;
		}
	}
	return have == 3 ? 0 : -1;
}
