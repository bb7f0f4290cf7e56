/*
 * keyrec.c: sender key records <-> struct keyrec_fields.
 *
 * The syntax is the DKIM tag list (taglist.c); this file adds the SK1
 * semantics of specs/record-format.md: v=SK1 first, k= and p= required,
 * ed25519 keys are 32 raw octets, rsa keys DER SubjectPublicKeyInfo of at
 * least 2048 bits, x= a decimal Unix time, n= free text.  Base64 and DER
 * are decoded by OpenSSL.  The DKIM key record of the DKIM bridge holds
 * the same key under RFC 6376's rules (keyrec_dkim_*): parsed into the
 * same struct, so fingerprints and keys compare across the two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "b64.h"
#include "errtab.h"
#include "keyrec.h"
#include "spki.h"
#include "taglist.h"

struct keyrec {
	struct keyrec_fields	 f;
	unsigned char		*key;
	char			*notes;
	unsigned		 bits;
};

static int
set_err(enum keyrec_err e, enum keyrec_err *err)
{
	if (err != NULL)
		*err = e;
	return -1;
}

/* check_rsa: P is a DER RSA SubjectPublicKeyInfo of at least 2048 bits. */
static int
check_rsa(const unsigned char *p, size_t len, unsigned *bits,
    enum keyrec_err *err)
{
	const unsigned char *q = p;
	EVP_PKEY *pk;
	int b;

	if (len > 8192)
		return set_err(KEYREC_EKEY, err);
	/* the one DER form without OpenSSL's decoders first (spki.h) */
	if ((pk = spki_rsa_parse(p, len)) == NULL &&
	    ((pk = d2i_PUBKEY(NULL, &q, (long)len)) == NULL || q != p + len)) {
		EVP_PKEY_free(pk);
		return set_err(KEYREC_EKEY, err);
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return set_err(KEYREC_EKEY, err);
	}
	b = EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	if (b < KEYREC_RSA_MIN_BITS)
		return set_err(KEYREC_ERSASMALL, err);
	*bits = (unsigned)b;
	return 0;
}

/* check_key: validate F's algorithm and key; sets *BITS. */
static int
check_key(const struct keyrec_fields *f, unsigned *bits, enum keyrec_err *err)
{
	*bits = 0;
	switch (f->alg) {
	case KEYREC_ED25519:
		if (f->keylen == 0)
			return 0;
		if (f->keylen != 32)
			return set_err(KEYREC_EKEYLEN, err);
		*bits = 256;
		return 0;
	case KEYREC_RSA:
		if (f->keylen == 0)
			return 0;
		return check_rsa(f->key, f->keylen, bits, err);
	}
	return set_err(KEYREC_EALG, err);
}

/* Notes are tag-value text: VALCHARs with single inner spaces. */
static int
notes_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 255 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			if (s[i + 1] == ' ')
				return 0;
			continue;
		}
		if (c < 0x21 || c > 0x7e || c == ';')
			return 0;
	}
	return 1;
}

static int
parse_time(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 12)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

static enum keyrec_err
from_taglist_err(enum taglist_err e)
{
	return e == TAGLIST_EDUP ? KEYREC_EDUPTAG : KEYREC_ESYNTAX;
}

/* has_item: 1 when the colon-separated list L holds WORD (FWS trimmed). */
static int
has_item(const char *l, const char *word)
{
	size_t wl = strlen(word);

	while (*l != '\0') {
		size_t il, e;

		l += strspn(l, " \t\r\n");
		il = strcspn(l, ":");
		for (e = il; e > 0 && strchr(" \t\r\n", l[e - 1]) != NULL; e--)
			;
		if (e == wl && memcmp(l, word, wl) == 0)
			return 1;
		l += il;
		if (*l == ':')
			l++;
	}
	return 0;
}

/* open_list: the tag list of TEXT, or NULL with *ERR / *POS set. */
static struct taglist *
open_list(const char *text, size_t len, enum keyrec_err *err, size_t *pos)
{
	struct taglist *tl;
	enum taglist_err te;

	*pos = 0;
	if (err != NULL)
		*err = KEYREC_OK;
	if (len > KEYREC_MAX_LEN) {
		set_err(KEYREC_ETOOLONG, err);
		return NULL;
	}
	if ((tl = taglist_parse(text, len, &te, pos)) == NULL)
		set_err(from_taglist_err(te), err);
	return tl;
}

