/*
 * test_sigheader: lib/sigheader: every error code of signature.md 6.1
 * step 1 in its order, hostile input (NUL, 8-bit, huge, empty, folding
 * everywhere), DKIM-Quoted-Printable s= both ways (the table of 1.1),
 * b= stripping for the hash input, the folded output of the builder, and
 * the DKIM bridge's i= (SIGHEADER_DKIM_BRIDGE, signature.md 11.2).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/sigheader.h"
#include "t.h"

#define BH "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
#define B64 "b=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
	    "AAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define A40 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define OKV "v=1; a=ed25519-sha256; s=alice@example.com; t=1; x=2; " \
	    "h=from:from; " BH B64

static void
errors(void)
{
	static const struct {
		const char *in;
		enum sigheader_err err;
	} t[] = {
		{ OKV, SIGHEADER_OK },
		{ " v = 1 ;\r\n a=ed25519-sha256; c = relaxed / simple;\r\n "
		  "s=alice@example.com; t=1; x=2; h=From :\r\n FROM; " BH
		  "b=" A40 "\r\n  " A40 "AAAAAA==", SIGHEADER_OK },
		{ "", SIGHEADER_ESYNTAX },
		{ "v=1; a", SIGHEADER_ESYNTAX },
		{ "v=1; a=\x01", SIGHEADER_ESYNTAX },
		{ "v=1; a=\xc3\xa9", SIGHEADER_ESYNTAX },
		{ "v=1; 1a=x", SIGHEADER_ESYNTAX },
		{ "v=1; v=1", SIGHEADER_EDUPTAG },
		{ "a=rsa-sha256; v=1", SIGHEADER_EVERSION },
		{ "v=2; a=rsa-sha256", SIGHEADER_EVERSION },
		{ "a=rsa-sha256", SIGHEADER_EVERSION },
		{ "v=1; l=0; a=x", SIGHEADER_ELTAG },
		{ "v=1; a=rsa-sha256", SIGHEADER_EMISSING },
		{ "v=1; a=ed25519-sha256; s=alice@example.com; t=1; h=from:from; "
		  BH B64, SIGHEADER_EMISSING },
		{ "v=1; a=rsa-sha1; s=a@example.com; t=1; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_EALG },
		{ "v=1; a=ED25519-SHA256; s=a@example.com; t=1; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_EALG },
		{ "v=1; a=rsa-sha256; c=relaxed; s=a@example.com; t=1; x=2; "
		  "h=from; " BH "b=AA==", SIGHEADER_ECANON },
		{ "v=1; a=rsa-sha256; c=Relaxed/simple; s=a@example.com; t=1; "
		  "x=2; h=from; " BH "b=AA==", SIGHEADER_ECANON },
		{ "v=1; a=rsa-sha256; s=alice; t=1; x=2; h=from; " BH "b=AA==",
		  SIGHEADER_ESENDER },
		{ "v=1; a=rsa-sha256; s=a=2@example.com; t=1; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_ESENDER },
		{ "v=1; a=rsa-sha256; s=a=00@example.com; t=1; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_ESENDER },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=from::to; "
		  BH "b=AA==", SIGHEADER_EH },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=fr_om; "
		  BH "b=AA==", SIGHEADER_EH },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; "
		  "h=from:Sender-Key-Signature; " BH "b=AA==", SIGHEADER_EH },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=from; "
		  "bh=AAAA; b=AA==", SIGHEADER_EBASE64 },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=from; " BH
		  "b=A*==", SIGHEADER_EBASE64 },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=from; " BH
		  "b=", SIGHEADER_EBASE64 },
		{ "v=1; a=ed25519-sha256; s=a@example.com; t=1; x=2; h=from; "
		  BH "b=AA==", SIGHEADER_EBASE64 },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=2; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_ETIME },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=-1; x=2; h=from; " BH
		  "b=AA==", SIGHEADER_ETIME },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x=1234567890123; "
		  "h=from; " BH "b=AA==", SIGHEADER_ETIME },
		{ "v=1; a=rsa-sha256; s=a@example.com; t=1; x= 2 3; h=from; "
		  BH "b=AA==", SIGHEADER_ETIME },
	};
	enum sigheader_err e;
	struct sigheader *sh;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = SIGHEADER_ENOMEM;
		sh = sigheader_parse(SIGHEADER_SKS, t[i].in, strlen(t[i].in),
		    &e);
		T_OK((sh != NULL) == (t[i].err == SIGHEADER_OK) &&
		    e == t[i].err, "case %zu: %s (got %s)", i,
		    sigheader_errname(t[i].err), sigheader_errname(e));
		sigheader_free(sh);
	}
}

static void
hostile(void)
{
	enum sigheader_err e = SIGHEADER_OK;
	size_t n = SIGHEADER_MAX_LEN + 10, i;
	char *big = malloc(n + 1), h[600];
	struct sigheader *sh;

	memset(big, ' ', n);
	memcpy(big, "v=1", 3);
	sh = sigheader_parse(SIGHEADER_SKS, big, n, &e);
	T_OK(sh == NULL && e == SIGHEADER_ETOOLONG, "over 8192 octets: too-long");
	for (i = 0; i + 2 < n; i += 3)
		memcpy(big + i, "\r\n ", 3);
	sh = sigheader_parse(SIGHEADER_SKS, big, n, &e);
	T_OK(sh == NULL && e == SIGHEADER_ESYNTAX, "only folding: syntax, "
	    "CRLFs do not count toward the limit");
	memcpy(big, "v=1\0", 4);
	sh = sigheader_parse(SIGHEADER_SKS, big, 4, &e);
	T_OK(sh == NULL && e == SIGHEADER_ESYNTAX, "NUL octet: syntax");
	free(big);
	strcpy(h, "v=1; a=rsa-sha256; s=a@example.com; t=1; x=2; h=from");
	for (i = 0; i < 64; i++)
		strcat(h, ":to");
	strcat(h, "; " BH "b=AA==");
	sh = sigheader_parse(SIGHEADER_SKS, h, strlen(h), &e);
	T_OK(sh == NULL && e == SIGHEADER_EH, "65 names in h=: bad-h");
}

static void
fields(void)
{
	const struct sigheader_fields *f;
	struct sigheader *sh;
	const char *v = "v=1; a=rsa-sha256; s=\"john=20doe\"@example.test; "
	    "t=1; x=2; h=From:SUBJECT; unknown=tag; " BH "b=AA==";

	sh = sigheader_parse(SIGHEADER_SKS, v, strlen(v), NULL);
	f = sh != NULL ? sigheader_get(sh) : NULL;
	T_OK(f != NULL && f->hcanon == CANON_RELAXED && f->bcanon ==
	    CANON_RELAXED, "c= absent: relaxed/relaxed");
	T_STREQ(f ? addr_canon(f->sender) : NULL, "\"john doe\"@example.test",
	    "s= decoded from DKIM-Quoted-Printable");
	T_OK(f != NULL && f->nh == 2 && strcmp(f->h[1], "subject") == 0,
	    "h= names lowercased");
	T_OK(f != NULL && f->blen == 1 && f->t == 1 && f->x == 2,
	    "b=, t=, x= read; unknown tags ignored");
	sigheader_free(sh);
	sigheader_free(NULL);
}

static void
qp(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "alice@example.com", "alice@example.com" },
		{ "\"john doe\"@example.test", "\"john=20doe\"@example.test" },
		{ "bounce=x@example.test", "bounce=3Dx@example.test" },
		{ "j\xc3\xb6rg@xn--mnchen-3ya.example",
		  "j=C3=B6rg@xn--mnchen-3ya.example" },
		{ "\"a;b\"@example.test", "\"a=3Bb\"@example.test" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = sigheader_qp_encode(t[i].in);
		T_STREQ(s, t[i].out, "qp encode %s", t[i].out);
		free(s);
	}
}

static void
strip(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "X: v=1; b=abc\r\n  def\r\n", "X: v=1; b=\r\n" },
		{ "X: v=1; b = abc ; bh=xyz", "X: v=1; b =; bh=xyz" },
		{ "X: bh=abc; b=xyz; c=d", "X: bh=abc; b=; c=d" },
		{ "X: v=1;b=abc", "X: v=1;b=" },
	};
	size_t i, n;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = sigheader_strip_b(t[i].in, strlen(t[i].in), &n);
		T_STREQ(s, t[i].out, "strip b= from '%s'", t[i].out);
		free(s);
	}
	T_OK(sigheader_strip_b("X: bh=a", 7, &n) == NULL, "no b tag: NULL");
}

static void
format(void)
{
	static const char *h[] = { "from", "from", "subject" };
	unsigned char bh[32] = { 0 };
	struct sigheader_params p = { SIGHEADER_SKS, SIGHEADER_RSA_SHA256,
	    CANON_SIMPLE, CANON_RELAXED, "bounce=x@example.test", NULL, NULL,
	    h, 3, bh, 10, 20, NULL };
	char *s, b64[401];
	const char *l;
	size_t n, max = 0;
	struct sigheader *sh;

	memset(b64, 'A', 400);
	b64[400] = '\0';
	s = sigheader_format(&p, b64, &n);
	T_OK(s != NULL && strncmp(s, "Sender-Key-Signature: v=1; "
	    "a=rsa-sha256; c=simple/relaxed;\r\n s=bounce=3Dx@example.test; "
	    "t=10; x=20;\r\n h=from:from:subject;\r\n bh=", 115) == 0,
	    "format: tag order, folding, qp s=");
	for (l = s; l != NULL; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL) {
		const char *e = strstr(l, "\r\n");
		size_t ll = e ? (size_t)(e - l) : strlen(l);

		if (ll > max)
			max = ll;
	}
	T_OK(max < 78, "format: no line reaches 78 octets (longest %zu)", max);
	sh = s != NULL ? sigheader_parse(SIGHEADER_SKS, strchr(s, ':') + 1,
	    n - (size_t)(strchr(s, ':') + 1 - s), NULL) : NULL;
	T_OK(sh != NULL && sigheader_get(sh)->blen == 300,
	    "format: the output parses back, b= whole across folds");
	sigheader_free(sh);
	free(s);
}

/*
 * bridge: SIGHEADER_DKIM_BRIDGE parses as SIGHEADER_DKIM does (same errors,
 * same c= defaults) and decodes i= into ident when it is an address.
 */
