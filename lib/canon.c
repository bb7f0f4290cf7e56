/*
 * canon.c: RFC 6376 section 3.4 canonicalisation (see canon.h).  The body
 * canonicaliser is a small state machine so that chunk boundaries never
 * matter: CRLFs are held back (trailing empty lines are dropped at the
 * end), and in relaxed mode so is a run of WSP (dropped at the end of a
 * line, else written as one SP).  Canonical octets go through a small
 * buffer into the digest.  Not here: field selection, tags, keys.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <openssl/evp.h>

#include "canon.h"

#define OUTBUF	512	/* small: the struct stays in malloc's fast bins */
#define SHORTRUN	64	/* emit(): shorter runs are copied */

struct canon_body {
	enum canon_alg	 alg;
	EVP_MD_CTX	*md;
	int		 done;
	int		 failed;
	int		 any;		/* some non-CRLF content written */
	int		 cr;		/* a CR waits for its LF */
	int		 wsp;		/* relaxed: a WSP run waits */
	size_t		 crlfs;		/* CRLFs held back */
	unsigned long long total;
	void		(*tee)(void *, const char *, size_t);
	void		*teearg;
	size_t		 n;
	char		 buf[OUTBUF];
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* next_wsp_cr: the first SP, HTAB or CR in [P, END), or END. */
static const char *
next_wsp_cr(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i vsp = _mm_set1_epi8(' ');
	const __m128i vtab = _mm_set1_epi8('\t');
	const __m128i vcr = _mm_set1_epi8('\r');
	__m128i w;
	unsigned int m;

	while (end - p >= 16) {
		w = _mm_loadu_si128((const void *)p);
		m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(w, vsp),
		    _mm_cmpeq_epi8(w, vtab)), _mm_cmpeq_epi8(w, vcr)));
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	return p;
}