/*
 * new_key: a keyrec for algorithm K (NULL: DEFALG) with key P (base64),
 * the t= flags T (may be NULL: "y" sets testing, others are ignored).
 */
static struct keyrec *
new_key(const char *k, enum keyrec_alg defalg, const char *p, const char *t,
    enum keyrec_err *err)
{
	struct keyrec *kr;

	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return NULL;
	if (k == NULL)
		kr->f.alg = defalg;
	else if (strcmp(k, "ed25519") == 0)
		kr->f.alg = KEYREC_ED25519;
	else if (strcmp(k, "rsa") == 0)
		kr->f.alg = KEYREC_RSA;
	else {
		set_err(KEYREC_EALG, err);
		goto fail;
	}
	if (b64_decode(p, &kr->key, &kr->f.keylen) == -1) {
		set_err(KEYREC_EBASE64, err);
		goto fail;
	}
	kr->f.key = kr->key;
	if (check_key(&kr->f, &kr->bits, err) == -1)
		goto fail;
	kr->f.testing = t != NULL && has_item(t, "y");
	return kr;
fail:
	keyrec_free(kr);
	return NULL;
}

struct keyrec *
keyrec_dkim_parse(const char *text, size_t len, enum keyrec_err *err,
    size_t *pos)
{
	struct keyrec *kr = NULL;
	struct taglist *tl;
	const char *h, *s, *p;
	size_t dummy;

	if ((tl = open_list(text, len, err, pos != NULL ? pos : &dummy)) ==
	    NULL)
		return NULL;
	/* RFC 6376 3.6.1: v= is optional, but when present first, DKIM1 */
	if (taglist_get(tl, "v") != NULL &&
	    (strcmp(taglist_name(tl, 0), "v") != 0 ||
	    strcmp(taglist_value(tl, 0), "DKIM1") != 0)) {
		set_err(KEYREC_EVERSION, err);
		goto done;
	}
	if ((p = taglist_get(tl, "p")) == NULL) {
		set_err(KEYREC_EMISSING, err);
		goto done;
	}
	if ((h = taglist_get(tl, "h")) != NULL && !has_item(h, "sha256")) {
		set_err(KEYREC_EHASH, err);
		goto done;
	}
	if ((s = taglist_get(tl, "s")) != NULL && !has_item(s, "*") &&
	    !has_item(s, "email")) {
		set_err(KEYREC_ESERVICE, err);
		goto done;
	}
	kr = new_key(taglist_get(tl, "k"), KEYREC_RSA, p,
	    taglist_get(tl, "t"), err);
done:
	taglist_free(tl);
	return kr;
}

struct keyrec *
keyrec_parse(const char *text, size_t len, enum keyrec_err *err, size_t *pos)
{
	struct keyrec *kr = NULL;
	struct taglist *tl = NULL;
	const char *k, *p, *x, *n;
	size_t dummy;

	if ((tl = open_list(text, len, err, pos != NULL ? pos : &dummy)) ==
	    NULL)
		return NULL;
	if (strcmp(taglist_name(tl, 0), "v") != 0 ||
	    strcmp(taglist_value(tl, 0), "SK1") != 0) {
		set_err(KEYREC_EVERSION, err);
		goto fail;
	}
	k = taglist_get(tl, "k");
	p = taglist_get(tl, "p");
	if (k == NULL || p == NULL) {
		set_err(KEYREC_EMISSING, err);
		goto fail;
	}
	if ((kr = new_key(k, KEYREC_ED25519, p, taglist_get(tl, "t"),
	    err)) == NULL)
		goto fail;
	if ((x = taglist_get(tl, "x")) != NULL &&
	    parse_time(x, &kr->f.not_after) == -1) {
		set_err(KEYREC_EEXPIRY, err);
		goto fail;
	}
	if ((n = taglist_get(tl, "n")) != NULL) {
		if (!notes_ok(n)) {
			set_err(KEYREC_ENOTES, err);
			goto fail;
		}
		if ((kr->notes = strdup(n)) == NULL)
			goto fail;
		kr->f.notes = kr->notes;
	}
	taglist_free(tl);
	return kr;
fail:
	taglist_free(tl);
	keyrec_free(kr);
	return NULL;
}

