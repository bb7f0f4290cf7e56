/*
 * test_canon: lib/canon against golden files: RFC 6376 section 3.4.5's
 * example (tests/data/sig/rfc6376-345.*) for both algorithms, headers
 * and body, and more cases (trailing empty lines, empty bodies, bare CR,
 * whitespace-only lines, no final CRLF).  Every body case is also fed one
 * octet at a time, so chunk boundaries (a CRLF split in two, a WSP run
 * across chunks) are checked to change nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/canon.h"
#include "t.h"

#define D "tests/data/sig/"

struct sink {
	char	buf[8192];
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

/* A fixed pseudo-random sequence (xorshift64), the same every run. */
static uint64_t
rnd(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/*
 * gen: LEN random octets: mostly ordinary text (runs long enough for the
 * 16-octet paths), with SP, HTAB, CR, LF and CRLF sprinkled at a density
 * that varies per case.
 */
static void
gen(uint64_t *st, char *out, size_t len)
{
	static const char pick[] = " \t\r\n";
	size_t i, body = len, dens = 2 + rnd(st) % 40;
	uint64_t r;

	/* a quarter of the cases end in a run of empty or blank lines */
	if (len > 0 && rnd(st) % 4 == 0)
		body = len - rnd(st) % (len < 80 ? len : 80);
	for (i = 0; i < body; i++) {
		r = rnd(st);
		if (r % dens != 0)
			out[i] = "abcdefgh"[r / dens % 8];
		else if (r / dens % 3 == 0 && i + 1 < body) {
			out[i++] = '\r';
			out[i] = '\n';
		} else
			out[i] = pick[r / dens % 4];
	}
	/* half of those tails are nothing but CRLFs */
	r = rnd(st) % 2;
	for (; i < len; i++)
		out[i] = r ? "\r\n"[(i - body) % 2] :
		    "\r\n\r\n\r\n \t"[rnd(st) % 8];
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * ref_body: RFC 6376 3.4.3 / 3.4.4 written the plain way, line by line
 * (lines end in CRLF; a bare CR or LF is content), into OUT.  The length.
 */
static size_t
ref_body(enum canon_alg alg, const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0, ls, le, k, lo, keep = 0;
	int pend;

	while (i < len) {
		ls = i;
		while (i < len && !(in[i] == '\r' && i + 1 < len &&
		    in[i + 1] == '\n'))
			i++;
		le = i;
		if (i < len)
			i += 2;
		lo = o;
		if (alg == CANON_SIMPLE) {
			memcpy(out + o, in + ls, le - ls);
			o += le - ls;
		} else {
			for (k = ls, pend = 0; k < le; k++) {
				if (is_wsp(in[k])) {
					pend = 1;
					continue;
				}
				if (pend)
					out[o++] = ' ';
				pend = 0;
				out[o++] = in[k];
			}
		}
		out[o++] = '\r';
		out[o++] = '\n';
		if (o - lo > 2)		/* not empty: trailing ones go */
			keep = o;
	}
	o = keep;
	if (o == 0 && alg == CANON_SIMPLE) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	return o;
}

/* ref_header: relaxed header canonicalisation the plain way. */
static size_t
ref_header(const char *in, size_t len, char *out)
{
	size_t i, o = 0, c, n;
	int pend = 0, started = 0;

	if (len >= 2 && in[len - 2] == '\r' && in[len - 1] == '\n')
		len -= 2;
	for (c = 0; in[c] != ':'; c++)
		;
	for (n = c; n > 0 && is_wsp(in[n - 1]); n--)
		;
	for (i = 0; i < n; i++)
		out[o++] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 :
		    in[i]);
	out[o++] = ':';
	for (i = c + 1; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n') {
			i++;
			continue;
		}
		if (is_wsp(in[i])) {
			pend = 1;
			continue;
		}
		if (pend && started)
			out[o++] = ' ';
		pend = 0;
		started = 1;
		out[o++] = in[i];
	}
	return o;
}

/*
 * differential: random bodies and fields against ref_body / ref_header,
 * the body fed whole and in random chunks (the 16-octet paths of canon.c
 * must agree with the octet loop everywhere, chunk edges included).
 */
static void
differential(const EVP_MD *md)
{
	static char in[2048], want[4200], got[4200], hb[2100];
	struct canon_body *cb;
	struct sink *s;
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	size_t len, wl, off, take, n, bad = 0, badh = 0, cases = 0;
	int k, alg, chunked;

	if ((s = malloc(sizeof(*s))) == NULL)
		exit(1);
	for (k = 0; k < 3000; k++) {
		len = rnd(&st) % (k < 1500 ? 200 : sizeof(in));
		gen(&st, in, len);
		for (alg = CANON_SIMPLE; alg <= CANON_RELAXED; alg++) {
			wl = ref_body(alg, in, len, want);
			for (chunked = 0; chunked < 2; chunked++) {
				cases++;
				s->n = 0;
				cb = canon_body_new(alg, md);
				canon_body_tee(cb, tee, s);
				for (off = 0; off < len; off += take) {
					take = chunked ? 1 + rnd(&st) % 40 :
					    len - off;
					if (take > len - off)
						take = len - off;
					canon_body_update(cb, in + off, take);
				}
				canon_body_final(cb, (unsigned char *)got);
				canon_body_free(cb);
				if (s->n != wl || memcmp(s->buf, want, wl) != 0)
					bad++;
			}
		}
		/* a field: "Name :" then the random text as its value */
		memcpy(hb, "X-Ab :", 6);
		memcpy(hb + 6, in, len < 2000 ? len : 2000);
		n = 6 + (len < 2000 ? len : 2000);
		wl = ref_header(hb, n, want);
		if ((take = canon_header_to(CANON_RELAXED, hb, n, got)) != wl ||
		    memcmp(got, want, wl) != 0)
			badh++;
	}
	T_OK(bad == 0, "%zu random bodies (simple, relaxed; whole and in "
	    "chunks) canonicalise as the line-by-line reference: %zu differ",
	    cases, bad);
	T_OK(badh == 0, "3000 random fields canonicalise (relaxed) as the "
	    "reference: %zu differ", badh);
	free(s);
}

int
main(void)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	rfc6376(md);
	differential(md);
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
