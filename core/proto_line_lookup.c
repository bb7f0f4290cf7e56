/*
 * proto_line_lookup.c: the codec of the LOOKUP reply (specs/protocol.md
 * 3.3), and of the DKIMKEY reply, the same without policy=: senderkeyd
 * encodes them, the milter and the CLI decode them.  Pure:
 * no I/O, no allocation.  Not here: the request (proto_line.c,
 * proto_line_req.c), what the milter does with the keys (milter/answer.c).
 */
#include <stdio.h>
#include <string.h>

#include "lib/hex.h"
#include "proto_line_lookup.h"

/* encode: L as a LOOKUP reply, or a DKIMKEY one (DKIM: no policy=). */
static int
encode(char *buf, size_t bufsz, const struct proto_line_lookup *l, int dkim)
{
	struct proto_line_out o;
	size_t i;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, "ok");
	proto_line_out_attr(&o, "state", proto_line_out_known(&o,
	    lookup_state_name(l->state)));
	if (l->nokey != LOOKUP_NOKEY_NONE)
		proto_line_out_attr(&o, "nokey",
		    proto_line_out_known(&o, lookup_nokey_name(l->nokey)));
	if (l->owner != NULL)
		proto_line_out_attr(&o, "owner", l->owner);
	if (!dkim)
		proto_line_out_attr(&o, "policy",
		    proto_line_out_known(&o, verdict_policy_name(l->policy)));
	if (l->nkeys > PROTO_LINE_KEYS_MAX)
		o.bad = 1;
	for (i = 0; i < l->nkeys && i < PROTO_LINE_KEYS_MAX; i++) {
		if (l->keys[i] == NULL || l->keys[i][0] == '\0')
			o.bad = 1;
		proto_line_out_attr(&o, "key", l->keys[i]);
	}
	if (l->malformed > 0)
		proto_line_out_attr_u64(&o, "malformed", l->malformed);
	if (l->why != NULL)
		proto_line_out_attr_pct(&o, "why", l->why, l->whylen);
	proto_line_out_attr_u64(&o, "ttl", l->ttl);
	return proto_line_out_end(&o);
}

int
proto_line_lookup_encode(char *buf, size_t bufsz,
    const struct proto_line_lookup *l)
{
	return encode(buf, bufsz, l, 0);
}

int
proto_line_lookup_dkim_encode(char *buf, size_t bufsz,
    const struct proto_line_lookup *l)
{
	return encode(buf, bufsz, l, 1);
}

/* pct_decode: S percent-decoded in place; its length, or -1. */
static int
pct_decode(char *s, size_t *outlen)
{
	size_t i, j = 0;
	int hi, lo;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '%') {
			s[j++] = s[i];
			continue;
		}
		if ((hi = hex_digit(s[i + 1])) < 0 ||
		    (lo = hex_digit(s[i + 2])) < 0)
			return -1;
		s[j++] = (char)(hi << 4 | lo);
		i += 2;
	}
	s[j] = '\0';
	*outlen = j;
	return 0;
}

/* number: the string S as a decimal uint64; -1 when it is not one. */
static int
number(const char *s, uint64_t *out)
{
	return proto_line_number(s, strlen(s), out);
}

/*
 * lookup_attr: one NAME=V attribute of a LOOKUP reply (DKIM: a DKIMKEY
 * reply, where policy= is not an attribute) into OUT.
 */
static int
lookup_attr(const char *name, char *v, struct proto_line_lookup *out,
    int *have_state, int dkim)
{
	enum lookup_nokey n;

	if (strcmp(name, "state") == 0) {
		if ((*have_state)++ ||
		    verdict_lookup_from_name(v, &out->state) == -1)
			return -1;
	} else if (strcmp(name, "nokey") == 0) {
		out->nokey = LOOKUP_NOKEY_ABSENT;
		for (n = LOOKUP_NOKEY_ABSENT; n <= LOOKUP_NOKEY_EXPIRED; n++)
			if (strcmp(v, lookup_nokey_name(n)) == 0)
				out->nokey = n;
	} else if (strcmp(name, "owner") == 0)
		out->owner = v;
	else if (strcmp(name, "policy") == 0 && !dkim) {
		if (verdict_policy_from_name(v, &out->policy) == -1)
			return -1;
	} else if (strcmp(name, "key") == 0) {
		if (out->nkeys == PROTO_LINE_KEYS_MAX || *v == '\0')
			return -1;
		out->keys[out->nkeys++] = v;
	} else if (strcmp(name, "malformed") == 0)
		return number(v, &out->malformed);
	else if (strcmp(name, "why") == 0) {
		if (pct_decode(v, &out->whylen) == -1)
			return -1;
		out->why = v;
	} else if (strcmp(name, "ttl") == 0)
		return number(v, &out->ttl);
	return 0;
}

static int
decode(char *line, struct proto_line_lookup *out, int dkim)
{
	size_t len = strlen(line);
	char *p, *next, *eq;
	int have_state = 0;

	memset(out, 0, sizeof(*out));
	out->policy = VPOL_SOME;
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (strncmp(line, "ok ", 3) != 0)
		goto fail;
	for (p = line + 3; p != NULL; p = next) {
		if ((next = strchr(p, ' ')) != NULL)
			*next++ = '\0';
		if (*p == '\0')
			goto fail;	/* two SPs, or a trailing SP */
		if ((eq = strchr(p, '=')) == NULL)
			continue;	/* not an attribute: ignored */
		*eq = '\0';
		if (lookup_attr(p, eq + 1, out, &have_state, dkim) == -1)
			goto fail;
	}
	if (!have_state)
		goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

int
proto_line_lookup_decode(char *line, struct proto_line_lookup *out)
{
	return decode(line, out, 0);
}

int
proto_line_lookup_dkim_decode(char *line, struct proto_line_lookup *out)
{
	return decode(line, out, 1);
}