static void
bridge(void)
{
	static const struct {
		const char *i, *canon;	/* canon NULL: no ident */
	} t[] = {
		{ "alice@example.com", "alice@example.com" },
		{ "Alice@EXAMPLE.com", "alice@example.com" },
		{ "\"john=20doe\"@example.test", "\"john doe\"@example.test" },
		{ "j=C3=B6rg@xn--mnchen-3ya.example",
		  "j\xc3\xb6rg@xn--mnchen-3ya.example" },
		{ "bounce=3dx@example.test", "bounce=x@example.test" },
		{ "@example.com", NULL },
		{ "alice", NULL },
		{ "a=00b@example.com", NULL },
		{ "a=2@example.com", NULL },
		{ "", NULL },
	};
	const struct sigheader_fields *f;
	struct sigheader *sh;
	enum sigheader_err e;
	char v[512];
	size_t k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		snprintf(v, sizeof(v), "v=1; a=ed25519-sha256; d=example.com; "
		    "s=sel; i=%s; h=from; " BH B64, t[k].i);
		e = SIGHEADER_OK;
		sh = sigheader_parse(SIGHEADER_DKIM_BRIDGE, v, strlen(v), &e);
		f = sh != NULL ? sigheader_get(sh) : NULL;
		T_OK(f != NULL, "bridge: i=%s parses (%s)", t[k].i,
		    sigheader_errname(e));
		if (t[k].canon != NULL)
			T_STREQ(f && f->ident ? addr_canon(f->ident) : NULL,
			    t[k].canon, "bridge: i=%s decoded", t[k].i);
		else
			T_OK(f != NULL && f->ident == NULL,
			    "bridge: i=%s is no address: no ident", t[k].i);
		sigheader_free(sh);
	}
	snprintf(v, sizeof(v), "v=1; a=ed25519-sha256; d=example.com; s=sel; "
	    "c=relaxed; h=from; " BH B64);
	sh = sigheader_parse(SIGHEADER_DKIM_BRIDGE, v, strlen(v), &e);
	f = sh != NULL ? sigheader_get(sh) : NULL;
	T_OK(f != NULL && f->ident == NULL && f->hcanon == CANON_RELAXED &&
	    f->bcanon == CANON_SIMPLE && f->t == -1 && f->x == -1 &&
	    strcmp(f->domain, "example.com") == 0 &&
	    strcmp(f->selector, "sel") == 0,
	    "bridge: no i=, DKIM's c= and t=/x= rules, d= and s= read");
	sigheader_free(sh);
	snprintf(v, sizeof(v), "v=1; a=ed25519-sha256; d=example.com; s=sel; "
	    "i=alice@example.com; h=from; " BH B64);
	sh = sigheader_parse(SIGHEADER_DKIM, v, strlen(v), &e);
	T_OK(sh != NULL && sigheader_get(sh)->ident == NULL,
	    "DKIM test mode: i= ignored");
	sigheader_free(sh);
	snprintf(v, sizeof(v), "v=1; a=ed25519-sha256; s=sel; "
	    "i=alice@example.com; h=from; " BH B64);
	sh = sigheader_parse(SIGHEADER_DKIM_BRIDGE, v, strlen(v), &e);
	T_OK(sh == NULL && e == SIGHEADER_EMISSING, "bridge: d= required");
	snprintf(v, sizeof(v), "v=1; a=ed25519-sha256; d=example.com; s=sel; "
	    "i=alice@example.com; l=1; h=from; " BH B64);
	sh = sigheader_parse(SIGHEADER_DKIM_BRIDGE, v, strlen(v), &e);
	T_OK(sh == NULL && e == SIGHEADER_ELTAG, "bridge: l= refused");
}

int
main(void)
{
	errors();
	hostile();
	fields();
	qp();
	strip();
	format();
	bridge();
	return t_done();
}
