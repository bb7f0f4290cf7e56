/*
 * test_canon: lib/canon against golden files: RFC 6376 section 3.4.5's
 * example (tests/data/sig/rfc6376-345.*) for both algorithms, headers
 * and body, and more cases (trailing empty lines, empty bodies, bare CR,
 * whitespace-only lines, no final CRLF).  Every body case is also fed one
 * octet at a time, so chunk boundaries (a CRLF split in two, a WSP run
 * across chunks) are checked to change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "canon.h"
#include "t.h"

#define D "tests/data/sig/"

struct sink {
	char	buf[4096];
	size_t	n;
};

static void
tee(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;

	if (s->n + len < sizeof(s->buf)) {
		memcpy(s->buf + s->n, data, len);
		s->n += len;
	}
	s->buf[s->n] = '\0';
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		printf("not ok - cannot read %s\n", path);
		exit(1);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* body: canonical body of IN with ALG, whole (STEP 0) or octet by octet */
static void
body(const EVP_MD *md, enum canon_alg alg, const char *in, const char *want,
    const char *what)
{
	struct canon_body *cb;
	struct sink s;
	unsigned char h[32], w[32];
	unsigned int wl;
	size_t i, len = strlen(in);
	int step;

	for (step = 0; step < 2; step++) {
		memset(&s, 0, sizeof(s));
		cb = canon_body_new(alg, md);
		canon_body_tee(cb, tee, &s);
		if (step == 0)
			canon_body_update(cb, in, len);
		else
			for (i = 0; i < len; i++)
				canon_body_update(cb, in + i, 1);
		T_OK(canon_body_final(cb, h) == 0, "%s %s: final", what,
		    canon_name(alg));
		T_STREQ(s.buf, want, "%s %s%s", what, canon_name(alg),
		    step ? " (one octet at a time)" : "");
		EVP_Digest(want, strlen(want), w, &wl, md, NULL);
		T_OK(memcmp(h, w, 32) == 0 && canon_body_length(cb) ==
		    strlen(want), "%s %s: SHA-256 and length of the canonical "
		    "octets", what, canon_name(alg));
		T_OK(canon_body_update(cb, "x", 1) == -1,
		    "%s: no update after final", what);
		canon_body_free(cb);
	}
}

static void
header(enum canon_alg alg, const char *in, const char *want, const char *what)
{
	size_t n = 0;
	char *out = canon_header(alg, in, strlen(in), &n);

	T_STREQ(out, want, "header %s: %s", canon_name(alg), what);
	T_OK(out == NULL || n == strlen(want), "header %s: %s: length",
	    canon_name(alg), what);
	free(out);
}

/* rfc6376: section 3.4.5, headers split at each field */
static void
rfc6376(const EVP_MD *md)
{
	char *in = slurp(D "rfc6376-345.in");
	char *hs = slurp(D "rfc6376-345.header.simple");
	char *hr = slurp(D "rfc6376-345.header.relaxed");
	char *bs = slurp(D "rfc6376-345.body.simple");
	char *br = slurp(D "rfc6376-345.body.relaxed");
	char *sep = strstr(in, "\r\n\r\n"), *p, *next, *c, gs[512], gr[512];
	size_t n;

	gs[0] = gr[0] = '\0';
	sep[2] = '\0';
	for (p = in; *p != '\0'; p = next) {
		next = strstr(p, "\r\n") + 2;
		while (*next == ' ' || *next == '\t')
			next = strstr(next, "\r\n") + 2;
		c = canon_header(CANON_SIMPLE, p, (size_t)(next - p), &n);
		strcat(gs, c);
		strcat(gs, "\r\n");
		free(c);
		c = canon_header(CANON_RELAXED, p, (size_t)(next - p), &n);
		strcat(gr, c);
		strcat(gr, "\r\n");
		free(c);
	}
	T_STREQ(gs, hs, "RFC 6376 3.4.5: simple header golden file");
	T_STREQ(gr, hr, "RFC 6376 3.4.5: relaxed header golden file");
	body(md, CANON_SIMPLE, sep + 4, bs, "RFC 6376 3.4.5 body");
	body(md, CANON_RELAXED, sep + 4, br, "RFC 6376 3.4.5 body");
	free(in);
	free(hs);
	free(hr);
	free(bs);
	free(br);
}

int
main(void)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	rfc6376(md);
	header(CANON_SIMPLE, "Subject:  x \r\n", "Subject:  x ",
	    "final CRLF dropped, rest kept");
	header(CANON_RELAXED, "SUBJECT \t:\t a:  b\r\n\t c \r\n",
	    "subject:a: b c", "name, colon, unfolding, inner colon kept");
	header(CANON_RELAXED, "X-Empty:   \r\n", "x-empty:", "empty value");
	header(CANON_RELAXED, "X: \xc3\xa9  \xff", "x:\xc3\xa9 \xff",
	    "8-bit octets kept, no CRLF given");
	T_OK(canon_header(CANON_RELAXED, "no colon", 8, &(size_t){0}) == NULL,
	    "a field without a colon is refused");

	body(md, CANON_SIMPLE, "", "\r\n", "empty body");
	body(md, CANON_RELAXED, "", "", "empty body");
	body(md, CANON_SIMPLE, "\r\n\r\n\r\n", "\r\n", "only empty lines");
	body(md, CANON_RELAXED, "\r\n \r\n\t\r\n", "", "only blank lines");
	body(md, CANON_SIMPLE, "a \r\n\r\nb\r\n\r\n\r\n", "a \r\n\r\nb\r\n",
	    "trailing empty lines");
	body(md, CANON_RELAXED, "a  \t b \t\r\n \r\n  c\r\n\r\n",
	    "a b\r\n\r\n c\r\n", "WSP runs and line ends");
	body(md, CANON_RELAXED, "no newline  ", "no newline\r\n",
	    "no final CRLF, trailing WSP");
	body(md, CANON_SIMPLE, "no newline", "no newline\r\n",
	    "no final CRLF");
	body(md, CANON_RELAXED, "a\rb\r\r\n\r", "a\rb\r\r\n\r\r\n",
	    "bare CRs are content");
	body(md, CANON_RELAXED, "Hi Bob,\r\n\r\nShall we meet at noon?  The "
	    "usual place.\r\n\r\nAlice\r\n\r\n", "Hi Bob,\r\n\r\nShall we meet "
	    "at noon? The usual place.\r\n\r\nAlice\r\n",
	    "signature.md worked example");
	T_INTEQ(canon_parse("relaxed", 7), CANON_RELAXED, "canon_parse relaxed");
	T_INTEQ(canon_parse("Relaxed", 7), 0, "canon_parse is case-sensitive");
	T_OK(canon_body_new(0, md) == NULL, "unknown algorithm refused");
	canon_body_free(NULL);
	EVP_MD_free(md);
	return t_done();
}
