/*
 * sigheader.c: parse and build Sender-Key-Signature (and, for the DKIM
 * test mode, DKIM-Signature) field values; see sigheader.h.  The tag-list
 * syntax is lib/taglist's; base64 is lib/b64's.  The checks run in the
 * order of specs/signature.md section 6.1 step 1 so that the first
 * failing one names the error.  Not here: hashing or verification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "b64.h"
#include "hex.h"
#include "sigheader.h"
#include "taglist.h"

#define LINE_MAX_OCTETS	77	/* a line stays under 78 octets */

struct sigheader {
	struct sigheader_fields	 f;
};

static int
is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* DKIM_FIELD: KIND reads a DKIM-Signature (test mode or bridge). */
#define DKIM_FIELD(kind)	((kind) != SIGHEADER_SKS)

/*
 * qp_decode: DKIM-Quoted-Printable S (N octets, no NUL) to a C string in
 * BUF (BUFSZ octets)
 * or, when longer, in a malloc'd one set in *FREEME.  NULL if bad.
 */
static char *
qp_decode(const char *s, size_t n, char *buf, size_t bufsz, char **freeme)
{
	size_t i, o = 0;
	char *out = buf;
	int hi, lo;

	*freeme = NULL;
	if (n >= bufsz) {
		if ((out = *freeme = malloc(n + 1)) == NULL)
			return NULL;
	}
	for (i = 0; i < n; i++) {
		if (is_fws(s[i]))
			continue;
		if (s[i] == '=') {
			if (i + 2 >= n)
				return NULL;
			if ((hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0)
				return NULL;
			if (hi == 0 && lo == 0)
				return NULL;	/* no NUL in an address */
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

char *
sigheader_qp_encode(const char *a)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0, n = strlen(a);
	char *out;
	unsigned char c;

	if (n > (SIZE_MAX - 1) / 3 || (out = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		c = (unsigned char)a[i];
		if ((c >= 0x21 && c <= 0x3a) || c == 0x3c ||
		    (c >= 0x3e && c <= 0x7e)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '=';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

/* parse_time: 1 to 12 digits (S, N octets); 0 or -1. */
static int
parse_time(const char *s, size_t n, int64_t *out)
{
	size_t i;
	int64_t v = 0;

	if (n == 0 || n > 12)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* parse_canon: "a/b" (S, N octets) with optional FWS around '/'; DKIM
 * allows "a". */
static int
parse_canon(const char *s, size_t n, enum sigheader_kind kind,
    enum canon_alg *hc, enum canon_alg *bc)
{
	const char *slash = memchr(s, '/', n), *e, *end = s + n;

	if (slash == NULL) {
		if (!DKIM_FIELD(kind))
			return -1;
		*hc = canon_parse(s, n);
		*bc = CANON_SIMPLE;
		return *hc == 0 ? -1 : 0;
	}
	e = slash;
	while (e > s && is_fws(e[-1]))
		e--;
	*hc = canon_parse(s, (size_t)(e - s));
	for (s = slash + 1; s < end && is_fws(*s); s++)
		;
	*bc = canon_parse(s, (size_t)(end - s));
	return *hc == 0 || *bc == 0 ? -1 : 0;
}

/* hname: ALPHA *(ALPHA / DIGIT / "-") */
static int
good_hname(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * parse_h: split S (SLEN octets) on ':' into lowercased names; 0 or -1
 * (bad-h).  F->h is room for NPTR pointers followed by SLEN + NPTR octets
 * for the names (sigheader_parse allocates it with the sigheader).
 */
static int
parse_h(struct sigheader_fields *f, const char *s, size_t slen, size_t nptr)
{
	const char *p = s, *c, *b, *e;
	size_t i, n;
	char *names;

	names = (char *)(f->h + nptr);
	for (;;) {
		c = memchr(p, ':', slen - (size_t)(p - s));
		e = c != NULL ? c : s + slen;
		b = p;
		while (b < e && is_fws(*b))
			b++;
		while (e > b && is_fws(e[-1]))
			e--;
		n = (size_t)(e - b);
		if (!good_hname(b, n) || f->nh == nptr)
			return -1;
		f->h[f->nh] = names;
		for (i = 0; i < n; i++)
			names[i] = (b[i] >= 'A' && b[i] <= 'Z') ?
			    (char)(b[i] - 'A' + 'a') : b[i];
		names[n] = '\0';
		names += n + 1;
		if (f->kind == SIGHEADER_SKS && n == 20 &&
		    memcmp(f->h[f->nh], "sender-key-signature", 20) == 0) {
			f->nh++;
			return -1;
		}
		f->nh++;
		if (c == NULL)
			return 0;
		p = c + 1;
	}
}

static int
seterr(enum sigheader_err e, enum sigheader_err *err)
{
	if (err != NULL)
		*err = e;
	return -1;
}

/* The tags sigheader_parse looks at, found in one pass (tag_slot). */
enum slot {
	S_V, S_A, S_C, S_S, S_D, S_T, S_X, S_H, S_BH, S_B, S_L, S_I, NSLOTS
};

/* tag_slot: NAME's slot, or NSLOTS for a tag this parser ignores. */
static enum slot
tag_slot(const char *name, size_t len)
{
	if (len == 1) {
		switch (name[0]) {
		case 'v':
			return S_V;
		case 'a':
			return S_A;
		case 'c':
			return S_C;
		case 's':
			return S_S;
		case 'd':
			return S_D;
		case 't':
			return S_T;
		case 'x':
			return S_X;
		case 'h':
			return S_H;
		case 'b':
			return S_B;
		case 'l':
			return S_L;
		case 'i':
			return S_I;
		}
	} else if (len == 2 && name[0] == 'b' && name[1] == 'h')
		return S_BH;
	return NSLOTS;
}

/* span_is: the span's text is exactly the C string S. */
static int
span_is(const struct taglist_span *sp, int value, const char *s)
{
	size_t n = strlen(s);

	if (value)
		return sp->valuelen == n && memcmp(sp->value, s, n) == 0;
	return sp->namelen == n && memcmp(sp->name, s, n) == 0;
}

/* h_names: how many names h= V holds (at most SIGHEADER_MAX_H); V NULL: 0. */
static size_t
h_names(const struct taglist_span *v)
{
	const char *c;
	size_t n = 1;

	if (v == NULL)
		return 0;
	for (c = v->value; (c = memchr(c, ':', v->valuelen -
	    (size_t)(c - v->value))) != NULL; c++)
		n++;
	return n > SIGHEADER_MAX_H ? SIGHEADER_MAX_H : n;
}

/*
 * parse_signer: who signs, into F: the sender address of s= (quoted-
 * printable) for SIGHEADER_SKS, else the d= domain and s= selector, and
 * for SIGHEADER_DKIM_BRIDGE the address of i= (I, may be NULL) when it is
 * one.  SIGHEADER_OK, or the error.
 */
static enum sigheader_err
parse_signer(struct sigheader_fields *f, const struct taglist_span *s,
    const struct taglist_span *d, const struct taglist_span *i)
{
	char qbuf[512], *dec, *qpfree = NULL;

	if (f->kind == SIGHEADER_SKS) {
		dec = qp_decode(s->value, s->valuelen, qbuf, sizeof(qbuf),
		    &qpfree);
		if (dec != NULL)
			f->sender = addr_parse(dec, NULL, NULL);
		free(qpfree);
		return f->sender != NULL ? SIGHEADER_OK : SIGHEADER_ESENDER;
	}
	if ((f->domain = strndup(d->value, d->valuelen)) == NULL ||
	    (f->selector = strndup(s->value, s->valuelen)) == NULL)
		return SIGHEADER_ENOMEM;
	if (f->kind == SIGHEADER_DKIM_BRIDGE && i != NULL) {
		dec = qp_decode(i->value, i->valuelen, qbuf, sizeof(qbuf),
		    &qpfree);
		if (dec != NULL)
			f->ident = addr_parse(dec, NULL, NULL);
		free(qpfree);
	}
	return SIGHEADER_OK;
}

struct sigheader *
sigheader_parse(enum sigheader_kind kind, const char *value, size_t len,
    enum sigheader_err *err)
{
	static const enum slot req_sks[] = { S_A, S_S, S_H, S_BH, S_B, S_T,
	    S_X, NSLOTS };
	static const enum slot req_dkim[] = { S_A, S_D, S_S, S_H, S_BH, S_B,
	    NSLOTS };
	struct taglist_span tags[TAGLIST_MAX_TAGS];
	const struct taglist_span *tag[NSLOTS + 1] = { NULL }, *v;
	const enum slot *req;
	struct sigheader *sh = NULL;
	struct sigheader_fields *f;
	enum taglist_err terr = TAGLIST_OK;
	enum sigheader_err e;
	const char *name;
	size_t i, n, unfolded = 0, bhlen = 0, nptr, hsz, bsz;

	if (err != NULL)
		*err = SIGHEADER_OK;
	name = DKIM_FIELD(kind) ? SIGHEADER_DKIM_NAME : SIGHEADER_NAME;
	/* the unfolded length is at most LEN: count only when it matters */
	if (len > SIGHEADER_MAX_LEN - strlen(name) - 1)
		for (i = 0; i < len; i++)
			if (value[i] != '\r' && value[i] != '\n')
				unfolded++;
	if (unfolded > SIGHEADER_MAX_LEN - strlen(name) - 1) {
		seterr(SIGHEADER_ETOOLONG, err);
		return NULL;
	}
	if ((n = taglist_scan(value, len, tags, &terr, NULL)) == 0) {
		seterr(terr == TAGLIST_EDUP ? SIGHEADER_EDUPTAG :
		    SIGHEADER_ESYNTAX, err);
		return NULL;
	}
	/* taglist refused duplicates: each slot is set at most once */
	for (i = 0; i < n; i++)
		tag[tag_slot(tags[i].name, tags[i].namelen)] = &tags[i];
	/*
	 * One allocation: the sigheader, then h= (a pointer per name, at
	 * most SIGHEADER_MAX_H, and the names with their NULs), then the
	 * decoded b=.  Sized from the tags; when one is missing the checks
	 * below fail before it is used.
	 */
	nptr = h_names(v = tag[S_H]);
	hsz = nptr * sizeof(char *) + (v != NULL ? v->valuelen : 0) + nptr;
	hsz = (hsz + 7) & ~(size_t)7;
	bsz = (tag[S_B] != NULL ? tag[S_B]->valuelen / 4 * 3 : 0) + 3;
	if ((sh = malloc(sizeof(*sh) + hsz + bsz)) == NULL) {
		seterr(SIGHEADER_ENOMEM, err);
		goto fail;
	}
	memset(sh, 0, sizeof(*sh));
	f = &sh->f;
	f->h = (char **)(sh + 1);
	f->b = (unsigned char *)f->h + hsz;
	f->kind = kind;
	f->t = f->x = -1;
	if (!span_is(&tags[0], 0, "v") || !span_is(&tags[0], 1, "1")) {
		seterr(SIGHEADER_EVERSION, err);
		goto fail;
	}
	if (tag[S_L] != NULL) {
		seterr(SIGHEADER_ELTAG, err);
		goto fail;
	}
	req = DKIM_FIELD(kind) ? req_dkim : req_sks;
	for (i = 0; req[i] != NSLOTS; i++) {
		if (tag[req[i]] == NULL) {
			seterr(SIGHEADER_EMISSING, err);
			goto fail;
		}
	}
	v = tag[S_A];
	if (span_is(v, 1, "ed25519-sha256"))
		f->alg = SIGHEADER_ED25519_SHA256;
	else if (span_is(v, 1, "rsa-sha256"))
		f->alg = SIGHEADER_RSA_SHA256;
	else {
		seterr(SIGHEADER_EALG, err);
		goto fail;
	}
	if ((v = tag[S_C]) == NULL) {
		f->hcanon = DKIM_FIELD(kind) ? CANON_SIMPLE : CANON_RELAXED;
		f->bcanon = f->hcanon;
	} else if (parse_canon(v->value, v->valuelen, kind, &f->hcanon,
	    &f->bcanon) == -1) {
		seterr(SIGHEADER_ECANON, err);
		goto fail;
	}
	if ((e = parse_signer(f, tag[S_S], tag[S_D], tag[S_I])) !=
	    SIGHEADER_OK) {
		seterr(e, err);
		goto fail;
	}
	if (parse_h(f, tag[S_H]->value, tag[S_H]->valuelen, nptr) != 0) {
		seterr(SIGHEADER_EH, err);
		goto fail;
	}
	v = tag[S_B];
	if (b64_decode_buf(tag[S_BH]->value, tag[S_BH]->valuelen, f->bh,
	    SIGHEADER_BH_LEN, &bhlen) == -1 || bhlen != SIGHEADER_BH_LEN ||
	    b64_decode_buf(v->value, v->valuelen, f->b, bsz, &f->blen) == -1 ||
	    f->blen == 0 || (f->alg == SIGHEADER_ED25519_SHA256 &&
	    f->blen != SIGHEADER_ED25519_LEN)) {
		seterr(SIGHEADER_EBASE64, err);
		goto fail;
	}
	if (((v = tag[S_T]) != NULL &&
	    parse_time(v->value, v->valuelen, &f->t) == -1) ||
	    ((v = tag[S_X]) != NULL &&
	    parse_time(v->value, v->valuelen, &f->x) == -1) ||
	    (f->t >= 0 && f->x >= 0 && f->x <= f->t)) {
		seterr(SIGHEADER_ETIME, err);
		goto fail;
	}
	return sh;
fail:
	sigheader_free(sh);
	return NULL;
}

void
sigheader_free(struct sigheader *sh)
{
	if (sh == NULL)
		return;
	addr_free(sh->f.sender);
	addr_free(sh->f.ident);
	free(sh->f.domain);
	free(sh->f.selector);
	free(sh);	/* h= and b= with it */
}

const struct sigheader_fields *
sigheader_get(const struct sigheader *sh)
{
	return &sh->f;
}

int
sigheader_b_span(const char *field, size_t len, size_t *cutp,
    size_t *resumep)
{
	const char *p, *end = field + len, *colon, *ns, *cut = NULL, *resume;
	size_t n;

	if ((colon = memchr(field, ':', len)) == NULL)
		return -1;
	if (len >= 2 && end[-2] == '\r' && end[-1] == '\n')
		end -= 2;
	p = colon + 1;
	while (p < end) {
		while (p < end && is_fws(*p))
			p++;
		ns = p;
		while (p < end && *p != '=' && *p != ';' && !is_fws(*p))
			p++;
		n = (size_t)(p - ns);
		while (p < end && is_fws(*p))
			p++;
		if (p < end && *p == '=' && n == 1 && *ns == 'b') {
			cut = p + 1;
			break;
		}
		if ((p = memchr(p, ';', (size_t)(end - p))) == NULL)
			break;
		p++;
	}
	if (cut == NULL)
		return -1;
	resume = memchr(cut, ';', (size_t)(end - cut));
	if (resume == NULL)
		resume = end;
	*cutp = (size_t)(cut - field);
	*resumep = (size_t)(resume - field);
	return 0;
}

char *
sigheader_strip_b(const char *field, size_t len, size_t *outlen)
{
	char *out;
	size_t cut, resume, n;

	if (sigheader_b_span(field, len, &cut, &resume) == -1)
		return NULL;
	n = cut + (len - resume);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, field, cut);
	memcpy(out + cut, field + resume, len - resume);
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* A growing output buffer for sigheader_format. */
struct obuf {
	char	*s;
	size_t	 n, cap;
	size_t	 col;		/* octets on the current line */
	int	 failed;
};

static void
ob_add(struct obuf *o, const char *s, size_t n)
{
	char *ns;
	size_t cap;

	if (o->failed)
		return;
	if (o->n + n + 1 > o->cap) {
		cap = o->cap == 0 ? 512 : o->cap;
		while (cap < o->n + n + 1)
			cap *= 2;
		if ((ns = realloc(o->s, cap)) == NULL) {
			o->failed = 1;
			return;
		}
		o->s = ns;
		o->cap = cap;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
	o->col += n;
}

static void
ob_str(struct obuf *o, const char *s)
{
	ob_add(o, s, strlen(s));
}

/* ob_fold: start a new line indented by INDENT spaces (1 or 2). */
static void
ob_fold(struct obuf *o, int indent)
{
	ob_add(o, "\r\n  ", 2 + (size_t)indent);
	o->col = (size_t)indent;
}

/* ob_tag: one whole "name=value;" piece, on a new line if asked or needed */
static void
ob_tag(struct obuf *o, const char *piece, int first, int newline)
{
	size_t n = strlen(piece);

	if (!first) {
		if (newline || o->col + 1 + n > LINE_MAX_OCTETS)
			ob_fold(o, 1);
		else
			ob_str(o, " ");
	}
	ob_add(o, piece, n);
}

char *
sigheader_format(const struct sigheader_params *p, const char *b64,
    size_t *len)
{
	struct obuf o = { NULL, 0, 0, 0, 0 };
	char piece[640], *bhs = NULL, *qp = NULL;
	size_t i, n, left, take;
	int dkim = p->kind == SIGHEADER_DKIM;

	ob_str(&o, dkim ? SIGHEADER_DKIM_NAME ": " : SIGHEADER_NAME ": ");
	ob_tag(&o, "v=1;", 1, 0);
	snprintf(piece, sizeof(piece), "a=%s;", sigheader_alg_name(p->alg));
	ob_tag(&o, piece, 0, 0);
	snprintf(piece, sizeof(piece), "c=%s/%s;", canon_name(p->hcanon),
	    canon_name(p->bcanon));
	ob_tag(&o, piece, 0, 0);
	if (dkim) {
		snprintf(piece, sizeof(piece), "d=%s;", p->domain);
		ob_tag(&o, piece, 0, 0);
		snprintf(piece, sizeof(piece), "s=%s;", p->selector);
		ob_tag(&o, piece, 0, 0);
		if (p->ident != NULL) {
			if ((qp = sigheader_qp_encode(p->ident)) == NULL ||
			    strlen(qp) + 4 > sizeof(piece))
				goto fail;
			snprintf(piece, sizeof(piece), "i=%s;", qp);
			ob_tag(&o, piece, 0, 0);
		}
	} else {
		if ((qp = sigheader_qp_encode(p->sender)) == NULL ||
		    strlen(qp) + 4 > sizeof(piece))
			goto fail;
		snprintf(piece, sizeof(piece), "s=%s;", qp);
		ob_tag(&o, piece, 0, 0);
	}
	snprintf(piece, sizeof(piece), "t=%lld;", (long long)p->t);
	ob_tag(&o, piece, 0, 0);
	snprintf(piece, sizeof(piece), "x=%lld;", (long long)p->x);
	ob_tag(&o, piece, 0, 0);
	for (i = 0; i < p->nh; i++) {
		n = strlen(p->h[i]);
		if (n + 4 > sizeof(piece))
			goto fail;
		snprintf(piece, sizeof(piece), "%s%s%s", i == 0 ? "h=" : "",
		    p->h[i], i + 1 == p->nh ? ";" : ":");
		if (i == 0)
			ob_tag(&o, piece, 0, 1);
		else {
			if (o.col + strlen(piece) > LINE_MAX_OCTETS)
				ob_fold(&o, 2);
			ob_str(&o, piece);
		}
	}
	if ((bhs = b64_encode(p->bh, SIGHEADER_BH_LEN)) == NULL)
		goto fail;
	snprintf(piece, sizeof(piece), "bh=%s;", bhs);
	ob_tag(&o, piece, 0, 1);
	ob_tag(&o, "b=", 0, 1);
	for (left = b64 != NULL ? strlen(b64) : 0; left > 0; left -= take) {
		if (o.col >= LINE_MAX_OCTETS)
			ob_fold(&o, 2);
		take = LINE_MAX_OCTETS - o.col;
		if (take > left)
			take = left;
		ob_add(&o, b64, take);
		b64 += take;
	}
	if (o.failed)
		goto fail;
	free(bhs);
	free(qp);
	*len = o.n;
	return o.s;
fail:
	free(bhs);
	free(qp);
	free(o.s);
	return NULL;
}

const char *
sigheader_errname(enum sigheader_err e)
{
	switch (e) {
	case SIGHEADER_OK:
		return "ok";
	case SIGHEADER_ETOOLONG:
		return "too-long";
	case SIGHEADER_ESYNTAX:
		return "syntax";
	case SIGHEADER_EDUPTAG:
		return "duplicate-tag";
	case SIGHEADER_EVERSION:
		return "bad-version";
	case SIGHEADER_ELTAG:
		return "l-tag";
	case SIGHEADER_EMISSING:
		return "missing-tag";
	case SIGHEADER_EALG:
		return "bad-algorithm";
	case SIGHEADER_ECANON:
		return "bad-canon";
	case SIGHEADER_ESENDER:
		return "bad-sender";
	case SIGHEADER_EH:
		return "bad-h";
	case SIGHEADER_EBASE64:
		return "bad-base64";
	case SIGHEADER_ETIME:
		return "bad-time";
	case SIGHEADER_ENOMEM:
		return "no-memory";
	}
	return "?";
}

const char *
sigheader_alg_name(enum sigheader_alg a)
{
	switch (a) {
	case SIGHEADER_ED25519_SHA256:
		return "ed25519-sha256";
	case SIGHEADER_RSA_SHA256:
		return "rsa-sha256";
	}
	return "?";
}