void
keyrec_free(struct keyrec *kr)
{
	if (kr == NULL)
		return;
	free(kr->key);
	free(kr->notes);
	free(kr);
}

_Static_assert(sizeof(struct keyrec) % 8 == 0, "flat copy alignment");

size_t
keyrec_flat_size(const struct keyrec *kr)
{
	size_t n = sizeof(*kr) + kr->f.keylen;

	if (kr->notes != NULL)
		n += strlen(kr->notes) + 1;
	return (n + 7) & ~(size_t)7;
}

struct keyrec *
keyrec_flat_copy(const struct keyrec *kr, void *buf)
{
	struct keyrec *k = buf;
	unsigned char *p = (unsigned char *)(k + 1);
	size_t n;

	*k = *kr;
	if (kr->f.keylen > 0)
		memcpy(p, kr->f.key, kr->f.keylen);
	k->key = p;
	k->f.key = p;
	p += kr->f.keylen;
	if (kr->notes != NULL) {
		n = strlen(kr->notes) + 1;
		memcpy(p, kr->notes, n);
		k->notes = (char *)p;
		k->f.notes = k->notes;
	}
	return k;
}

const struct keyrec_fields *
keyrec_get(const struct keyrec *kr)
{
	return &kr->f;
}

unsigned
keyrec_bits(const struct keyrec *kr)
{
	return kr->bits;
}

int
keyrec_usable(const struct keyrec *kr, int64_t now)
{
	if (kr->f.keylen == 0)
		return 0;
	if (kr->f.not_after != 0 && now > kr->f.not_after)
		return 0;
	return 1;
}

/*
 * put: append the NUL-terminated S at OUT + *O, keeping room for a NUL in
 * OUTSZ octets; -1 when it does not fit.
 */