size_t
canon_header_to(enum canon_alg alg, const char *field, size_t len,
    char *out)
{
	const char *colon, *p, *q, *end;
	size_t i, n, o, nend;
	int pending = 0, started = 0;
	char c;

	if (len >= 2 && field[len - 2] == '\r' && field[len - 1] == '\n')
		len -= 2;
	if ((colon = memchr(field, ':', len)) == NULL)
		return (size_t)-1;
	if (alg == CANON_SIMPLE) {
		memcpy(out, field, len);
		return len;
	}
	nend = (size_t)(colon - field);
	while (nend > 0 && is_wsp(field[nend - 1]))
		nend--;
	for (i = 0; i < nend; i++) {
		c = field[i];
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	o = nend;
	out[o++] = ':';
	end = field + len;
	for (p = colon + 1; p < end;) {
		/* a run without SP, HTAB or CR goes out in one piece */
		q = next_wsp_cr(p, end);
		n = q > p ? (size_t)(q - p) : 1;	/* else a special one */
		c = *p;
		if (n == 1 && c == '\r' && p + 1 < end && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (n == 1 && is_wsp(c)) {
			pending = 1;
			p++;
			continue;
		}
		/* content (a bare CR too) */
		if (pending && started)
			out[o++] = ' ';
		pending = 0;
		started = 1;
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	return o;
}

char *
canon_header(enum canon_alg alg, const char *field, size_t len,
    size_t *outlen)
{
	char *out;
	size_t n;

	if (memchr(field, ':', len) == NULL || (out = malloc(len + 1)) == NULL)
		return NULL;
	if ((n = canon_header_to(alg, field, len, out)) == (size_t)-1) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

struct canon_body *
canon_body_new(enum canon_alg alg, const EVP_MD *md)
{
	struct canon_body *cb;

	if (alg != CANON_SIMPLE && alg != CANON_RELAXED)
		return NULL;
	/* not calloc: the buffer needs no zeroing */
	if ((cb = malloc(sizeof(*cb))) == NULL)
		return NULL;
	memset(cb, 0, offsetof(struct canon_body, buf));
	cb->alg = alg;
	if ((cb->md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(cb->md, md, NULL)) {
		canon_body_free(cb);
		return NULL;
	}
	return cb;
}

void
canon_body_free(struct canon_body *cb)
{
	if (cb == NULL)
		return;
	EVP_MD_CTX_free(cb->md);
	free(cb);
}

void
canon_body_tee(struct canon_body *cb, void (*fn)(void *, const char *,
    size_t), void *arg)
{
	cb->tee = fn;
	cb->teearg = arg;
}

static void
flush(struct canon_body *cb)
{
	if (cb->n == 0)
		return;
	if (!EVP_DigestUpdate(cb->md, cb->buf, cb->n))
		cb->failed = 1;
	if (cb->tee != NULL)
		cb->tee(cb->teearg, cb->buf, cb->n);
	cb->total += cb->n;
	cb->n = 0;
}

static void
put(struct canon_body *cb, char c)
{
	if (cb->n == OUTBUF)
		flush(cb);
	cb->buf[cb->n++] = c;
}

/* put_run: N octets at P, after what content() wrote. */
static void
put_run(struct canon_body *cb, const char *p, size_t n)
{
	size_t take;

	while (n > 0) {
		if (cb->n == OUTBUF)
			flush(cb);
		take = OUTBUF - cb->n < n ? OUTBUF - cb->n : n;
		memcpy(cb->buf + cb->n, p, take);
		cb->n += take;
		p += take;
		n -= take;
	}
}

/* content: write C (not part of a CRLF) after what is held back. */
static void
content(struct canon_body *cb, char c)
{
	for (; cb->crlfs > 0; cb->crlfs--) {
		put(cb, '\r');
		put(cb, '\n');
	}
	if (cb->wsp) {
		put(cb, ' ');
		cb->wsp = 0;
	}
	put(cb, c);
	cb->any = 1;
}

/*
 * Octets that end a run of ordinary content: CR always, SP and HTAB in
 * relaxed mode (see canon_body_update).
 */
#define SPECIAL	1
static const unsigned char special_simple[256] = {
	['\r'] = SPECIAL,
};
static const unsigned char special_relaxed[256] = {
	['\r'] = SPECIAL, [' '] = SPECIAL, ['\t'] = SPECIAL,
};

/* content_held: write what is held back, as content follows. */
static void
content_held(struct canon_body *cb)
{
	for (; cb->crlfs > 0; cb->crlfs--) {
		put(cb, '\r');
		put(cb, '\n');
	}
	if (cb->wsp) {
		put(cb, ' ');
		cb->wsp = 0;
	}
}

/*
 * emit: N canonical octets at P that stand in the input as they are.
 * Short runs go through the buffer; long ones straight into the digest
 * (after what the buffer holds, so that the order is kept).
 */
static void
emit(struct canon_body *cb, const char *p, size_t n)
{
	if (n <= SHORTRUN) {
		put_run(cb, p, n);
		return;
	}
	flush(cb);
	if (!EVP_DigestUpdate(cb->md, p, n))
		cb->failed = 1;
	if (cb->tee != NULL)
		cb->tee(cb->teearg, p, n);
	cb->total += n;
}

/*
 * skip_plain: from I (data[I - 1] ordinary, or a SP followed by the
 * ordinary data[I]), the first position at or after I, below LEN, that
 * the octet loop of canon_body_update must look at; the run up to it
 * stands as it is.  Those positions: a CR that is not CRLF followed by
 * an ordinary octet, and in relaxed mode HTAB and a SP followed by SP,
 * HTAB or CR.  SSE2: 16 octets a step (the one after them looked up for
 * the last one's successor), CRLF followed by an ordinary octet passed
 * here; otherwise, and for the tail, the octet loop does the work
 * (simple mode: memchr to the next CR).
 */
static size_t
skip_plain(const char *data, size_t i, size_t len, int relaxed)
{
	const char *cr;

#ifdef __SSE2__
	const __m128i vsp = _mm_set1_epi8(' ');
	const __m128i vtab = _mm_set1_epi8('\t');
	const __m128i vcr = _mm_set1_epi8('\r');
	const unsigned char *spec = relaxed ? special_relaxed : special_simple;
	__m128i w;
	unsigned int msp, mtc, spc, stop;
	unsigned char c16;
	size_t k;

	/* bit k of a mask: octet i + k */
	while (len - i >= 17) {
		w = _mm_loadu_si128((const void *)(data + i));
		if (relaxed) {
			msp = (unsigned int)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(w, vsp));
			mtc = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmpeq_epi8(w, vtab), _mm_cmpeq_epi8(w, vcr)));
			c16 = (unsigned char)data[i + 16];
			spc = msp | mtc |
			    (unsigned int)(special_relaxed[c16] & SPECIAL) << 16;
			stop = mtc | (msp & (spc >> 1));
		} else
			stop = (unsigned int)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(w, vcr));
		if (stop == 0) {
			i += 16;
			continue;
		}
		k = i + (size_t)__builtin_ctz(stop);
		/* CRLF and an ordinary octet: on from after that octet */
		if (data[k] == '\r' && len - k > 2 && data[k + 1] == '\n' &&
		    !(spec[(unsigned char)data[k + 2]] & SPECIAL)) {
			i = k + 3;
			continue;
		}
		return k;
	}
#endif
	if (!relaxed) {
		cr = memchr(data + i, '\r', len - i);
		return cr != NULL ? (size_t)(cr - data) : len;
	}
	return i;
}

/*
 * canon_body_update works on spans: input octets [S, E) are canonical
 * output as they stand and are emitted in one go; what is held back (a
 * CR, CRLFs, a relaxed WSP run) lies in [E, I).  While VERB is set, that
 * held-back input is also exactly its canonical form should content
 * follow (CRLFs and at most one SP), so content simply extends the span;
 * otherwise the span is emitted, the canonical held-back octets are
 * written through the buffer and a new span starts at the content.
 */
int
canon_body_update(struct canon_body *cb, const char *data, size_t len)
{
	size_t i = 0, s = 0, e = 0;
	int relaxed = cb->alg == CANON_RELAXED;
	const unsigned char *spec = relaxed ? special_relaxed : special_simple;
	int verb;
	unsigned char c;

	if (cb->done || cb->failed)
		return -1;
	/* held back from an earlier chunk: not in DATA, never verbatim */
	verb = !cb->cr && cb->crlfs == 0 && !cb->wsp;
	while (i < len) {
		c = (unsigned char)data[i];
		if (cb->cr) {
			cb->cr = 0;
			if (c == '\n') {
				if (cb->wsp)	/* WSP at the end of a line */
					verb = 0;
				cb->wsp = 0;
				cb->crlfs++;
				i++;
				continue;
			}
			/* a bare CR is content */
			if (verb && i > 0) {
				e = i;
			} else {
				emit(cb, data + s, e - s);
				content(cb, '\r');
				s = e = i;
			}
			cb->crlfs = 0;
			cb->wsp = 0;
			cb->any = 1;
			verb = 1;
		}
		if (c == '\r') {
			cb->cr = 1;
			i++;
			continue;
		}
		if (relaxed && (c == ' ' || c == '\t')) {
			if (cb->wsp || c == '\t')
				verb = 0;
			cb->wsp = 1;
			i++;
			continue;
		}
		/* content: settle what is held back */
		if (!verb) {
			emit(cb, data + s, e - s);
			content_held(cb);
			s = i;
			verb = 1;
		}
		cb->crlfs = 0;
		cb->wsp = 0;
		cb->any = 1;
		/*
		 * A run of ordinary octets, also across one SP or a CRLF
		 * followed by an ordinary octet: those stand as they are.
		 */
		for (i++; i < len; i++) {
			if ((i = skip_plain(data, i, len, relaxed)) == len)
				break;
			c = (unsigned char)data[i];
			if (!(spec[c] & SPECIAL))
				continue;
			if (c == ' ' && i + 1 < len &&
			    !(spec[(unsigned char)data[i + 1]] & SPECIAL)) {
				i++;
				continue;
			}
			if (c == '\r' && i + 2 < len && data[i + 1] == '\n' &&
			    !(spec[(unsigned char)data[i + 2]] & SPECIAL)) {
				i += 2;
				continue;
			}
			break;
		}
		e = i;
	}
	emit(cb, data + s, e - s);
	return cb->failed ? -1 : 0;
}

int
canon_body_final(struct canon_body *cb, unsigned char out[CANON_HASH_LEN])
{
	unsigned int mdlen = 0;

	if (cb->done || cb->failed)
		return -1;
	if (cb->cr) {
		cb->cr = 0;
		content(cb, '\r');
	}
	cb->wsp = 0;
	/*
	 * simple: one CRLF ends the body, also an empty one; relaxed: one
	 * CRLF ends a non-empty body, an empty one stays empty.
	 */
	if (cb->alg == CANON_SIMPLE || cb->any) {
		put(cb, '\r');
		put(cb, '\n');
	}
	flush(cb);
	cb->done = 1;
	if (cb->failed || !EVP_DigestFinal_ex(cb->md, out, &mdlen) ||
	    mdlen != CANON_HASH_LEN)
		return -1;
	return 0;
}

unsigned long long
canon_body_length(const struct canon_body *cb)
{
	return cb->total + cb->n;
}

const char *
canon_name(enum canon_alg a)
{
	switch (a) {
	case CANON_SIMPLE:
		return "simple";
	case CANON_RELAXED:
		return "relaxed";
	}
	return "?";
}

enum canon_alg
canon_parse(const char *s, size_t len)
{
	if (len == 6 && memcmp(s, "simple", 6) == 0)
		return CANON_SIMPLE;
	if (len == 7 && memcmp(s, "relaxed", 7) == 0)
		return CANON_RELAXED;
	return 0;
}
