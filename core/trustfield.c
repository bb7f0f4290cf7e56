/*
 * trustfield.c: encode and parse the Sender-Key-Trust value
 * (trustfield.h, specs/verdicts.md 7.1).  Strict on input: one order of
 * parameters, no unknown ones, a sender in canonical form; a value that
 * is not exactly senderkey's is refused, never repaired.
 */
#include <string.h>

#include "lib/addr.h"
#include "lib/hex.h"
#include "trustfield.h"

static const char *const err_names[] = {
	"ok", "too-long", "syntax", "tag", "reason", "sender", "key", "param",
};

const char *
trustfield_errname(enum trustfield_err e)
{
	if ((size_t)e >= sizeof(err_names) / sizeof(err_names[0]))
		return "?";
	return err_names[e];
}

static int
keyed_tag(enum verdict_tag t)
{
	return t == VT_TRUSTED || t == VT_AUTHORIZED;
}

void
trustfield_set(struct trustfield *f, enum verdict_tag tag,
    enum verdict_reason reason, const char *sender, const unsigned char *key)
{
	memset(f, 0, sizeof(*f));
	f->tag = tag;
	f->reason = reason;
	if (sender != NULL && strlen(sender) < sizeof(f->sender))
		memcpy(f->sender, sender, strlen(sender) + 1);
	if (key != NULL && keyed_tag(tag)) {
		f->has_key = 1;
		memcpy(f->key, key, sizeof(f->key));
	}
}

/* bare_ok: whether address A can be written without quotes. */
static int
bare_ok(const char *a)
{
	const unsigned char *p;

	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f ||
		    strchr("()<>,;:\\\"[]", *p) != NULL)
			return 0;
	return 1;
}

