/*
 * mf_vcard.c: the vCard manifest (specs/manifest.md section 4): vCard 2.1,
 * 3.0 (RFC 2426) and 4.0 (RFC 6350) files as address books export them.
 * Lines are unfolded, groups ("item1.EMAIL") dropped, parameters read;
 * every EMAIL of a contact gets each of the contact's KEYs (one entry per
 * address and key), or no key.  KEY forms: 4.0 data: URIs, 2.1/3.0
 * ENCODING=b with TYPE=PGP, and text values holding PEM, OpenSSH or
 * armoured OpenPGP keys.  Only BEGIN, END, VERSION, EMAIL and KEY are
 * read; everything else is skipped.  Keys are located, not decoded.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/b64.h"
#include "lib/hex.h"
#include "mf_base.h"
#include "mf_vcard.h"

#define VC_MAX_ITEMS	64	/* EMAILs and KEYs in one contact */
#define VC_MAX_PARAMS	16

struct vkey {
	enum manifest_keytype	 type;
	unsigned char		*data;
	size_t			 len;
	unsigned long		 line;
};

struct vmail {
	char		*addr;
	size_t		 len;
	unsigned long	 line;
};

struct card {
	size_t		 ncards;	/* BEGIN:VCARD seen in the file */
	unsigned long	 begin;		/* line of BEGIN:VCARD, 0 outside */
	int		 version;	/* seen */
	int		 bad;		/* an error: publish nothing of it */
	struct vmail	 mail[VC_MAX_ITEMS];
	size_t		 nmail;
	struct vkey	 key[VC_MAX_ITEMS];
	size_t		 nkey;
};

/* One parsed content line; pointers into the unfolded line. */
struct cline {
	const char	*name;
	size_t		 namelen;
	struct {
		const char	*name, *val;
		size_t		 nlen, vlen;
	} p[VC_MAX_PARAMS];
	size_t		 np;
	const char	*val;
	size_t		 vlen;
};

static void
card_clear(struct card *c)
{
	size_t i, ncards = c->ncards;

	for (i = 0; i < c->nmail; i++)
		free(c->mail[i].addr);
	for (i = 0; i < c->nkey; i++)
		free(c->key[i].data);
	memset(c, 0, sizeof(*c));
	c->ncards = ncards;
}

static int
eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/* split: NAME;PARAM=V;...:VALUE, group dropped.  Returns 0 or -1. */
static int
split(const char *s, size_t len, struct cline *cl)
{
	size_t i = 0, st;
	int q;

	memset(cl, 0, sizeof(*cl));
	for (;;) {
		st = i;
		while (i < len && s[i] != '.' && s[i] != ';' && s[i] != ':')
			i++;
		if (i < len && s[i] == '.') {
			i++;		/* a group: drop it */
			continue;
		}
		break;
	}
	cl->name = s + st;
	cl->namelen = i - st;
	if (cl->namelen == 0)
		return -1;
	while (i < len && s[i] == ';') {
		if (cl->np == VC_MAX_PARAMS)
			return -1;
		st = ++i;
		while (i < len && s[i] != '=' && s[i] != ';' && s[i] != ':')
			i++;
		cl->p[cl->np].name = s + st;
		cl->p[cl->np].nlen = i - st;
		if (i < len && s[i] == '=') {
			st = ++i;
			for (q = 0; i < len && (q || (s[i] != ';' &&
			    s[i] != ':')); i++)
				if (s[i] == '"')
					q = !q;
			if (q)
				return -1;
			cl->p[cl->np].val = s + st;
			cl->p[cl->np].vlen = i - st;
		} else {
			/* vCard 2.1 bare parameter: TYPE=it */
			cl->p[cl->np].val = cl->p[cl->np].name;
			cl->p[cl->np].vlen = cl->p[cl->np].nlen;
			cl->p[cl->np].name = "TYPE";
			cl->p[cl->np].nlen = 4;
		}
		cl->np++;
	}
	if (i >= len || s[i] != ':')
		return -1;
	cl->val = s + i + 1;
	cl->vlen = len - i - 1;
	return 0;
}

/* has_param: parameter NAME has VAL among its comma-separated values. */
static int
has_param(const struct cline *cl, const char *name, const char *val)
{
	size_t i, j, k, vl;
	const char *v;

	for (i = 0; i < cl->np; i++) {
		if (!eq(cl->p[i].name, cl->p[i].nlen, name))
			continue;
		v = cl->p[i].val;
		vl = cl->p[i].vlen;
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		for (j = 0; j <= vl; j = k + 1) {
			for (k = j; k < vl && v[k] != ','; k++)
				;
			if (val == NULL || eq(v + j, k - j, val))
				return 1;
		}
	}
	return 0;
}

