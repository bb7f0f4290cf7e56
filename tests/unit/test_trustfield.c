/*
 * test_trustfield: the Sender-Key-Trust value codec (core/trustfield.c)
 * against every row of specs/vectors/trustfield.tsv, the encoder's
 * refusals, and encode -> parse giving the same field back for every tag
 * and reason.
 */
#include <stdio.h>
#include <string.h>

#include "core/trustfield.h"
#include "lib/hex.h"
#include "t.h"
#include "vec.h"

#define VECTORS "specs/vectors/trustfield.tsv"

static int
key_of(const char *hex, unsigned char key[TRUSTFIELD_KEY_LEN])
{
	size_t i;

	if (strlen(hex) != 2 * TRUSTFIELD_KEY_LEN)
		return -1;
	for (i = 0; i < TRUSTFIELD_KEY_LEN; i++)
		key[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 |
		    hex_digit(hex[2 * i + 1]));
	return 0;
}

static void
row(struct vec_row *r, void *arg)
{
	struct trustfield f;
	enum trustfield_err e;
	enum verdict_tag tag;
	enum verdict_reason reason;
	unsigned char key[TRUSTFIELD_KEY_LEN];
	char buf[TRUSTFIELD_MAX + 1];
	int rc, n;

	(void)arg;
	if (strcmp(r->f[0], "value") == 0)
		return;
	rc = trustfield_parse(r->f[0], r->len[0], &f, &e);
	if (strcmp(r->f[1], "ok") != 0) {
		T_OK(rc == -1 && strcmp(trustfield_errname(e), r->f[1]) == 0,
		    "line %d: refused as %s (got %s)", r->line, r->f[1],
		    rc == 0 ? "ok" : trustfield_errname(e));
		return;
	}
	T_OK(rc == 0, "line %d: parses (got %s)", r->line,
	    trustfield_errname(e));
	if (rc != 0)
		return;
	T_OK(verdict_tag_from_name(r->f[2], &tag) == 0 && f.tag == tag,
	    "line %d: tag %s", r->line, r->f[2]);
	T_OK(verdict_reason_from_name(r->f[3], &reason) == 0 &&
	    f.reason == reason, "line %d: reason %s", r->line, r->f[3]);
	T_STREQ(f.sender, strcmp(r->f[4], "-") == 0 ? "" : r->f[4],
	    "line %d: sender", r->line);
	if (strcmp(r->f[5], "-") == 0)
		T_OK(!f.has_key, "line %d: no key", r->line);
	else
		T_OK(f.has_key && key_of(r->f[5], key) == 0 &&
		    memcmp(key, f.key, sizeof(key)) == 0, "line %d: key",
		    r->line);
	if (strcmp(r->f[6], "same") == 0) {
		n = trustfield_encode(&f, buf, sizeof(buf));
		T_OK(n > 0 && (size_t)n == r->len[0] &&
		    strcmp(buf, r->f[0]) == 0,
		    "line %d: encodes back to the value (got \"%s\")", r->line,
		    buf);
	}
}

static void
test_vectors(void)
{
	int n = vec_each(VECTORS, row, NULL);

	T_OK(n > 30, "%s read (%d rows)", VECTORS, n);
}

static void
test_encode_refuses(void)
{
	struct trustfield f;
	unsigned char key[TRUSTFIELD_KEY_LEN];
	char buf[TRUSTFIELD_MAX + 1];

	memset(key, 0xab, sizeof(key));
	trustfield_set(&f, VT_NONE, VR_DNS_TEMPFAIL, "a@example.com", NULL);
	T_OK(trustfield_encode(&f, buf, sizeof(buf)) == -1 && buf[0] == '\0',
	    "no field for a tempfail");
	trustfield_set(&f, VT_UNTRUSTED, VR_SIG_PENDING, "a@example.com",
	    key);
	T_OK(!f.has_key, "set keeps no key on untrusted");
	f.has_key = 1;
	T_OK(trustfield_encode(&f, buf, sizeof(buf)) == -1,
	    "a key on untrusted is refused");
	trustfield_set(&f, VT_TRUSTED, VR_KEY_SECURE_SIGNED,
	    "\"a\nb\"@example.com", NULL);
	T_OK(trustfield_encode(&f, buf, sizeof(buf)) == -1,
	    "a line break in the sender is refused");
	trustfield_set(&f, VT_TRUSTED, VR_KEY_SECURE_SIGNED, "a@example.com",
	    key);
	T_OK(trustfield_encode(&f, buf, 40) == -1, "too small a buffer");
	T_INTEQ(trustfield_encode(&f, buf, sizeof(buf)),
	    (int)strlen("trusted; reason=key-secure-signed; "
	    "sender=a@example.com; key=") + 64, "fits");
	f.tag = (enum verdict_tag)99;
	T_OK(trustfield_encode(&f, buf, sizeof(buf)) == -1,
	    "a tag out of range");
}

static void
test_round_trip(void)
{
	static const char *const senders[] = { NULL, "bob@example.net",
		"\"x y\"@example.net", "\"q\\\"uote\"@example.net" };
	struct trustfield f, g;
	unsigned char key[TRUSTFIELD_KEY_LEN];
	char buf[TRUSTFIELD_MAX + 1];
	int t, r, s, k, bad = 0, n = 0;

	for (t = VT_AUTHORIZED; t <= VT_UNAUTHORIZED; t++)
		for (r = 0; r < VERDICT_REASON_COUNT; r++)
			for (s = 0; s < 4; s++)
				for (k = 0; k < 2; k++) {
					memset(key, r * 7 + s, sizeof(key));
					trustfield_set(&f, (enum verdict_tag)t,
					    (enum verdict_reason)r, senders[s],
					    k ? key : NULL);
					n++;
					if (trustfield_encode(&f, buf,
					    sizeof(buf)) < 0 ||
					    trustfield_parse(buf, strlen(buf),
					    &g, NULL) == -1 ||
					    memcmp(&f, &g, sizeof(f)) != 0) {
						if (bad++ < 3)
							printf("# %s\n", buf);
					}
				}
	T_OK(bad == 0, "encode -> parse is the identity (%d fields, %d bad)",
	    n, bad);
}

static void
test_too_long(void)
{
	char buf[TRUSTFIELD_MAX + 2];
	struct trustfield f;
	enum trustfield_err e;

	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "untrusted; reason=no-key", 24);
	T_OK(trustfield_parse(buf, TRUSTFIELD_MAX, &f, &e) == 0,
	    "TRUSTFIELD_MAX octets (blanks after) parse");
	T_OK(trustfield_parse(buf, TRUSTFIELD_MAX + 1, &f, &e) == -1 &&
	    e == TFE_TOO_LONG, "one more is too-long");
	T_STREQ(trustfield_errname((enum trustfield_err)42), "?",
	    "errname out of range");
}

int
main(void)
{
	test_vectors();
	test_encode_refuses();
	test_round_trip();
	test_too_long();
	return t_done();
}
