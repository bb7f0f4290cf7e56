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

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* qp_decode: DKIM-Quoted-Printable S to a new C string; NULL if bad. */
static char *
qp_decode(const char *s)
{
	size_t i, o = 0, n = strlen(s);
	char *out;
	int hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (is_fws(s[i]))
			continue;
		if (s[i] == '=') {
			if (i + 2 >= n)
				goto bad;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				goto bad;
			if (hi == 0 && lo == 0)
				goto bad;	/* no NUL in an address */
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
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

/* parse_time: 1 to 12 digits; 0 or -1. */
static int
parse_time(const char *s, int64_t *out)
{
	size_t i, n = strlen(s);
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

/* parse_canon: "a/b" with optional FWS around '/'; DKIM allows "a". */
static int
parse_canon(const char *s, enum sigheader_kind kind, enum canon_alg *hc,
    enum canon_alg *bc)
{
	const char *slash = strchr(s, '/'), *e;
	size_t n;

	if (slash == NULL) {
		if (kind != SIGHEADER_DKIM)
			return -1;
		*hc = canon_parse(s, strlen(s));
		*bc = CANON_SIMPLE;
		return *hc == 0 ? -1 : 0;
	}
	e = slash;
	while (e > s && is_fws(e[-1]))
		e--;
	*hc = canon_parse(s, (size_t)(e - s));
	for (s = slash + 1; is_fws(*s); s++)
		;
	n = strlen(s);
	*bc = canon_parse(s, n);
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
 * parse_h: split on ':' into lowercased names; 0 or -1 (bad-h), -2 ENOMEM.
 * One allocation holds the pointer array and the names after it (one
 * free() in sigheader_free).
 */
static int
parse_h(struct sigheader_fields *f, const char *s)
{
	const char *p = s, *c, *b, *e;
	size_t i, n, slen = strlen(s);
	char *names;

	if (slen > SIZE_MAX - 1 - SIGHEADER_MAX_H * sizeof(*f->h) ||
	    (f->h = malloc(SIGHEADER_MAX_H * sizeof(*f->h) + slen + 1)) ==
	    NULL)
		return -2;
	names = (char *)(f->h + SIGHEADER_MAX_H);
	for (;;) {
		c = memchr(p, ':', slen - (size_t)(p - s));
		e = c != NULL ? c : s + slen;
		b = p;
		while (b < e && is_fws(*b))
			b++;
		while (e > b && is_fws(e[-1]))
			e--;
		n = (size_t)(e - b);
		if (!good_hname(b, n) || f->nh == SIGHEADER_MAX_H)
			return -1;
		f->h[f->nh] = names;
		for (i = 0; i < n; i++)
			names[i] = (b[i] >= 'A' && b[i] <= 'Z') ?
			    (char)(b[i] - 'A' + 'a') : b[i];
		names[n] = '\0';
		names += n + 1;
		if (f->kind == SIGHEADER_SKS &&
		    strcmp(f->h[f->nh], "sender-key-signature") == 0) {
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

struct sigheader *
sigheader_parse(enum sigheader_kind kind, const char *value, size_t len,
    enum sigheader_err *err)
{
	static const char *const req_sks[] = { "a", "s", "h", "bh", "b", "t",
	    "x", NULL };
	static const char *const req_dkim[] = { "a", "d", "s", "h", "bh", "b",
	    NULL };
	const char *const *req;
	struct sigheader *sh = NULL;
	struct sigheader_fields *f;
	struct taglist *tl = NULL;
	enum taglist_err terr = TAGLIST_OK;
	const char *v, *name;
	unsigned char *bh = NULL;
	size_t i, unfolded = 0, bhlen = 0;
	char *dec = NULL;
	int r;

	if (err != NULL)
		*err = SIGHEADER_OK;
	for (i = 0; i < len; i++)
		if (value[i] != '\r' && value[i] != '\n')
			unfolded++;
	name = kind == SIGHEADER_DKIM ? SIGHEADER_DKIM_NAME : SIGHEADER_NAME;
	if (unfolded > SIGHEADER_MAX_LEN - strlen(name) - 1) {
		seterr(SIGHEADER_ETOOLONG, err);
		return NULL;
	}
	if ((tl = taglist_parse(value, len, &terr, NULL)) == NULL) {
		seterr(terr == TAGLIST_EDUP ? SIGHEADER_EDUPTAG :
		    terr == TAGLIST_OK ? SIGHEADER_ENOMEM : SIGHEADER_ESYNTAX,
		    err);
		return NULL;
	}
	if ((sh = calloc(1, sizeof(*sh))) == NULL) {
		seterr(SIGHEADER_ENOMEM, err);
		goto fail;
	}
	f = &sh->f;
	f->kind = kind;
	f->t = f->x = -1;
	if (strcmp(taglist_name(tl, 0), "v") != 0 ||
	    strcmp(taglist_value(tl, 0), "1") != 0) {
		seterr(SIGHEADER_EVERSION, err);
		goto fail;
	}
	if (taglist_get(tl, "l") != NULL) {
		seterr(SIGHEADER_ELTAG, err);
		goto fail;
	}
	req = kind == SIGHEADER_DKIM ? req_dkim : req_sks;
	for (i = 0; req[i] != NULL; i++) {
		if (taglist_get(tl, req[i]) == NULL) {
			seterr(SIGHEADER_EMISSING, err);
			goto fail;
		}
	}
	v = taglist_get(tl, "a");
	if (strcmp(v, "ed25519-sha256") == 0)
		f->alg = SIGHEADER_ED25519_SHA256;
	else if (strcmp(v, "rsa-sha256") == 0)
		f->alg = SIGHEADER_RSA_SHA256;
	else {
		seterr(SIGHEADER_EALG, err);
		goto fail;
	}
	if ((v = taglist_get(tl, "c")) == NULL) {
		f->hcanon = kind == SIGHEADER_DKIM ? CANON_SIMPLE :
		    CANON_RELAXED;
		f->bcanon = f->hcanon;
	} else if (parse_canon(v, kind, &f->hcanon, &f->bcanon) == -1) {
		seterr(SIGHEADER_ECANON, err);
		goto fail;
	}
	if (kind == SIGHEADER_SKS) {
		if ((dec = qp_decode(taglist_get(tl, "s"))) == NULL ||
		    (f->sender = addr_parse(dec, NULL, NULL)) == NULL) {
			seterr(SIGHEADER_ESENDER, err);
			goto fail;
		}
	} else {
		if ((f->domain = strdup(taglist_get(tl, "d"))) == NULL ||
		    (f->selector = strdup(taglist_get(tl, "s"))) == NULL) {
			seterr(SIGHEADER_ENOMEM, err);
			goto fail;
		}
	}
	if ((r = parse_h(f, taglist_get(tl, "h"))) != 0) {
		seterr(r == -2 ? SIGHEADER_ENOMEM : SIGHEADER_EH, err);
		goto fail;
	}
	if (b64_decode(taglist_get(tl, "bh"), &bh, &bhlen) == -1 ||
	    bhlen != SIGHEADER_BH_LEN ||
	    b64_decode(taglist_get(tl, "b"), &f->b, &f->blen) == -1 ||
	    f->blen == 0 || (f->alg == SIGHEADER_ED25519_SHA256 &&
	    f->blen != SIGHEADER_ED25519_LEN)) {
		seterr(SIGHEADER_EBASE64, err);
		goto fail;
	}
	memcpy(f->bh, bh, SIGHEADER_BH_LEN);
	if (((v = taglist_get(tl, "t")) != NULL && parse_time(v, &f->t) == -1) ||
	    ((v = taglist_get(tl, "x")) != NULL && parse_time(v, &f->x) == -1) ||
	    (f->t >= 0 && f->x >= 0 && f->x <= f->t)) {
		seterr(SIGHEADER_ETIME, err);
		goto fail;
	}
	free(bh);
	free(dec);
	taglist_free(tl);
	return sh;
fail:
	free(bh);
	free(dec);
	taglist_free(tl);
	sigheader_free(sh);
	return NULL;
}

void
sigheader_free(struct sigheader *sh)
{
	if (sh == NULL)
		return;
	addr_free(sh->f.sender);
	free(sh->f.domain);
	free(sh->f.selector);
	free(sh->f.h);		/* the names with it (parse_h) */
	free(sh->f.b);
	free(sh);
}

const struct sigheader_fields *
sigheader_get(const struct sigheader *sh)
{
	return &sh->f;
}

char *
sigheader_strip_b(const char *field, size_t len, size_t *outlen)
{
	const char *p, *end = field + len, *colon, *ns, *cut = NULL, *resume;
	char *out;
	size_t n;

	if ((colon = memchr(field, ':', len)) == NULL)
		return NULL;
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
		while (p < end && *p != ';')
			p++;
		if (p < end)
			p++;
	}
	if (cut == NULL)
		return NULL;
	resume = memchr(cut, ';', (size_t)(end - cut));
	if (resume == NULL)
		resume = end;
	n = (size_t)(cut - field) + (size_t)(field + len - resume);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, field, (size_t)(cut - field));
	memcpy(out + (cut - field), resume, (size_t)(field + len - resume));
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