/* param: the first value of NAME (quotes removed), or NULL. */
static const char *
param(const struct cline *cl, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < cl->np; i++)
		if (eq(cl->p[i].name, cl->p[i].nlen, name)) {
			*len = cl->p[i].vlen;
			if (*len >= 2 && cl->p[i].val[0] == '"') {
				*len -= 2;
				return cl->p[i].val + 1;
			}
			return cl->p[i].val;
		}
	return NULL;
}

/* unescape: vCard text value escapes (\\ \, \; \n \N); malloc'd. */
static char *
unescape(const char *s, size_t len, size_t *outlen)
{
	char *o;
	size_t i, n = 0;

	if ((o = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			o[n++] = s[i] == 'n' || s[i] == 'N' ? '\n' : s[i];
		} else
			o[n++] = s[i];
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

/* sniff: the key type of bytes P by their content, or KT_NONE. */
static enum manifest_keytype
sniff(const unsigned char *p, size_t len)
{
	static const char pgp[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	const unsigned char *sp;

	if (len > strlen(pgp) && memcmp(p, pgp, strlen(pgp)) == 0)
		return MANIFEST_KT_PGP;
	if (len > 11 && memcmp(p, "-----BEGIN ", 11) == 0)
		return MANIFEST_KT_PEM;
	if ((sp = memchr(p, ' ', len)) != NULL && sp - p > 4 &&
	    (memcmp(p, "ssh-", 4) == 0 || memcmp(p, "ecdsa-", 6) == 0 ||
	    memcmp(p, "sk-", 3) == 0))
		return MANIFEST_KT_SSH;
	/* An OpenPGP public key packet (tag 6), old or new format. */
	if (len > 2 && (p[0] == 0x98 || p[0] == 0x99 || p[0] == 0x9a ||
	    p[0] == 0xc6))
		return MANIFEST_KT_PGP;
	return MANIFEST_KT_NONE;
}

/* media: a media type to a key type; -1 for X.509, KT_NONE unknown. */
static int
media(const char *s, size_t len)
{
	if (eq(s, len, "application/pgp-keys") ||
	    eq(s, len, "application/pgp"))
		return MANIFEST_KT_PGP;
	if (eq(s, len, "application/x-pem-file") ||
	    eq(s, len, "application/pem-certificate-chain"))
		return MANIFEST_KT_PEM;
	if (len > 20 && (strncasecmp(s, "application/pkix-", 17) == 0 ||
	    strncasecmp(s, "application/x-x509", 18) == 0))
		return -1;
	return MANIFEST_KT_NONE;
}

/* pct_decode: %XX escapes of a data: URI without ;base64; malloc'd. */
static unsigned char *
pct_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char *o;
	size_t i, n = 0;
	int hi, lo;

	if ((o = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			o[n++] = (unsigned char)s[i];
			continue;
		}
		if (i + 2 >= len || (hi = hex_digit(s[i + 1])) < 0 ||
		    (lo = hex_digit(s[i + 2])) < 0) {
			free(o);
			return NULL;
		}
		o[n++] = (unsigned char)(hi * 16 + lo);
		i += 2;
	}
	*outlen = n;
	return o;
}

/* b64: decode LEN octets of base64 text at S; malloc'd or NULL. */
static unsigned char *
b64(const char *s, size_t len, size_t *outlen)
{
	unsigned char *out = NULL;
	char *t;

	if ((t = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(t, s, len);
	t[len] = '\0';
	if (memchr(s, '\0', len) != NULL || b64_decode(t, &out, outlen) == -1)
		out = NULL;
	free(t);
	return out;
}

/* is_uri: VALUE starts with a URI scheme ("https:"). */
static int
is_uri(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	for (i = 1; i < len && i < 32; i++) {
		if (s[i] == ':')
			return 1;
		if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	}
	return 0;
}

/* key_prop: one KEY line into C; errors are reported. */
static void
key_prop(struct manifest *m, const char *file, unsigned long lno,
    const struct cline *cl, struct card *c)
{
	const char *mt, *v = cl->val, *comma;
	size_t mtlen = 0, len = 0, vl = cl->vlen;
	unsigned char *data = NULL;
	int declared = MANIFEST_KT_NONE, type;
	char q[64];

	if (c->nkey == VC_MAX_ITEMS) {
		mf_base_err(m, file, lno, "too many KEYs in one contact");
		goto bad;
	}
	if (has_param(cl, "TYPE", "PGP") || has_param(cl, "TYPE", "GPG"))
		declared = MANIFEST_KT_PGP;
	else if (has_param(cl, "TYPE", "X509"))
		declared = -1;
	if ((mt = param(cl, "MEDIATYPE", &mtlen)) != NULL &&
	    media(mt, mtlen) != MANIFEST_KT_NONE)
		declared = media(mt, mtlen);
	if (has_param(cl, "ENCODING", "b") ||
	    has_param(cl, "ENCODING", "BASE64")) {
		if ((data = b64(v, vl, &len)) == NULL) {
			mf_base_err(m, file, lno, "KEY: bad base64");
			goto bad;
		}
	} else if (vl > 5 && strncasecmp(v, "data:", 5) == 0) {
		/* RFC 2397: data:[<mediatype>][;base64],<data> */
		v += 5;
		vl -= 5;
		if ((comma = memchr(v, ',', vl)) == NULL) {
			mf_base_err(m, file, lno, "KEY: data: URI without ','");
			goto bad;
		}
		mtlen = (size_t)(comma - v);
		if (mtlen > 0 && v[mtlen - 1] == '\\')	/* "\," written */
			mtlen--;
		mt = v;
		vl -= (size_t)(comma - v) + 1;
		v = comma + 1;
		if (mtlen >= 7 && eq(mt + mtlen - 7, 7, ";base64")) {
			mtlen -= 7;
			data = b64(v, vl, &len);
		} else
			data = pct_decode(v, vl, &len);
		if (data == NULL) {
			mf_base_err(m, file, lno, "KEY: bad data: URI data");
			goto bad;
		}
		if (memchr(mt, ';', mtlen) != NULL)
			mtlen = (size_t)((const char *)memchr(mt, ';', mtlen) -
			    mt);
		if (media(mt, mtlen) != MANIFEST_KT_NONE)
			declared = media(mt, mtlen);
	} else if (has_param(cl, "VALUE", "uri") || is_uri(v, vl)) {
		mf_base_err(m, file, lno, "KEY is a link (%s...), not a key: "
		    "only inline keys and data: URIs can be published",
		    mf_base_quote(v, vl < 24 ? vl : 24, q, sizeof(q)));
		goto bad;
	} else if ((data = (unsigned char *)unescape(v, vl, &len)) == NULL) {
		mf_base_err(m, file, lno, "out of memory");
		goto bad;
	}
	if (declared == -1) {
		mf_base_err(m, file, lno, "KEY: X.509 certificates are not "
		    "supported; give the public key (PEM) or an OpenPGP key");
		goto bad;
	}
	type = declared != MANIFEST_KT_NONE ? declared : (int)sniff(data, len);
	if (type == MANIFEST_KT_NONE) {
		mf_base_err(m, file, lno, "KEY: unknown key type (expected "
		    "TYPE=PGP, MEDIATYPE=application/pgp-keys, a PEM, OpenSSH "
		    "or OpenPGP key)");
		goto bad;
	}
	c->key[c->nkey].type = (enum manifest_keytype)type;
	c->key[c->nkey].data = data;
	c->key[c->nkey].len = len;
	c->key[c->nkey].line = lno;
	c->nkey++;
	return;
bad:
	free(data);
	c->bad = 1;
}

static void
email_prop(struct manifest *m, const char *file, unsigned long lno,
    const struct cline *cl, struct card *c)
{
	struct vmail *mail;

	if (c->nmail == VC_MAX_ITEMS) {
		mf_base_err(m, file, lno, "too many EMAILs in one contact");
		c->bad = 1;
		return;
	}
	mail = &c->mail[c->nmail];
	if ((mail->addr = unescape(cl->val, cl->vlen, &mail->len)) == NULL) {
		mf_base_err(m, file, lno, "out of memory");
		c->bad = 1;
		return;
	}
	mail->line = lno;
	c->nmail++;
}

/* card_end: the entries of a complete contact. */
static void
card_end(struct manifest *m, const char *file, unsigned long lno,
    struct card *c)
{
	struct manifest_entry *e;
	size_t i, k;

	if (!c->version) {
		mf_base_err(m, file, lno, "contact without VERSION (begun at "
		    "line %lu)", c->begin);
		c->bad = 1;
	}
	if (c->bad)
		return;
	for (i = 0; i < c->nmail; i++) {
		for (k = 0; k == 0 || k < c->nkey; k++) {
			if ((e = mf_base_add(m, file, c->mail[i].line,
			    c->mail[i].addr, c->mail[i].len)) == NULL)
				break;
			if (c->nkey == 0)
				break;
			e->key_line = c->key[k].line;
			mf_base_set_data(m, e, c->key[k].type, c->key[k].data,
			    c->key[k].len);
		}
	}
}

/* one_line: one unfolded content line. */
static void
one_line(struct manifest *m, const char *file, unsigned long lno,
    const char *s, size_t len, struct card *c)
{
	struct cline cl;
	char q[64];

	if (len == 0)
		return;
	if (memchr(s, '\0', len) != NULL) {
		mf_base_err(m, file, lno, "NUL octet");
		c->bad = 1;
		return;
	}
	if (split(s, len, &cl) == -1) {
		mf_base_err(m, file, lno, "not a vCard content line "
		    "(NAME[;PARAM=VALUE]:VALUE)");
		c->bad = 1;
		return;
	}
	if (eq(cl.name, cl.namelen, "BEGIN")) {
		if (!eq(cl.val, cl.vlen, "VCARD"))
			return;
		if (c->begin != 0) {
			mf_base_err(m, file, lno, "BEGIN:VCARD inside a "
			    "contact (begun at line %lu)", c->begin);
			card_clear(c);
		}
		c->begin = lno;
		c->ncards++;
		return;
	}
	if (c->begin == 0) {
		mf_base_err(m, file, lno, "expected BEGIN:VCARD");
		return;
	}
	if (eq(cl.name, cl.namelen, "END") && eq(cl.val, cl.vlen, "VCARD")) {
		card_end(m, file, lno, c);
		card_clear(c);
	} else if (eq(cl.name, cl.namelen, "VERSION")) {
		if (!eq(cl.val, cl.vlen, "2.1") && !eq(cl.val, cl.vlen, "3.0") &&
		    !eq(cl.val, cl.vlen, "4.0")) {
			mf_base_err(m, file, lno, "unsupported VERSION \"%s\" "
			    "(expected 2.1, 3.0 or 4.0)",
			    mf_base_quote(cl.val, cl.vlen, q, sizeof(q)));
			c->bad = 1;
		}
		c->version = 1;
	} else if (eq(cl.name, cl.namelen, "EMAIL"))
		email_prop(m, file, lno, &cl, c);
	else if (eq(cl.name, cl.namelen, "KEY"))
		key_prop(m, file, lno, &cl, c);
}

int
mf_vcard_parse(struct manifest *m, const char *path, const char *buf,
    size_t len)
{
	struct card *c = NULL;
	char *lbuf = NULL;
	size_t pos = 0, end, n, llen = 0, before = mf_base_nerrors(m);
	unsigned long lno = 0, lstart = 0;
	const char *file, *nl;
	int toolong = 0;

	if ((file = mf_base_file(m, path)) == NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL ||
	    (lbuf = malloc(MF_LINE_MAX)) == NULL) {
		mf_base_err(m, path, 0, "out of memory");
		goto done;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	for (;;) {
		const char *p = buf + pos;

		if (pos < len) {
			lno++;
			nl = memchr(p, '\n', len - pos);
			end = nl != NULL ? (size_t)(nl - buf) : len;
			n = end - pos;
			if (n > 0 && p[n - 1] == '\r')
				n--;
			pos = nl != NULL ? end + 1 : len;
		} else
			n = 0;
		/* A line starting with SP or HTAB continues the last one. */
		if (p < buf + len && n > 0 && (p[0] == ' ' || p[0] == '\t') &&
		    lstart != 0) {
			if (llen + n - 1 > MF_LINE_MAX)
				toolong = 1;
			else {
				memcpy(lbuf + llen, p + 1, n - 1);
				llen += n - 1;
			}
			continue;
		}
		if (lstart != 0) {
			if (toolong) {
				mf_base_err(m, file, lstart, "line too long");
				c->bad = 1;
			} else
				one_line(m, file, lstart, lbuf, llen, c);
		}
		if (p >= buf + len)
			break;
		toolong = n > MF_LINE_MAX;
		llen = toolong ? 0 : n;
		memcpy(lbuf, p, llen);
		lstart = n > 0 ? lno : 0;
	}
	if (c->begin != 0)
		mf_base_err(m, file, c->begin, "contact not ended "
		    "(END:VCARD missing)");
	if (c->ncards == 0 && mf_base_nerrors(m) == before)
		mf_base_err(m, file, 0, "no contact (BEGIN:VCARD) in the file");
done:
	if (c != NULL)
		card_clear(c);
	free(c);
	free(lbuf);
	return mf_base_nerrors(m) == before ? 0 : -1;
}
