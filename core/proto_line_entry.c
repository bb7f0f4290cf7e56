/*
 * proto_line_entry.c: the codec of the user-entry reply of the line
 * protocol (proto_line_entry.h): encoded by senderkeyd for LEARN,
 * decoded by the milter.  Pure: no I/O, no allocation.
 */
#include <string.h>

#include "proto_line.h"
#include "proto_line_entry.h"

static const char *const entry_names[] = { "written", "unchanged", "none" };

const char *
proto_line_entry_name(enum proto_line_entry e)
{
	if ((size_t)e >= sizeof(entry_names) / sizeof(entry_names[0]))
		return "?";
	return entry_names[e];
}

/* why_ok: the N octets at S are a why= code: [a-z0-9-], 1 to MAX - 1. */
static int
why_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= PROTO_LINE_WHY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
proto_line_entry_encode(char *buf, size_t bufsz, enum proto_line_entry e,
    const char *why)
{
	struct proto_line_out o;

	proto_line_out_init(&o, buf, bufsz);
	proto_line_out_word(&o, "ok");
	proto_line_out_attr(&o, "entry", proto_line_out_known(&o,
	    proto_line_entry_name(e)));
	if (e == PLENT_NONE) {
		if (why == NULL || !why_ok(why, strlen(why)))
			o.bad = 1;
		else
			proto_line_out_attr(&o, "why", why);
	} else if (why != NULL)
		o.bad = 1;
	return proto_line_out_end(&o);
}

int
proto_line_entry_decode(const char *line, size_t len,
    struct proto_line_entry_reply *out)
{
	size_t w[PROTO_LINE_TOKENS_MAX][2], i, nn, vl;
	const char *a, *eq;
	int n, k, have_entry = 0, have_why = 0;

	memset(out, 0, sizeof(*out));
	if ((n = proto_line_words(line, len, w, PROTO_LINE_TOKENS_MAX)) < 2 ||
	    w[0][1] - w[0][0] != 2 || memcmp(line, "ok", 2) != 0)
		goto fail;
	for (k = 1; k < n; k++) {
		a = line + w[k][0];
		if ((eq = memchr(a, '=', w[k][1] - w[k][0])) == NULL)
			continue;
		nn = (size_t)(eq - a);
		vl = w[k][1] - w[k][0] - nn - 1;
		if (nn == 5 && memcmp(a, "entry", 5) == 0) {
			if (have_entry++)
				goto fail;
			for (i = 0; i < sizeof(entry_names) /
			    sizeof(entry_names[0]); i++)
				if (vl == strlen(entry_names[i]) &&
				    memcmp(eq + 1, entry_names[i], vl) == 0)
					break;
			if (i == sizeof(entry_names) / sizeof(entry_names[0]))
				goto fail;
			out->entry = (enum proto_line_entry)i;
		} else if (nn == 3 && memcmp(a, "why", 3) == 0) {
			if (have_why++ || !why_ok(eq + 1, vl))
				goto fail;
			memcpy(out->why, eq + 1, vl);
			out->why[vl] = '\0';
		}
	}
	if (!have_entry || have_why != (out->entry == PLENT_NONE))
		goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}