static int
put(char *buf, size_t bufsz, size_t *len, const char *s, size_t n)
{
	if (*len + n >= bufsz)
		return -1;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

static int
put_s(char *buf, size_t bufsz, size_t *len, const char *s)
{
	return put(buf, bufsz, len, s, strlen(s));
}

static int
put_sender(char *buf, size_t bufsz, size_t *len, const char *a)
{
	const unsigned char *p;

	if (bare_ok(a))
		return put_s(buf, bufsz, len, a);
	if (put(buf, bufsz, len, "\"", 1) == -1)
		return -1;
	for (p = (const unsigned char *)a; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if ((*p == '"' || *p == '\\') &&
		    put(buf, bufsz, len, "\\", 1) == -1)
			return -1;
		if (put(buf, bufsz, len, (const char *)p, 1) == -1)
			return -1;
	}
	return put(buf, bufsz, len, "\"", 1);
}

int
trustfield_encode(const struct trustfield *f, char *buf, size_t bufsz)
{
	static const char hexd[] = "0123456789abcdef";
	char hex[2 * TRUSTFIELD_KEY_LEN + 1];
	const char *tag, *reason;
	size_t len = 0, i;

	if (bufsz == 0)
		return -1;
	buf[0] = '\0';
	tag = verdict_tag_name(f->tag);
	reason = verdict_reason_name(f->reason);
	if (f->tag == VT_NONE || strcmp(tag, "?") == 0 ||
	    strcmp(reason, "?") == 0 || (f->has_key && !keyed_tag(f->tag)))
		goto fail;
	if (put_s(buf, bufsz, &len, tag) == -1 ||
	    put_s(buf, bufsz, &len, "; reason=") == -1 ||
	    put_s(buf, bufsz, &len, reason) == -1)
		goto fail;
	if (f->sender[0] != '\0' &&
	    (put_s(buf, bufsz, &len, "; sender=") == -1 ||
	    put_sender(buf, bufsz, &len, f->sender) == -1))
		goto fail;
	if (f->has_key) {
		for (i = 0; i < TRUSTFIELD_KEY_LEN; i++) {
			hex[2 * i] = hexd[f->key[i] >> 4];
			hex[2 * i + 1] = hexd[f->key[i] & 0x0f];
		}
		hex[2 * TRUSTFIELD_KEY_LEN] = '\0';
		if (put_s(buf, bufsz, &len, "; key=") == -1 ||
		    put_s(buf, bufsz, &len, hex) == -1)
			goto fail;
	}
	return (int)len;
fail:
	buf[0] = '\0';
	return -1;
}

/* A cursor over the value being parsed. */
struct cur {
	const char	*p, *end;
};

static void
skip_wsp(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* word: [a-z0-9-]+ into OUT (OUTSZ); -1 when empty or too long. */
static int
word(struct cur *c, char *out, size_t outsz)
{
	size_t n = 0;

	while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') ||
	    (*c->p >= '0' && *c->p <= '9') || *c->p == '-')) {
		if (n + 1 >= outsz)
			return -1;
		out[n++] = *c->p++;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* sender_value: a bare or quoted value into OUT (unescaped). */
static int
sender_value(struct cur *c, char *out, size_t outsz)
{
	size_t n = 0;
	unsigned char ch;

	if (c->p < c->end && *c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			if (*c->p == '\\' && ++c->p == c->end)
				return -1;
			ch = (unsigned char)*c->p;
			if (ch < 0x20 || ch == 0x7f || n + 1 >= outsz)
				return -1;
			out[n++] = (char)ch;
		}
		if (c->p == c->end)
			return -1;
		c->p++;
	} else {
		while (c->p < c->end && *c->p != ';' && *c->p != ' ' &&
		    *c->p != '\t') {
			ch = (unsigned char)*c->p;
			if (ch < 0x20 || ch >= 0x7f ||
			    strchr("()<>,:\\\"[]", ch) != NULL || n + 1 >= outsz)
				return -1;
			out[n++] = *c->p++;
		}
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int
key_value(struct cur *c, unsigned char key[TRUSTFIELD_KEY_LEN])
{
	size_t i;
	int hi, lo;

	if (c->end - c->p < 2 * TRUSTFIELD_KEY_LEN)
		return -1;
	for (i = 0; i < 2 * TRUSTFIELD_KEY_LEN; i++)
		if (c->p[i] >= 'A' && c->p[i] <= 'F')
			return -1;
	for (i = 0; i < TRUSTFIELD_KEY_LEN; i++) {
		if ((hi = hex_digit(c->p[2 * i])) < 0 ||
		    (lo = hex_digit(c->p[2 * i + 1])) < 0)
			return -1;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	c->p += 2 * TRUSTFIELD_KEY_LEN;
	return 0;
}

static int
fail(enum trustfield_err *err, enum trustfield_err e)
{
	if (err != NULL)
		*err = e;
	return -1;
}

/* canonical_sender: S parses as an address and is its canonical form. */
static int
canonical_sender(const char *s)
{
	struct addr *a;
	int ok;

	if ((a = addr_parse(s, NULL, NULL)) == NULL)
		return 0;
	ok = strcmp(addr_canon(a), s) == 0;
	addr_free(a);
	return ok;
}

int
trustfield_parse(const char *value, size_t len, struct trustfield *out,
    enum trustfield_err *err)
{
	struct cur c;
	char w[32], name[16];
	int stage = 0;	/* 0: reason next, 1: sender or key, 2: key, 3 */

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		*err = TFE_OK;
	if (len > TRUSTFIELD_MAX)
		return fail(err, TFE_TOO_LONG);
	c.p = value;
	c.end = value + len;
	skip_wsp(&c);
	if (word(&c, w, sizeof(w)) == -1)
		return fail(err, TFE_SYNTAX);
	if (verdict_tag_from_name(w, &out->tag) == -1 || out->tag == VT_NONE)
		return fail(err, TFE_TAG);
	for (;;) {
		skip_wsp(&c);
		if (c.p == c.end)
			break;
		if (*c.p++ != ';')
			return fail(err, TFE_SYNTAX);
		skip_wsp(&c);
		if (word(&c, name, sizeof(name)) == -1 || c.p == c.end ||
		    *c.p++ != '=')
			return fail(err, TFE_SYNTAX);
		if (stage == 0 && strcmp(name, "reason") == 0) {
			if (word(&c, w, sizeof(w)) == -1 ||
			    verdict_reason_from_name(w, &out->reason) == -1)
				return fail(err, TFE_REASON);
			stage = 1;
		} else if (stage == 1 && strcmp(name, "sender") == 0) {
			if (sender_value(&c, out->sender,
			    sizeof(out->sender)) == -1 ||
			    !canonical_sender(out->sender))
				return fail(err, TFE_SENDER);
			stage = 2;
		} else if ((stage == 1 || stage == 2) &&
		    strcmp(name, "key") == 0) {
			if (!keyed_tag(out->tag) ||
			    key_value(&c, out->key) == -1)
				return fail(err, TFE_KEY);
			out->has_key = 1;
			stage = 3;
		} else
			return fail(err, stage == 0 ? TFE_REASON : TFE_PARAM);
	}
	if (stage == 0)
		return fail(err, TFE_REASON);
	return 0;
}