static int
put(char *out, size_t outsz, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (outsz - *o <= n)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

int
keyrec_encode_buf(const struct keyrec_fields *f, char *out, size_t outsz,
    size_t *outlen, enum keyrec_err *err)
{
	char xbuf[32] = "";
	unsigned bits;
	size_t n = 0, blen;

	if (err != NULL)
		*err = KEYREC_OK;
	if (check_key(f, &bits, err) == -1)
		return -1;
	if (f->not_after < 0)
		return set_err(KEYREC_EEXPIRY, err);
	if (f->notes != NULL && !notes_ok(f->notes))
		return set_err(KEYREC_ENOTES, err);
	if (f->not_after > 0)
		snprintf(xbuf, sizeof(xbuf), "x=%lld; ",
		    (long long)f->not_after);
	/* "v=SK1; k=ALG; [t=y; ][x=N; ][n=NOTES; ]p=B64" */
	if (outsz == 0 || put(out, outsz, &n, "v=SK1; k=") == -1 ||
	    put(out, outsz, &n, keyrec_alg_name(f->alg)) == -1 ||
	    put(out, outsz, &n, "; ") == -1 ||
	    (f->testing && put(out, outsz, &n, "t=y; ") == -1) ||
	    put(out, outsz, &n, xbuf) == -1 ||
	    (f->notes != NULL && (put(out, outsz, &n, "n=") == -1 ||
	    put(out, outsz, &n, f->notes) == -1 ||
	    put(out, outsz, &n, "; ") == -1)) ||
	    put(out, outsz, &n, "p=") == -1 ||
	    b64_encode_buf(f->key, f->keylen, out + n, outsz - n,
	    &blen) == -1 || n + blen > KEYREC_MAX_LEN)
		return set_err(KEYREC_ETOOLONG, err);
	*outlen = n + blen;
	return 0;
}

int
keyrec_dkim_encode_buf(const struct keyrec_fields *f, char *out,
    size_t outsz, size_t *outlen, enum keyrec_err *err)
{
	unsigned bits;
	size_t n = 0, blen;

	if (err != NULL)
		*err = KEYREC_OK;
	if (check_key(f, &bits, err) == -1)
		return -1;
	/* "v=DKIM1; k=ALG; h=sha256; s=email; t=[y:]s; p=B64" */
	if (outsz == 0 || put(out, outsz, &n, "v=DKIM1; k=") == -1 ||
	    put(out, outsz, &n, keyrec_alg_name(f->alg)) == -1 ||
	    put(out, outsz, &n, "; h=sha256; s=email; t=") == -1 ||
	    put(out, outsz, &n, f->testing ? "y:s; p=" : "s; p=") == -1 ||
	    b64_encode_buf(f->key, f->keylen, out + n, outsz - n,
	    &blen) == -1 || n + blen > KEYREC_MAX_LEN)
		return set_err(KEYREC_ETOOLONG, err);
	*outlen = n + blen;
	return 0;
}

/* encode_dup: ENC's text in a malloc'd copy. */
static char *
encode_dup(int (*enc)(const struct keyrec_fields *, char *, size_t,
    size_t *, enum keyrec_err *), const struct keyrec_fields *f,
    enum keyrec_err *err)
{
	char buf[KEYREC_MAX_LEN + 1], *out;
	size_t n;

	if (enc(f, buf, sizeof(buf), &n, err) == -1)
		return NULL;
	if ((out = malloc(n + 1)) != NULL)
		memcpy(out, buf, n + 1);
	return out;
}

char *
keyrec_encode(const struct keyrec_fields *f, enum keyrec_err *err)
{
	return encode_dup(keyrec_encode_buf, f, err);
}

char *
keyrec_dkim_encode(const struct keyrec_fields *f, enum keyrec_err *err)
{
	return encode_dup(keyrec_dkim_encode_buf, f, err);
}

const char *
keyrec_alg_name(enum keyrec_alg alg)
{
	switch (alg) {
	case KEYREC_ED25519:
		return "ed25519";
	case KEYREC_RSA:
		return "rsa";
	}
	return "unknown";
}

static const struct errtab errtab[] = {
	{ KEYREC_OK, "ok", "no error" },
	{ KEYREC_ESYNTAX, "syntax", "not a valid tag list" },
	{ KEYREC_EDUPTAG, "duplicate-tag", "a tag appears more than once" },
	{ KEYREC_EVERSION, "bad-version",
	  "the record must start with v=SK1 (a DKIM record: v=DKIM1, if any)" },
	{ KEYREC_EMISSING, "missing-tag", "k= and p= are required" },
	{ KEYREC_EALG, "unknown-algorithm",
	  "k= must be ed25519 or rsa" },
	{ KEYREC_EBASE64, "bad-base64", "p= is not valid base64" },
	{ KEYREC_EKEYLEN, "bad-key-length",
	  "an ed25519 key must be exactly 32 octets" },
	{ KEYREC_EKEY, "bad-rsa-key",
	  "p= is not a DER RSA SubjectPublicKeyInfo" },
	{ KEYREC_ERSASMALL, "rsa-too-small",
	  "RSA keys must have at least 2048 bits" },
	{ KEYREC_EEXPIRY, "bad-expiry",
	  "x= must be a positive decimal Unix time" },
	{ KEYREC_ENOTES, "bad-notes",
	  "n= holds characters a tag value cannot carry" },
	{ KEYREC_ETOOLONG, "too-long", "the record is longer than 4096 octets" },
	{ KEYREC_EHASH, "bad-hash",
	  "a DKIM record's h= must list sha256" },
	{ KEYREC_ESERVICE, "bad-service",
	  "a DKIM record's s= must list * or email" },
};

const char *
keyrec_errname(enum keyrec_err e)
{
	return errtab_name(errtab, sizeof(errtab) / sizeof(errtab[0]), (int)e);
}

const char *
keyrec_strerror(enum keyrec_err e)
{
	return errtab_text(errtab, sizeof(errtab) / sizeof(errtab[0]), (int)e);
}
